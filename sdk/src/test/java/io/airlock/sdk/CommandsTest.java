package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Commands and terminals through the SDK, in one real sandbox. */
@Timeout(120)
class CommandsTest {
    private static Sandbox sbx;

    @BeforeAll
    static void start() {
        sbx = TestAirlock.shared().client().sandboxes().create(SandboxSpec.builder().timeout(Duration.ofMinutes(5)).build());
    }

    @AfterAll
    static void stop() {
        if (sbx != null) {
            sbx.close();
        }
    }

    @Test
    void run_returnsStdoutStderrAndExitCode() {
        CommandResult r = sbx.commands().run("echo hi; echo oops >&2");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("hi\n");
        assertThat(r.stderr()).isEqualTo("oops\n");
    }

    @Test
    void run_nonZeroExit_throwsCommandExitWithTheResult() {
        assertThatThrownBy(() -> sbx.commands().run("echo partial; echo bad >&2; exit 3"))
                .isInstanceOfSatisfying(CommandExitException.class, e -> {
                    assertThat(e.result().exitCode()).isEqualTo(3);
                    assertThat(e.result().stdout()).isEqualTo("partial\n");
                    assertThat(e.getMessage()).contains("exited with code 3").contains("bad");
                });
    }

    @Test
    void run_withOptions_streamsOutputAndHonoursCwdUserEnv() {
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();
        RunOptions opts = RunOptions.builder().onStdout(out::add).onStderr(err::add).cwd("/tmp").user("root")
                .env(Map.of("GREETING", "hello")).timeout(Duration.ofSeconds(20)).build();
        CommandResult r = sbx.commands().run("pwd; whoami; echo $GREETING; echo e >&2", opts);
        assertThat(r.stdout()).isEqualTo("/tmp\nroot\nhello\n");
        assertThat(String.join("", out)).isEqualTo(r.stdout());
        assertThat(String.join("", err)).isEqualTo("e\n");
    }

    @Test
    void run_pastItsTimeout_throwsTimeout() {
        RunOptions opts = RunOptions.builder().timeout(Duration.ofSeconds(1)).build();
        assertThatThrownBy(() -> sbx.commands().run("sleep 30", opts)).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("deadline")
                .satisfies(e -> assertThat(((TimeoutException) e).timeout()).as("the timeout asked for, not the wait")
                        .isEqualTo(Duration.ofSeconds(1)));
    }

    @Test
    void start_backgroundWithStdin_echoesInputThenEnds() {
        CommandHandle h = sbx.commands().start("cat", RunOptions.builder().stdin(true).build());
        assertThat(h.pid()).isPositive();
        h.sendStdin("hello\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> h.stdout().equals("hello\n"));
        h.closeStdin();
        CommandResult r = h.waitFor();
        assertThat(r.stdout()).isEqualTo("hello\n");
        assertThat(h.result()).contains(r);
    }

    @Test
    void start_thenListAndKill_endsTheProcess() {
        CommandHandle h = sbx.commands().start("sleep 300", RunOptions.builder().timeout(Duration.ZERO).build());
        assertThat(sbx.commands().list()).anySatisfy(p -> {
            assertThat(p.pid()).isEqualTo(h.pid());
            assertThat(p.args()).containsExactly("-l", "-c", "sleep 300");
        });
        assertThat(h.kill()).isTrue();
        assertThatThrownBy(h::waitFor).isInstanceOfSatisfying(CommandExitException.class,
                e -> assertThat(e.result().status()).isEqualTo("signal: killed"));
        assertThat(sbx.commands().kill(h.pid())).as("a second kill").isFalse();
    }

    @Test
    void connect_toARunningProcess_seesItsLaterOutput() {
        CommandHandle h = sbx.commands().start("read x; echo got $x", RunOptions.builder().stdin(true).timeout(Duration.ZERO).build());
        h.disconnect();
        CommandHandle again = sbx.commands().connect(h.pid(), RunOptions.defaults());
        sbx.commands().sendStdin(h.pid(), "it\n");
        assertThat(again.waitFor().stdout()).isEqualTo("got it\n");
    }

    @Test
    void connect_unknownPid_throwsNotFound() {
        assertThatThrownBy(() -> sbx.commands().connect(999_999, RunOptions.defaults())).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("999999");
    }

    @Test
    void run_inAMissingDirectory_throwsInvalidRequest() {
        assertThatThrownBy(() -> sbx.commands().run("true", RunOptions.builder().cwd("/no/such/dir").build()))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void pty_echoesInputAndResizes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Pty pty = sbx.pty().create(80, 24, bytes -> {
            synchronized (out) {
                out.writeBytes(bytes);
            }
        })) {
            pty.sendInput("echo hi-$((40+2))\n".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                synchronized (out) {
                    return out.toString(StandardCharsets.UTF_8).contains("hi-42");
                }
            });
            pty.resize(120, 40);
            pty.sendInput("stty size; exit\n".getBytes(StandardCharsets.UTF_8));
            assertThat(pty.waitFor(Duration.ofSeconds(10))).isZero();
            synchronized (out) {
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("40 120");
            }
        }
    }
}
