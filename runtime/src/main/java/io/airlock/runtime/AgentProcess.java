package io.airlock.runtime;

import io.airlock.core.ExitStatus;
import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.ProcessSpec;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxStateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process started through an {@link AgentConnection}, and the channel its frames arrive on.
 *
 * <p>Output fans out to every attached {@link AgentOutput}, each with a queue of its own. Credit
 * goes back to the agent as the <em>slowest</em> reader consumes, so what all queues hold
 * together never exceeds one window; with no reader attached, output is dropped and credited at
 * once. The first {@link #attach()} receives everything since the spawn (see
 * {@link AgentSettings#unclaimedOutputHold()}); later ones see output from when they attach.
 */
final class AgentProcess implements SandboxProcess, AgentChannel {
    private final AgentConnection conn;
    private final int chan;
    private final ProcessSpec spec;
    private final long oomBaseline;
    private final CompletableFuture<Integer> spawned = new CompletableFuture<>();
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final Object lock = new Object();
    // guarded by lock
    private final List<AgentOutput> readers = new ArrayList<>();
    private AgentOutput unclaimed;
    private long received;
    private long credited;
    private boolean ended;
    private boolean abandoned;
    private long stdinCredit = AgentFrames.WINDOW;
    private volatile int pid = -1;

    AgentProcess(AgentConnection conn, int chan, ProcessSpec spec, long oomBaseline, boolean holdOutput) {
        this.conn = conn;
        this.chan = chan;
        this.spec = spec;
        this.oomBaseline = oomBaseline;
        if (holdOutput) {
            unclaimed = new AgentOutput(this, 0);
            readers.add(unclaimed);
        }
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public ProcessSpec spec() {
        return spec;
    }

    /**
     * A new reader. The first call gets the output held since the spawn, if it has not been
     * released yet; once the process has ended, a new reader sees END at once.
     */
    @Override
    public ProcessOutput attach() {
        synchronized (lock) {
            if (unclaimed != null) {
                AgentOutput r = unclaimed;
                unclaimed = null;
                return r;
            }
            AgentOutput r = new AgentOutput(this, received);
            if (ended) {
                r.offer(OutputChunk.END, received);
            } else {
                readers.add(r);
            }
            return r;
        }
    }

    /**
     * Sends stdin within the agent's stdin credit (SPAWN flag bit 2): at most one window of input
     * waits in the agent for a process that does not read it; beyond that this call blocks, so a
     * process that ignores its stdin stalls only its own writer, not the whole sandbox.
     *
     * @throws SandboxStateException if the process has exited, was started without stdin, or the
     *     sandbox is dead
     * @throws RuntimeFailureException if the process takes no input for the whole call timeout
     */
    @Override
    public void writeStdin(byte[] data) {
        if (!spec.stdin() && spec.pty() == null) {
            throw new SandboxStateException("process " + pid() + " in sandbox " + conn.sandboxId() + " was started with stdin closed");
        }
        requireRunning();
        for (int off = 0; off < data.length; off += AgentFrames.MAX_DATA) {
            int n = Math.min(AgentFrames.MAX_DATA, data.length - off);
            acquireStdinCredit(n);
            conn.send(new AgentEncoder().bytes(data, off, n).frame(AgentFrame.STDIN, chan));
        }
    }

    /** Closes stdin; does nothing once the process has exited. */
    @Override
    public void closeStdin() {
        sendUnlessEnded(AgentFrame.of(AgentFrame.STDIN_CLOSE, chan));
    }

    /** Signals the process group; does nothing once the process has exited. */
    @Override
    public void signal(int signal) {
        sendUnlessEnded(new AgentEncoder().u32(signal).frame(AgentFrame.SIGNAL, chan));
    }

    /** Resizes the pty; does nothing without one or once the process has exited. */
    @Override
    public void resize(ProcessSpec.PtySize size) {
        if (spec.pty() != null) {
            sendUnlessEnded(new AgentEncoder().u16(size.cols()).u16(size.rows()).frame(AgentFrame.RESIZE, chan));
        }
    }

    /**
     * Completes once the process has exited and its output is drained. If the sandbox dies first,
     * completes with {@code ExitStatus.killed(9, false)}.
     */
    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    @Override
    public String toString() {
        return "process " + pid() + " " + spec.args() + " in sandbox " + conn.sandboxId();
    }

    // ---- the channel ----

    CompletableFuture<Integer> spawned() {
        return spawned;
    }

    @Override
    public boolean onFrame(AgentFrame frame) {
        switch (frame.type()) {
            case AgentFrame.SPAWNED -> {
                pid = (int) frame.decoder().u32();
                conn.processStarted(pid, this);
                spawned.complete(pid);
                synchronized (lock) {
                    if (abandoned) {
                        conn.sendLater(new AgentEncoder().u32(9).frame(AgentFrame.SIGNAL, chan));
                    }
                }
                return false;
            }
            case AgentFrame.STDOUT -> deliver(OutputChunk.Kind.STDOUT, frame.payload());
            case AgentFrame.STDERR -> deliver(OutputChunk.Kind.STDERR, frame.payload());
            case AgentFrame.PTY -> deliver(OutputChunk.Kind.PTY, frame.payload());
            case AgentFrame.WCREDIT -> {
                long n = frame.decoder().u32();
                synchronized (lock) {
                    stdinCredit += n;
                    lock.notifyAll();
                }
            }
            case AgentFrame.EXIT -> {
                AgentDecoder d = frame.decoder();
                int kind = d.u8();
                int value = d.i32();
                if (kind == 1 && value == 9) {
                    // the OOM counter is read by the runtime (cgroup files, maybe a lock): not on this thread
                    endReaders();
                    Thread.ofVirtual().start(() -> end(ExitStatus.killed(9, conn.oomKilledSince(oomBaseline))));
                } else {
                    end(kind == 0 ? ExitStatus.exited(value) : ExitStatus.killed(value, false));
                }
                return true;
            }
            case AgentFrame.ERROR -> {
                AgentErrors.Error e = frame.decoder().error();
                RuntimeFailureException failure = new RuntimeFailureException("could not start " + spec.args() + " as user '"
                        + spec.user() + "' in sandbox " + conn.sandboxId() + ": " + e.describe());
                if (spawned.completeExceptionally(failure)) {
                    endReaders();
                    exit.completeExceptionally(failure);
                } else {
                    end(ExitStatus.killed(9, false));
                }
                return true;
            }
            default -> throw new RuntimeFailureException("unexpected " + frame + " on the channel of " + this);
        }
        return false;
    }

    @Override
    public void onDeath(SandboxStateException cause) {
        spawned.completeExceptionally(cause);
        end(ExitStatus.killed(9, false));
    }

    /** The spawn timed out: kill the process if the agent starts it after all. */
    void abandon() {
        synchronized (lock) {
            abandoned = true;
        }
        if (spawned.isDone() && !spawned.isCompletedExceptionally()) {
            signal(9);
        }
    }

    /** Drops the output held for a first reader that never came. */
    void releaseUnclaimedOutput() {
        AgentOutput r;
        synchronized (lock) {
            r = unclaimed;
            unclaimed = null;
        }
        if (r != null) {
            r.close();
        }
    }

    // ---- for the readers ----

    /** A reader consumed everything up to stream offset {@code upTo}. */
    void consumed(AgentOutput reader, long upTo) {
        synchronized (lock) {
            reader.consumedUpTo(upTo);
            grantCredit();
        }
    }

    void detach(AgentOutput reader) {
        synchronized (lock) {
            readers.remove(reader);
            if (unclaimed == reader) {
                unclaimed = null;
            }
            grantCredit();
        }
    }

    private void deliver(OutputChunk.Kind kind, byte[] data) {
        synchronized (lock) {
            if (ended) {
                return;
            }
            received += data.length;
            conn.credits().received(data.length);
            OutputChunk chunk = new OutputChunk(kind, data);
            for (AgentOutput r : readers) {
                r.offer(chunk, received);
            }
            grantCredit();
        }
    }

    private void end(ExitStatus status) {
        endReaders();
        if (pid >= 0) {
            conn.processEnded(pid, this);
        }
        exit.complete(status);
    }

    private void endReaders() {
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
            // readers stay listed until they detach, so the output they still hold is counted;
            // the agent has forgotten the channel, so it is released without credit
            for (AgentOutput r : readers) {
                r.offer(OutputChunk.END, received);
            }
            lock.notifyAll();
        }
    }

    /** Returns to the agent whatever every reader has consumed since the last grant. */
    private void grantCredit() {
        long floor = received;
        for (AgentOutput r : readers) {
            floor = Math.min(floor, r.consumedUpTo());
        }
        if (floor > credited) {
            conn.credits().released(chan, floor - credited, !ended);
            credited = floor;
        }
    }

    private void acquireStdinCredit(int n) {
        long timeout = conn.settings().callTimeout().toMillis();
        long deadline = System.nanoTime() + conn.settings().callTimeout().toNanos();
        synchronized (lock) {
            try {
                while (stdinCredit < n && !ended) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new RuntimeFailureException(this + " took no stdin for " + timeout + " ms; "
                                + (AgentFrames.WINDOW - stdinCredit) + " bytes are still waiting for it");
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RuntimeFailureException("interrupted while writing stdin of " + this, e);
            }
            if (ended) {
                throw new SandboxStateException("process " + pid + " in sandbox " + conn.sandboxId() + " has exited");
            }
            stdinCredit -= n;
        }
    }

    private void requireRunning() {
        synchronized (lock) {
            if (ended) {
                throw new SandboxStateException("process " + pid() + " in sandbox " + conn.sandboxId() + " has exited");
            }
        }
    }

    private void sendUnlessEnded(AgentFrame frame) {
        synchronized (lock) {
            if (ended) {
                return;
            }
        }
        try {
            conn.send(frame);
        } catch (SandboxStateException e) {
            // the sandbox died, so the process has ended too: nothing left to do
        }
    }
}
