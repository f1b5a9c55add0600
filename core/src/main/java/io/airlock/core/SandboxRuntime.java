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

    /** Kills every sandbox this runtime started. */
    @Override
    void close();
}
