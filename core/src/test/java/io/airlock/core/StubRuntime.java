package io.airlock.core;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the OCI runtime at the port boundary, for the service's own logic (clamping,
 * time to live, pools). Real-runtime behaviour is tested in the runtime and server modules.
 */
final class StubRuntime implements SandboxRuntime, Templates {
    final List<SandboxPlan> started = new CopyOnWriteArrayList<>();
    final Map<String, Stub> sandboxes = new ConcurrentHashMap<>();
    final Template base = new Template(BuiltinTemplates.BASE, Path.of("/nonexistent"), Instant.EPOCH);
    final List<ProcessSpec> spawned = new CopyOnWriteArrayList<>();

    @Override
    public RuntimeSandbox start(SandboxPlan plan) {
        started.add(plan);
        Stub s = new Stub(plan);
        sandboxes.put(plan.id(), s);
        return s;
    }

    @Override
    public int recover() {
        return 0;
    }

    @Override
    public void close() {}

    @Override
    public Template build(TemplateRecipe recipe, BuildProgress progress) {
        return base;
    }

    @Override
    public Optional<Template> find(String name) {
        return name.equals("base") ? Optional.of(base) : Optional.empty();
    }

    @Override
    public List<Template> list() {
        return List.of(base);
    }

    final class Stub implements RuntimeSandbox {
        final SandboxPlan plan;
        final CompletableFuture<Void> death = new CompletableFuture<>();
        volatile boolean paused;
        volatile int kills;

        Stub(SandboxPlan plan) {
            this.plan = plan;
        }

        @Override
        public String id() {
            return plan.id();
        }

        @Override
        public Tier tier() {
            return plan.tier();
        }

        @Override
        public SandboxProcess spawn(ProcessSpec spec) {
            spawned.add(spec);
            throw new UnsupportedOperationException("the stub runs no processes");
        }

        @Override
        public Optional<SandboxProcess> process(int pid) {
            return Optional.empty();
        }

        @Override
        public Collection<SandboxProcess> processes() {
            return List.of();
        }

        @Override
        public SandboxFiles files() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void pause() {
            paused = true;
        }

        @Override
        public void resume() {
            paused = false;
        }

        @Override
        public boolean paused() {
            return paused;
        }

        @Override
        public SandboxStats stats() {
            return new SandboxStats(0, 0, plan.resources().memoryBytes(), 1, 0, plan.resources().diskBytes(), 0);
        }

        @Override
        public void kill() {
            kills++;
            death.complete(null);
        }

        @Override
        public CompletableFuture<Void> onDeath() {
            return death;
        }
    }
}
