package io.airlock.runtime;

import io.airlock.core.ProcessSpec;
import io.airlock.core.RuntimeSandbox;
import io.airlock.core.SandboxFiles;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxStateException;
import io.airlock.core.SandboxStats;
import io.airlock.core.Tier;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
    private final CompletableFuture<Void> death = new CompletableFuture<>();
    private volatile boolean killing;

    OciSandbox(Container container, AgentConnection agent, Runnable onGone) {
        this.container = container;
        this.agent = agent;
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
    public synchronized void kill() {
        killing = true;
        // Close the connection first: pending calls fail at once, and the agent's end of output
        // that the teardown causes is expected rather than reported as a lost connection.
        agent.close();
        try {
            container.destroy();
        } finally {
            onGone.run();
            death.complete(null);
        }
    }

    @Override
    public CompletableFuture<Void> onDeath() {
        return death;
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
