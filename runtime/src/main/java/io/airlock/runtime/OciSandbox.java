package io.airlock.runtime;

import io.airlock.core.ProcessSpec;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.RuntimeSandbox;
import io.airlock.core.SandboxFiles;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxStateException;
import io.airlock.core.SandboxStats;
import io.airlock.core.Tier;
import io.airlock.core.egress.EgressAudit;
import io.airlock.core.egress.EgressLimits;
import io.airlock.core.egress.EgressPolicy;
import io.airlock.core.egress.SandboxEgress;
import io.airlock.runtime.egress.EgressProxy;
import java.time.Clock;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running sandbox: its container (cgroups, mounts, runtime state) and the agent connection
 * that runs processes and file operations inside it. If the agent dies on its own (the init was
 * killed, e.g. by a runtime failure), the container is torn down at once.
 */
final class OciSandbox implements RuntimeSandbox {
    private static final Logger log = LoggerFactory.getLogger(OciSandbox.class);

    private final Container container;
    private final AgentConnection agent;
    private final Runnable onGone;
    private final boolean egressPlanned;
    private final EgressProxy.Upstream resolver;
    private final CompletableFuture<Void> death = new CompletableFuture<>();
    private volatile boolean killing;
    private @Nullable OciEgress egress; // guarded by this

    OciSandbox(Container container, AgentConnection agent, boolean egressPlanned, EgressProxy.Upstream resolver, Runnable onGone) {
        this.container = container;
        this.agent = agent;
        this.egressPlanned = egressPlanned;
        this.resolver = resolver;
        this.onGone = onGone;
        agent.closed().whenComplete((v, e) -> {
            if (!killing) {
                log.atWarn().addKeyValue("sandbox", container.id()).log("sandbox init died unexpectedly; tearing down");
                Thread.ofVirtual().start(this::kill);
            }
        });
    }

    @Override
    public String id() {
        return container.id();
    }

    @Override
    public Tier tier() {
        return container.tier();
    }

    @Override
    public SandboxProcess spawn(ProcessSpec spec) {
        requireRunning();
        return agent.spawn(spec);
    }

    @Override
    public Optional<SandboxProcess> process(int pid) {
        return agent.process(pid);
    }

    @Override
    public Collection<SandboxProcess> processes() {
        return agent.processes();
    }

    @Override
    public SandboxFiles files() {
        requireRunning();
        return agent.files();
    }

    @Override
    public void pause() {
        container.freeze();
    }

    @Override
    public void resume() {
        container.thaw();
    }

    @Override
    public boolean paused() {
        return container.paused();
    }

    @Override
    public SandboxStats stats() {
        return container.stats();
    }

    @Override
    public synchronized SandboxEgress openEgress(EgressPolicy policy, EgressAudit audit, EgressLimits limits) {
        if (killing) {
            throw new SandboxStateException("sandbox " + id() + " has been killed");
        }
        if (egress != null) {
            throw new SandboxStateException("sandbox " + id() + " already has egress; apply a new policy to it instead");
        }
        if (tier() == Tier.RUNSC && !egressPlanned) {
            throw new RuntimeFailureException("gVisor sandbox " + id() + " was started without a network (runsc --network=none); "
                    + "it cannot be given one later");
        }
        egress = OciEgress.open(id(), container.initPid(), policy, audit, limits, resolver, Clock.systemUTC());
        return egress;
    }

    @Override
    public synchronized void kill() {
        killing = true;
        // Close the connection first: pending calls fail at once, and the agent's end of output
        // that the teardown causes is expected rather than reported as a lost connection.
        agent.close();
        try {
            container.destroy();
        } finally {
            try {
                if (egress != null) {
                    // After the teardown, so a slow or stuck nft can never keep a sandbox alive; the
                    // namespace (held by egress's fd) still holds what the kernel dropped.
                    egress.close();
                }
            } finally {
                onGone.run();
                death.complete(null);
            }
        }
    }

    @Override
    public CompletableFuture<Void> onDeath() {
        return death;
    }

    @Override
    public boolean quiescent() {
        return container.destroyed();
    }

    private void requireRunning() {
        if (killing) {
            throw new SandboxStateException("sandbox " + id() + " has been killed");
        }
        if (container.paused()) {
            throw new SandboxStateException("sandbox " + id() + " is paused; resume it first");
        }
    }
}
