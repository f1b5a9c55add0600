package io.airlock.server.interpreter;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One code context: a language, a working directory and (once used) the kernel that holds its
 * state. Executions in a context run one at a time, in arrival order; {@link #lock} serialises
 * them. A kernel that died is replaced by a fresh one on the next execution.
 */
final class CodeContext {
    /** How long a kernel may take to print {@code ready}. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    final String id;
    final Language language;
    final String cwd;
    private final Starter starter;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Object kernelLock = new Object();
    private @Nullable Kernel kernel; // guarded by kernelLock
    private boolean removed; // guarded by kernelLock

    /** Starts a kernel process for a context (its sandbox, and the kernel files in it, are the starter's). */
    @FunctionalInterface
    interface Starter {
        Kernel start(CodeContext context);
    }

    CodeContext(String id, Language language, String cwd, Starter starter) {
        this.id = id;
        this.language = language;
        this.cwd = cwd;
        this.starter = starter;
    }

    /** Held by the execution running in this context; others wait their turn. */
    ReentrantLock lock() {
        return lock;
    }

    /**
     * The running kernel, starting a fresh one (and waiting for it to be ready) if there is none
     * or the last one died. Call with {@link #lock} held.
     */
    Kernel kernel() throws InterruptedException {
        Kernel k;
        synchronized (kernelLock) {
            if (removed) {
                // a request that found the context before it was removed must not start an untracked kernel
                throw new InterpreterException(404, "context '" + id + "' was removed; create a new one");
            }
            k = kernel;
            if (k != null && k.alive()) {
                return k;
            }
            k = starter.start(this);
            kernel = k;
        }
        boolean ready = false;
        try {
            k.awaitReady(READY_TIMEOUT);
            ready = true;
        } finally {
            if (!ready) {
                k.kill("it did not start");
                synchronized (kernelLock) {
                    if (kernel == k) {
                        kernel = null;
                    }
                }
            }
        }
        return k;
    }

    /** Stops the kernel for good: the context was removed, or its sandbox ended. */
    void remove(String why) {
        synchronized (kernelLock) {
            removed = true;
        }
        stopKernel(why);
    }

    /** Stops the kernel, if any; a running execution is told {@code why}. The next execution starts afresh. */
    void stopKernel(String why) {
        Kernel k;
        synchronized (kernelLock) {
            k = kernel;
            kernel = null;
        }
        if (k != null) {
            k.kill(why);
        }
    }

    /** The wire form: {@code {id, language, cwd}}. */
    Wire wire() {
        return new Wire(id, language.wireName(), cwd);
    }

    /** E2B's {@code Context}. */
    record Wire(String id, String language, String cwd) {}
}
