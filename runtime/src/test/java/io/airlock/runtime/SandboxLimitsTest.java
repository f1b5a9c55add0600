package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.ProcessSpec;
import io.airlock.core.Resources;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxRequest;
import io.airlock.core.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** SECURITY.md series R: resource limits hold, and only the sandbox that breaks them suffers. */
class SandboxLimitsTest {
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

    private static final String TIERS = "io.airlock.runtime.SandboxFixture#tiers";

    @ParameterizedTest
    @MethodSource(TIERS)
    void r01_forkBomb_cappedByPidsLimit_neighbourUnaffected(Tier tier) throws Exception {
        String bomb = fx.create(SandboxRequest.of("base").withTier(tier).withResources(new Resources(1, 256 * Resources.MIB, 64, 256 * Resources.MIB)));
        String neighbour = fx.create(tier);

        SandboxFixture.Run r = runOrSandboxDeath(bomb, "bomb() { bomb | bomb & }; bomb; sleep 3; echo survived", Duration.ofSeconds(20));

        if (tier == Tier.RUNC) {
            // runc: the pids cgroup caps the bomb and the sandbox lives on
            assertThat(r).isNotNull();
            assertThat(fx.service.stats(bomb).pids()).isLessThanOrEqualTo(64);
        }
        killIfAlive(bomb);
        // runsc may lose the whole sandbox (its sentry's own threads count against the limit):
        // either way, only the bomb's sandbox suffers.
        assertThat(fx.sh(neighbour, "echo fine").stdout()).isEqualTo("fine\n");
        fx.service.kill(neighbour);
    }

    /** Runs a command; returns null if the sandbox itself died meanwhile (gVisor's answer to some bombs). */
    private static SandboxFixture.Run runOrSandboxDeath(String id, String command, Duration timeout) throws InterruptedException {
        try {
            SandboxFixture.Run r = fx.sh(id, command, "user", timeout);
            return fx.service.list().stream().anyMatch(s -> s.id().equals(id)) ? r : null;
        } catch (io.airlock.core.SandboxStateException | io.airlock.core.SandboxNotFoundException e) {
            return null;
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r03_threadBomb_cappedByPidsLimit(Tier tier) throws Exception {
        String id = fx.create(SandboxRequest.of("base").withTier(tier).withResources(new Resources(1, 256 * Resources.MIB, 32, 256 * Resources.MIB)));

        SandboxFixture.Run r = runOrSandboxDeath(id, """
                python3 -c '
                import threading, time
                n = 0
                try:
                    while True:
                        threading.Thread(target=time.sleep, args=(30,), daemon=True).start(); n += 1
                except RuntimeError:
                    print("capped at", n)
                '""", Duration.ofSeconds(30));

        if (tier == Tier.RUNC) {
            assertThat(r).isNotNull();
            assertThat(r.stdout()).startsWith("capped at");
            assertThat(Integer.parseInt(r.stdout().trim().split(" ")[2])).isLessThan(32);
        }
        killIfAlive(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r04_memoryBomb_killedInsideAndReportedAsOom(Tier tier) throws Exception {
        String id = fx.create(SandboxRequest.of("base").withTier(tier).withResources(new Resources(1, 128 * Resources.MIB, 64, 256 * Resources.MIB)));
        String neighbour = fx.create(tier);

        SandboxFixture.Run r = runOrSandboxDeath(id, "python3 -c 'x = bytearray(1 << 30); print(len(x))'", Duration.ofSeconds(60));

        if (tier == Tier.RUNC) {
            assertThat(r).isNotNull();
            assertThat(r.stdout()).doesNotContain(String.valueOf(1 << 30));
            assertThat(r.status().oomKilled()).as("status %s", r.status()).isTrue();
            assertThat(r.status().error()).contains("out of memory");
            assertThat(fx.sh(id, "echo alive").stdout()).isEqualTo("alive\n");
        } else if (r != null) {
            // gVisor: the allocation fails inside, or the whole sandbox is OOM-killed on the host
            assertThat(r.stdout()).doesNotContain(String.valueOf(1 << 30));
        }
        assertThat(fx.sh(neighbour, "echo fine").stdout()).isEqualTo("fine\n");
        killIfAlive(id);
        fx.service.kill(neighbour);
    }

    private static void killIfAlive(String id) {
        try {
            fx.service.kill(id);
        } catch (io.airlock.core.SandboxNotFoundException e) {
            // it died on its own, which the test allowed
        }
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r05_nodeBufferBomb_outsideV8Heap_stillLimited(Tier tier) throws Exception {
        String id = fx.create(SandboxRequest.of("base").withTier(tier).withResources(new Resources(1, 128 * Resources.MIB, 64, 256 * Resources.MIB)));

        SandboxFixture.Run r = runOrSandboxDeath(id, "node -e 'const a=[]; for(;;) a.push(Buffer.alloc(16<<20, 1))'", Duration.ofSeconds(60));

        if (tier == Tier.RUNC) {
            assertThat(r).isNotNull();
            assertThat(r.timedOut()).isFalse();
            assertThat(r.status().oomKilled()).as("status %s", r.status()).isTrue();
            assertThat(fx.sh(id, "echo alive").stdout()).isEqualTo("alive\n");
        } else if (r != null) {
            assertThat(r.exit()).isNotZero();
        }
        killIfAlive(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r10_diskFill_enospcInsideOnly(Tier tier) throws Exception {
        String id = fx.create(SandboxRequest.of("base").withTier(tier).withResources(new Resources(1, 256 * Resources.MIB, 64, 64 * Resources.MIB)));
        String neighbour = fx.create(tier);

        SandboxFixture.Run r = fx.sh(id, "dd if=/dev/zero of=/home/user/fill bs=1M count=200 2>&1; echo rc=$?", "user", Duration.ofSeconds(60));

        assertThat(r.stdout()).contains("No space left on device");
        assertThat(fx.sh(neighbour, "dd if=/dev/zero of=/home/user/f bs=1M count=100 2>/dev/null && echo wrote").stdout()).isEqualTo("wrote\n");
        fx.service.kill(id);
        fx.service.kill(neighbour);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r11_inodeExhaustion_enospcInsideOnly(Tier tier) throws Exception {
        String id = fx.create(SandboxRequest.of("base").withTier(tier).withResources(new Resources(1, 256 * Resources.MIB, 64, 16 * Resources.MIB)));

        SandboxFixture.Run r = fx.sh(id, "mkdir /home/user/many && cd /home/user/many && for i in $(seq 1 200000); do : > f$i || { echo stopped; break; }; done 2>&1 | tail -2", "user", Duration.ofSeconds(120));

        assertThat(r.stdout()).contains("No space left on device");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r06_tmpfsFill_boundedByTmpSize(Tier tier) throws Exception {
        String id = fx.create(SandboxRequest.of("base").withTier(tier).withResources(new Resources(1, 256 * Resources.MIB, 64, 256 * Resources.MIB)));

        SandboxFixture.Run r = fx.sh(id, "dd if=/dev/zero of=/tmp/fill bs=1M count=1024 2>&1; df -m /tmp | tail -1", "user", Duration.ofSeconds(60));

        assertThat(r.stdout()).containsAnyOf("No space left on device", "Cannot allocate memory");
        assertThat(fx.sh(id, "echo alive").stdout()).isEqualTo("alive\n");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r07_cpuSpin_killedAtCommandTimeout(Tier tier) throws Exception {
        String id = fx.create(tier);
        Instant t0 = Instant.now();

        SandboxFixture.Run r = fx.sh(id, "trap '' TERM INT; while :; do :; done", "user", Duration.ofSeconds(2));

        assertThat(r.timedOut()).isTrue();
        assertThat(r.status().signal()).isEqualTo(9);
        assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(10));
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r13_outputFlood_boundedServerMemory(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxProcess p = fx.service.spawn(id, new ProcessSpec(List.of("/bin/bash", "-c", "head -c 1000000000 /dev/zero; echo done >&2"), Map.of(), "", "user", false, null, ""));
        // The test JVM runs with -Xmx384m (runtime/pom.xml): buffering the gigabyte would fail it.
        long total = 0;
        String tail = "";
        try (ProcessOutput out = p.attach()) {
            while (true) {
                Optional<OutputChunk> c = out.next(Duration.ofSeconds(60));
                assertThat(c).as("output stalled after %d bytes", total).isPresent();
                if (c.get().kind() == OutputChunk.Kind.END) {
                    break;
                }
                if (c.get().kind() == OutputChunk.Kind.STDERR) {
                    tail = new String(c.get().data());
                } else {
                    total += c.get().data().length;
                }
            }
        }

        assertThat(total).isEqualTo(1_000_000_000L);
        assertThat(tail).isEqualTo("done\n");
        assertThat(p.exit().get(10, TimeUnit.SECONDS).exitCode()).isZero();
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(1_000_000_000L);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r13_slowReader_producerBlocksInsteadOfBuffering(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxProcess p = fx.service.spawn(id, new ProcessSpec(List.of("/bin/bash", "-c", "yes | head -c 100000000; echo finished > /tmp/marker"), Map.of(), "", "user", false, null, ""));
        try (ProcessOutput out = p.attach()) {
            out.next(Duration.ofSeconds(10));
            // The reader stops reading. The producer must block, not finish into a buffer.
            assertThat(p.exit().completeOnTimeout(null, 3, TimeUnit.SECONDS).get()).isNull();
            assertThat(fx.sh(id, "cat /tmp/marker 2>/dev/null || echo absent").stdout()).isEqualTo("absent\n");
        }
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void r14_hugeLineWithoutNewline_streamsInChunks(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.sh(id, "head -c 5000000 /dev/zero | tr '\\0' x", "user", Duration.ofSeconds(60));

        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).hasSize(1 << 20).matches("x+");
        fx.service.kill(id);
    }
}
