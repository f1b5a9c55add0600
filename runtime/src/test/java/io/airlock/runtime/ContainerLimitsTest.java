package io.airlock.runtime;

import static io.airlock.runtime.ContainerFixture.planRunning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.core.Resources;
import io.airlock.core.SandboxStats;
import io.airlock.core.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Limits from the plan reach the cgroups and the disk, and hold against hostile workloads. */
class ContainerLimitsTest {
    private static final String TIERS = "io.airlock.runtime.ContainerFixture#tiers";
    private static final long MIB = Resources.MIB;
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
    void create_setsMemoryAndSwapCpuAndPidsLimits(Tier tier) {
        Container c = fx.host.create(ContainerFixture.plan(tier, new Resources(0.5, 200 * MIB, 77, 32 * MIB), Map.of()));
        try {
            CgroupV1 cg = c.cgroup();

            assertThat(cg.memoryLimitBytes()).isEqualTo(200 * MIB);
            assertThat(cg.memorySwapLimitBytes()).as("memory+swap = memory: no swap").isEqualTo(200 * MIB);
            assertThat(cg.cpuQuotaMicros()).isEqualTo(50_000);
            assertThat(cg.pidsLimit()).isEqualTo(tier == Tier.RUNC ? 77 : 2 * 77 + BundleWriter.RUNSC_TASK_OVERHEAD);
        } finally {
            c.destroy();
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void create_putsTheSandboxInEveryV1Controller(Tier tier) throws IOException {
        Container c = fx.host.create(ContainerFixture.plan(tier));
        try {
            ContainerFixture.AgentOutput.of(c).awaitText("host=", START);

            for (String controller : List.of("cpu", "cpuacct", "cpuset", "memory", "pids", "freezer", "devices", "blkio")) {
                Path procs = CgroupHierarchies.ROOT.resolve(controller).resolve(fx.config.cgroupParent()).resolve(c.id()).resolve("cgroup.procs");
                assertThat(Files.readString(procs)).as(controller).isNotBlank();
            }
        } finally {
            c.destroy();
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void stats_reportUsageAndLimits(Tier tier) {
        Container c = fx.host.create(ContainerFixture.plan(tier, new Resources(1, 256 * MIB, 64, 48 * MIB), Map.of()));
        try {
            ContainerFixture.AgentOutput.of(c).awaitText("host=", START);

            SandboxStats s = c.stats();

            assertThat(s.memoryLimitBytes()).isEqualTo(256 * MIB);
            assertThat(s.memoryBytes()).isPositive();
            assertThat(s.cpuNanos()).isPositive();
            assertThat(s.pids()).isPositive();
            assertThat(s.diskTotalBytes()).isBetween(40 * MIB, 48 * MIB);
            assertThat(s.diskUsedBytes()).isBetween(1L, 8 * MIB);
            assertThat(s.oomKills()).isZero();
        } finally {
            c.destroy();
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void disk_writeBeyondQuota_failsWithEnospcInsideOnly(Tier tier) {
        Container c = fx.host.create(planRunning(tier, new Resources(1, 256 * MIB, 64, 32 * MIB),
                "dd if=/dev/zero of=/bigfile bs=1M count=100; echo dd=$?; rm /bigfile; echo rm=$?"));
        try {
            ContainerFixture.AgentOutput out = ContainerFixture.AgentOutput.of(c);

            String text = out.awaitText("exit=", Duration.ofSeconds(60));

            assertThat(text).contains("No space left on device").contains("dd=1").contains("rm=0");
            assertThat(ContainerFixture.ROOTFS.resolve("bigfile")).as("the template is never written").doesNotExist();
            assertThat(c.layout().image().toFile().length()).as("the image never grows").isEqualTo(32 * MIB);
            ContainerFixture.send(c, "alive\n");
            out.awaitText("alive\n", START);
        } finally {
            c.destroy();
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void memory_hogBeyondLimit_isOomKilledAndCounted(Tier tier) {
        Container c = fx.host.create(planRunning(tier, new Resources(1, 128 * MIB, 64, 32 * MIB),
                "python3 -c 'b = bytearray(512 << 20); print(len(b))'"));
        try {
            ContainerFixture.AgentOutput out = ContainerFixture.AgentOutput.of(c);

            if (tier == Tier.RUNC) {
                assertThat(out.awaitText("exit=", Duration.ofSeconds(60))).contains("exit=137");
            }
            // on runsc the sandbox's memory is the sentry's, so the OOM killer may take the sentry itself
            await().atMost(Duration.ofSeconds(60)).until(() -> c.oomKills() > 0);
        } finally {
            c.destroy();
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void destroy_duringForkBomb_emptiesTheCgroupAndReleasesEverything(Tier tier) {
        int pids = 200;
        Container c = fx.host.create(planRunning(tier, new Resources(1, 256 * MIB, pids, 32 * MIB),
                "(f() { f | f & }; f) >/dev/null 2>&1 &"));
        ContainerFixture.AgentOutput.of(c).awaitText("exit=0", START);
        // wait until the bomb presses against the pids limit
        long limit = c.cgroup().pidsLimit();
        await().atMost(Duration.ofSeconds(60)).until(() -> c.cgroup().pids() >= limit * 8 / 10);

        long start = System.nanoTime();
        c.destroy();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(fx.resources()).isEqualTo(HostResources.NONE);
        assertThat(took).as("destroy of a fork bomb").isLessThan(Duration.ofSeconds(5));
    }
}
