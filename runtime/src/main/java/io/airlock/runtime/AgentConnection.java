package io.airlock.runtime;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.ProcessSpec;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxFiles;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxStateException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of one sandbox's agent: multiplexes every process, file operation and watch of
 * the sandbox over the agent's single pair of byte streams ({@code docs/agent-protocol.md}).
 *
 * <p>One reader virtual thread demultiplexes the agent's frames to channels. It never blocks on
 * a consumer: data is queued per channel, and the credit window bounds each queue, because credit
 * goes back to the agent only as consumers take the data. Frames to the agent are written whole
 * under one lock. Every method is thread-safe, and every wait for the agent is bounded by
 * {@link AgentSettings#callTimeout()}.
 *
 * <p>When the agent's stream ends or fails (the agent died or the sandbox was killed), or after
 * {@link #close()}, the connection is dead: pending and later calls fail with
 * {@link SandboxStateException} "sandbox &lt;id&gt; is no longer running", processes end with
 * {@code ExitStatus.killed(9, false)} and their readers see END, watches and reads fail, and
 * {@link #closed()} completes.
 */
final class AgentConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentConnection.class);
    private static final SecureRandom random = new SecureRandom();
    /** SPAWN flag bit 2: the agent grants WCREDIT for stdin it has written to the process. */
    private static final int STDIN_CREDIT = 4;

    private final String sandboxId;
    private final AgentSettings settings;
    private final DataInputStream in;
    private final OutputStream out;
    private final AgentWriter writer;
    private final AtomicLong nextChannel = new AtomicLong(1);
    private final Map<Integer, AgentChannel> channels = new ConcurrentHashMap<>();
    private final Map<Integer, AgentProcess> processes = new ConcurrentHashMap<>();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicBoolean dead = new AtomicBoolean();
    private final AgentCredits credits;
    private final AgentFiles files;

    private AgentConnection(String sandboxId, InputStream fromAgent, OutputStream toAgent, AgentSettings settings) {
        this.sandboxId = sandboxId;
        this.settings = settings;
        this.in = new DataInputStream(new BufferedInputStream(fromAgent, 2 * AgentFrames.MAX_DATA));
        this.out = toAgent;
        this.writer = new AgentWriter("agent-writer-" + sandboxId, toAgent, e -> die("writing to the agent failed: " + e, e));
        this.credits = new AgentCredits("agent-credit-" + sandboxId, this::send);
        this.files = new AgentFiles(this);
    }

    /**
     * Connects to an agent and waits for its READY frame. The connection owns both streams from
     * now on, and closes them when it dies, even if this method fails.
     *
     * @param sandboxId the sandbox's id, for messages and thread names
     * @param fromAgent the agent's stdout (frames from the agent)
     * @param toAgent the agent's stdin (frames to the agent)
     * @throws RuntimeFailureException if no READY arrives within {@link AgentSettings#readyTimeout()}
     *     or the agent's stream ends or misbehaves first
     */
    static AgentConnection open(String sandboxId, InputStream fromAgent, OutputStream toAgent, AgentSettings settings) {
        AgentConnection c = new AgentConnection(sandboxId, fromAgent, toAgent, settings);
        // A platform thread: a blocking FIFO read on a virtual thread would pin its carrier (see AgentWriter).
        Thread.ofPlatform().daemon().name("agent-reader-" + sandboxId).start(c::readLoop);
        c.awaitReady();
        return c;
    }

    String sandboxId() {
        return sandboxId;
    }

    AgentSettings settings() {
        return settings;
    }

    /** The version string the agent sent in READY. */
    String agentVersion() {
        return ready.join();
    }

    /** The sandbox's file system, as seen by the agent. */
    SandboxFiles files() {
        return files;
    }

    /**
     * Starts a process. The env is {@link AgentSettings#baseEnv()} overlaid with the spec's.
     *
     * @throws RuntimeFailureException if the agent refuses (no such program or user, ...) or does
     *     not answer in time; a process the agent starts after the timeout is killed
     * @throws SandboxStateException if the connection is dead
     * @throws InvalidRequestException if a string holds a NUL byte or an env name holds '='
     */
    AgentProcess spawn(ProcessSpec spec) {
        Map<String, String> env = new LinkedHashMap<>(settings.baseEnv());
        env.putAll(spec.env());
        AgentEncoder payload = new AgentEncoder()
                .u8((spec.stdin() ? 1 : 0) | (spec.pty() != null ? 2 : 0) | STDIN_CREDIT)
                .u16(spec.pty() != null ? spec.pty().cols() : 0)
                .u16(spec.pty() != null ? spec.pty().rows() : 0)
                .str(checkText("user", spec.user()))
                .str(checkText("cwd", spec.cwd()))
                .u32(spec.args().size());
        spec.args().forEach(a -> payload.str(checkText("args", a)));
        payload.u32(env.size());
        env.forEach((k, v) -> {
            if (k.isEmpty() || k.indexOf('=') >= 0) {
                throw new InvalidRequestException("env", "variable names must be non-empty and contain no '=', got '" + k + "'");
            }
            payload.str(checkText("env", k) + "=" + checkText("env", v));
        });
        if (payload.size() > AgentFrames.MAX_PAYLOAD) {
            throw new InvalidRequestException("args", "args and env take " + payload.size() + " bytes encoded; at most "
                    + AgentFrames.MAX_PAYLOAD + " fit in one SPAWN");
        }
        long oomBaseline = oomKills();
        int chan = newChannel();
        AgentProcess process = new AgentProcess(this, chan, spec, oomBaseline, !settings.unclaimedOutputHold().isZero());
        register(chan, process);
        try {
            send(payload.frame(AgentFrame.SPAWN, chan));
            await(process.spawned(), "SPAWNED for " + spec.args().getFirst());
        } catch (RuntimeFailureException e) {
            process.abandon();
            throw e;
        }
        if (!settings.unclaimedOutputHold().isZero()) {
            CompletableFuture.delayedExecutor(settings.unclaimedOutputHold().toNanos(), TimeUnit.NANOSECONDS)
                    .execute(process::releaseUnclaimedOutput);
        }
        return process;
    }

    /** A process started by {@link #spawn} that has not exited, by its pid. */
    Optional<SandboxProcess> process(int pid) {
        return Optional.ofNullable(processes.get(pid));
    }

    /** Processes started by {@link #spawn} that have not exited. */
    Collection<SandboxProcess> processes() {
        return List.copyOf(processes.values());
    }

    /**
     * One PING/PONG round trip.
     *
     * @return how long it took
     * @throws RuntimeFailureException if the agent echoes other bytes or does not answer in time
     */
    Duration ping() {
        byte[] token = new byte[8];
        random.nextBytes(token);
        long start = System.nanoTime();
        AgentEncoder payload = new AgentEncoder().bytes(token, 0, token.length);
        List<AgentFrame> answer = call(payload, AgentFrame.PING, t -> t == AgentFrame.PONG, "PONG");
        Duration rtt = Duration.ofNanos(System.nanoTime() - start);
        AgentFrame pong = answer.getLast();
        if (pong.type() != AgentFrame.PONG || !Arrays.equals(pong.payload(), token)) {
            throw new RuntimeFailureException(
                    "agent of sandbox " + sandboxId + " answered PING with " + pong + " instead of the same 8 bytes");
        }
        return rtt;
    }

    /** Completes when the connection has died, for whatever reason. */
    CompletableFuture<Void> closed() {
        return closed;
    }

    boolean alive() {
        return !dead.get();
    }

    /**
     * Fails everything pending, as if the agent had died, and closes both streams (from another
     * thread, so this never blocks). The agent exits when its input closes. Idempotent.
     */
    @Override
    public void close() {
        die("closed by the host", null);
    }

    /** Data bytes received from the agent and not yet taken by their consumers. */
    long bufferedBytes() {
        return credits.buffered();
    }

    /** The highest {@link #bufferedBytes()} has been. */
    long peakBufferedBytes() {
        return credits.peak();
    }

    // ---- for the channels ----

    AgentCredits credits() {
        return credits;
    }

    int newChannel() {
        long c = nextChannel.getAndIncrement();
        if (c > 0xFFFF_FFFFL) {
            throw new RuntimeFailureException("sandbox " + sandboxId + " used all 2^32-1 agent channels; ids are never reused");
        }
        return (int) c;
    }

    /** Registers a channel before its first frame is sent; fails if the connection is dead. */
    <C extends AgentChannel> C register(int chan, C channel) {
        channels.put(chan, channel);
        if (dead.get()) {
            channels.remove(chan);
            throw deadException();
        }
        return channel;
    }

    void forget(int chan) {
        channels.remove(chan);
    }

    void processStarted(int pid, AgentProcess p) {
        processes.put(pid, p);
    }

    void processEnded(int pid, AgentProcess p) {
        processes.remove(pid, p);
    }

    /**
     * Sends a request on a new channel and waits for its answer: the frames up to a terminal type
     * or ERROR, the last one being that frame.
     */
    List<AgentFrame> call(AgentEncoder payload, int type, IntPredicate terminal, String what) {
        return call(payload, type, terminal, Integer.MAX_VALUE, () -> new IllegalStateException("unreachable"), what);
    }

    /**
     * Like {@link #call(AgentEncoder, int, IntPredicate, String)}, failing with {@code tooMany}
     * once the answer exceeds {@code maxFrames} frames.
     */
    List<AgentFrame> call(
            AgentEncoder payload, int type, IntPredicate terminal, int maxFrames, Supplier<RuntimeException> tooMany, String what) {
        int chan = newChannel();
        AgentCall call = register(chan, new AgentCall(terminal, maxFrames, tooMany));
        try {
            send(payload.frame(type, chan));
            return await(call.result(), what);
        } catch (RuntimeFailureException e) {
            forget(chan);
            throw e;
        }
    }

    /**
     * Writes one frame whole. Blocks while the agent's input pipe is full.
     *
     * @throws SandboxStateException if the connection is or becomes dead
     * @throws RuntimeFailureException if another writer holds the stream for the whole call timeout
     */
    void send(AgentFrame frame) {
        byte[] bytes = AgentFrames.encode(frame);
        if (dead.get()) {
            throw deadException();
        }
        long timeout = settings.callTimeout().toMillis();
        try {
            writer.write(bytes).get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new RuntimeFailureException("could not write " + frame.typeName() + " to the agent of sandbox " + sandboxId
                    + " for " + timeout + " ms: the agent is not reading its input");
        } catch (ExecutionException e) {
            throw deadException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException(
                    "interrupted while waiting to write " + frame.typeName() + " to sandbox " + sandboxId, e);
        }
    }

    /** Sends a frame from a thread of its own, for callers that must not block; failures are logged. */
    void sendLater(AgentFrame frame) {
        Thread.ofVirtual().start(() -> {
            try {
                send(frame);
            } catch (RuntimeException e) {
                log.debug("sandbox {}: could not send {}: {}", sandboxId, frame, e.getMessage());
            }
        });
    }

    /**
     * Waits for {@code future} for at most the call timeout.
     *
     * @throws RuntimeFailureException on timeout or interrupt, naming {@code what} and the time
     * @throws RuntimeException the failure the future completed with
     */
    <T> T await(CompletableFuture<T> future, String what) {
        long start = System.nanoTime();
        try {
            return future.get(settings.callTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new RuntimeFailureException("agent of sandbox " + sandboxId + " sent no " + what + " within "
                    + elapsedMillis(start) + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted after " + elapsedMillis(start) + " ms waiting for " + what
                    + " from sandbox " + sandboxId, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new RuntimeFailureException("waiting for " + what + " from sandbox " + sandboxId + " failed", e.getCause());
        }
    }

    SandboxStateException deadException() {
        return new SandboxStateException("sandbox " + sandboxId + " is no longer running");
    }

    private void awaitReady() {
        long start = System.nanoTime();
        try {
            String version = ready.get(settings.readyTimeout().toNanos(), TimeUnit.NANOSECONDS);
            log.debug("sandbox {}: agent {} ready after {} ms", sandboxId, version, elapsedMillis(start));
        } catch (TimeoutException e) {
            die("no READY", null);
            throw new RuntimeFailureException("agent of sandbox " + sandboxId + " sent no READY within " + elapsedMillis(start) + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            die("interrupted while waiting for READY", null);
            throw new RuntimeFailureException(
                    "interrupted after " + elapsedMillis(start) + " ms waiting for READY from sandbox " + sandboxId, e);
        } catch (ExecutionException e) {
            die("no READY", null);
            throw new RuntimeFailureException("agent of sandbox " + sandboxId + " failed before READY, after " + elapsedMillis(start)
                    + " ms: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private void readLoop() {
        String why = "the agent closed its output";
        Throwable cause = null;
        try {
            while (true) {
                Optional<AgentFrame> frame = AgentFrames.read(in);
                if (frame.isEmpty()) {
                    break;
                }
                dispatch(frame.get());
            }
        } catch (IOException | RuntimeException e) {
            why = dead.get() ? "closed" : "reading from the agent failed: " + e.getMessage();
            cause = e;
        }
        if (!dead.get()) {
            log.warn("sandbox {}: agent connection lost: {}", sandboxId, why, cause);
        }
        die(why, cause);
    }

    private void dispatch(AgentFrame frame) {
        if (!ready.isDone()) {
            if (frame.type() != AgentFrame.READY || frame.chan() != 0) {
                throw new RuntimeFailureException("expected READY on channel 0 as the agent's first frame, got " + frame);
            }
            ready.complete(frame.decoder().str());
            return;
        }
        AgentChannel channel = channels.get(frame.chan());
        if (channel == null) {
            if (frame.type() == AgentFrame.ERROR) {
                log.warn("sandbox {}: agent error on channel {}: {}",
                        sandboxId, Integer.toUnsignedString(frame.chan()), frame.decoder().error().describe());
            } else {
                log.debug("sandbox {}: dropped {} for a channel nobody waits on", sandboxId, frame);
            }
            return;
        }
        if (channel.onFrame(frame)) {
            channels.remove(frame.chan(), channel);
        }
    }

    private void die(String why, Throwable cause) {
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        log.debug("sandbox {}: agent connection dead: {}", sandboxId, why, cause);
        ready.completeExceptionally(cause != null ? cause : new IOException(why));
        credits.stop();
        for (Integer chan : channels.keySet()) {
            AgentChannel c = channels.remove(chan);
            if (c != null) {
                c.onDeath(deadException());
            }
        }
        processes.clear();
        closed.complete(null);
        writer.stop();
        // a buffered stream's close flushes, which would block behind a writer stuck on a full pipe
        Thread.ofVirtual().name("agent-close-" + sandboxId).start(() -> {
            closeQuietly(in);
            closeQuietly(out);
        });
    }

    private long oomKills() {
        try {
            return settings.oomKills().getAsLong();
        } catch (RuntimeException e) {
            log.warn("sandbox {}: could not read the OOM-kill counter: {}", sandboxId, e.toString());
            return -1;
        }
    }

    /** Whether the sandbox's OOM-kill counter has risen above {@code baseline}. */
    boolean oomKilledSince(long baseline) {
        long now = oomKills();
        return baseline >= 0 && now > baseline;
    }

    private static String checkText(String field, String s) {
        if (s.indexOf('\0') >= 0) {
            throw new InvalidRequestException(field, "must not contain a NUL byte");
        }
        return s;
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug("sandbox {}: closing an agent stream failed: {}", sandboxId, e.toString());
        }
    }
}
