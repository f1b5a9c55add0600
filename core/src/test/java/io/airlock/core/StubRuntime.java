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
    final List<Volume> volumes = new CopyOnWriteArrayList<>();
    final List<ScratchVolume> leftovers = new CopyOnWriteArrayList<>();
    volatile boolean quiescent = true;
    /** Freezes and thaws, in order, across all sandboxes: "pause id" / "resume id". */
    final List<String> freezes = new CopyOnWriteArrayList<>();

    /** A scratch volume that is a plain temporary directory. */
    static final class Volume implements ScratchVolume {
        final Path path;
        volatile Map<String, String> labels = Map.of();
        volatile boolean closed;

        Volume(Path path) {
            this.path = path;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public Map<String, String> labels() {
            return labels;
        }

        @Override
        public void label(Map<String, String> next) {
            labels = Map.copyOf(next);
        }

        @Override
        public void close() {
            closed = true;
            try {
                java.nio.file.Files.deleteIfExists(path);
            } catch (java.io.IOException e) {
                // a test's temporary directory
            }
        }
    }

    @Override
    public ScratchVolume scratch(String name, long bytes, long inodes, int uid, int gid) {
        try {
            Volume v = new Volume(java.nio.file.Files.createTempDirectory("stub-" + name));
            volumes.add(v);
            return v;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public List<ScratchVolume> leftoverScratch() {
        return List.copyOf(leftovers);
    }

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
            freezes.add("pause " + plan.id());
        }

        @Override
        public void resume() {
            paused = false;
            freezes.add("resume " + plan.id());
        }

        @Override
        public boolean quiescent() {
            return quiescent;
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
