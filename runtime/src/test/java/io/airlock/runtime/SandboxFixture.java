package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.core.CommandRunner;
import io.airlock.core.ExitStatus;
import io.airlock.core.ProcessSpec;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxRequest;
import io.airlock.core.SandboxRuntime;
import io.airlock.core.SandboxService;
import io.airlock.core.Templates;
import io.airlock.core.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real service over the real OCI runtime and the shared {@code base} template, for tests that
 * need whole sandboxes. One per test class; {@link #close()} kills everything and the leak check
 * then expects the host to be clean.
 */
final class SandboxFixture implements AutoCloseable {
    static final Path TEMPLATES = Path.of(System.getProperty("airlock.test.templates",
            System.getProperty("user.home") + "/.airlock/templates"));
    static final int CAP = 1 << 20;
    static final Path AGENT = Path.of(System.getProperty("airlock.agent", "../agent/target/airlock-init"));

    final Path home;
    final Path state;
    private static final java.util.concurrent.atomic.AtomicInteger OPENED = new java.util.concurrent.atomic.AtomicInteger();

    final Templates templates;
    final SandboxService service;
    private final SandboxRuntime runtime;

    private SandboxFixture(Path home, Path state, Templates templates, SandboxRuntime runtime, SandboxService service) {
        this.runtime = runtime;
        this.home = home;
        this.state = state;
        this.templates = templates;
        this.service = service;
    }

    static SandboxFixture open() throws IOException {
        return open(SandboxPolicy.standard().withPoolSizes(Map.of()));
    }

    static SandboxFixture open(SandboxPolicy policy) throws IOException {
        Templates templates = TemplateCatalog.open(TEMPLATES, Clock.systemUTC());
        templates.build(BuiltinTemplates.BASE, BuildProgress.NONE);
        Path home = Files.createTempDirectory("airlock-rt-test");
        // a state root of its own: two runtimes cannot claim one (see RuntimeClaim)
        Path state = Path.of("/run/airlock-test-" + ProcessHandle.current().pid() + "-" + OPENED.incrementAndGet());
        SandboxRuntime runtime = OciRuntime.create(home, state, AGENT);
        SandboxService service = SandboxService.create(templates, runtime, policy, Clock.systemUTC());
        service.start();
        return new SandboxFixture(home, state, templates, runtime, service);
    }

    /** The tiers under test, from {@code -Dairlock.test.tiers=runc,runsc}. */
    static Stream<Tier> tiers() {
        return Arrays.stream(System.getProperty("airlock.test.tiers", "runc,runsc").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(s -> Tier.parse("airlock.test.tiers", s));
    }

    String create(Tier tier) {
        return service.create(SandboxRequest.of("base").withTier(tier)).id();
    }

    String create(SandboxRequest request) {
        return service.create(request).id();
    }

    /** What a command printed and how it ended. */
    record Run(ExitStatus status, String stdout, String stderr, boolean timedOut) {
        int exit() {
            return status.exitCode();
        }
    }

    Run sh(String id, String command) throws InterruptedException {
        return sh(id, command, "user", Duration.ofSeconds(60));
    }

    Run root(String id, String command) throws InterruptedException {
        return sh(id, command, "root", Duration.ofSeconds(60));
    }

    /** Runs {@code bash -c command}, collecting up to 1 MiB per stream; SIGKILLs it at the timeout. */
    Run sh(String id, String command, String user, Duration timeout) throws InterruptedException {
        SandboxProcess p = service.spawn(id, new ProcessSpec(List.of("/bin/bash", "-c", command), Map.of(), "", user, false, null, ""));
        return collect(p, timeout);
    }

    static Run collect(SandboxProcess p, Duration timeout) throws InterruptedException {
        CommandRunner.Result r = CommandRunner.run(p, timeout, CAP);
        return new Run(r.status(), r.stdout(), r.stderr(), r.timedOut());
    }

    /** Asserts that no sandbox resource of this fixture's home is left on the host. */
    void assertNoLeaks() {
        HostResources r = resources();
        assertThat(r.isEmpty()).as("leaked host resources: %s", r).isTrue();
    }

    /** What sandboxes of this fixture hold on the host right now. */
    HostResources resources() {
        return resources(home, state);
    }

    static HostResources resources(Path home, Path state) {
        return HostResources.snapshot(OciRuntime.config(home, state, AGENT));
    }

    @Override
    public void close() {
        service.close();
        runtime.close();
        if (resources().isEmpty()) {
            deleteTree(home);
            deleteTree(state);
        }
    }

    /** Deletes a test directory tree; only called once nothing is mounted under it. */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
