package io.airlock.runtime;

import io.airlock.core.EntryInfo;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxStateException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The channel of a file being written into the sandbox: tracks the write credit the agent grants
 * with WCREDIT, and the FS_ENTRY (or ERROR) that ends the upload.
 */
final class AgentUpload implements AgentChannel {
    private final AgentConnection conn;
    private final String path;
    private final CompletableFuture<EntryInfo> result = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition granted = lock.newCondition();
    // guarded by lock
    private long credit = AgentFrames.WINDOW;

    AgentUpload(AgentConnection conn, String path) {
        this.conn = conn;
        this.path = path;
    }

    /** Completes with the written file's entry, or fails with the agent's error. */
    CompletableFuture<EntryInfo> result() {
        return result;
    }

    /**
     * Waits until {@code n} bytes may be sent, and takes them from the credit.
     *
     * @throws io.airlock.core.SandboxFileException if the agent already failed the write
     * @throws SandboxStateException if the sandbox died
     * @throws RuntimeFailureException if no credit came within the call timeout
     */
    void acquire(int n) {
        lock.lock();
        try {
            long timeout = conn.settings().callTimeout().toNanos();
            long left = timeout;
            while (credit < n && !result.isDone()) {
                if (left <= 0) {
                    throw new RuntimeFailureException("agent of sandbox " + conn.sandboxId() + " granted no write credit for " + path
                            + " within " + timeout / 1_000_000 + " ms");
                }
                left = granted.awaitNanos(left);
            }
            if (result.isCompletedExceptionally()) {
                result.join();
            }
            credit -= n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted while writing " + path + " in sandbox " + conn.sandboxId(), e);
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean onFrame(AgentFrame frame) {
        switch (frame.type()) {
            case AgentFrame.WCREDIT -> {
                long n = frame.decoder().u32();
                lock.lock();
                try {
                    credit += n;
                    granted.signalAll();
                } finally {
                    lock.unlock();
                }
                return false;
            }
            case AgentFrame.FS_ENTRY -> complete(frame.decoder().entry(), null);
            case AgentFrame.ERROR -> complete(null, AgentErrors.fileException(path, frame.decoder().error()));
            default -> throw new RuntimeFailureException("unexpected " + frame + " while writing " + path);
        }
        return true;
    }

    @Override
    public void onDeath(SandboxStateException cause) {
        complete(null, cause);
    }

    private void complete(EntryInfo entry, RuntimeException failure) {
        lock.lock();
        try {
            if (failure == null) {
                result.complete(entry);
            } else {
                result.completeExceptionally(failure);
            }
            granted.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
