package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.ExitStatus;
import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.ProcessSpec;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxStateException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AgentProcessTest {
    private static final Duration WAIT = AgentFixture.WAIT;

    @Test
    void spawn_echo_deliversStdoutAndExitsZero() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("echo", "hello");

            assertThat(AgentFixture.collect(p.attach())).isEqualTo(new AgentFixture.Collected("hello\n", "", ""));
            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.exited(0));
        }
    }

    @Test
    void spawn_exitCode_isReported() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            assertThat(f.spawn("sh", "-c", "exit 3").exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.exited(3));
        }
    }

    @Test
    void spawn_stderr_arrivesSeparately() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("sh", "-c", "echo out; echo err >&2");

            assertThat(AgentFixture.collect(p.attach())).isEqualTo(new AgentFixture.Collected("out\n", "err\n", ""));
        }
    }

    @Test
    void spawn_outputBeforeAttach_isHeldForFirstReader() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("echo", "early");
            assertThat(p.exit()).succeedsWithin(WAIT);

            assertThat(AgentFixture.collect(p.attach()).stdout()).isEqualTo("early\n");
        }
    }

    @Test
    void attach_afterExitAndFirstReader_seesOnlyEnd() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("echo", "once");
            AgentFixture.collect(p.attach());

            ProcessOutput late = p.attach();

            assertThat(late.next(WAIT)).contains(OutputChunk.END);
            assertThat(late.next(Duration.ZERO)).contains(OutputChunk.END);
        }
    }

    @Test
    void writeStdin_cat_echoesInputUntilClosed() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.conn.spawn(AgentFixture.spec(List.of("cat"), true, null));
            ProcessOutput out = p.attach();

            p.writeStdin("ping\n".getBytes(StandardCharsets.UTF_8));
            p.closeStdin();

            assertThat(AgentFixture.collect(out).stdout()).isEqualTo("ping\n");
            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.exited(0));
        }
    }

    @Test
    void writeStdin_moreThanWindow_isDeliveredWhole() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.conn.spawn(AgentFixture.spec(List.of("wc", "-c"), true, null));
            ProcessOutput out = p.attach();

            p.writeStdin(new byte[3 * AgentFrames.WINDOW + 17]);
            p.closeStdin();

            assertThat(AgentFixture.collect(out).stdout().strip()).isEqualTo(Integer.toString(3 * AgentFrames.WINDOW + 17));
        }
    }

    @Test
    void writeStdin_processNeverReads_failsWithoutBlockingOthers() throws Exception {
        try (AgentFixture f = AgentFixture.start(AgentSettings.defaults().withCallTimeout(Duration.ofSeconds(1)))) {
            AgentProcess p = f.conn.spawn(AgentFixture.spec(List.of("sleep", "30"), true, null));

            assertThatThrownBy(() -> p.writeStdin(new byte[4 * AgentFrames.WINDOW]))
                    .isInstanceOf(RuntimeFailureException.class)
                    .hasMessageContaining("took no stdin");
            assertThat(f.conn.ping()).isLessThan(Duration.ofSeconds(1));
            p.signal(9);
            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.killed(9, false));
        }
    }

    @Test
    void writeStdin_withoutStdin_isRefused() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("sleep", "30");

            assertThatThrownBy(() -> p.writeStdin(new byte[1])).isInstanceOf(SandboxStateException.class).hasMessageContaining("stdin closed");
            p.signal(9);
        }
    }

    @Test
    void writeStdin_afterExit_isRefused() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.conn.spawn(AgentFixture.spec(List.of("true"), true, null));
            assertThat(p.exit()).succeedsWithin(WAIT);

            assertThatThrownBy(() -> p.writeStdin(new byte[1])).isInstanceOf(SandboxStateException.class).hasMessageContaining("has exited");
        }
    }

    @Test
    void spawn_pty_runsOnATerminal() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.conn.spawn(AgentFixture.spec(List.of("sh", "-c", "test -t 0 && test -t 1 && stty size"), false,
                    new ProcessSpec.PtySize(100, 30)));

            AgentFixture.Collected c = AgentFixture.collect(p.attach());

            assertThat(c.pty()).contains("30 100");
            assertThat(c.stdout()).isEmpty();
            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.exited(0));
        }
    }

    @Test
    void resize_pty_changesTheTerminalSize() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.conn.spawn(AgentFixture.spec(List.of("sh", "-c", "read line; stty size"), false,
                    new ProcessSpec.PtySize(80, 24)));
            ProcessOutput out = p.attach();

            p.resize(new ProcessSpec.PtySize(132, 43));
            p.writeStdin("\n".getBytes(StandardCharsets.UTF_8));

            assertThat(AgentFixture.collect(out).pty()).contains("43 132");
        }
    }

    @Test
    void signal_term_endsWithSignalStatus() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("sleep", "30");

            p.signal(15);

            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.killed(15, false));
            assertThat(p.exit().join().exitCode()).isEqualTo(143);
        }
    }

    @Test
    void signal_reachesTheWholeProcessGroup() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("sh", "-c", "sleep 30 & echo $!; wait");
            ProcessOutput out = p.attach();
            int child = Integer.parseInt(new String(out.next(WAIT).orElseThrow().data(), StandardCharsets.UTF_8).strip());

            p.signal(9);

            assertThat(p.exit()).succeedsWithin(WAIT);
            await().atMost(WAIT).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
        }
    }

    @Test
    void spawn_missingProgram_failsWithRuntimeFailure() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            assertThatThrownBy(() -> f.spawn("/no/such/program"))
                    .isInstanceOf(RuntimeFailureException.class)
                    .hasMessageContaining("/no/such/program")
                    .hasMessageContaining("errno 2");
            assertThat(f.conn.processes()).isEmpty();
            assertThat(f.conn.ping()).isPositive();
        }
    }

    @Test
    void spawn_unknownUser_failsWithRuntimeFailure() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            assertThatThrownBy(() -> f.conn.spawn(new ProcessSpec(List.of("true"), Map.of(), "", "no-such-user", false, null, "")))
                    .isInstanceOf(RuntimeFailureException.class)
                    .hasMessageContaining("no-such-user");
        }
    }

    @Test
    void spawn_asNobody_dropsPrivileges() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.conn.spawn(new ProcessSpec(List.of("sh", "-c", "id -u; id -g; echo $USER"), Map.of(), "/", "nobody", false, null, ""));

            assertThat(AgentFixture.collect(p.attach()).stdout()).isEqualTo("65534\n65534\nnobody\n");
        }
    }

    @Test
    void spawn_env_overlaysSpecOnBase() throws Exception {
        AgentSettings settings = AgentSettings.defaults().withBaseEnv(Map.of("A", "base-a", "B", "base-b"));
        try (AgentFixture f = AgentFixture.start(settings)) {
            AgentProcess p = f.conn.spawn(new ProcessSpec(List.of("sh", "-c", "echo $A $B"), Map.of("B", "spec-b"), "", "root", false, null, ""));

            assertThat(AgentFixture.collect(p.attach()).stdout()).isEqualTo("base-a spec-b\n");
        }
    }

    @Test
    void spawn_cwd_isUsed() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.conn.spawn(new ProcessSpec(List.of("pwd"), Map.of(), "/usr", "root", false, null, ""));

            assertThat(AgentFixture.collect(p.attach()).stdout()).isEqualTo("/usr\n");
        }
    }

    @Test
    void attach_twoReaders_bothSeeLaterOutput() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.conn.spawn(AgentFixture.spec(List.of("cat"), true, null));
            ProcessOutput first = p.attach();
            ProcessOutput second = p.attach();

            p.writeStdin("shared\n".getBytes(StandardCharsets.UTF_8));
            p.closeStdin();

            assertThat(AgentFixture.collect(first).stdout()).isEqualTo("shared\n");
            assertThat(AgentFixture.collect(second).stdout()).isEqualTo("shared\n");
        }
    }

    @Test
    void attach_closedReader_doesNotHoldBackTheOther() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("head", "-c", "5000000", "/dev/zero");
            ProcessOutput reading = p.attach();
            ProcessOutput idle = p.attach();

            idle.close();

            assertThat(countUntilEnd(reading)).isEqualTo(5_000_000);
            assertThatThrownBy(() -> idle.next(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void attach_slowReader_boundsBufferedOutputByTheWindow() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("head", "-c", "50000000", "/dev/zero");
            ProcessOutput out = p.attach();

            // not reading at all: the agent must stop at one window and the process must block
            await().atMost(WAIT).until(() -> f.conn.bufferedBytes() >= AgentFrames.WINDOW);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> f.conn.bufferedBytes() <= AgentFrames.WINDOW && !p.exit().isDone());

            assertThat(countUntilEnd(out)).isEqualTo(50_000_000);
            assertThat(f.conn.peakBufferedBytes()).isLessThanOrEqualTo(AgentFrames.WINDOW);
            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.exited(0));
            await().atMost(WAIT).until(() -> f.conn.bufferedBytes() == 0);
        }
    }

    @Test
    void spawn_noReader_doesNotBlockTheProcess() throws Exception {
        try (AgentFixture f = AgentFixture.start(AgentSettings.defaults().withUnclaimedOutputHold(Duration.ZERO))) {
            AgentProcess p = f.spawn("head", "-c", "20000000", "/dev/zero");

            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.exited(0));
            assertThat(f.conn.peakBufferedBytes()).isLessThanOrEqualTo(AgentFrames.WINDOW);
        }
    }

    @Test
    void spawn_unclaimedOutput_isReleasedAfterTheHold() throws Exception {
        try (AgentFixture f = AgentFixture.start(AgentSettings.defaults().withUnclaimedOutputHold(Duration.ofMillis(300)))) {
            AgentProcess p = f.spawn("head", "-c", "20000000", "/dev/zero");

            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.exited(0));
            await().atMost(WAIT).until(() -> f.conn.bufferedBytes() == 0);
        }
    }

    @Test
    void process_registry_tracksLiveProcessesByPid() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("sleep", "30");

            assertThat(f.conn.process(p.pid())).containsSame(p);
            assertThat(f.conn.processes()).containsExactly(p);

            p.signal(9);
            assertThat(p.exit()).succeedsWithin(WAIT);
            assertThat(f.conn.process(p.pid())).isEmpty();
            assertThat(f.conn.processes()).isEmpty();
        }
    }

    @Test
    void exit_sigkillWhileOomCounterRose_isOomKilled() throws Exception {
        AtomicLong oomKills = new AtomicLong(5);
        try (AgentFixture f = AgentFixture.start(AgentSettings.defaults().withOomKills(oomKills::get))) {
            AgentProcess p = f.spawn("sleep", "30");

            oomKills.incrementAndGet();
            p.signal(9);

            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.killed(9, true));
        }
    }

    @Test
    void exit_sigkillWithSteadyOomCounter_isNotOomKilled() throws Exception {
        AtomicLong oomKills = new AtomicLong(5);
        try (AgentFixture f = AgentFixture.start(AgentSettings.defaults().withOomKills(oomKills::get))) {
            AgentProcess p = f.spawn("sleep", "30");

            p.signal(9);

            assertThat(p.exit()).succeedsWithin(WAIT).isEqualTo(ExitStatus.killed(9, false));
        }
    }

    @Test
    void exit_backgroundChildHoldsPipe_doesNotHoldTheCommand() throws Exception {
        try (AgentFixture f = AgentFixture.start()) {
            AgentProcess p = f.spawn("sh", "-c", "sleep 30 & echo started");

            assertThat(AgentFixture.collect(p.attach()).stdout()).isEqualTo("started\n");
            assertThat(p.exit()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(ExitStatus.exited(0));
        }
    }

    private static long countUntilEnd(ProcessOutput out) throws InterruptedException {
        long total = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<OutputChunk> c = out.next(Duration.ofMillis(500));
            if (c.isPresent()) {
                if (c.get().kind() == OutputChunk.Kind.END) {
                    return total;
                }
                total += c.get().data().length;
            }
        }
        throw new AssertionError("no END within " + WAIT + " after " + total + " bytes");
    }
}
