package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One runtime per home and per state root. Regression: a second server started with the same
 * state root (or home) swept the first one's live sandboxes away as leftovers at start-up, and only
 * then failed to bind its port.
 */
class RuntimeClaimTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    private Path state;

    @BeforeEach
    void stateRoot() {
        state = Path.of("/run/airlock-claim-test-" + PID);
    }

    @AfterEach
    void removeStateRoot() throws IOException {
        Files.deleteIfExists(state.resolve("b"));
        Files.deleteIfExists(state);
    }

    @Test
    void secondClaimOnTheSameHome_isRefused_namingTheHolder() {
        RuntimeClaim first = RuntimeClaim.take(tmp.resolve("home"), state);
        try {
            assertThatThrownBy(() -> RuntimeClaim.take(tmp.resolve("home"), state.resolve("b")))
                    .isInstanceOf(RuntimeFailureException.class)
                    .hasMessageContaining("the home " + tmp.resolve("home") + " is in use by process " + PID)
                    .hasMessageContaining("reap the first one's live sandboxes");
        } finally {
            first.close();
        }
    }

    @Test
    void secondClaimOnTheSameStateRoot_isRefused_andHoldsNothingAfterwards() {
        RuntimeClaim first = RuntimeClaim.take(tmp.resolve("a"), state);
        try {
            assertThatThrownBy(() -> RuntimeClaim.take(tmp.resolve("b"), state))
                    .isInstanceOf(RuntimeFailureException.class)
                    .hasMessageContaining("the state root " + state + " is in use by process " + PID);
            // the refused claim let go of the home it had already taken
            RuntimeClaim.take(tmp.resolve("b"), state.resolve("b")).close();
        } finally {
            first.close();
        }
    }

    @Test
    void closing_releases_andARemovedStateRootIsClaimedAfresh() throws IOException {
        RuntimeClaim first = RuntimeClaim.take(tmp.resolve("a"), state);
        first.close();
        first.close(); // a second close must not close descriptor numbers that may be reused by now
        Files.delete(state);
        RuntimeClaim again = RuntimeClaim.take(tmp.resolve("a"), state);
        try {
            assertThat(state).isDirectory();
            assertThatThrownBy(() -> RuntimeClaim.take(tmp.resolve("c"), state)).isInstanceOf(RuntimeFailureException.class);
        } finally {
            again.close();
        }
    }

    @Test
    void anotherProcessesClaim_isNamed_andGoesWithIt() throws Exception {
        Files.createDirectories(state);
        Process holder = new ProcessBuilder("flock", "--exclusive", "--no-fork", state.toString(), "sleep", "120").start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> RuntimeClaim.holder(state).isPresent());
            assertThatThrownBy(() -> RuntimeClaim.take(tmp.resolve("a"), state))
                    .hasMessageContaining("is in use by process " + holder.pid());
        } finally {
            holder.destroyForcibly();
            assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        // the kernel dropped the dead holder's lock: nothing is left to clean up after a crash
        RuntimeClaim.take(tmp.resolve("a"), state).close();
    }

    @Test
    void secondRuntime_onALiveRuntimesStateRootOrHome_refusesToStart_andItsSandboxesLiveOn() throws Exception {
        Path taken;
        try (SandboxFixture fx = SandboxFixture.open()) {
            taken = fx.state;
            String id = fx.create(io.airlock.core.Tier.RUNC);
            assertThatThrownBy(() -> OciRuntime.create(tmp.resolve("other-home"), fx.state, SandboxFixture.AGENT))
                    .hasMessageContaining("the state root " + fx.state + " is in use");
            assertThatThrownBy(() -> OciRuntime.create(fx.home, Path.of(state + "-other"), SandboxFixture.AGENT))
                    .hasMessageContaining("the home " + fx.home + " is in use");
            assertThat(fx.sh(id, "echo alive").stdout()).isEqualTo("alive\n");
            fx.service.kill(id);
        }
        // once the first runtime is closed, its state root can be claimed again
        try (SandboxRuntime next = OciRuntime.create(tmp.resolve("other-home"), taken, SandboxFixture.AGENT)) {
            assertThat(next.recover()).isZero();
        }
    }
}
