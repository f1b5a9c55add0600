package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Resources;
import io.airlock.core.Tier;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the init sees from inside: capabilities, no_new_privs, seccomp, network, read-only and masked paths. */
class ContainerHardeningTest {
    private static final String PROBE = String.join("; ",
            "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status",
            "echo uid=$(id -u)",
            "echo ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ,)",
            "touch /sys/fs/airlock-probe 2>/dev/null; echo sys_write=$?",
            "echo x > /proc/sysrq-trigger 2>/dev/null; echo sysrq_write=$?",
            "echo kcore=$(head -c 16 /proc/kcore 2>/dev/null | wc -c)",
            "echo init_write=$(echo x 2>/dev/null > /.airlock/init; echo $?)",
            "echo tmp=$(df -k /tmp | tail -1 | tr -s ' ' | cut -d' ' -f2)");
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
    @MethodSource("io.airlock.runtime.ContainerFixture#tiers")
    void init_runsHardened(Tier tier) {
        Container c = fx.host.create(ContainerFixture.planRunning(tier, new Resources(1, 256 * Resources.MIB, 64, 32 * Resources.MIB), PROBE));
        try {
            String out = ContainerFixture.AgentOutput.of(c).awaitText("exit=", Duration.ofSeconds(30));

            // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT AUDIT_WRITE SETFCAP
            assertThat(out).contains("CapEff:\t00000000a00405fb", "CapBnd:\t00000000a00405fb", "CapPrm:\t00000000a00405fb",
                    "CapInh:\t0000000000000000", "Seccomp:\t2", "uid=0", "ifaces=lo,", "kcore=0", "tmp=" + 128 * 1024);
            assertThat(out).as("writes to read-only places fail").contains("sys_write=", "sysrq_write=", "init_write=")
                    .doesNotContain("sys_write=0", "sysrq_write=0", "init_write=0");
            if (tier == Tier.RUNC) {
                // gVisor's /proc/self/status has no such line; it enforces no_new_privs inside the sentry
                assertThat(out).contains("NoNewPrivs:\t1");
            }
        } finally {
            c.destroy();
        }
    }
}
