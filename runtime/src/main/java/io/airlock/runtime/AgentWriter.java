package io.airlock.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Writes frames to the agent's input FIFO, whole and in order.
 *
 * <p>A frame is written by its caller when nothing is queued and the pipe has room: over an
 * {@link AgentFifo}, a non-blocking write that returns at once. Otherwise it, or the rest of it, is
 * queued for one platform thread of this writer's own, which writes blocking.
 *
 * <p>Why a platform thread for the rest: a blocking write to a FIFO is a system call that JDK 25
 * does not compensate for when it runs on a virtual thread, so a write stuck behind a frozen
 * (paused) sandbox would pin one of the server's few carrier threads. Callers wait on a future,
 * which parks virtual threads cheaply.
 *
 * <p>Why callers write first: the hand-off to that thread is a thread wake-up, which on an idle
 * host costs more than the rest of a small call (0.5 ms of a spawn, measured with a timeline of
 * the SDK bench).
 */
final class AgentWriter {
    private record Pending(byte[] bytes, CompletableFuture<Void> done) {}

    private final OutputStream out;
    private final @Nullable AgentFifo direct;
    private final Consumer<IOException> onFailure;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** The thread holds a frame it is writing: nothing may overtake it. Guarded by {@link #lock}. */
    private boolean writing;
    /** Guarded by {@link #lock}. */
    private boolean stopping;
    private volatile @Nullable IOException failure;

    AgentWriter(String name, OutputStream out, Consumer<IOException> onFailure) {
        this.out = out;
        this.direct = out instanceof AgentFifo fifo ? fifo : null;
        this.onFailure = onFailure;
        Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /** Writes or queues {@code bytes}; the future completes once they are written, or fails if writing failed. */
    CompletableFuture<Void> write(byte[] bytes) {
        IOException failed = null;
        lock.lock();
        try {
            IOException f = failure;
            if (f != null) {
                return CompletableFuture.failedFuture(f);
            }
            if (stopping) {
                return CompletableFuture.failedFuture(new IOException("agent writer stopped"));
            }
            int written = 0;
            if (direct != null && !writing && queue.isEmpty()) {
                try {
                    written = direct.tryWrite(bytes, 0, bytes.length);
                } catch (IOException e) {
                    failure = e;
                    failed = e;
                }
                if (failed == null && written == bytes.length) {
                    return CompletableFuture.completedFuture(null);
                }
            }
            if (failed == null) {
                // the rest of a partly written frame is next in the pipe: nothing is queued ahead of it
                CompletableFuture<Void> done = new CompletableFuture<>();
                queue.add(new Pending(written == 0 ? bytes : Arrays.copyOfRange(bytes, written, bytes.length), done));
                queued.signal();
                return done;
            }
        } finally {
            lock.unlock();
        }
        onFailure.accept(failed);
        return CompletableFuture.failedFuture(failed);
    }

    /** Stops the thread once the queued frames are written (or have failed); later writes fail. */
    void stop() {
        lock.lock();
        try {
            stopping = true;
            queued.signal();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try {
            while (true) {
                Pending p;
                lock.lock();
                try {
                    while (queue.isEmpty() && !stopping) {
                        queued.await();
                    }
                    p = queue.poll();
                    if (p == null) {
                        break;
                    }
                    writing = true;
                } finally {
                    lock.unlock();
                }
                try {
                    IOException f = failure;
                    if (f != null) {
                        p.done().completeExceptionally(f);
                        continue;
                    }
                    try {
                        out.write(p.bytes());
                        out.flush();
                        p.done().complete(null);
                    } catch (IOException e) {
                        failure = e;
                        p.done().completeExceptionally(e);
                        onFailure.accept(e);
                    }
                } finally {
                    lock.lock();
                    try {
                        writing = false;
                    } finally {
                        lock.unlock();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IOException f = failure != null ? failure : new IOException("agent writer stopped");
        lock.lock();
        try {
            stopping = true;
            Pending p;
            while ((p = queue.poll()) != null) {
                p.done().completeExceptionally(f);
            }
        } finally {
            lock.unlock();
        }
    }
}
