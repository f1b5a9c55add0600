package io.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.cli.Launcher.Run;
import io.airlock.server.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code airlock secret ...} and {@code airlock run --secret}, the real launcher against a real server. */
@Timeout(300)
class CliSecretTest {
    private static TestServer server;
    private static Launcher launcher;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
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
    void set_fromStdin_dropsOneTrailingNewline_andRunGetsTheValueMasked() throws Exception {
        Run set = airlock("cli-secret-value-31337\n\n", "secret", "set", "CLI_TOKEN");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).isEqualTo("set CLI_TOKEN\n").doesNotContain("cli-secret-value");

        Run r = airlock(null, "run", "--secret", "CLI_TOKEN", "--lang", "bash", "-c",
                "echo \"$CLI_TOKEN\"; printf %s \"$CLI_TOKEN\" | rev; echo; printf %s \"$CLI_TOKEN\" | wc -c");

        assertThat(r.code()).as(r.err()).isZero();
        // one newline was dropped, the second kept: the value is 22 characters and a newline, all masked by echo;
        // rev turns the line around and keeps its newline
        assertThat(r.out()).isEqualTo("***\n" + new StringBuilder("cli-secret-value-31337").reverse() + "\n\n23\n");
    }

    @Test
    void list_uses_rm_neverPrintTheValue() throws Exception {
        assertThat(airlock("cli-listed-value-4444", "secret", "set", "CLI_LISTED").code()).isZero();
        assertThat(airlock(null, "run", "--secret", "CLI_LISTED", "--lang", "bash", "-c", "true").code()).isZero();

        Run list = airlock(null, "secret", "list");
        Run uses = airlock(null, "secret", "uses", "CLI_LISTED");
        Run json = airlock(null, "--json", "secret", "list");

        assertThat(list.out()).contains("CLI_LISTED").doesNotContain("cli-listed-value");
        assertThat(json.out()).contains("\"name\" : \"CLI_LISTED\"").doesNotContain("cli-listed-value");
        assertThat(uses.code()).as(uses.err()).isZero();
        assertThat(uses.out().lines().skip(1)).singleElement().asString().contains("sandbox").contains("key:");

        Run rm = airlock(null, "secret", "rm", "CLI_LISTED");
        assertThat(rm.out()).isEqualTo("deleted CLI_LISTED\n");
        assertThat(airlock(null, "secret", "list").out()).doesNotContain("CLI_LISTED");
        Run again = airlock(null, "secret", "rm", "CLI_LISTED");
        assertThat(again.code()).isNotZero();
        assertThat(again.err()).contains("CLI_LISTED");
    }

    @Test
    void set_emptyStdin_isRefusedAndSetsNothing() throws Exception {
        Run r = airlock("\n", "secret", "set", "CLI_EMPTY");

        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("no value on stdin").contains("CLI_EMPTY");
        assertThat(airlock(null, "secret", "list").out()).doesNotContain("CLI_EMPTY");
    }

    @Test
    void run_unknownSecret_failsNamingIt() throws Exception {
        Run r = airlock(null, "run", "--secret", "CLI_NEVER_SET", "-c", "print(1)");

        assertThat(r.code()).isEqualTo(RunCommand.AIRLOCK_FAILED);
        assertThat(r.err()).contains("CLI_NEVER_SET");
        assertThat(r.out()).isEmpty();
    }
}
