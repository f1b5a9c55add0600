package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.ProcessSpec;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxRequest;
import io.airlock.core.SandboxStateException;
import io.airlock.core.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Time to live, kill, pause and resume, with the real runtime. */
class SandboxLifecycleTest {
    private static final String TIERS = "io.airlock.runtime.SandboxFixture#tiers";
    private static SandboxFixture fx;

    @BeforeAll
    static void open() throws Exception {
        fx = SandboxFixture.open();
    }

    @AfterAll
    static void close() {
        fx.close();
        fx.assertNoLeaks();
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void ttl_expired_killedPromptlyAndReleased(Tier tier) {
        Sandbox s = fx.service.create(SandboxRequest.of("base").withTier(tier).withTimeout(Duration.ofSeconds(2)));

        await().atMost(Duration.between(Instant.now(), s.endAt()).plusSeconds(3))
                .until(() -> fx.service.list().stream().noneMatch(x -> x.id().equals(s.id())));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(fx.resources().isEmpty()).isTrue());
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void kill_isIdempotentAtRuntimeLevel_andProcessCallsFailAfter(Tier tier) {
        String id = fx.create(tier);
        SandboxProcess p = fx.service.spawn(id, new ProcessSpec(List.of("sleep", "1000"), Map.of(), "", "user", false, null, ""));

        fx.service.kill(id);

        assertThat(p.exit()).succeedsWithin(Duration.ofSeconds(10));
        assertThatThrownBy(() -> fx.service.kill(id)).isInstanceOf(SandboxNotFoundException.class);
        fx.assertNoLeaks();
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void pauseResume_keepsPidsAndMemory_noCpuWhilePaused(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxProcess counter = fx.service.spawn(id, new ProcessSpec(List.of("/bin/bash", "-c",
                "python3 -c 'x=bytearray(32<<20)\nimport time\nwhile True: pass'"), Map.of(), "", "user", false, null, ""));
        await().until(() -> fx.service.stats(id).memoryBytes() > 32 << 20);

        fx.service.pause(id);
        long cpuPaused = fx.service.stats(id).cpuNanos();
        long memPaused = fx.service.stats(id).memoryBytes();
        assertThatThrownBy(() -> fx.service.spawn(id, ProcessSpec.shell("true", "user"))).isInstanceOf(SandboxStateException.class);
        Instant until = Instant.now().plusMillis(700);
        await().pollDelay(Duration.ofMillis(700)).until(() -> Instant.now().isAfter(until));
        assertThat(fx.service.stats(id).cpuNanos() - cpuPaused).isLessThan(Duration.ofMillis(20).toNanos());

        fx.service.resume(id, null);
        assertThat(fx.service.stats(id).memoryBytes()).isGreaterThanOrEqualTo(memPaused / 2);
        assertThat(fx.service.processes(id)).extracting(SandboxProcess::pid).contains(counter.pid());
        await().until(() -> fx.service.stats(id).cpuNanos() - cpuPaused > Duration.ofMillis(50).toNanos());
        fx.service.kill(id);
    }

    @Test
    void warmPool_realRuntime_claimedSandboxWorksAndPoolRefills() throws Exception {
        try (SandboxFixture pooled = SandboxFixture.open(SandboxPolicy.standard().withPoolSizes(Map.of("base", 1)))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> pooled.resources().sandboxes() == 1);

            String id = pooled.create(SandboxRequest.of("base"));

            assertThat(pooled.sh(id, "hostname").stdout()).isEqualTo(id + "\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> pooled.resources().sandboxes() == 2);
            pooled.service.close();
            pooled.assertNoLeaks();
        }
    }
}
