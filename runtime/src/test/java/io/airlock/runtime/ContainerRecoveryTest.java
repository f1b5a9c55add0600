package io.airlock.runtime;

import static io.airlock.runtime.ContainerFixture.planRunning;
import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Resources;
import io.airlock.core.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** After a crash, a new host reaps everything the old one left; its own live containers are left alone. */
class ContainerRecoveryTest {
    private static final Resources BUSY = new Resources(1, 256 * Resources.MIB, 64, 32 * Resources.MIB);
    private static final String DAEMON = "(setsid sleep 100000 &); sleep 100000 &";
    private ContainerFixture fx;

    @BeforeEach
    void open() throws IOException {
        fx = ContainerFixture.open();
    }

    @AfterEach
    void close() throws IOException {
        fx.close();
    }

    @Test
    void reapAll_afterServerCrash_reapsEverySandboxAndLeavesNothing() {
        List<Container> abandoned = new ArrayList<>();
        for (Tier tier : ContainerFixture.tiers().toList()) {
            for (int i = 0; i < 2; i++) {
                Container c = fx.host.create(planRunning(tier, BUSY, DAEMON));
                ContainerFixture.AgentOutput.of(c).awaitText("exit=0", Duration.ofSeconds(10));
                abandoned.add(c);
            }
        }
        HostResources before = fx.resources();
        assertThat(before.sandboxes()).isEqualTo(abandoned.size());
        assertThat(before.processes()).isGreaterThanOrEqualTo(abandoned.size() * 3);

        // The old server "crashes": its Container objects are never destroyed.
        int reaped = fx.restartedHost().reapAll();

        assertThat(reaped).isEqualTo(abandoned.size());
        assertThat(fx.resources()).isEqualTo(HostResources.NONE);
    }

    @Test
    void reapAll_findsLeftoversWhoseMarkerIsGone() throws IOException {
        Tier tier = ContainerFixture.tiers().findFirst().orElseThrow();
        Container c = fx.host.create(planRunning(tier, BUSY, DAEMON));
        ContainerFixture.AgentOutput.of(c).awaitText("exit=0", Duration.ofSeconds(10));
        // as if a crash hit between two steps: resources exist, the marker directory does not
        Files.delete(c.layout().marker());

        int reaped = fx.restartedHost().reapAll();

        assertThat(reaped).isEqualTo(1);
        assertThat(fx.resources()).isEqualTo(HostResources.NONE);
    }

    @Test
    void reapAll_leavesThisHostsLiveContainersAlone() {
        Tier tier = ContainerFixture.tiers().findFirst().orElseThrow();
        Container c = fx.host.create(ContainerFixture.plan(tier));
        ContainerFixture.AgentOutput out = ContainerFixture.AgentOutput.of(c);
        out.awaitText("host=", Duration.ofSeconds(10));

        int reaped = fx.host.reapAll();

        assertThat(reaped).isZero();
        ContainerFixture.send(c, "still alive\n");
        out.awaitText("still alive\n", Duration.ofSeconds(10));
        c.destroy();
        fx.assertNoLeaks();
    }

    @Test
    void reapAll_onCleanHost_reapsNothing() {
        assertThat(fx.restartedHost().reapAll()).isZero();
        assertThat(fx.resources()).isEqualTo(HostResources.NONE);
    }
}
