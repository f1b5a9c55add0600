package io.airlock.server.envd;

import io.airlock.core.FileEvent;
import io.airlock.core.FileWatch;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxService;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchers of {@code CreateWatcher}/{@code GetWatcherEvents}/{@code RemoveWatcher}: directory
 * watches that outlive the call that made them, polled by the client (the Python SDK's
 * {@code watch_dir}).
 *
 * <p>Everything here is bounded: the events a watcher holds are the queue of its
 * {@link FileWatch} (capped by the runtime; beyond it new events are dropped), a sandbox has at
 * most {@link #MAX_PER_SANDBOX} watchers, and a watcher not polled for {@link #IDLE} is closed,
 * as is every watcher of a sandbox that is gone. A sweeper thread runs only while watchers exist.
 */
final class Watchers {
    // each is an inotify instance, which the host's kernel counts per user (fs.inotify.max_user_instances)
    static final int MAX_PER_SANDBOX = 16;
    static final Duration IDLE = Duration.ofMinutes(10);
    static final int MAX_EVENTS_PER_POLL = 20_000;
    private static final Duration SWEEP_EVERY = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(Watchers.class);

    /** One watcher; {@code lastPolled} is guarded by its monitor, as is draining. */
    static final class Watcher {
        final String id;
        final String sandboxId;
        final String path;
        final String user;
        final boolean includeEntry;
        final FileWatch watch;
        private Instant lastPolled;

        Watcher(String id, String sandboxId, String path, String user, boolean includeEntry, FileWatch watch, Instant now) {
            this.id = id;
            this.sandboxId = sandboxId;
            this.path = path;
            this.user = user;
            this.includeEntry = includeEntry;
            this.watch = watch;
            this.lastPolled = now;
        }

        /** The events since the last poll, at most {@link #MAX_EVENTS_PER_POLL}. */
        synchronized List<FileEvent> drain(Instant now) throws InterruptedException {
            lastPolled = now;
            List<FileEvent> events = new ArrayList<>();
            while (events.size() < MAX_EVENTS_PER_POLL) {
                Optional<FileEvent> e = watch.next(Duration.ZERO);
                if (e.isEmpty()) {
                    break;
                }
                events.add(e.get());
            }
            return events;
        }

        synchronized boolean idleSince(Instant cutoff) {
            return lastPolled.isBefore(cutoff);
        }
    }

    private final SandboxService sandboxes;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Watcher> watchers = new ConcurrentHashMap<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();

    Watchers(SandboxService sandboxes, InstantSource clock) {
        this.sandboxes = sandboxes;
        this.clock = clock;
    }

    /**
     * Registers a watch; the caller opened it and hands it over (it is closed here if refused).
     *
     * @throws ConnectException resource_exhausted if the sandbox has {@link #MAX_PER_SANDBOX} already
     */
    Watcher add(String sandboxId, String path, String user, boolean includeEntry, FileWatch watch) {
        Watcher w;
        synchronized (this) {
            long count = watchers.values().stream().filter(x -> x.sandboxId.equals(sandboxId)).count();
            if (count >= MAX_PER_SANDBOX) {
                watch.close();
                throw new ConnectException(ConnectCode.RESOURCE_EXHAUSTED, "this sandbox already has " + MAX_PER_SANDBOX
                        + " watchers; remove some with RemoveWatcher");
            }
            byte[] bytes = new byte[12];
            random.nextBytes(bytes);
            w = new Watcher("w" + HexFormat.of().formatHex(bytes), sandboxId, path, user, includeEntry, watch, clock.instant());
            watchers.put(w.id, w);
        }
        startSweeper();
        return w;
    }

    /** The sandbox's watcher with this id. */
    Watcher get(String sandboxId, String id) {
        Watcher w = watchers.get(id);
        if (w == null || !w.sandboxId.equals(sandboxId)) {
            throw ConnectException.notFound("watcher '" + (id.length() > 40 ? id.substring(0, 40) + "…" : id)
                    + "' not found in this sandbox: it was removed, idle for more than " + IDLE.toMinutes() + " minutes, or never existed");
        }
        return w;
    }

    /** Closes and forgets a watcher. */
    void remove(Watcher w) {
        if (watchers.remove(w.id, w)) {
            w.watch.close();
        }
    }

    /** Closes watchers idle for longer than {@link #IDLE} and those of sandboxes that are gone. */
    void sweep() {
        Instant cutoff = clock.instant().minus(IDLE);
        for (Watcher w : watchers.values()) {
            boolean gone;
            try {
                sandboxes.get(w.sandboxId);
                gone = false;
            } catch (SandboxNotFoundException e) {
                gone = true;
            }
            if (gone || w.idleSince(cutoff)) {
                log.atDebug().addKeyValue("sandbox", w.sandboxId).addKeyValue("watcher", w.id)
                        .log(gone ? "closing the watcher of a sandbox that is gone" : "closing an idle watcher");
                remove(w);
            }
        }
    }

    private void startSweeper() {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("envd-watcher-sweeper").start(() -> {
            try {
                while (true) {
                    Thread.sleep(SWEEP_EVERY);
                    sweep();
                    synchronized (this) {
                        if (watchers.isEmpty()) {
                            sweeping.set(false);
                            return;
                        }
                    }
                }
            } catch (InterruptedException e) {
                sweeping.set(false);
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                sweeping.set(false);
                log.atError().setCause(e).log("the watcher sweeper failed; it restarts with the next watcher");
            }
        });
    }
}
