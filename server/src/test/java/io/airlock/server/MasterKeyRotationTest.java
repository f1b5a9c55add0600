package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.AirlockException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotating the master key re-wraps tenants' data keys and nothing else: secrets still reach
 * sandboxes and workspaces still check out, across restarts, with a key file or with keys from
 * the environment; a server without the key its data needs refuses to start, and says why.
 */
@Timeout(300)
class MasterKeyRotationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALUE = "rotation-secret-" + HexFormat.of().formatHex(random(8));
    private static final String CONTENT = "kept across rotations";

    @TempDir Path home;

    @Test
    void rotatingTheKeyFileKeepsSecretsAndWorkspacesReadable() throws Exception {
        try (TestServer server = TestServer.startAt(home, Map.of(), Map.of())) {
            seed(server);
            String before = Files.readString(home.resolve("master.key"));
            String oldId = json(server.send("GET", "/admin/master-key", null)).get("id").asText();
            JsonNode rotated = json(server.send("POST", "/admin/master-key/rotate", ""));
            assertThat(rotated.get("id").asText()).isNotEqualTo(oldId);
            assertThat(rotated.get("rewrapped").asInt()).isGreaterThanOrEqualTo(1);
            String after = Files.readString(home.resolve("master.key"));
            assertThat(after).isNotEqualTo(before);
            assertThat(after.strip().lines()).hasSize(1); // the old key is gone once nothing needs it
            check(server);
        }
        try (TestServer restarted = TestServer.startAt(home, Map.of(), Map.of())) {
            check(restarted);
        }
    }

    @Test
    void keysFromTheEnvironmentRotateOnRestart() throws Exception {
        String k1 = Base64.getEncoder().encodeToString(random(32));
        String k2 = Base64.getEncoder().encodeToString(random(32));
        try (TestServer server = TestServer.startAt(home, Map.of(), Map.of("AIRLOCK_MASTER_KEY", k1))) {
            seed(server);
            HttpResponse<String> refused = server.send("POST", "/admin/master-key/rotate", "");
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(refused.body()).contains("AIRLOCK_MASTER_KEY_PREVIOUS");
        }
        assertThat(Files.exists(home.resolve("master.key"))).isFalse();
        try (TestServer server = TestServer.startAt(home, Map.of(),
                Map.of("AIRLOCK_MASTER_KEY", k2, "AIRLOCK_MASTER_KEY_PREVIOUS", k1))) {
            check(server);
        }
        try (TestServer server = TestServer.startAt(home, Map.of(), Map.of("AIRLOCK_MASTER_KEY", k2))) {
            check(server); // re-wrapped at the previous start: k1 is no longer needed
        }
        assertThatThrownBy(() -> TestServer.startAt(home, Map.of(), Map.of("AIRLOCK_MASTER_KEY", k1)))
                .isInstanceOf(AirlockException.class).hasMessageContaining("not configured")
                .hasMessageNotContaining(k1).hasMessageNotContaining(k2);
    }

    private static void seed(TestServer server) throws Exception {
        ok(server.send("PUT", "/v1/secrets/ROTATED", JSON.writeValueAsString(Map.of("value", VALUE))));
        ok(server.send("POST", "/v1/workspaces", "{\"name\":\"kept\"}"));
        String id = sandbox(server, "{\"template\":\"base\",\"workspace\":{\"name\":\"kept\",\"readWrite\":true}}");
        exec(server, id, "echo '" + CONTENT + "' > /home/user/workspace/f.txt");
        ok(server.send("DELETE", "/v1/sandboxes/" + id, null));
    }

    private static void check(TestServer server) throws Exception {
        String id = sandbox(server, "{\"template\":\"base\",\"secrets\":[\"ROTATED\"],\"workspace\":{\"name\":\"kept\"}}");
        assertThat(exec(server, id, "printf %s \"$ROTATED\" | sha256sum | cut -c1-64").strip()).isEqualTo(sha256(VALUE));
        assertThat(exec(server, id, "cat /home/user/workspace/f.txt")).isEqualTo(CONTENT + "\n");
        ok(server.send("DELETE", "/v1/sandboxes/" + id, null));
    }

    private static String sandbox(TestServer server, String body) throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r).get("sandboxId").asText();
    }

    private static String exec(TestServer server, String id, String cmd) throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes/" + id + "/exec", JSON.writeValueAsString(Map.of("cmd", cmd)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = json(r);
        assertThat(j.get("exitCode").asInt()).as("%s: %s", cmd, j).isZero();
        return j.path("stdout").asText();
    }

    private static void ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
