package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.core.SandboxRuntime;
import io.airlock.core.Tier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A server killed with -9 mid-run leaves orphans that the next server reaps completely. */
class SandboxCrashRecoveryTest {

    @Test
    void kill9_thenRecover_zeroOrphans() throws Exception {
        Path home = Files.createTempDirectory("airlock-crash");
        Path state = Path.of("/run/airlock-crash-" + ProcessHandle.current().pid());
        String tiers = SandboxFixture.tiers().map(Tier::binary).collect(Collectors.joining(","));
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED",
                "-Dairlock.agent=" + SandboxFixture.AGENT, "-Dairlock.test.templates=" + SandboxFixture.TEMPLATES,
                "-cp", System.getProperty("java.class.path"), CrashVictim.class.getName(), home.toString(), state.toString(), tiers));
        Process victim = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                // skip
            }
            assertThat(line).as("victim never got ready").isEqualTo("READY");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> SandboxFixture.resources(home, state).sandboxes() >= 2);
        HostResources before = SandboxFixture.resources(home, state);

        victim.destroyForcibly();
        assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(SandboxFixture.resources(home, state).isEmpty()).as("orphans exist after kill -9: %s", before).isFalse();

        try (SandboxRuntime next = OciRuntime.create(home, state, SandboxFixture.AGENT)) {
            // one sandbox per tier, plus the warm-pool sandbox
            assertThat(next.recover()).isGreaterThanOrEqualTo((int) SandboxFixture.tiers().count() + 1);
        }

        assertThat(SandboxFixture.resources(home, state).isEmpty()).as("after recovery: %s", SandboxFixture.resources(home, state)).isTrue();
    }
}
