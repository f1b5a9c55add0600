package io.airlock.runtime;

import static io.airlock.runtime.ContainerFixture.plan;
import static io.airlock.runtime.ContainerFixture.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxPlan;
import io.airlock.core.SandboxStateException;
import io.airlock.core.Tier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Create, talk to, freeze and destroy real containers on both tiers. */
class ContainerLifecycleTest {
    private static final String TIERS = "io.airlock.runtime.ContainerFixture#tiers";
    private static final Duration START = Duration.ofSeconds(10);
    private static ContainerFixture fx;

    @BeforeAll
    static void open() throws IOException {
        fx = ContainerFixture.open();
    }

    @AfterAll
    static void close() throws IOException {
        fx.close();
    }

    @AfterEach
    void noLeaks() {
        fx.assertNoLeaks();
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void create_holdsEveryResourceKind_destroyReleasesThemAll(Tier tier) {
        Container c = fx.host.create(plan(tier));
        ContainerFixture.AgentOutput out = ContainerFixture.AgentOutput.of(c);
        out.awaitText("host=", START);

        HostResources during = fx.resources();
        assertThat(during.processes()).isPositive();
        assertThat(during.mounts()).as("disk and overlay root").isEqualTo(2);
        assertThat(during.cgroupDirs()).as("one per v1 controller at least").isGreaterThanOrEqualTo(8);
        assertThat(during.loopDevices()).isEqualTo(1);
        assertThat(during.runtimeStateEntries()).isPositive();
        assertThat(during.sandboxes()).isEqualTo(1);
        assertThat(during.stateDirs()).isEqualTo(1);

        c.destroy();

        assertThat(fx.resources()).isEqualTo(HostResources.NONE);
        await().atMost(Duration.ofSeconds(5)).until(out::eof);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void create_hostnameIsSandboxId(Tier tier) {
        SandboxPlan plan = plan(tier);
        Container c = fx.host.create(plan);
        try {
            ContainerFixture.AgentOutput out = ContainerFixture.AgentOutput.of(c);

            assertThat(out.awaitText("\n", START)).startsWith("host=" + plan.id() + "\n");
        } finally {
            c.destroy();
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void fifos_carryBytesBothWays_thenEofAndEpipeWhenAgentExits(Tier tier) {
        Container c = fx.host.create(plan(tier));
        try {
            ContainerFixture.AgentOutput out = ContainerFixture.AgentOutput.of(c);
            out.awaitText("host=", START);

            send(c, "ping 1\n");
            out.awaitText("ping 1\n", START);
            send(c, "exit\n");

            await().atMost(Duration.ofSeconds(10)).until(out::eof);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> {
                c.toAgent().write("late\n".getBytes(StandardCharsets.UTF_8));
                c.toAgent().flush();
            }).isInstanceOf(IOException.class).hasMessageContaining("Broken pipe"));
        } finally {
            c.destroy();
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void freeze_stopsTheAgent_thawResumesIt(Tier tier) {
        Container c = fx.host.create(plan(tier));
        try {
            ContainerFixture.AgentOutput out = ContainerFixture.AgentOutput.of(c);
            out.awaitText("host=", START);

            c.freeze();
            assertThat(c.paused()).isTrue();
            c.freeze(); // idempotent
            send(c, "while frozen\n");
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> !out.text().contains("while frozen"));

            c.thaw();

            assertThat(c.paused()).isFalse();
            out.awaitText("while frozen\n", START);
        } finally {
            c.destroy();
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void destroy_twice_isIdempotent_andUseAfterDestroyFails(Tier tier) {
        Container c = fx.host.create(plan(tier));

        c.destroy();
        c.destroy();

        assertThat(c.destroyed()).isTrue();
        assertThatThrownBy(c::freeze).isInstanceOf(SandboxStateException.class).hasMessageContaining(c.id());
        assertThatThrownBy(c::stats).isInstanceOf(SandboxStateException.class);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void destroy_whileFrozen_releasesEverything(Tier tier) {
        Container c = fx.host.create(plan(tier));
        ContainerFixture.AgentOutput.of(c).awaitText("host=", START);
        c.freeze();

        c.destroy();

        assertThat(fx.resources()).isEqualTo(HostResources.NONE);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void create_whenRuntimeFails_releasesEverythingAndReportsTheRuntimeLog(Tier tier) throws IOException {
        // An agent path that does not exist: the runtime fails to bind-mount it.
        ContainerConfig broken = new ContainerConfig(fx.config.home(), fx.config.stateRoot(), fx.dir.resolve("no-such-agent"),
                fx.config.runc(), fx.config.runsc(), fx.config.cgroupParent(), false);
        ContainerHost host = new ContainerHost(broken, UUID.randomUUID().toString(), Clock.systemUTC());
        SandboxPlan plan = plan(tier);

        assertThatThrownBy(() -> host.create(plan))
                .isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining(tier.binary() + " run of sandbox " + plan.id() + " exited with")
                .hasMessageContaining("no-such-agent");
        assertThat(fx.resources()).isEqualTo(HostResources.NONE);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void create_duplicateId_rejectedWithoutHarmingTheFirst(Tier tier) {
        SandboxPlan plan = plan(tier);
        Container first = fx.host.create(plan);
        try {
            ContainerFixture.AgentOutput out = ContainerFixture.AgentOutput.of(first);

            assertThatThrownBy(() -> fx.host.create(plan)).isInstanceOf(RuntimeFailureException.class).hasMessageContaining("already");

            send(first, "still here\n");
            out.awaitText("still here\n", START);
        } finally {
            first.destroy();
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void create_concurrently_everyContainerGetsItsOwnDiskAndWorks(Tier tier) throws Exception {
        List<Future<Container>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> fx.host.create(plan(tier))));
            }
        }
        List<Container> containers = new ArrayList<>();
        for (Future<Container> f : futures) {
            containers.add(f.get());
        }
        try {
            assertThat(fx.resources().loopDevices()).isEqualTo(4);
            for (Container c : containers) {
                ContainerFixture.AgentOutput.of(c).awaitText("host=" + c.id(), START);
            }
        } finally {
            containers.forEach(Container::destroy);
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void bundle_configIsPrivate(Tier tier) throws IOException {
        Container c = fx.host.create(plan(tier));
        try {
            Path config = c.layout().config();

            assertThat(Files.getPosixFilePermissions(config)).extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
            assertThat(Files.getPosixFilePermissions(c.layout().stateDir())).hasSize(3);
        } finally {
            c.destroy();
        }
    }
}
