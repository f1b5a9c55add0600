package io.airlock.core;

import io.airlock.core.egress.EgressAudit;
import io.airlock.core.egress.EgressLimits;
import io.airlock.core.egress.EgressPolicy;
import io.airlock.core.egress.SandboxEgress;

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

    /**
     * Opens the sandbox's only way out: from now on its TCP connections and DNS questions are
     * judged by {@code policy} and recorded in {@code audit}, and everything else it sends is
     * dropped. Without this, a sandbox has loopback only. Closed by {@link #kill()} at the latest.
     *
     * @throws RuntimeFailureException if egress cannot be set up (e.g. a gVisor sandbox that was
     *     not planned with {@link SandboxPlan#egress()})
     * @throws SandboxStateException if egress is already open or the sandbox is dead
     */
    default SandboxEgress openEgress(EgressPolicy policy, EgressAudit audit, EgressLimits limits) {
        throw new RuntimeFailureException("this runtime cannot give sandbox " + id() + " a network");
    }

    /**
     * After death: whether every process of the sandbox is known to be gone. False when the
     * teardown failed part-way, so something of it may still run; nothing may then read files it
     * could still be writing.
     */
    default boolean quiescent() {
        return true;
    }

    /** Completes when the sandbox has died, whether killed or because its init died. */
    CompletableFuture<Void> onDeath();
}
