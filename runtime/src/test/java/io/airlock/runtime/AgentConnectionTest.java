package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.ExitStatus;
import io.airlock.core.FileWatch;
import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxStateException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConnectionTest {
    @TempDir
    Path dir;

    @Test
    void open_realAgent_reportsVersion() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            assertThat(f.conn.agentVersion()).isNotBlank();
            assertThat(f.conn.alive()).isTrue();
        }
    }

    @Test
    void ping_realAgent_echoesWithinTimeout() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            for (int i = 0; i < 20; i++) {
                assertThat(f.conn.ping()).isPositive().isLessThan(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void open_peerNeverSendsReady_failsNamingSandboxAndElapsedTime() {
        AgentFixture.assumeBuilt();
        Process silent = AgentFixture.launch(List.of("sleep", "30"));
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> AgentConnection.open("sbx-silent", silent.getInputStream(), silent.getOutputStream(),
                            AgentSettings.defaults().withReadyTimeout(Duration.ofMillis(300))))
                    .isInstanceOf(RuntimeFailureException.class)
                    .hasMessageContaining("sbx-silent")
                    .hasMessageMatching(".*sent no READY within [0-9]{3,} ms.*");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        } finally {
            silent.destroyForcibly();
        }
    }

    @Test
    void open_peerExitsWithoutReady_failsPromptly() {
        AgentFixture.assumeBuilt();
        Process quitter = AgentFixture.launch(List.of("true"));
        long start = System.nanoTime();

        assertThatThrownBy(() -> AgentConnection.open("sbx-quit", quitter.getInputStream(), quitter.getOutputStream(), AgentSettings.defaults()))
                .isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("sbx-quit")
                .hasMessageContaining("before READY");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void newChannel_manyCalls_neverRepeats() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            int a = f.conn.newChannel();
            f.conn.ping();
            int b = f.conn.newChannel();

            assertThat(a).isPositive();
            assertThat(b).isGreaterThan(a + 1);
        }
    }

    @Test
    void agentDeath_failsPendingCallPromptly() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            f.signalAgent("STOP");
            CompletableFuture<Object> pending = CompletableFuture.supplyAsync(() -> f.conn.files().stat(dir.toString(), "root"));
            f.signalAgent("KILL");

            assertThat(f.conn.closed()).succeedsWithin(Duration.ofSeconds(5));
            assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(SandboxStateException.class)
                    .hasMessage("sandbox test-sbx is no longer running");
        }
    }

    @Test
    void agentDeath_endsProcessesReadsAndWatches() throws Exception {
        Files.write(dir.resolve("big"), new byte[1 << 20]);
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess sleeper = f.spawn("sleep", "30");
            ProcessOutput out = sleeper.attach();
            FileWatch watch = f.conn.files().watch(dir.toString(), false, "root");
            InputStream read = f.conn.files().read(dir.resolve("big").toString(), "root");

            f.signalAgent("KILL");

            assertThat(sleeper.exit()).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(ExitStatus.killed(9, false));
            assertThat(out.next(Duration.ofSeconds(5))).contains(OutputChunk.END);
            assertThatThrownBy(() -> watch.next(Duration.ofSeconds(5))).isInstanceOf(SandboxStateException.class);
            assertThatThrownBy(read::readAllBytes).hasRootCauseInstanceOf(SandboxStateException.class);
            assertThat(f.conn.processes()).isEmpty();
            ProcessHandle.of(sleeper.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void call_afterDeath_failsImmediately() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            f.signalAgent("KILL");
            await().atMost(Duration.ofSeconds(5)).until(() -> f.conn.closed().isDone());

            assertThatThrownBy(f.conn::ping).isInstanceOf(SandboxStateException.class).hasMessageContaining("test-sbx");
            assertThatThrownBy(() -> f.spawn("true")).isInstanceOf(SandboxStateException.class);
            assertThatThrownBy(() -> f.conn.files().list(dir.toString(), 1, "root")).isInstanceOf(SandboxStateException.class);
        }
    }

    @Test
    void close_pendingProcess_endsAndCompletesClosed() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess sleeper = f.spawn("sleep", "30");
            ProcessHandle child = ProcessHandle.of(sleeper.pid()).orElseThrow();

            f.conn.close();

            assertThat(f.conn.closed()).isDone();
            assertThat(sleeper.exit()).isCompletedWithValue(ExitStatus.killed(9, false));
            assertThatThrownBy(f.conn::ping).isInstanceOf(SandboxStateException.class);
            child.destroyForcibly();
        }
    }
}
