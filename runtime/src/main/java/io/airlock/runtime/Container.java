package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxStateException;
import io.airlock.core.SandboxStats;
import io.airlock.core.Tier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.List;

/**
 * One sandbox's running container: its agent's byte streams, its cgroups and its teardown.
 *
 * <p>The agent's stdin and stdout are FIFOs. The server holds only the reading end of
 * {@code from-agent} and the writing end of {@code to-agent}, so when the agent (the container's
 * init) dies, {@link #fromAgent()} reads end-of-file and writes to {@link #toAgent()} fail with
 * {@code EPIPE}: that is how the lead's agent connection learns of a death it did not cause.
 *
 * <p>Read {@link #fromAgent()} from a platform thread, not a virtual one: on JDK 25 a blocking
 * read of a FIFO pins the virtual thread's carrier without compensation (measured here with both
 * {@code FileInputStream} and {@code FileChannel}), so as many idle sandboxes as there are cores
 * would stall every other virtual thread.
 *
 * <p>Thread-safe. After {@link #destroy()} succeeds, every method but {@code destroy} (idempotent)
 * and {@link #id()}/{@link #tier()}/{@link #timings()} fails with {@link SandboxStateException}.
 */
final class Container {
    private final ContainerLayout layout;
    private final Tier tier;
    private final CgroupV1 cgroup;
    private final InputStream fromAgent;
    private final OutputStream toAgent;
    private final ContainerTimings timings;
    private final Destroyer destroyer;
    private boolean destroyed;

    /** Runs the teardown for this container; supplied by {@link ContainerHost}. */
    @FunctionalInterface
    interface Destroyer {
        List<String> destroy(ContainerLayout layout, Tier tier);
    }

    Container(
            ContainerLayout layout,
            Tier tier,
            CgroupV1 cgroup,
            InputStream fromAgent,
            OutputStream toAgent,
            ContainerTimings timings,
            Destroyer destroyer) {
        this.layout = layout;
        this.tier = tier;
        this.cgroup = cgroup;
        this.fromAgent = fromAgent;
        this.toAgent = toAgent;
        this.timings = timings;
        this.destroyer = destroyer;
    }

    String id() {
        return layout.id();
    }

    Tier tier() {
        return tier;
    }

    ContainerLayout layout() {
        return layout;
    }

    /** The host pid of the container's init (for runsc, of the sandbox process), from the runtime's pid file. */
    long initPid() {
        try {
            return Long.parseLong(java.nio.file.Files.readString(layout.pidFile()).strip());
        } catch (java.io.IOException | NumberFormatException e) {
            throw new io.airlock.core.RuntimeFailureException("cannot read the init pid of sandbox " + id() + " from "
                    + layout.pidFile() + ": " + e.getMessage());
        }
    }

    /** How long each phase of creating this container took. */
    ContainerTimings timings() {
        return timings;
    }

    /** The agent's stdout: frames from the agent. Reads end-of-file once the agent has died. */
    InputStream fromAgent() {
        return fromAgent;
    }

    /** The agent's stdin: frames to the agent. Writes fail with an {@code IOException} once it has died. */
    OutputStream toAgent() {
        return toAgent;
    }

    /**
     * Freezes every task of the sandbox (the agent too). Idempotent.
     *
     * @throws SandboxStateException if the container was destroyed
     * @throws RuntimeFailureException if the cgroup does not freeze in time
     */
    synchronized void freeze() {
        checkAlive();
        cgroup.freeze();
    }

    /**
     * Thaws a frozen sandbox. Idempotent.
     *
     * @throws SandboxStateException if the container was destroyed
     */
    synchronized void thaw() {
        checkAlive();
        cgroup.thaw();
    }

    /** Whether the sandbox is frozen. */
    synchronized boolean paused() {
        checkAlive();
        return cgroup.frozen();
    }

    /**
     * Resource usage from the cgroups and the disk's file system.
     *
     * @throws SandboxStateException if the container was destroyed
     */
    synchronized SandboxStats stats() {
        checkAlive();
        long diskTotal;
        long diskUsed;
        try {
            FileStore disk = Files.getFileStore(layout.disk());
            diskTotal = disk.getTotalSpace();
            diskUsed = diskTotal - disk.getUnallocatedSpace();
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot read disk usage of sandbox " + id() + " at " + layout.disk() + ": " + e, e);
        }
        return new SandboxStats(
                cgroup.cpuNanos(), cgroup.memoryBytes(), cgroup.memoryLimitBytes(), cgroup.pids(), diskUsed, diskTotal, cgroup.oomKills());
    }

    /** How many tasks the memory limit has killed so far. */
    synchronized long oomKills() {
        checkAlive();
        return cgroup.oomKills();
    }

    /** The sandbox's cgroups, for inspection. */
    CgroupV1 cgroup() {
        return cgroup;
    }

    /**
     * Releases everything: kills every task, deletes the runtime's container, unmounts, deletes the
     * image, bundle, state and cgroups, then the marker. Idempotent: after a failure it can be called
     * again and retries what is left.
     *
     * @throws RuntimeFailureException listing the steps that failed (the marker is then kept, so
     *     recovery retries them after a restart)
     */
    synchronized void destroy() {
        if (destroyed) {
            return;
        }
        List<String> failures = destroyer.destroy(layout, tier);
        // The agent is dead (or we tried our best); close our ends of its FIFOs either way.
        closeQuietly(fromAgent);
        closeQuietly(toAgent);
        if (!failures.isEmpty()) {
            throw new RuntimeFailureException("teardown of sandbox " + id() + " incomplete: " + String.join("; ", failures));
        }
        destroyed = true;
    }

    synchronized boolean destroyed() {
        return destroyed;
    }

    private void checkAlive() {
        if (destroyed) {
            throw new SandboxStateException("sandbox " + id() + " has been destroyed");
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing a FIFO end cannot lose data we still care about
        }
    }
}
