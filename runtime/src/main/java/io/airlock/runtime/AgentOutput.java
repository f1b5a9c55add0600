package io.airlock.runtime;

import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One reader of an {@link AgentProcess}'s output. Its queue is filled by the connection's reader
 * thread without ever blocking it; the process's credit window is what bounds the queue. Taking a
 * chunk tells the process, which returns credit to the agent once every reader is past it.
 */
final class AgentOutput implements ProcessOutput {
    /** A chunk and the process's output offset just after it. */
    private record Entry(OutputChunk chunk, long end) {}

    private final AgentProcess process;
    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    // guarded by the process's lock
    private long consumedUpTo;
    private volatile boolean closed;
    private boolean endSeen;

    AgentOutput(AgentProcess process, long start) {
        this.process = process;
        this.consumedUpTo = start;
    }

    /**
     * @throws IllegalStateException if this reader was closed
     */
    @Override
    public Optional<OutputChunk> next(Duration timeout) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("this reader of " + process + " is closed");
        }
        if (endSeen) {
            return Optional.of(OutputChunk.END);
        }
        Entry e = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (e == null) {
            return Optional.empty();
        }
        if (e.chunk().kind() == OutputChunk.Kind.END) {
            endSeen = true;
        } else {
            process.consumed(this, e.end());
        }
        return Optional.of(e.chunk());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.detach(this);
        queue.clear();
    }

    // ---- for the process, under its lock ----

    void offer(OutputChunk chunk, long end) {
        queue.add(new Entry(chunk, end));
    }

    long consumedUpTo() {
        return consumedUpTo;
    }

    void consumedUpTo(long offset) {
        consumedUpTo = offset;
    }
}
