package io.airlock.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Writes frames to the agent's input FIFO from one platform thread of its own.
 *
 * <p>Why a platform thread: a write to a FIFO is a blocking system call that JDK 25 does not
 * compensate for when it runs on a virtual thread, so a write stuck behind a frozen (paused)
 * sandbox would pin one of the server's few carrier threads. Callers queue bytes and wait on a
 * future, which parks virtual threads cheaply. Frames are written whole and in queue order.
 */
final class AgentWriter {
    private record Pending(byte[] bytes, CompletableFuture<Void> done) {}

    private static final Pending STOP = new Pending(new byte[0], new CompletableFuture<>());

    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final OutputStream out;
    private final Consumer<IOException> onFailure;
    private volatile IOException failure;

    AgentWriter(String name, OutputStream out, Consumer<IOException> onFailure) {
        this.out = out;
        this.onFailure = onFailure;
        Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /** Queues {@code bytes}; the future completes once they are written, or fails if writing failed. */
    CompletableFuture<Void> write(byte[] bytes) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        IOException f = failure;
        if (f != null) {
            done.completeExceptionally(f);
            return done;
        }
        queue.add(new Pending(bytes, done));
        return done;
    }

    /** Stops the thread once the queued frames are written (or have failed). */
    void stop() {
        queue.add(STOP);
    }

    private void run() {
        try {
            while (true) {
                Pending p = queue.take();
                if (p == STOP) {
                    break;
                }
                if (failure != null) {
                    p.done().completeExceptionally(failure);
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
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IOException f = failure != null ? failure : new IOException("agent writer stopped");
        Pending p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(f);
        }
    }
}
