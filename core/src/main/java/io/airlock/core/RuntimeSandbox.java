package io.airlock.core;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A running sandbox as the runtime sees it: a container with an agent inside.
 *
 * <p>All methods are thread-safe. After {@link #kill()} every other method fails with
 * {@link SandboxStateException}, except {@code kill} itself, which is idempotent.
 */
public interface RuntimeSandbox {
    String id();

    Tier tier();

    /**
     * Starts a process inside the sandbox.
     *
     * @throws SandboxStateException if the sandbox is paused or dead
     * @throws RuntimeFailureException if the agent could not start it (e.g. no such executable)
     */
    SandboxProcess spawn(ProcessSpec spec);

    /** A process started by {@link #spawn} that has not yet been forgotten, by its pid. */
    Optional<SandboxProcess> process(int pid);

    /** Processes started by {@link #spawn} that are still running. */
    Collection<SandboxProcess> processes();

    /** The file system inside the sandbox. */
    SandboxFiles files();

    /** Freezes every task of the sandbox: memory and pids are kept, no CPU is used. Idempotent. */
    void pause();

    /** Thaws a paused sandbox. Idempotent. */
    void resume();

    boolean paused();

    /** Current resource usage, read from the sandbox's cgroups. */
    SandboxStats stats();

    /**
     * Destroys the sandbox: freeze, SIGKILL every task, thaw, verify the cgroup is empty,
     * unmount, remove cgroups and state. Idempotent; returns once everything is released.
     */
    void kill();

    /** Completes when the sandbox has died, whether killed or because its init died. */
    CompletableFuture<Void> onDeath();
}
