package io.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.cli.Launcher.Run;
import io.airlock.server.FakeInternet;
import io.airlock.server.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code airlock run --allow HOST}: that host and nothing else, against the test's own internet. */
@Timeout(300)
class CliEgressTest {
    private static FakeInternet internet;
    private static TestServer server;
    private static Launcher launcher;

    @BeforeAll
    static void start() throws Exception {
        internet = FakeInternet.start();
        server = TestServer.start(Map.of(), Map.of("AIRLOCK_EGRESS_CEILING", "*", "AIRLOCK_DNS", internet.dnsAddress(),
                "AIRLOCK_STATE", "/run/airlock-cli-egress-" + ProcessHandle.current().pid()));
        launcher = new Launcher(server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (internet != null) {
            internet.close();
        }
    }

    private static final String FETCH = "import sys, urllib.request\n"
            + "print(urllib.request.urlopen('http://' + sys.argv[1] + '/', timeout=10).read().decode().strip())\n";

    @Test
    void run_allow_reachesThatHostAndNoOther() throws Exception {
        Run a = launcher.airlock(null, "run", "--allow", "a.test", "-c", FETCH.replace("sys.argv[1]", "'a.test'"));
        assertThat(a.out()).as(a.err()).isEqualTo("site a\n");
        assertThat(a.code()).isZero();

        Run b = launcher.airlock(null, "run", "--allow", "a.test", "-c", FETCH.replace("sys.argv[1]", "'b.test'"));
        assertThat(b.out()).doesNotContain("site b");
        assertThat(b.code()).isNotZero();

        Run none = launcher.airlock(null, "run", "-c", FETCH.replace("sys.argv[1]", "'a.test'"));
        assertThat(none.out()).as("without --allow, nothing is reachable").doesNotContain("site a");
        assertThat(none.code()).isNotZero();
    }
}
