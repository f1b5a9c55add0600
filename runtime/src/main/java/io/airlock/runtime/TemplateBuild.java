package io.airlock.runtime;

import io.airlock.core.BuildProgress;
import io.airlock.core.TemplateBuildException;
import io.airlock.core.TemplateRecipe;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One build of one recipe into its cache entry. The caller holds the entry's lock.
 *
 * <p>Phases: delete what an unfinished earlier build left; stage the recipe's files; run
 * {@link MmdebstrapCommand} with its output going to {@code build.log} and to the progress
 * parser; empty {@code /dev}; rename {@code rootfs.partial} to {@code rootfs}; commit
 * {@code recipe.json}. On failure
 * or timeout the partial root filesystem and the staged files are deleted and {@code build.log}
 * is kept for the operator.
 */
final class TemplateBuild {
    private static final Logger log = LoggerFactory.getLogger(TemplateBuild.class);
    private static final int TAIL_LINES = 20;
    /** Variables passed through to mmdebstrap and apt; the rest of the server's environment is not. */
    private static final String[] PASSED_ENV = {"PATH", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"};

    private final TemplateRecipe recipe;
    private final String hash;
    private final TemplateCache cache;
    private final Duration timeout;
    private final InstantSource clock;
    private final BuildProgress progress;
    private final Deque<String> tail = new ArrayDeque<>();

    TemplateBuild(TemplateRecipe recipe, TemplateCache cache, Duration timeout, InstantSource clock, BuildProgress progress) {
        this.recipe = recipe;
        this.hash = recipe.hash();
        this.cache = cache;
        this.timeout = timeout;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * Builds and commits the template.
     *
     * @return the committed manifest
     * @throws TemplateBuildException if mmdebstrap fails or times out, or the cache cannot be written
     */
    TemplateManifest run() {
        Instant start = clock.instant();
        try {
            TemplateFiles.deleteTree(cache.entry(hash));
            Files.createDirectories(cache.entry(hash));
            MmdebstrapCommand command = MmdebstrapCommand.of(
                    recipe, cache.partialRootfs(hash), stageFiles(), cache.packages(hash));
            log.info("building template {} ({}) with mmdebstrap, log {}", recipe.name(), hash, cache.buildLog(hash));
            progress.update(0, "building template '" + recipe.name() + "'");
            runMmdebstrap(command, start);
            if (!Files.isRegularFile(cache.packages(hash)) || Files.size(cache.packages(hash)) == 0) {
                throw failure("mmdebstrap succeeded but its last hook wrote no package list to " + cache.packages(hash));
            }
            // Root mode leaves device nodes in /dev; the runtime mounts its own /dev, as OCI images expect.
            TemplateFiles.deleteChildren(cache.partialRootfs(hash).resolve("dev"));
            Files.move(cache.partialRootfs(hash), cache.rootfs(hash), StandardCopyOption.ATOMIC_MOVE);
            TemplateFiles.deleteTree(cache.staging(hash));
            TemplateManifest manifest = new TemplateManifest(TemplateManifest.FORMAT, hash, clock.instant().toString(), recipe);
            cache.commit(manifest);
            log.info("built template {} ({}) in {} s", recipe.name(), hash, seconds(start));
            return manifest;
        } catch (IOException e) {
            discardPartial();
            throw new TemplateBuildException(describe() + ": cannot write the template cache under " + cache.entry(hash)
                    + " after " + seconds(start) + " s: " + e, e);
        } catch (TemplateBuildException e) {
            discardPartial();
            throw e;
        }
    }

    /** Writes each recipe file's content to {@code staging/<n>}; the hooks copy it into the rootfs. */
    private SortedMap<String, Path> stageFiles() throws IOException {
        SortedMap<String, Path> staged = new TreeMap<>();
        Files.createDirectories(cache.staging(hash));
        for (Map.Entry<String, String> f : new TreeMap<>(recipe.files()).entrySet()) {
            Path file = cache.staging(hash).resolve(Integer.toString(staged.size()));
            Files.writeString(file, f.getValue(), StandardCharsets.UTF_8);
            staged.put(f.getKey(), file);
        }
        return staged;
    }

    private void runMmdebstrap(MmdebstrapCommand command, Instant start) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command.argv())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.keySet().retainAll(Set.of(PASSED_ENV));
        env.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("SOURCE_DATE_EPOCH", Long.toString(MmdebstrapCommand.SOURCE_DATE_EPOCH));
        env.put("LC_ALL", "C");
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw failure("cannot start " + command.argv().getFirst() + " (" + e.getMessage()
                    + "); template builds need util-linux's unshare and mmdebstrap on the PATH");
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().name("template-build-timeout-" + hash.substring(0, 12)).start(() -> {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut.set(true);
                    killTree(process);
                }
            } catch (InterruptedException e) {
                // the build ended first
            }
        });
        MmdebstrapProgress parser = new MmdebstrapProgress(progress);
        try (BufferedReader out = process.inputReader(StandardCharsets.UTF_8);
                BufferedWriter logFile = Files.newBufferedWriter(cache.buildLog(hash), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            logFile.write("# " + start + " template '" + recipe.name() + "' " + hash + "\n# " + String.join(" ", command.argv()) + "\n");
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                logFile.write(line);
                logFile.newLine();
                logFile.flush();
                remember(line);
                parser.accept(line);
            }
            int exit = process.waitFor();
            if (timedOut.get()) {
                throw failure("timed out after " + seconds(start) + " s (limit " + timeout.toSeconds()
                        + " s); killed mmdebstrap and every process it started");
            }
            if (exit != 0) {
                throw failure("mmdebstrap exited with status " + exit + " after " + seconds(start) + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for mmdebstrap; killed it");
        } finally {
            if (process.isAlive()) {
                killTree(process);
            }
            watchdog.interrupt();
        }
    }

    /** Kills {@code unshare} and everything under it; {@code --kill-child} also takes down the PID namespace. */
    private static void killTree(Process process) {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void remember(String line) {
        if (tail.size() == TAIL_LINES) {
            tail.removeFirst();
        }
        tail.addLast(line);
    }

    private TemplateBuildException failure(String what) {
        log.warn("{} failed: {}", describe(), what);
        String logTail = tail.isEmpty() ? ". Log: " + cache.buildLog(hash)
                : ". Last " + tail.size() + " lines of " + cache.buildLog(hash) + ":\n" + String.join("\n", tail);
        return new TemplateBuildException(describe() + ": " + what + logTail);
    }

    private void discardPartial() {
        try {
            TemplateFiles.deleteTree(cache.partialRootfs(hash));
            TemplateFiles.deleteTree(cache.staging(hash));
        } catch (IOException | RuntimeException e) {
            log.error("cannot delete the partial build under {}; the next build of {} retries", cache.entry(hash), recipe.name(), e);
        }
    }

    private String describe() {
        return "template '" + recipe.name() + "' (recipe " + hash.substring(0, 12) + ")";
    }

    private long seconds(Instant start) {
        return Duration.between(start, clock.instant()).toSeconds();
    }
}
