package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A sandbox's network namespace, held open by a file descriptor so that it outlives the process
 * it was found through, and a way to run code inside it.
 *
 * <p>{@link #call} runs on a fresh platform thread that {@code setns(2)}s into the namespace and
 * ends afterwards, so no pooled or virtual-thread carrier ever changes namespace. Sockets opened
 * there stay in the sandbox's namespace for their whole life, and processes started there (by
 * {@link ProcessBuilder}, which forks from the calling thread) start in it.
 */
final class NetNamespace implements AutoCloseable {
    private static final java.time.Duration CALL_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final long pid;
    private final int fd;
    private boolean closed;

    private NetNamespace(long pid, int fd) {
        this.pid = pid;
        this.fd = fd;
    }

    /**
     * The network namespace of process {@code pid}.
     *
     * @throws RuntimeFailureException if the process is gone, or shares the server's own
     *     namespace (configuring that would change the host's network)
     */
    static NetNamespace of(long pid) {
        // Open first, then check what was opened: checking the path and opening it afterwards
        // would let a pid reused in between hand us the host's namespace.
        int fd = ContainerSyscalls.open(Path.of("/proc", Long.toString(pid), "ns", "net"),
                ContainerSyscalls.O_RDONLY | ContainerSyscalls.O_CLOEXEC);
        try {
            Path opened = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
            if (opened.equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) {
                throw new RuntimeFailureException("process " + pid + " shares the server's network namespace; refusing to configure it");
            }
        } catch (IOException | RuntimeException e) {
            ContainerSyscalls.close(fd);
            throw e instanceof RuntimeFailureException r ? r
                    : new RuntimeFailureException("cannot read the network namespace of process " + pid + ": " + e.getMessage());
        }
        return new NetNamespace(pid, fd);
    }

    /** Runs {@code body} inside the namespace and returns its result; its exception propagates. */
    <T> T call(Callable<T> body) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + pid).start(() -> {
            try {
                synchronized (this) {
                    if (closed) {
                        throw new IllegalStateException("the network namespace of process " + pid + " is closed");
                    }
                    ContainerSyscalls.setns(fd, ContainerSyscalls.CLONE_NEWNET);
                }
                result.set(body.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            if (!t.join(CALL_TIMEOUT)) {
                throw new RuntimeFailureException("work in the network namespace of process " + pid + " did not finish within "
                        + CALL_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted while working in the network namespace of process " + pid);
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e != null) {
            throw new RuntimeFailureException("in the network namespace of process " + pid + ": " + e);
        }
        return result.get();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            ContainerSyscalls.close(fd);
        }
    }
}
