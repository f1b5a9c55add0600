package io.airlock.core;

/**
 * An isolation runtime: starts sandboxes and cleans up after them.
 *
 * <p>Implementations keep one durable marker per sandbox, created before any host resource and
 * removed after the last one, so {@link #recover()} can find and reap everything an earlier,
 * crashed server left behind.
 */
public interface SandboxRuntime extends AutoCloseable {
    /**
     * Starts a sandbox and returns once its agent answers, i.e. once it can run processes.
     * On failure every resource created so far is released before the exception propagates.
     *
     * @throws RuntimeFailureException if the sandbox could not be started
     */
    RuntimeSandbox start(SandboxPlan plan);

    /**
     * Reaps every container, mount, loop device, cgroup and state directory left by an earlier
     * server process. Call once at start-up, before starting sandboxes.
     *
     * @return how many leftover sandboxes were reaped
     */
    int recover();

    /**
     * A new empty {@link ScratchVolume} named {@code name}, at most {@code bytes} and {@code
     * inodes}, its root owned by {@code uid}:{@code gid}. {@link #recover()} removes any an
     * earlier server left behind.
     *
     * @throws RuntimeFailureException if the runtime cannot make one
     */
    default ScratchVolume scratch(String name, long bytes, long inodes, int uid, int gid) {
        throw new RuntimeFailureException("this runtime has no scratch volumes");
    }

    /**
     * Labelled scratch volumes ({@link ScratchVolume#label}) an earlier server left, after {@link
     * #recover()} has reaped every sandbox (so nothing writes them any more); unlabelled ones are
     * removed by {@code recover()} itself. The caller salvages what it can and closes each.
     */
    default java.util.List<ScratchVolume> leftoverScratch() {
        return java.util.List.of();
    }

    /** Kills every sandbox this runtime started. */
    @Override
    void close();
}
