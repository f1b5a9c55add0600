package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.core.Resources;
import io.airlock.core.SandboxPlan;
import io.airlock.core.Template;
import io.airlock.core.TemplateRecipe;
import io.airlock.core.Tier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A {@link ContainerHost} over real runc and runsc, private directories and a private cgroup
 * parent (so parallel suites never see each other's sandboxes), and a tiny static test init
 * (src/test/resources/container-test-init.c) in place of the agent. One per test class;
 * {@link #close()} reaps everything and removes the cgroup parent.
 */
final class ContainerFixture implements AutoCloseable {
    /**
     * A Debian bookworm root file system, used read-only as every sandbox's lower layer: the
     * built-in base template (built on first use, then cached), or {@code -Dairlock.test.rootfs}.
     */
    static final Path ROOTFS = rootfs();

    private static final SecureRandom RANDOM = new SecureRandom();
    private static Path testInit;

    final Path dir;
    final ContainerConfig config;
    final ContainerHost host;

    private ContainerFixture(Path dir, ContainerConfig config) {
        this.dir = dir;
        this.config = config;
        this.host = new ContainerHost(config, UUID.randomUUID().toString(), Clock.systemUTC());
    }

    static ContainerFixture open() throws IOException {
        Path dir = Files.createTempDirectory("airlock-ct");
        ContainerConfig config = new ContainerConfig(
                dir.resolve("home"),
                dir.resolve("run"),
                testInit(),
                Path.of("/usr/sbin/runc"),
                Path.of("/usr/bin/runsc"),
                "airlock-ct-" + ProcessHandle.current().pid() + "-" + Integer.toHexString(RANDOM.nextInt()),
                false);
        return new ContainerFixture(dir, config);
    }

    /** Another host over the same directories: what a restarted server would build. */
    ContainerHost restartedHost() {
        return new ContainerHost(config, UUID.randomUUID().toString(), Clock.systemUTC());
    }

    /** The tiers under test, from {@code -Dairlock.test.tiers=runc,runsc}. */
    static Stream<Tier> tiers() {
        return Arrays.stream(System.getProperty("airlock.test.tiers", "runc,runsc").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> Tier.parse("airlock.test.tiers", s));
    }

    // regression: this once defaulted to a rootfs left in /tmp by hand on one machine, so every
    // container test failed on a clean one
    private static Path rootfs() {
        String given = System.getProperty("airlock.test.rootfs");
        if (given != null) {
            return Path.of(given);
        }
        return TemplateCatalog.open(SandboxFixture.TEMPLATES, Clock.systemUTC()).build(BuiltinTemplates.BASE, BuildProgress.NONE).rootfs();
    }

    static Template template() {
        TemplateRecipe recipe = new TemplateRecipe("ct", "bookworm", List.of(), List.of(), Map.of(), Map.of(), "/", "root", "", Tier.RUNC);
        return new Template(recipe, ROOTFS, Instant.EPOCH);
    }

    static String newId() {
        return "ct" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    /** A plan with default-ish limits (runsc needs some memory for its own sentry). */
    static SandboxPlan plan(Tier tier) {
        return plan(tier, new Resources(1.0, 256 * Resources.MIB, 128, 64 * Resources.MIB), Map.of());
    }

    static SandboxPlan plan(Tier tier, Resources resources, Map<String, String> env) {
        return new SandboxPlan(newId(), template(), resources, env, tier);
    }

    /** A plan whose test init runs {@code command} with /bin/sh before echoing. */
    static SandboxPlan planRunning(Tier tier, Resources resources, String command) {
        return plan(tier, resources, Map.of("AIRLOCK_TEST_CMD", command));
    }

    HostResources resources() {
        return HostResources.snapshot(config);
    }

    void assertNoLeaks() {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(resources()).isEqualTo(HostResources.NONE));
    }

    @Override
    public void close() throws IOException {
        try {
            restartedHost().reapAll();
        } finally {
            for (Path hierarchy : CgroupHierarchies.list(CgroupHierarchies.ROOT)) {
                Files.deleteIfExists(hierarchy.resolve(config.cgroupParent()));
            }
        }
        ContainerTeardown.deleteTree(dir);
    }

    /** The static test init, compiled once per JVM from the test resource with {@code gcc -static}. */
    static synchronized Path testInit() throws IOException {
        if (testInit != null) {
            return testInit;
        }
        Path work = Files.createTempDirectory("airlock-ct-init");
        Path source = work.resolve("container-test-init.c");
        try (InputStream in = ContainerFixture.class.getResourceAsStream("/container-test-init.c")) {
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path binary = work.resolve("init");
        work.toFile().deleteOnExit();
        source.toFile().deleteOnExit();
        binary.toFile().deleteOnExit();
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-static", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                throw new IllegalStateException("gcc failed on " + source + ": " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        testInit = binary;
        return binary;
    }

    /** Everything the test init wrote on its fd 1, collected by a background thread. */
    static final class AgentOutput {
        private final StringBuilder text = new StringBuilder();
        private boolean eof;

        private final Container container;

        private AgentOutput(Container container) {
            this.container = container;
        }

        static AgentOutput of(Container c) {
            AgentOutput out = new AgentOutput(c);
            Thread.ofPlatform().daemon().name("agent-output-" + c.id()).start(() -> out.pump(c.fromAgent()));
            return out;
        }

        private void pump(InputStream in) {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (this) {
                        text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // closed by destroy: same as end-of-file for the tests
            }
            synchronized (this) {
                eof = true;
            }
        }

        synchronized String text() {
            return text.toString();
        }

        synchronized boolean eof() {
            return eof;
        }

        /** Waits until the output contains {@code s}; returns the whole output. */
        String awaitText(String s, Duration atMost) {
            try {
                await().atMost(atMost).until(() -> text().contains(s));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("sandbox " + container.id() + " did not write '" + s + "' within " + atMost
                        + "; it wrote '" + text() + "'" + (eof() ? " and closed its stdout" : "")
                        + "; agent.log: " + RuncCli.tail(container.layout().agentLog())
                        + "; runtime.log: " + RuncCli.tail(container.layout().runtimeLog()), e);
            }
            return text();
        }
    }

    static void send(Container c, String s) {
        try {
            c.toAgent().write(s.getBytes(StandardCharsets.UTF_8));
            c.toAgent().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
