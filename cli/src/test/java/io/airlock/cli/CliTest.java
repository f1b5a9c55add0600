package io.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.cli.Launcher.Run;
import io.airlock.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command: {@code ./airlock} of this checkout as a separate process, against a real
 * server on port 0, configured the way a user would ({@code AIRLOCK_URL}, {@code AIRLOCK_API_KEY}).
 */
@Timeout(300)
class CliTest {
    private static TestServer server;
    private static Launcher launcher;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("base", 1));
        launcher = new Launcher(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Run airlock(String stdin, String... args) throws Exception {
        return launcher.airlock(stdin, args);
    }

    @Test
    void run_printsTheOutputOfPython() throws Exception {
        Run r = airlock(null, "run", "-c", "print(1+1)");
        assertThat(r.out()).isEqualTo("2\n");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void run_exitCodeAndStderrPropagate() throws Exception {
        Run r = airlock(null, "run", "--lang", "bash", "-c", "echo to-err >&2; exit 7");
        assertThat(r.code()).isEqualTo(7);
        assertThat(r.err()).contains("to-err");
        Run js = airlock(null, "run", "--lang", "js", "-c", "console.log(6*7); process.exit(3)");
        assertThat(js.out()).isEqualTo("42\n");
        assertThat(js.code()).isEqualTo(3);
    }

    @Test
    void run_fileWithEnv_andOutDownloadsWhatTheCodeWrote(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("job.py");
        Files.writeString(script, """
                import os
                os.makedirs('/home/user/out/sub', exist_ok=True)
                open('/home/user/out/report.txt', 'w').write('answer=' + os.environ['ANSWER'])
                open('/home/user/out/sub/data.bin', 'wb').write(bytes(range(256)))
                os.symlink('/etc/passwd', '/home/user/out/link')
                print('done')
                """);
        Path out = dir.resolve("results");
        Run r = airlock(null, "run", script.toString(), "--env", "ANSWER=42", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("done\n");
        assertThat(Files.readString(out.resolve("report.txt"))).isEqualTo("answer=42");
        assertThat(Files.readAllBytes(out.resolve("sub/data.bin"))).hasSize(256);
        assertThat(out.resolve("link")).as("a link the code made is not followed or copied").doesNotExist();
        assertThat(r.err()).contains("not a regular file");
    }

    @Test
    void run_json_isOneJsonObject_timeoutIs124_signalDeathIs128PlusN(@TempDir Path dir) throws Exception {
        Run json = airlock(null, "--json", "run", "-c", "print('to stderr under --json')");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).get("exitCode").asInt()).isZero();
        assertThat(json.err()).contains("to stderr under --json");

        Run slow = airlock(null, "run", "--timeout", "1", "--lang", "bash", "-c", "sleep 30");
        assertThat(slow.code()).as(slow.err()).isEqualTo(124);
        assertThat(slow.err()).contains("ran longer than 1 s");

        Run killed = airlock(null, "run", "--lang", "bash", "-c", "kill -9 $$");
        assertThat(killed.code()).as(killed.err()).isEqualTo(128 + 9);

        Path full = Files.createDirectories(dir.resolve("full"));
        Files.writeString(full.resolve("keep.txt"), "mine");
        Run refused = airlock(null, "run", "--out", full.toString(), "-c", "open('/home/user/out/keep.txt','w').write('evil')");
        assertThat(refused.code()).isEqualTo(125);
        assertThat(refused.err()).contains("not empty");
        assertThat(Files.readString(full.resolve("keep.txt"))).isEqualTo("mine");
    }

    @Test
    void run_interrupted_killsItsSandbox() throws Exception {
        String tag = "interrupt-" + System.nanoTime();
        // the sandbox carries the CLI's own metadata; find it by what it runs instead
        Process p = launcher.start("run", "-c", "import time; print('" + tag + "', flush=True); time.sleep(120)");
        String id = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (id == null && System.nanoTime() < deadline) {
            for (String line : airlock(null, "sandbox", "ls", "--metadata", "airlock.cli=run").out().lines().skip(1).toList()) {
                String candidate = line.split("\\s+")[0];
                if (airlock(null, "sandbox", "exec", candidate, "pgrep -f " + tag + " >/dev/null && echo running").out().contains("running")) {
                    id = candidate;
                }
            }
            Thread.sleep(200);
        }
        assertThat(id).as("the run's sandbox").isNotNull();
        // SIGTERM takes the same path as Ctrl-C's SIGINT (the JVM's shutdown hooks), but unlike
        // SIGINT it is not ignored when the suite itself runs as a background job (bash starts
        // background jobs with SIGINT ignored, and the JVM then leaves it ignored).
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(airlock(null, "sandbox", "ls").out()).as("an interrupted run kills its sandbox too").doesNotContain(id);
    }

    @Test
    void errors_areOneLineWithNonZeroExit() throws Exception {
        Run r = airlock(null, "sandbox", "info", "nosuchsandbox0000");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("airlock: ").doesNotContain("\tat ");
        Run usage = airlock(null, "run");
        assertThat(usage.code()).isEqualTo(2);
        Run down = airlock(null, "--url", "http://127.0.0.1:1", "sandbox", "ls");
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.err()).isEqualTo("airlock: cannot reach the server at http://127.0.0.1:1 (is it running? ./airlock up; or set AIRLOCK_URL)\n");
    }

    @Test
    void sandbox_createInfoExecLsKill_withJson() throws Exception {
        Run created = airlock(null, "sandbox", "create", "--metadata", "purpose=cli-test");
        assertThat(created.code()).as(created.err()).isZero();
        String id = created.out().strip();
        Run info = airlock(null, "--json", "sandbox", "info", id);
        assertThat(info.out()).contains("\"sandboxId\" : \"" + id + "\"").contains("cli-test");
        Run exec = airlock(null, "sandbox", "exec", id, "echo", "hello;", "exit", "5");
        assertThat(exec.out()).isEqualTo("hello\n");
        assertThat(exec.code()).isEqualTo(5);
        assertThat(airlock(null, "sandbox", "ls").out()).contains(id);
        assertThat(airlock(null, "sandbox", "kill", id).code()).isZero();
        assertThat(airlock(null, "sandbox", "ls").out()).doesNotContain(id);
    }

    @Test
    void filesCp_toAndFromASandbox(@TempDir Path dir) throws Exception {
        String id = airlock(null, "sandbox", "create").out().strip();
        Path local = dir.resolve("in.txt");
        Files.writeString(local, "round trip");
        assertThat(airlock(null, "files", "cp", local.toString(), id + ":/home/user/in.txt").code()).isZero();
        Path back = dir.resolve("back.txt");
        Run r = airlock(null, "files", "cp", id + ":/home/user/in.txt", back.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(back)).isEqualTo("round trip");

        Path tree = Files.createDirectories(dir.resolve("tree/sub"));
        Files.writeString(tree.resolve("f.txt"), "deep");
        Files.createSymbolicLink(dir.resolve("tree/secret"), Path.of("/etc/shadow"));
        Run up = airlock(null, "files", "cp", dir.resolve("tree").toString(), id + ":/home/user/tree");
        assertThat(up.code()).as(up.err()).isZero();
        assertThat(up.err()).contains("skipped").contains("secret");
        assertThat(airlock(null, "sandbox", "exec", id, "cat /home/user/tree/sub/f.txt; test -e /home/user/tree/secret || echo no-link").out())
                .isEqualTo("deepno-link\n");
        airlock(null, "sandbox", "kill", id);
    }

    @Test
    void shell_worksUnderAPseudoTerminal() throws Exception {
        String id = airlock(null, "sandbox", "create").out().strip();
        // script(1) gives the CLI a real pseudo-terminal, as a person's terminal would be
        String command = Launcher.ROOT.resolve("airlock") + " sandbox shell " + id;
        Run r = launcher.exec(List.of("script", "-q", "-e", "-c", command, "/dev/null"), "echo shell-says-$((6*7))\nexit 3\n");
        assertThat(r.out()).contains("shell-says-42");
        assertThat(r.code()).isEqualTo(3);
        airlock(null, "sandbox", "kill", id);
    }

    @Test
    void tenantsAndKeys_forAdmins() throws Exception {
        Run created = airlock(null, "tenants", "create", "cli-tenant-" + System.nanoTime(), "3");
        assertThat(created.code()).as(created.err()).isZero();
        String tenant = group(created.out(), "tenant (t_\\S+)");
        assertThat(group(created.out(), "API key \\(shown once\\): (e2b_[0-9a-f]{40})")).isNotEmpty();
        assertThat(airlock(null, "tenants", "ls").out()).contains(tenant);
        Run key = airlock(null, "keys", "create", tenant, "ci");
        String keyId = group(key.out(), "key (\\S+) \\(ci\\)");
        assertThat(airlock(null, "keys", "ls", tenant).out()).contains(keyId);
        assertThat(airlock(null, "keys", "revoke", keyId).code()).isZero();
        assertThat(airlock(null, "tenants", "revoke", tenant).code()).isZero();
    }

    @Test
    void templateLsAndBuild_andCompletionScript() throws Exception {
        assertThat(airlock(null, "template", "ls").out()).contains("base");
        Run build = airlock(null, "template", "build", "base"); // cached: answers at once, through the same stream
        assertThat(build.code()).as(build.err()).isZero();
        assertThat(build.out()).startsWith("built base ");
        Run unknown = airlock(null, "template", "build", "nope");
        assertThat(unknown.code()).isNotZero();
        assertThat(unknown.err()).contains("not a built-in template");
        Run completion = airlock(null, "generate-completion");
        assertThat(completion.out()).contains("complete").contains("airlock");
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(text).isTrue();
        return m.group(1);
    }

}
