package io.airlock.runtime;

import io.airlock.core.BuildProgress;
import io.airlock.core.Template;
import io.airlock.core.TemplateBuildException;
import io.airlock.core.TemplateRecipe;
import io.airlock.core.Templates;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Templates} built with mmdebstrap and cached on disk by recipe hash (layout in {@link TemplateCache}).
 *
 * <p>One build per hash, however many callers: callers in this JVM wait on the future of the
 * build already running; callers in other processes ({@code ./airlock up} beside a server) wait
 * on the exclusive lock of {@code <hash>.lock}, then find the build committed. Every call looks
 * at the disk (a lookup by name at least stats its files), so a catalog sees templates another
 * process built or removed. Thread-safe.
 */
final class MmdebstrapTemplates implements Templates {
    /**
     * Builds in flight in this JVM, by lock file. File locks belong to the whole process, so two
     * catalogs over one directory in one JVM must share this map, or the second would fail to lock.
     */
    private static final ConcurrentHashMap<Path, CompletableFuture<TemplateManifest>> IN_FLIGHT = new ConcurrentHashMap<>();

    private final TemplateCache cache;
    private final TemplateNames names;
    private final InstantSource clock;
    private final Duration timeout;
    private final AtomicInteger mmdebstrapRuns = new AtomicInteger();
    private final ConcurrentHashMap<String, Found> found = new ConcurrentHashMap<>();

    MmdebstrapTemplates(Path dir, InstantSource clock, Duration timeout) {
        Path absolute = dir.toAbsolutePath();
        this.cache = new TemplateCache(absolute);
        this.names = new TemplateNames(absolute.resolve("names"));
        this.clock = clock;
        this.timeout = timeout;
    }

    @Override
    public Template build(TemplateRecipe recipe, BuildProgress progress) {
        String hash = recipe.hash();
        TemplateManifest manifest = cache.manifest(hash).orElseGet(() -> buildOnce(recipe, progress));
        try {
            names.register(recipe, hash);
        } catch (IOException e) {
            throw new TemplateBuildException("template '" + recipe.name() + "' was built, but its name could not be "
                    + "registered under " + cache.dir().resolve("names") + ": " + e, e);
        }
        progress.update(1, "template '" + recipe.name() + "' is ready");
        return new Template(recipe, cache.rootfs(hash), Instant.parse(manifest.builtAt()));
    }

    /**
     * Finds a template by name. The answer is remembered against the name file's version and
     * reused while that is unchanged and the build is still committed (two file stats instead of
     * reading and parsing two JSON files on every sandbox create).
     */
    @Override
    public Optional<Template> find(String name) {
        Optional<Object> version = names.version(name);
        if (version.isEmpty()) {
            found.remove(name);
            return Optional.empty();
        }
        Found f = found.get(name);
        if (f != null && f.version().equals(version.get()) && cache.committed(f.hash())) {
            return Optional.of(f.template());
        }
        Optional<Found> read = names.entry(name).flatMap(e -> cache.manifest(e.hash())
                .map(m -> new Found(version.get(), e.hash(), new Template(e.recipe(), cache.rootfs(e.hash()), Instant.parse(m.builtAt())))));
        read.ifPresentOrElse(r -> found.put(name, r), () -> found.remove(name));
        return read.map(Found::template);
    }

    private record Found(Object version, String hash, Template template) {}

    @Override
    public List<Template> list() {
        return names.all().stream().flatMap(n -> find(n).stream()).toList();
    }

    /** How many times this catalog started mmdebstrap; for tests of the cache. */
    int mmdebstrapRuns() {
        return mmdebstrapRuns.get();
    }

    private TemplateManifest buildOnce(TemplateRecipe recipe, BuildProgress progress) {
        Path key = cache.lockFile(recipe.hash()).toAbsolutePath().normalize();
        CompletableFuture<TemplateManifest> mine = new CompletableFuture<>();
        CompletableFuture<TemplateManifest> running = IN_FLIGHT.putIfAbsent(key, mine);
        if (running != null) {
            progress.update(-1, "waiting for the build of the same recipe that is already running");
            return await(running, recipe);
        }
        try {
            TemplateManifest built = buildLocked(recipe, progress);
            mine.complete(built);
            return built;
        } catch (Throwable t) {
            mine.completeExceptionally(t);
            throw t;
        } finally {
            IN_FLIGHT.remove(key, mine);
        }
    }

    private TemplateManifest buildLocked(TemplateRecipe recipe, BuildProgress progress) {
        String hash = recipe.hash();
        Path lockFile = cache.lockFile(hash);
        try {
            Files.createDirectories(cache.dir());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lock(channel, lockFile, progress); // released when the channel closes
                // Another process may have committed the build while this one waited.
                Optional<TemplateManifest> done = cache.manifest(hash);
                if (done.isPresent()) {
                    return done.get();
                }
                mmdebstrapRuns.incrementAndGet();
                return new TemplateBuild(recipe, cache, timeout, clock, progress).run();
            }
        } catch (IOException e) {
            throw new TemplateBuildException("template '" + recipe.name() + "': cannot take the build lock " + lockFile
                    + (Thread.currentThread().isInterrupted() ? " (interrupted)" : "") + ": " + e, e);
        }
    }

    /** Takes the exclusive lock on {@code channel}, telling {@code progress} when another process holds it. */
    private static void lock(FileChannel channel, Path lockFile, BuildProgress progress) throws IOException {
        if (channel.tryLock() == null) {
            progress.update(-1, "waiting for another process that is building the same recipe (lock " + lockFile + ")");
            channel.lock();
        }
    }

    private static TemplateManifest await(CompletableFuture<TemplateManifest> running, TemplateRecipe recipe) {
        try {
            return running.get();
        } catch (ExecutionException e) {
            throw new TemplateBuildException("template '" + recipe.name() + "': the build of its recipe failed: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemplateBuildException("template '" + recipe.name()
                    + "': interrupted while waiting for the build of its recipe", e);
        }
    }
}
