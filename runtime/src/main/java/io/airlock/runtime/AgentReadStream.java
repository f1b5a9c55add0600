package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxStateException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A file being read from the sandbox: FS_DATA frames queue up here, and credit goes back to the
 * agent as the caller reads, so at most one window of the file is held.
 *
 * <p>Closing early drains: the protocol has no way to abort a read, so the channel stays open and
 * what still arrives is dropped, with credit, until FS_END. Nothing blocks and nothing is held.
 * So that aborting the download of a huge (say sparse) file does not cost the host a full read of
 * it, draining stops after {@link #DRAIN_LIMIT} bytes: without credit the agent's transfer then
 * sleeps, keeping one open file in the agent until the sandbox ends.
 *
 * <p>Failures surface from {@link #read} as {@link IOException}s whose cause is the
 * {@link io.airlock.core.SandboxFileException} or {@link SandboxStateException}.
 */
final class AgentReadStream extends InputStream implements AgentChannel {
    /** How much of a file is still drained after an early close. */
    static final long DRAIN_LIMIT = 16L << 20;

    private final AgentConnection conn;
    private final int chan;
    private final String path;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private byte[] current;
    private int pos;
    private boolean started;
    private boolean done;
    private boolean closed;
    private long drained;
    private RuntimeException failure;

    AgentReadStream(AgentConnection conn, int chan, String path) {
        this.conn = conn;
        this.chan = chan;
        this.path = path;
    }

    /**
     * Waits for the agent's first answer, so that a file that cannot be opened fails the
     * {@code read} call itself rather than the first read from the stream.
     */
    void awaitOpened() {
        lock.lock();
        try {
            long left = conn.settings().callTimeout().toNanos();
            while (!started) {
                if (left <= 0) {
                    throw new RuntimeFailureException("agent of sandbox " + conn.sandboxId() + " did not answer FS_READ of "
                            + path + " within " + conn.settings().callTimeout().toMillis() + " ms");
                }
                left = changed.awaitNanos(left);
            }
            if (failure != null && chunks.isEmpty()) {
                throw failure;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted while opening " + path + " in sandbox " + conn.sandboxId(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            if (closed) {
                throw new IOException("stream of " + path + " in sandbox " + conn.sandboxId() + " is closed");
            }
            if (!awaitData()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            if (pos == current.length) {
                conn.credits().released(chan, current.length, !done);
                current = null;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return current == null ? 0 : current.length - pos;
        } finally {
            lock.unlock();
        }
    }

    /** Stops reading: drops what is queued and whatever still arrives, returning its credit. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            long held = current == null ? 0 : current.length;
            for (byte[] c : chunks) {
                held += c.length;
            }
            chunks.clear();
            current = null;
            conn.credits().released(chan, held, !done);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean onFrame(AgentFrame frame) {
        lock.lock();
        try {
            started = true;
            switch (frame.type()) {
                case AgentFrame.FS_DATA -> {
                    int n = frame.payload().length;
                    conn.credits().received(n);
                    if (closed) {
                        drained += n;
                        boolean more = drained <= DRAIN_LIMIT;
                        conn.credits().released(chan, n, more);
                        if (!more) {
                            done = true; // nothing more can come without credit; forget the channel
                        }
                    } else if (n > 0) {
                        chunks.add(frame.payload());
                    }
                }
                case AgentFrame.FS_END -> done = true;
                case AgentFrame.ERROR -> {
                    done = true;
                    failure = AgentErrors.fileException(path, frame.decoder().error());
                }
                default -> throw new RuntimeFailureException("unexpected " + frame + " while reading " + path);
            }
            changed.signalAll();
            return done;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onDeath(SandboxStateException cause) {
        lock.lock();
        try {
            if (!done) {
                done = true;
                started = true;
                failure = cause;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Makes {@code current} a chunk with unread bytes; false at a clean end of file. */
    private boolean awaitData() throws IOException {
        long timeout = conn.settings().callTimeout().toNanos();
        long left = timeout;
        while (current == null) {
            if (!chunks.isEmpty()) {
                current = chunks.poll();
                pos = 0;
            } else if (failure != null) {
                throw new IOException("reading " + path + " in sandbox " + conn.sandboxId() + " failed: " + failure.getMessage(), failure);
            } else if (done) {
                return false;
            } else if (left <= 0) {
                throw new IOException("no data for " + path + " from the agent of sandbox " + conn.sandboxId() + " within "
                        + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms");
            } else {
                try {
                    left = changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading " + path + " in sandbox " + conn.sandboxId());
                }
            }
        }
        return true;
    }
}
