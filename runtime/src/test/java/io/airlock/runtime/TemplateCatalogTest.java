package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.BuildProgress;
import io.airlock.core.Template;
import io.airlock.core.TemplateBuildException;
import io.airlock.core.TemplateRecipe;
import io.airlock.core.Templates;
import io.airlock.core.Tier;
import io.airlock.core.UserSpec;
import io.airlock.testing.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mmdebstrap catalogue against real mmdebstrap and the Debian mirror.
 *
 * <p>One real build serves every test that reads a built rootfs: {@link #buildTinyTwiceAtOnce}
 * plants the leftovers of a crashed build, then builds one tiny recipe under two names from two
 * threads at once. The missing-package test fails after the essential packages are installed
 * (mmdebstrap resolves extra packages only then); the timeout test stops within seconds.
 */
class TemplateCatalogTest {
    private static final TemplateRecipe TINY = new TemplateRecipe(
            "tiny",
            "bookworm",
            List.of("bash", "coreutils"),
            List.of(new UserSpec("dev", 1234, "/home/dev", true)),
            Map.of("/etc/airlock/motd", "hello from the recipe\n", "/opt/app/config.toml", "answer = 42\n"),
            Map.of("LANG", "C.UTF-8"),
            "/workspace",
            "dev",
            "",
            Tier.RUNC);
    /** Same content, so the same hash, under another name and tier. */
    private static final TemplateRecipe TINY_AGAIN = new TemplateRecipe("tiny-again", TINY.suite(), TINY.packages(),
            TINY.users(), TINY.files(), TINY.env(), TINY.workdir(), TINY.defaultUser(), TINY.startCommand(), Tier.RUNSC);

    @TempDir
    static Path home;

    private static final FakeClock clock = FakeClock.create();
    private static MmdebstrapTemplates catalog;
    private static Template tiny;
    private static Template tinyAgain;
    private static final List<Update> tinyUpdates = new CopyOnWriteArrayList<>();
    private static final List<Update> tinyAgainUpdates = new CopyOnWriteArrayList<>();

    private record Update(double fraction, String message) {}

    @BeforeAll
    static void buildTinyTwiceAtOnce() throws IOException {
        catalog = new MmdebstrapTemplates(templates(), clock, TemplateCatalog.DEFAULT_BUILD_TIMEOUT);
        Path entry = templates().resolve(TINY.hash());
        // What a build killed between mmdebstrap and the commit leaves: no recipe.json.
        Files.createDirectories(entry.resolve("rootfs.partial/etc"));
        Files.writeString(entry.resolve("rootfs.partial/etc/leftover-from-crash"), "stale");
        Files.createDirectories(entry.resolve("rootfs/etc"));
        Files.writeString(entry.resolve("rootfs/etc/leftover-from-crash"), "stale");

        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var first = CompletableFuture.supplyAsync(() -> catalog.build(TINY, recorder(tinyUpdates)), threads);
            var second = CompletableFuture.supplyAsync(() -> catalog.build(TINY_AGAIN, recorder(tinyAgainUpdates)), threads);
            tiny = first.join();
            tinyAgain = second.join();
        }
    }

    /** Deletes the built root filesystems the way the cache does, before JUnit walks them. */
    @AfterAll
    static void deleteTemplates() throws IOException {
        TemplateFiles.deleteTree(templates());
    }

    @Test
    void build_concurrentCallsForOneRecipe_runOneBuild() {
        assertThat(catalog.mmdebstrapRuns()).isEqualTo(1);
        assertThat(tinyAgain.rootfs()).isEqualTo(tiny.rootfs());
        assertThat(tinyAgain.recipe()).isEqualTo(TINY_AGAIN);
        assertThat(tiny.recipe()).isEqualTo(TINY);
    }

    @Test
    void build_concurrentCallsForOneRecipe_oneReportsProgressTheOtherWaits() {
        List<Update> builder = tinyUpdates.size() > tinyAgainUpdates.size() ? tinyUpdates : tinyAgainUpdates;
        List<Update> waiter = builder == tinyUpdates ? tinyAgainUpdates : tinyUpdates;

        List<Double> fractions = builder.stream().map(Update::fraction).toList();
        assertThat(fractions).isSorted().allMatch(f -> f >= 0 && f <= 1).endsWith(1.0);
        assertThat(builder).extracting(Update::message)
                .anyMatch(m -> m.startsWith("installing essential packages: setting up bash"))
                .anyMatch(m -> m.equals("customizing"));
        assertThat(fractions.stream().filter(f -> f > 0.3 && f < 0.9).count()).isGreaterThan(20);
        assertThat(waiter).extracting(Update::fraction).containsExactly(-1.0, 1.0);
    }

    @Test
    void build_sameRecipeAgain_runsNoMmdebstrap() {
        long start = System.nanoTime();

        Template again = catalog.build(TINY, BuildProgress.NONE);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(catalog.mmdebstrapRuns()).isEqualTo(1);
        assertThat(again).isEqualTo(tiny);
    }

    @Test
    void build_tinyRecipe_stampsBuiltAtFromTheClock() {
        assertThat(tiny.builtAt()).isEqualTo(clock.instant());
    }

    @Test
    void build_user_isCreatedWithUidGroupShellAndOwnedHome() throws IOException {
        Path rootfs = tiny.rootfs();

        assertThat(Files.readAllLines(rootfs.resolve("etc/passwd"))).contains("dev:x:1234:1234::/home/dev:/bin/bash");
        assertThat(Files.readAllLines(rootfs.resolve("etc/group"))).contains("dev:x:1234:");
        assertThat(Files.getAttribute(rootfs.resolve("home/dev"), "unix:uid")).isEqualTo(1234);
    }

    @Test
    void build_sudoUser_getsPasswordlessSudoersFileWithMode0440() throws IOException {
        Path sudoers = tiny.rootfs().resolve("etc/sudoers.d/dev");

        assertThat(sudoers).hasContent("dev ALL=(ALL:ALL) NOPASSWD:ALL");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sudoers))).isEqualTo("r--r-----");
        assertThat(tiny.rootfs().resolve("usr/bin/sudo")).isRegularFile();
    }

    @Test
    void build_recipeFiles_areWrittenOwnedByRootWithMode0644() throws IOException {
        Path motd = tiny.rootfs().resolve("etc/airlock/motd");

        assertThat(motd).hasContent("hello from the recipe");
        assertThat(tiny.rootfs().resolve("opt/app/config.toml")).hasContent("answer = 42");
        assertThat(Files.getAttribute(motd, "unix:uid")).isEqualTo(0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(motd))).isEqualTo("rw-r--r--");
    }

    @Test
    void build_workdir_existsOwnedByDefaultUser() throws IOException {
        Path workdir = tiny.rootfs().resolve("workspace");

        assertThat(workdir).isDirectory();
        assertThat(Files.getAttribute(workdir, "unix:uid")).isEqualTo(1234);
    }

    @Test
    void build_rootfs_hasRuntimeMountpointsAndPlaceholders() throws IOException {
        Path rootfs = tiny.rootfs();

        for (String dir : List.of("proc", "sys", "run")) {
            assertThat(rootfs.resolve(dir)).isDirectory();
        }
        for (String dir : List.of("dev", "tmp", ".airlock")) {
            assertThat(rootfs.resolve(dir)).isEmptyDirectory();
        }
        assertThat(rootfs.resolve("etc/hostname")).hasContent("airlock");
        assertThat(rootfs.resolve("etc/resolv.conf")).isRegularFile().isEmptyFile();
    }

    @Test
    void build_rootfs_hasNoAptArchivesOrLists() throws IOException {
        try (Stream<Path> files = Stream.concat(
                Files.walk(tiny.rootfs().resolve("var/cache/apt/archives")),
                Files.walk(tiny.rootfs().resolve("var/lib/apt/lists")))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())).containsOnly("lock");
        }
    }

    @Test
    void build_tinyRecipe_recordsResolvedPackageVersions() throws IOException {
        List<String> packages = Files.readAllLines(templates().resolve(TINY.hash()).resolve("packages.txt"));

        assertThat(packages).anyMatch(l -> l.matches("bash\t5\\.2\\..+")).anyMatch(l -> l.startsWith("sudo\t"));
    }

    @Test
    void build_leftoverOfCrashedBuild_isDeletedAndRebuilt() {
        Path entry = templates().resolve(TINY.hash());

        assertThat(entry.resolve("rootfs.partial")).doesNotExist();
        assertThat(entry.resolve("staging")).doesNotExist();
        assertThat(entry.resolve("rootfs/etc/leftover-from-crash")).doesNotExist();
        assertThat(entry.resolve("rootfs/etc/passwd")).isRegularFile();
        assertThat(entry.resolve("recipe.json")).isRegularFile();
    }

    @Test
    void find_remembersATemplateButNoticesItsNameRemovedAndRegisteredAgain() throws IOException {
        TemplateRecipe renamed = new TemplateRecipe("tiny-renamed", TINY.suite(), TINY.packages(), TINY.users(), TINY.files(),
                TINY.env(), TINY.workdir(), TINY.defaultUser(), TINY.startCommand(), TINY.tier());
        Template built = catalog.build(renamed, BuildProgress.NONE);
        assertThat(catalog.find("tiny-renamed")).contains(built);
        assertThat(catalog.find("tiny-renamed")).as("answered again from memory").contains(built);

        Files.delete(templates().resolve("names").resolve("tiny-renamed"));
        assertThat(catalog.find("tiny-renamed")).as("the name file is gone").isEmpty();

        catalog.build(renamed, BuildProgress.NONE);
        assertThat(catalog.find("tiny-renamed")).contains(built);
        assertThat(catalog.mmdebstrapRuns()).as("the same recipe is never built twice").isEqualTo(1);
    }

    @Test
    void find_newCatalogOverSameDirectory_returnsTemplatesBuiltBefore() {
        Templates restarted = TemplateCatalog.open(templates(), clock);

        assertThat(restarted.find("tiny")).contains(tiny);
        assertThat(restarted.find("tiny-again")).contains(tinyAgain);
        assertThat(restarted.find("never-built")).isEmpty();
        assertThat(restarted.find("../tiny")).isEmpty();
        assertThat(restarted.list()).extracting(Template::name).contains("tiny", "tiny-again").isSorted()
                .doesNotContain("broken", "slow");
    }

    @Test
    void build_missingPackage_throwsWithLogTailAndLeavesNoPartialBuild() {
        TemplateRecipe broken = new TemplateRecipe("broken", "bookworm", List.of("bash", "airlock-no-such-package"),
                List.of(), Map.of(), Map.of(), "", "root", "", Tier.RUNC);
        Path entry = templates().resolve(broken.hash());
        MmdebstrapTemplates fresh = new MmdebstrapTemplates(templates(), clock, TemplateCatalog.DEFAULT_BUILD_TIMEOUT);

        assertThatThrownBy(() -> fresh.build(broken, BuildProgress.NONE))
                .isInstanceOf(TemplateBuildException.class)
                .hasMessageContaining("template 'broken'")
                .hasMessageContaining("mmdebstrap exited with status")
                .hasMessageContaining(entry.resolve("build.log").toString())
                .hasMessageContaining("Unable to locate package airlock-no-such-package");
        assertThat(fresh.mmdebstrapRuns()).isEqualTo(1);
        assertThat(entry.resolve("rootfs.partial")).doesNotExist();
        assertThat(entry.resolve("staging")).doesNotExist();
        assertThat(entry.resolve("rootfs")).doesNotExist();
        assertThat(entry.resolve("recipe.json")).doesNotExist();
        assertThat(entry.resolve("build.log")).isNotEmptyFile();
        assertThat(fresh.find("broken")).isEmpty();
    }

    @Test
    void build_exceedsTimeout_killsMmdebstrapTreeAndCleansUp() {
        TemplateRecipe slow = new TemplateRecipe("slow", "bookworm", List.of("bash", "less"),
                List.of(), Map.of(), Map.of(), "", "root", "", Tier.RUNC);
        Path entry = templates().resolve(slow.hash());
        Templates impatient = TemplateCatalog.open(templates(), clock, Duration.ofSeconds(4));

        assertThatThrownBy(() -> impatient.build(slow, BuildProgress.NONE))
                .isInstanceOf(TemplateBuildException.class)
                .hasMessageContaining("timed out")
                .hasMessageContaining("limit 4 s");
        await().atMost(Duration.ofSeconds(10)).until(() -> processesMentioning(entry).isEmpty());
        assertThat(entry.resolve("rootfs.partial")).doesNotExist();
        assertThat(entry.resolve("recipe.json")).doesNotExist();
    }

    @Test
    void build_recipeLockedByAnotherProcess_waitsThenUsesThatBuild() throws Exception {
        TemplateRecipe shared = new TemplateRecipe("shared", "bookworm", List.of("bash", "hostname"),
                List.of(), Map.of(), Map.of(), "", "root", "", Tier.RUNC);
        String hash = shared.hash();
        TemplateCache cache = new TemplateCache(templates());
        MmdebstrapTemplates fresh = new MmdebstrapTemplates(templates(), clock, TemplateCatalog.DEFAULT_BUILD_TIMEOUT);
        List<Update> updates = new CopyOnWriteArrayList<>();
        Process holder = holdLock(cache.lockFile(hash));
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var waiting = CompletableFuture.supplyAsync(() -> fresh.build(shared, recorder(updates)), threads);
            await().until(() -> updates.stream().anyMatch(u -> u.message().startsWith("waiting for another process")));

            // What the other process commits before it lets go of the lock.
            Files.createDirectories(cache.rootfs(hash));
            cache.commit(new TemplateManifest(TemplateManifest.FORMAT, hash, "2025-06-01T00:00:00Z", shared));
            holder.getOutputStream().close();

            Template built = waiting.get(30, TimeUnit.SECONDS);
            assertThat(built.rootfs()).isEqualTo(cache.rootfs(hash));
            assertThat(built.builtAt()).isEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
            assertThat(fresh.mmdebstrapRuns()).isZero();
        } finally {
            holder.destroyForcibly();
        }
    }

    /** Another JVM that holds the exclusive lock on {@code lockFile} until its stdin closes. */
    private static Process holdLock(Path lockFile) throws IOException {
        Path source = home.resolve("HoldLock.java");
        Files.writeString(source, """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                class HoldLock {
                    public static void main(String[] args) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                            c.lock();
                            System.out.println("locked");
                            System.out.flush();
                            System.in.read();
                        }
                    }
                }
                """);
        Files.createDirectories(lockFile.getParent());
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process holder = new ProcessBuilder(java, source.toString(), lockFile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertThat(holder.inputReader().readLine()).isEqualTo("locked");
        return holder;
    }

    private static List<ProcessHandle> processesMentioning(Path path) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(path.toString()))
                .toList();
    }

    private static Path templates() {
        return home.resolve("templates");
    }

    private static BuildProgress recorder(List<Update> updates) {
        return (fraction, message) -> updates.add(new Update(fraction, message));
    }
}
