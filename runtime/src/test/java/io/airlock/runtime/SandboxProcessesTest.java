package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.ExitStatus;
import io.airlock.core.OutputChunk;
import io.airlock.core.ProcessOutput;
import io.airlock.core.ProcessSpec;
import io.airlock.core.RuntimeFailureException;
import io.airlock.core.SandboxProcess;
import io.airlock.core.Tier;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Processes inside sandboxes, and SECURITY.md series P: nothing survives a kill. */
class SandboxProcessesTest {
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

    private static ProcessSpec spec(String cmd, String user, boolean stdin) {
        return new ProcessSpec(List.of("/bin/bash", "-c", cmd), Map.of(), "", user, stdin, null, "");
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void loginShells_getDebiansPathForUserAndRoot_bashAndDash(Tier tier) throws Exception {
        // the built-in /etc/profile uses $EUID instead of forking id(1); it must still tell root from a user
        String id = fx.create(tier);
        String user = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games";
        String root = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

        assertThat(fx.sh(id, "bash -l -c 'echo $PATH'").stdout()).isEqualTo(user + "\n");
        assertThat(fx.root(id, "bash -l -c 'echo $PATH'").stdout()).isEqualTo(root + "\n");
        assertThat(fx.sh(id, "sh -l -c 'echo $PATH'").stdout()).isEqualTo(user + "\n");
        assertThat(fx.root(id, "sh -l -c 'echo $PATH'").stdout()).isEqualTo(root + "\n");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void spawn_argsEnvCwdUser_applied(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxProcess p = fx.service.spawn(id, new ProcessSpec(List.of("/bin/sh", "-c", "echo \"$FOO $(id -un) $(pwd) $0\"", "arg0"),
                Map.of("FOO", "bar"), "/tmp", "root", false, null, ""));

        assertThat(SandboxFixture.collect(p, Duration.ofSeconds(30)).stdout()).isEqualTo("bar root /tmp arg0\n");
        assertThat(fx.sh(id, "id -u; echo $HOME").stdout()).isEqualTo("1000\n/home/user\n");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void spawn_missingProgram_failsClearly(Tier tier) {
        String id = fx.create(tier);

        assertThatThrownBy(() -> fx.service.spawn(id, new ProcessSpec(List.of("/no/such/program"), Map.of(), "", "user", false, null, "")))
                .isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("/no/such/program");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void stdin_sendAndClose_processSeesInputAndEof(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxProcess p = fx.service.spawn(id, spec("tr a-z A-Z", "user", true));
        try (ProcessOutput out = p.attach()) {
            p.writeStdin("hello ".getBytes(StandardCharsets.UTF_8));
            p.writeStdin("world".getBytes(StandardCharsets.UTF_8));
            p.closeStdin();
            assertThat(readAll(out)).isEqualTo("HELLO WORLD");
        }
        assertThat(p.exit().get(10, TimeUnit.SECONDS).exitCode()).isZero();
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void signal_sigterm_reportedAsSignal(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxProcess p = fx.service.spawn(id, spec("sleep 1000", "user", false));

        p.signal(15);

        ExitStatus st = p.exit().get(10, TimeUnit.SECONDS);
        assertThat(st.signal()).isEqualTo(15);
        assertThat(st.exitCode()).isEqualTo(143);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void list_andReconnectByPid_secondReaderSeesLaterOutput(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxProcess p = fx.service.spawn(id, spec("read x; echo got $x", "user", true));

        assertThat(fx.service.processes(id)).extracting(SandboxProcess::pid).contains(p.pid());
        SandboxProcess again = fx.service.process(id, p.pid()).orElseThrow();
        try (ProcessOutput first = p.attach(); ProcessOutput second = again.attach()) {
            again.writeStdin("line\n".getBytes(StandardCharsets.UTF_8));
            assertThat(readAll(first)).isEqualTo("got line\n");
            assertThat(readAll(second)).isEqualTo("got line\n");
        }
        await().until(() -> fx.service.process(id, p.pid()).isEmpty());
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void pty_interactiveShell_echoesAndResizes(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxProcess p = fx.service.spawn(id, new ProcessSpec(List.of("/bin/bash", "-i"), Map.of("TERM", "xterm"), "", "user", true,
                new ProcessSpec.PtySize(80, 24), ""));
        try (ProcessOutput out = p.attach()) {
            p.resize(new ProcessSpec.PtySize(132, 43));
            p.writeStdin("stty size; tty; exit\n".getBytes(StandardCharsets.UTF_8));
            String screen = readAll(out);
            assertThat(screen).contains("43 132").contains("/dev/pts/");
        }
        assertThat(p.exit().get(10, TimeUnit.SECONDS).exitCode()).isZero();
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void p01_doubleForkDaemon_diesWithSandbox(Tier tier) throws Exception {
        String id = fx.create(tier);
        String marker = "airlock-daemon-" + System.nanoTime();

        fx.sh(id, "setsid bash -c 'exec -a [kworker/0:1] sleep 100000 " + "& disown' ; (setsid sleep 100001 &) ; echo " + marker + " > /tmp/m");
        assertThat(fx.sh(id, "ps -eo args | grep -c '[s]leep 10000'").stdout().trim()).isNotEqualTo("0");

        fx.service.kill(id);

        assertThat(hostProcessesMentioning("sleep 100001")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void p02_backgroundChildHoldsPipe_commandStillEnds(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.sh(id, "sleep 300 & echo started", "user", Duration.ofSeconds(20));

        assertThat(r.timedOut()).isFalse();
        assertThat(r.stdout()).isEqualTo("started\n");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void p04_orphansAreReaped_noZombies(Tier tier) throws Exception {
        String id = fx.create(tier);

        fx.sh(id, "for i in $(seq 1 50); do (sleep 0.1 &) ; done; sleep 1");

        await().atMost(Duration.ofSeconds(10)).until(() -> fx.sh(id, "ps -eo stat= | grep -c '^Z' || true").stdout().trim().equals("0"));
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void p05_moveSelfOutOfCgroup_refused(Tier tier) throws Exception {
        String id = fx.create(tier);

        SandboxFixture.Run r = fx.root(id, "for c in /sys/fs/cgroup/*/; do echo $$ > ${c}cgroup.procs 2>/dev/null && echo moved $c; done; echo done");

        assertThat(r.stdout()).doesNotContain("moved").contains("done");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void p06_killWhileForking_completeAndClean(Tier tier) throws Exception {
        for (int i = 0; i < 5; i++) {
            String id = fx.create(tier);
            fx.service.spawn(id, spec("while :; do (sleep 5 &); done", "user", false));
            fx.service.kill(id);
        }
        fx.assertNoLeaks();
    }

    private static List<String> hostProcessesMentioning(String needle) throws Exception {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .map(p -> {
                        try {
                            return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                        } catch (Exception e) {
                            return "";
                        }
                    })
                    .filter(c -> c.contains(needle))
                    .toList();
        }
    }

    private static String readAll(ProcessOutput out) throws InterruptedException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            Optional<OutputChunk> c = out.next(Duration.ofSeconds(20));
            assertThat(c).as("output so far: %s", b).isPresent();
            if (c.get().kind() == OutputChunk.Kind.END) {
                return b.toString(StandardCharsets.UTF_8);
            }
            b.writeBytes(c.get().data());
        }
    }
}
