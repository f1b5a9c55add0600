package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A second server started on a running one's home or state root stops before it touches anything
 * of the first. Regression: it ended the first server's sandbox records in the database (which
 * tenant quotas count) and reaped its live sandboxes, and only then failed to bind its port.
 */
@Timeout(120)
class SecondServerTest {
    private static final long PID = ProcessHandle.current().pid();

    @Test
    void secondServer_onTheSameHomeOrStateRoot_refusesToStart_andTheFirstKeepsItsSandboxAndRecord() throws Exception {
        Path otherState = Path.of("/run/airlock-second-test-" + PID);
        try (TestServer first = TestServer.start(Map.of())) {
            HttpResponse<String> created = first.send("POST", "/sandboxes", "{\"templateID\":\"base\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String id = new ObjectMapper().readTree(created.body()).get("sandboxID").asText();
            // records are written behind the request: wait for this one, so the second server could end it
            await().atMost(Duration.ofSeconds(10)).until(() -> hasRecord(first.home, id));

            assertThatThrownBy(() -> TestServer.startAt(first.home, Map.of(), Map.of("AIRLOCK_STATE", otherState.toString())))
                    .hasMessageContaining("the home " + first.home + " is in use by process " + PID);
            // the default state root of TestServer, which the first one holds
            assertThatThrownBy(() -> TestServer.start(Map.of()))
                    .hasMessageContaining("the state root /run/airlock-test-" + PID + " is in use by process " + PID);

            assertThat(endReason(first.home, id)).as("the first server's record of its live sandbox").isNull();
            HttpResponse<String> info = first.send("GET", "/sandboxes/" + id, null);
            assertThat(info.statusCode()).as(info.body()).isEqualTo(200);
            assertThat(info.body()).contains("\"state\":\"running\"");
            assertThat(otherState).as("the refused server made no state root").doesNotExist();
            first.send("DELETE", "/sandboxes/" + id, null);
        }
    }

    private static boolean hasRecord(Path home, String id) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("airlock.db"));
                PreparedStatement q = c.prepareStatement("SELECT 1 FROM sandboxes WHERE id = ?")) {
            q.setString(1, id);
            try (ResultSet r = q.executeQuery()) {
                return r.next();
            }
        }
    }

    /** The {@code end_reason} of sandbox {@code id} in the server's SQLite database: null while it is live. */
    private static String endReason(Path home, String id) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("airlock.db"));
                PreparedStatement q = c.prepareStatement("SELECT ended_at, end_reason FROM sandboxes WHERE id = ?")) {
            q.setString(1, id);
            try (ResultSet r = q.executeQuery()) {
                assertThat(r.next()).as("a record of %s", id).isTrue();
                return r.getObject("ended_at") == null ? null : r.getString("end_reason") + " at " + r.getLong("ended_at");
            }
        }
    }
}
