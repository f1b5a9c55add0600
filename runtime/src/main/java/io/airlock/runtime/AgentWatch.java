package io.airlock.runtime;

import io.airlock.core.FileEvent;
import io.airlock.core.FileWatch;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxStateException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory watch running in the agent. Events queue up here until {@link #next} takes them.
 * Events carry no credit, so the queue is capped at {@link #CAPACITY}; beyond it new events are
 * dropped (and counted in the log) rather than letting a sandbox that churns files grow the
 * server's memory.
 */
final class AgentWatch implements FileWatch, AgentChannel {
    static final int CAPACITY = 16_384;
    private static final Logger log = LoggerFactory.getLogger(AgentWatch.class);

    private final AgentConnection conn;
    private final int chan;
    private final String path;
    private final CompletableFuture<Void> armed = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private final ArrayDeque<FileEvent> events = new ArrayDeque<>();
    private RuntimeException failure;
    private boolean closed;
    private long dropped;

    AgentWatch(AgentConnection conn, int chan, String path) {
        this.conn = conn;
        this.chan = chan;
        this.path = path;
    }

    /** Completes once the agent has armed the watch, or fails with its error. */
    CompletableFuture<Void> armed() {
        return armed;
    }

    /**
     * @throws SandboxStateException once the sandbox has died
     * @throws SandboxFileException if the agent ended the watch with an error
     * @throws IllegalStateException if this watch was closed
     */
    @Override
    public Optional<FileEvent> next(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (events.isEmpty()) {
                if (closed) {
                    throw new IllegalStateException("the watch of " + path + " in sandbox " + conn.sandboxId() + " is closed");
                }
                if (failure != null) {
                    throw failure;
                }
                if (left <= 0) {
                    return Optional.empty();
                }
                left = changed.awaitNanos(left);
            }
            return Optional.of(events.poll());
        } finally {
            lock.unlock();
        }
    }

    /** Sends FS_UNWATCH; the channel is forgotten when the agent's final FS_END arrives. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            events.clear();
            changed.signalAll();
            if (failure != null) {
                return;
            }
        } finally {
            lock.unlock();
        }
        try {
            conn.send(AgentFrame.of(AgentFrame.FS_UNWATCH, chan));
        } catch (SandboxStateException e) {
            // a dead sandbox watches nothing
        }
    }

    @Override
    public boolean onFrame(AgentFrame frame) {
        switch (frame.type()) {
            case AgentFrame.FS_END -> {
                // the first FS_END says the watch is armed, the second answers FS_UNWATCH
                if (armed.complete(null)) {
                    return false;
                }
                fail(new SandboxFileException(SandboxFileException.Reason.IO_ERROR, path, "the agent ended the watch"));
                return true; // after close() this is the expected answer to FS_UNWATCH, and nobody reads the failure
            }
            case AgentFrame.FS_EVENT -> {
                FileEvent event = frame.decoder().event();
                lock.lock();
                try {
                    if (closed) {
                        return false;
                    }
                    if (events.size() >= CAPACITY) {
                        if (dropped++ % CAPACITY == 0) {
                            log.warn("sandbox {}: watch of {} has {} unread events; dropped {} so far",
                                    conn.sandboxId(), path, CAPACITY, dropped);
                        }
                    } else {
                        events.add(event);
                        changed.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
                return false;
            }
            case AgentFrame.ERROR -> {
                RuntimeException e = AgentErrors.fileException(path, frame.decoder().error());
                if (!armed.completeExceptionally(e)) {
                    fail(e);
                }
                return true;
            }
            default -> throw new RuntimeFailureException("unexpected " + frame + " on the watch of " + path);
        }
    }

    @Override
    public void onDeath(SandboxStateException cause) {
        armed.completeExceptionally(cause);
        fail(cause);
    }

    private void fail(RuntimeException e) {
        lock.lock();
        try {
            if (failure == null) {
                failure = e;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
