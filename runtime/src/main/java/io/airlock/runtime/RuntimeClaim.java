package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * One runtime's exclusive claim on its home and its state root. Recovery treats every sandbox
 * found there as an earlier server's leftover and reaps it, so a second server started on the same
 * directories would kill the first one's live sandboxes; with the claim it refuses to start, and
 * says which process holds the directory.
 *
 * <p>The claim is an {@code flock(2)} on each directory itself, held through a descriptor of its
 * own: the kernel drops it when the process dies, so a crashed server never blocks the next one,
 * and no lock file is left behind. A descriptor that turns out to name a directory removed in the
 * meantime (its holder closed and deleted the state root) is dropped and the path claimed afresh.
 */
final class RuntimeClaim implements AutoCloseable {
    private static final int ATTEMPTS = 3;

    private final List<Integer> fds;

    private RuntimeClaim(List<Integer> fds) {
        this.fds = fds;
    }

    /**
     * Claims {@code home} and {@code stateRoot}, creating them where missing.
     *
     * @throws RuntimeFailureException naming the directory and its holder if another runtime has it
     */
    static RuntimeClaim take(Path home, Path stateRoot) {
        List<Integer> fds = new ArrayList<>(2);
        try {
            fds.add(claim("home", home));
            if (!stateRoot.equals(home)) {
                fds.add(claim("state root", stateRoot));
            }
            return new RuntimeClaim(fds);
        } catch (RuntimeException e) {
            fds.forEach(ContainerSyscalls::close);
            throw e;
        }
    }

    private static int claim(String role, Path dir) {
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the " + role + " " + dir, e);
            }
            int fd = ContainerSyscalls.open(dir, ContainerSyscalls.O_RDONLY | ContainerSyscalls.O_DIRECTORY | ContainerSyscalls.O_CLOEXEC);
            int errno = ContainerSyscalls.flock(fd, ContainerSyscalls.LOCK_EX | ContainerSyscalls.LOCK_NB);
            if (errno == 0 && names(fd, dir)) {
                return fd;
            }
            ContainerSyscalls.close(fd);
            if (errno == ContainerSyscalls.EAGAIN) {
                OptionalLong holder = holder(dir);
                throw new RuntimeFailureException("the " + role + " " + dir + " is in use by "
                        + (holder.isPresent() ? "process " + holder.getAsLong() : "another process")
                        + ": a second server on it would reap the first one's live sandboxes as leftovers."
                        + " Stop that server, or give this one a home and state root of its own");
            }
            if (errno != 0) {
                throw new ContainerSyscalls.SyscallException("flock(" + dir + ")", errno);
            }
            if (attempt == ATTEMPTS) {
                throw new RuntimeFailureException("the " + role + " " + dir + " was removed and recreated "
                        + ATTEMPTS + " times while it was being claimed; is another server starting and stopping on it?");
            }
        }
    }

    /** Whether {@code fd} still refers to the directory at {@code dir}, and not to one removed since it was opened. */
    private static boolean names(int fd, Path dir) {
        try {
            Object opened = Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:ino");
            return opened.equals(Files.getAttribute(dir, "unix:ino"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The process holding an {@code flock} on {@code dir}, from {@code /proc/locks}, if it can be told. */
    static OptionalLong holder(Path dir) {
        try {
            String inode = ":" + Files.getAttribute(dir, "unix:ino");
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                // "1: FLOCK  ADVISORY  WRITE 4242 00:19:1234 0 EOF"
                String[] f = line.trim().split("\\s+");
                if (f.length >= 6 && f[1].equals("FLOCK") && f[3].equals("WRITE") && f[5].endsWith(inode)) {
                    return OptionalLong.of(Long.parseLong(f[4]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the message then says "another process"
        }
        return OptionalLong.empty();
    }

    /** Releases both directories; later calls do nothing (a descriptor number is never closed twice). */
    @Override
    public synchronized void close() {
        fds.forEach(ContainerSyscalls::close);
        fds.clear();
    }
}
