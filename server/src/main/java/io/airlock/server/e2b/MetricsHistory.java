package io.airlock.server.e2b;

import io.airlock.core.AirlockException;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxService;
import io.airlock.core.SandboxStats;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A short time series of each live sandbox's resource use, for {@code GET /sandboxes/{id}/metrics}:
 * sampled every {@code interval} by a background thread, and on demand when the newest sample
 * is older than a second. Bounded per sandbox; dropped when the sandbox ends.
 */
public final class MetricsHistory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsHistory.class);
    static final int MAX_SAMPLES = 360;

    /** One sample: when, what the cgroups said, and the CPU use since the previous sample. */
    record Sample(Instant at, SandboxStats stats, double cpuUsedPct) {}

    private final SandboxService sandboxes;
    private final InstantSource clock;
    private final Duration interval;
    private final Map<String, Deque<Sample>> series = new ConcurrentHashMap<>();
    private volatile Thread sampler;

    public MetricsHistory(SandboxService sandboxes, InstantSource clock, Duration interval) {
        this.sandboxes = sandboxes;
        this.clock = clock;
        this.interval = interval;
    }

    /** Starts the background sampler. */
    public void start() {
        sampler = Thread.ofVirtual().name("metrics-sampler").start(this::loop);
    }

    /** Samples of {@code id} taken in {@code [from, to]}, oldest first, after taking a fresh one if due. */
    List<Sample> samples(String id, Instant from, Instant to) {
        Deque<Sample> s = series.computeIfAbsent(id, k -> new ArrayDeque<>());
        synchronized (s) {
            Sample last = s.peekLast();
            if (last == null || Duration.between(last.at(), clock.instant()).compareTo(Duration.ofSeconds(1)) >= 0) {
                sample(id, s);
            }
            return s.stream().filter(x -> !x.at().isBefore(from) && !x.at().isAfter(to)).toList();
        }
    }

    /** Drops a sandbox's series. */
    public void forget(String id) {
        series.remove(id);
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
                for (Sandbox sb : sandboxes.list()) {
                    Deque<Sample> s = series.computeIfAbsent(sb.id(), k -> new ArrayDeque<>());
                    synchronized (s) {
                        sample(sb.id(), s);
                    }
                }
                series.keySet().retainAll(sandboxes.list().stream().map(Sandbox::id).toList());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.atWarn().setCause(e).log("metrics sampling failed");
            }
        }
    }

    private void sample(String id, Deque<Sample> s) {
        SandboxStats stats;
        try {
            stats = sandboxes.stats(id);
        } catch (AirlockException e) {
            return; // died between list and stats, or paused mid-read: nothing to record
        }
        Instant now = clock.instant();
        double pct = 0;
        Sample prev = s.peekLast();
        if (prev != null) {
            long wall = Duration.between(prev.at(), now).toNanos();
            double cpus = Math.max(1, sandboxes.get(id).resources().cpus());
            pct = wall <= 0 ? 0 : Math.min(100, 100.0 * (stats.cpuNanos() - prev.stats().cpuNanos()) / wall / cpus);
        }
        s.addLast(new Sample(now, stats, Math.max(0, pct)));
        while (s.size() > MAX_SAMPLES) {
            s.removeFirst();
        }
    }

    @Override
    public void close() {
        Thread t = sampler;
        if (t != null) {
            t.interrupt();
        }
    }
}
