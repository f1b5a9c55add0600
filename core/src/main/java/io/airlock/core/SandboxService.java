package io.airlock.core;

import io.airlock.core.egress.EgressAudits;
import io.airlock.core.egress.EgressEvent;
import io.airlock.core.egress.EgressSettings;
import io.airlock.core.egress.NetworkRules;
import io.airlock.core.workspace.Checkout;
import io.airlock.core.workspace.CommitResult;
import io.airlock.core.workspace.WorkspaceLimits;
import io.airlock.core.workspace.Workspaces;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The one service layer every front door (E2B API, platform API, UI, MCP, CLI) calls.
 *
 * <p>It owns the set of live sandboxes: it clamps requests to the {@link SandboxPolicy}, hands
 * out warm sandboxes from per-template pools, kills sandboxes whose time to live has passed,
 * and applies each sandbox's defaults (user, working directory, environment) to the processes
 * started in it. All methods are thread-safe.
 *
 * <p>Lookups of an unknown id throw {@link SandboxNotFoundException}; ids that could never have
 * been issued are rejected the same way, so nothing distinguishes "malformed" from "absent".
 */
public interface SandboxService extends AutoCloseable {
    /** A service over the given templates and runtime; call {@link #start()} before use. */
    static SandboxService create(Templates templates, SandboxRuntime runtime, SandboxPolicy policy, InstantSource clock) {
        return create(templates, runtime, policy, clock, SandboxQuotas.unlimited(), SandboxListener.none());
    }

    /**
     * A service that also enforces per-owner quotas and tells {@code listener} of every sandbox's
     * birth and death.
     */
    static SandboxService create(Templates templates, SandboxRuntime runtime, SandboxPolicy policy, InstantSource clock,
            SandboxQuotas quotas, SandboxListener listener) {
        return create(templates, runtime, policy, clock, quotas, listener, EgressSettings.none(EgressAudits.inMemory()));
    }

    /** A service that also gives sandboxes outbound network within {@code egress}'s ceilings. */
    static SandboxService create(Templates templates, SandboxRuntime runtime, SandboxPolicy policy, InstantSource clock,
            SandboxQuotas quotas, SandboxListener listener, EgressSettings egress) {
        return new DefaultSandboxService(templates, runtime, policy, clock, quotas, listener, egress, null, WorkspaceLimits.standard());
    }

    /** A service that also mounts its owners' workspaces into sandboxes that ask for one. */
    static SandboxService create(Templates templates, SandboxRuntime runtime, SandboxPolicy policy, InstantSource clock,
            SandboxQuotas quotas, SandboxListener listener, EgressSettings egress, Workspaces workspaces, WorkspaceLimits limits) {
        return new DefaultSandboxService(templates, runtime, policy, clock, quotas, listener, egress, workspaces, limits);
    }

    /**
     * Reaps what an earlier server left behind, fills the warm pools in the background and starts
     * the time-to-live reaper.
     *
     * @return how many leftover sandboxes were reaped
     */
    int start();

    /**
     * Creates a sandbox, from the warm pool when one matches.
     *
     * @throws TemplateNotFoundException if the template is not built
     * @throws InvalidRequestException if the request is invalid
     * @throws RuntimeFailureException if the runtime could not start it
     * @throws QuotaExceededException if the request's owner is at its concurrency limit
     */
    Sandbox create(SandboxRequest request);

    /** @throws SandboxNotFoundException if there is no such live sandbox */
    Sandbox get(String id);

    /**
     * Replaces a live sandbox's network rules atomically: new connections and DNS questions are
     * judged by them, open connections keep going. The ceilings still apply.
     *
     * @throws SandboxNotFoundException if there is no such live sandbox
     * @throws RuntimeFailureException if the rules open a network the sandbox's tier cannot get
     *     after start (gVisor)
     */
    Sandbox updateNetwork(String id, NetworkRules rules);

    /**
     * Judges the live sandboxes of {@code owner} again under the current ceilings (after an
     * admin changed the tenant's): new connections see the new ceiling, and open ones it refuses
     * are ended.
     *
     * @return how many sandboxes were re-judged
     */
    int reapplyEgress(String owner);

    /** The network rules a live sandbox runs with. */
    NetworkRules network(String id);

    /**
     * The egress decisions recorded for a sandbox, live or ended, oldest first (a live sandbox's
     * kernel-dropped packets are collected first). Ownership is the caller's to check.
     */
    List<EgressEvent> egressEvents(String id, int limit);

    /** One allowed connection per destination over a sandbox's whole record, for learn mode's proposal. */
    List<EgressEvent> egressAllowed(String id);

    /**
     * Adds secret values to the environment of every process started in the sandbox from now on.
     * They stay in memory only, and are not part of {@link #environment}.
     *
     * @throws SandboxNotFoundException if there is no such live sandbox
     */
    void grantSecrets(String id, io.airlock.core.secrets.SecretValues values);

    /** Live sandboxes, oldest first. */
    List<Sandbox> list();

    /** Kills a sandbox and releases everything it held. @throws SandboxNotFoundException if absent */
    void kill(String id);

    /**
     * Kills a sandbox and waits for its read-write workspace's final commit.
     *
     * @return the commit, or empty if it had no read-write workspace
     * @throws SandboxNotFoundException if absent
     */
    Optional<CommitResult> killAndCommit(String id);

    /**
     * Commits a live sandbox's read-write workspace now, with the sandbox frozen while its files
     * are read; it keeps running afterwards.
     *
     * @throws SandboxStateException if it has no workspace, or has it read-only
     */
    CommitResult syncWorkspace(String id);

    /** The workspace checked out into a live sandbox, with the base its next commit is made against. */
    Optional<Checkout> workspace(String id);

    /** Sets the time to live to {@code timeout} from now (shorter or longer). */
    Sandbox setTimeout(String id, Duration timeout);

    /** Freezes the sandbox; its time to live stops counting until resumed. Idempotent. */
    Sandbox pause(String id);

    /** Thaws the sandbox; with a timeout, the time to live restarts from now. Idempotent. */
    Sandbox resume(String id, @Nullable Duration timeout);

    /**
     * Starts a process with the sandbox's defaults applied: the template's user and working
     * directory where the spec names none, and template, then sandbox, then spec environment.
     */
    SandboxProcess spawn(String id, ProcessSpec spec);

    Optional<SandboxProcess> process(String id, int pid);

    Collection<SandboxProcess> processes(String id);

    /** Files inside the sandbox. */
    SandboxFiles files(String id);

    /** The environment every process in the sandbox starts with: the template's, then the sandbox's. */
    Map<String, String> environment(String id);

    /** The user processes run as when the caller names none. */
    String defaultUser(String id);

    SandboxStats stats(String id);

    /** Kills every sandbox, including pooled ones, and stops the reaper. */
    @Override
    void close();
}
