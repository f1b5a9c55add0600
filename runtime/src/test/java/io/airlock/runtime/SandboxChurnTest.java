package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 1,000 create/exec/kill lifecycles leave no processes, mounts, cgroups, loop devices or fds behind. */
class SandboxChurnTest {
    private static final int LIFECYCLES = Integer.getInteger("airlock.test.churn", 1000);
    private static SandboxFixture fx;

    @BeforeAll
    static void open() throws Exception {
        fx = SandboxFixture.open();
    }

    @AfterAll
    static void close() {
        fx.close();
    }

    @Test
    void churn_thousandLifecycles_noLeaks() throws Exception {
        String warm = fx.create(Tier.RUNC);
        fx.sh(warm, "true");
        fx.service.kill(warm);
        long fdsBefore = openFds();

        for (int i = 0; i < LIFECYCLES; i++) {
            String id = fx.create(Tier.RUNC);
            assertThat(fx.sh(id, "echo " + i).stdout()).isEqualTo(i + "\n");
            fx.service.kill(id);
        }

        fx.assertNoLeaks();
        assertThat(openFds()).isBetween(fdsBefore - 10, fdsBefore + 10);
    }

    private static long openFds() throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
