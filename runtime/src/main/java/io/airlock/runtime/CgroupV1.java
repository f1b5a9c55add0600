package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import io.airlock.runtime.ContainerSyscalls.SyscallException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One sandbox's cgroups on a cgroup v1 host: the directory {@code <parent>/<id>} in every mounted
 * hierarchy under {@code /sys/fs/cgroup} (cpu, cpuacct, cpuset, memory, devices, freezer, blkio,
 * pids, the named {@code systemd} hierarchy and, on a hybrid host, the v2 {@code unified} one).
 * runc creates and joins all of them from the spec's {@code cgroupsPath}; runsc the v1 ones.
 *
 * <p>The kill sequence never trusts a PID list it cannot hold still: it freezes the cgroup, so no
 * task can fork or exit (and so no PID can be recycled) while it sends SIGKILL to every task, then
 * thaws so the signals land, and repeats until every hierarchy's {@code cgroup.procs} is empty.
 *
 * <p>Methods are safe to call from several threads; freezing and thawing are idempotent.
 */
final class CgroupV1 {
    private static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration ROUND_WAIT = Duration.ofMillis(500);
    private static final Duration REMOVE_TIMEOUT = Duration.ofMillis(500);

    private final Path root;
    private final String relative;

    /**
     * @param root where the hierarchies are mounted, normally {@link CgroupHierarchies#ROOT}
     * @param relative the cgroup path below each hierarchy, e.g. {@code airlock/<id>}
     */
    CgroupV1(Path root, String relative) {
        this.root = root;
        this.relative = relative.startsWith("/") ? relative.substring(1) : relative;
    }

    /** This cgroup's directory in every hierarchy where it exists. */
    List<Path> dirs() {
        return CgroupHierarchies.list(root).stream().map(h -> h.resolve(relative)).filter(Files::isDirectory).toList();
    }

    boolean exists() {
        return !dirs().isEmpty();
    }

    private Path file(String controller, String name) {
        return root.resolve(controller).resolve(relative).resolve(name);
    }

    /**
     * Freezes every task and waits until the freezer reports {@code FROZEN}.
     *
     * @throws RuntimeFailureException if the freezer cgroup is missing or does not freeze in time
     */
    void freeze() {
        if (!freezeWithin(FREEZE_TIMEOUT)) {
            throw new RuntimeFailureException("cgroup " + relative + " did not freeze within " + FREEZE_TIMEOUT.toMillis()
                    + " ms; freezer.state is " + freezerState() + ", tasks " + tasks());
        }
    }

    /** Thaws every task. */
    void thaw() {
        write(file("freezer", "freezer.state"), "THAWED");
    }

    /** Whether the freezer reports {@code FROZEN}. */
    boolean frozen() {
        return "FROZEN".equals(freezerState());
    }

    private String freezerState() {
        return read(file("freezer", "freezer.state")).strip();
    }

    private boolean freezeWithin(Duration timeout) {
        Path state = file("freezer", "freezer.state");
        long deadline = System.nanoTime() + timeout.toNanos();
        write(state, "FROZEN");
        for (int attempt = 0; ; attempt++) {
            if ("FROZEN".equals(read(state).strip())) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            if (attempt % 10 == 9) {
                write(state, "FROZEN"); // a v1 freezer can stall in FREEZING; asking again retries it
            }
            pause(attempt);
        }
    }

    /** Every PID in this cgroup, across all hierarchies. */
    Set<Integer> tasks() {
        Set<Integer> pids = new TreeSet<>();
        for (Path dir : dirs()) {
            String procs;
            try {
                procs = Files.readString(dir.resolve("cgroup.procs"));
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + dir.resolve("cgroup.procs"), e);
            }
            procs.lines().filter(l -> !l.isBlank()).forEach(l -> pids.add(Integer.parseInt(l.strip())));
        }
        return pids;
    }

    /**
     * Kills every task: freeze, SIGKILL each task, thaw, wait for the cgroup to empty; repeated until
     * it is empty or {@code bound} has passed. If the freezer cannot freeze in time the round goes on
     * regardless (a task still running may then race its own death).
     *
     * @return whether every hierarchy's {@code cgroup.procs} is empty
     */
    boolean killAll(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        boolean hasFreezer = Files.isDirectory(root.resolve("freezer").resolve(relative));
        while (true) {
            Set<Integer> before = tasks();
            if (before.isEmpty()) {
                return true;
            }
            if (hasFreezer) {
                freezeWithin(Duration.ofNanos(Math.max(0, Math.min(FREEZE_TIMEOUT.toNanos(), deadline - System.nanoTime()))));
            }
            for (int pid : tasks()) {
                int errno = ContainerSyscalls.kill(pid, ContainerSyscalls.SIGKILL);
                if (errno != 0 && errno != ContainerSyscalls.ESRCH) {
                    throw new SyscallException("kill(" + pid + ", SIGKILL) in cgroup " + relative, errno);
                }
            }
            if (hasFreezer) {
                thaw();
            }
            long roundEnd = Math.min(deadline, System.nanoTime() + ROUND_WAIT.toNanos());
            for (int attempt = 0; !tasks().isEmpty() && System.nanoTime() < roundEnd; attempt++) {
                pause(attempt);
            }
            if (tasks().isEmpty()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
        }
    }

    /**
     * Waits until no live process is left in this cgroup (see {@link CgroupHierarchies#processesUnder}): a task that
     * has left {@code cgroup.procs} may still be finishing its exit for a moment.
     *
     * @return whether none is left
     */
    boolean awaitGone(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        for (int attempt = 0; ; attempt++) {
            if (CgroupHierarchies.processesUnder("/" + relative).isEmpty()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            pause(attempt);
        }
    }

    /**
     * Removes this cgroup's directory in every hierarchy (children first). A directory already gone
     * counts as removed; one that stays busy is retried briefly.
     *
     * @throws RuntimeFailureException naming the directories that could not be removed
     */
    void remove() {
        long deadline = System.nanoTime() + REMOVE_TIMEOUT.toNanos();
        for (int attempt = 0; ; attempt++) {
            List<String> failed = new ArrayList<>();
            for (Path dir : dirs()) {
                try {
                    removeTree(dir);
                } catch (IOException | RuntimeFailureException e) {
                    failed.add(dir + " (" + e.getMessage() + ")");
                }
            }
            if (failed.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new RuntimeFailureException("cannot remove cgroup " + relative + ": " + String.join(", ", failed)
                        + "; tasks still in it: " + tasks());
            }
            pause(attempt);
        }
    }

    /** rmdir of a cgroup directory (whose control files are not real files) after its child cgroups. */
    private static void removeTree(Path dir) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : children) {
                removeTree(child);
            }
        } catch (NoSuchFileException e) {
            return;
        }
        try {
            Files.delete(dir);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            // rmdir of a cgroup with tasks fails with EBUSY, which Java reports as a FileSystemException
            throw new RuntimeFailureException("rmdir " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Total CPU time of all tasks, from {@code cpuacct.usage}. */
    long cpuNanos() {
        return readLong("cpuacct", "cpuacct.usage");
    }

    long memoryBytes() {
        return readLong("memory", "memory.usage_in_bytes");
    }

    long memoryLimitBytes() {
        return readLong("memory", "memory.limit_in_bytes");
    }

    long memorySwapLimitBytes() {
        return readLong("memory", "memory.memsw.limit_in_bytes");
    }

    int pids() {
        return (int) readLong("pids", "pids.current");
    }

    /** {@code pids.max}, or -1 for {@code max}. */
    long pidsLimit() {
        String value = read(file("pids", "pids.max")).strip();
        return "max".equals(value) ? -1 : Long.parseLong(value);
    }

    long cpuQuotaMicros() {
        return readLong("cpu", "cpu.cfs_quota_us");
    }

    /** How many tasks the memory limit has killed, from the {@code oom_kill} line of {@code memory.oom_control}. */
    long oomKills() {
        return read(file("memory", "memory.oom_control")).lines()
                .filter(l -> l.startsWith("oom_kill "))
                .mapToLong(l -> Long.parseLong(l.substring("oom_kill ".length()).strip()))
                .findFirst()
                .orElse(0);
    }

    private long readLong(String controller, String name) {
        return Long.parseLong(read(file(controller, name)).strip());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read " + file + ": " + e, e);
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot write '" + value + "' to " + file + ": " + e, e);
        }
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(20, 1L << Math.min(attempt, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted while waiting on a cgroup", e);
        }
    }

    @Override
    public String toString() {
        return "cgroup " + relative;
    }
}
