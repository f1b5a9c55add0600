package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** E2B's control-plane REST API, tenants and keys, over real HTTP against a real server. */
class E2bApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;
    private static String keyA;
    private static String keyB;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
        keyA = tenant("tenant-a", 5).get("apiKey").asText();
        keyB = tenant("tenant-b", 5).get("apiKey").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode tenant(String name, int max) throws Exception {
        HttpResponse<String> r = server.send("POST", "/admin/tenants", "{\"name\":\"" + name + "\",\"maxSandboxes\":" + max + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static JsonNode create(String key, String body) throws Exception {
        HttpResponse<String> r = server.send("POST", "/sandboxes", body, key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r);
    }

    private static void assertError(HttpResponse<String> r, int status, String messagePart) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.get("code").asInt()).isEqualTo(status);
        assertThat(body.get("message").asText()).contains(messagePart);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("/root/").doesNotContain("/run/");
    }

    @Test
    void missingOrInvalidKey_401() throws Exception {
        assertError(server.send("POST", "/sandboxes", "{\"templateID\":\"base\"}", null), 401, "X-API-Key");
        assertError(server.send("GET", "/v2/sandboxes", null, "e2b_" + "0".repeat(40)), 401, "invalid API key");
        assertError(server.send("GET", "/v2/sandboxes", null, "not-a-key"), 401, "invalid API key");
    }

    @Test
    void create_info_list_kill() throws Exception {
        JsonNode created = create(keyA, "{\"templateID\":\"base\",\"timeout\":120,\"metadata\":{\"suite\":\"e2b-api\"},\"envVars\":{\"X\":\"1\"}}");
        String id = created.get("sandboxID").asText();

        assertThat(created.get("envdVersion").asText()).isEqualTo("0.6.4");
        assertThat(created.get("envdAccessToken").asText()).matches("[0-9a-f]{64}");
        JsonNode info = json(server.send("GET", "/sandboxes/" + id, null, keyA));
        assertThat(info.get("templateID").asText()).isEqualTo("base");
        assertThat(info.get("state").asText()).isEqualTo("running");
        assertThat(info.get("memoryMB").asInt()).isEqualTo(512);
        assertThat(info.get("metadata").get("suite").asText()).isEqualTo("e2b-api");
        HttpResponse<String> list = server.send("GET", "/v2/sandboxes?metadata=suite%3De2b-api", null, keyA);
        assertThat(json(list).findValuesAsText("sandboxID")).containsExactly(id);
        assertThat(list.headers().firstValue("X-Total-Running")).hasValue("1");

        assertThat(server.send("DELETE", "/sandboxes/" + id, null, keyA).statusCode()).isEqualTo(204);
        assertError(server.send("GET", "/sandboxes/" + id, null, keyA), 404, id);
        assertError(server.send("DELETE", "/sandboxes/" + id, null, keyA), 404, id);
    }

    @Test
    void otherTenantsSandbox_isIndistinguishableFromAbsent() throws Exception {
        String id = create(keyA, "{\"templateID\":\"base\"}").get("sandboxID").asText();
        try {
            HttpResponse<String> foreign = server.send("GET", "/sandboxes/" + id, null, keyB);
            String absentId = "i" + "a".repeat(24);
            HttpResponse<String> absent = server.send("GET", "/sandboxes/" + absentId, null, keyB);

            assertThat(foreign.statusCode()).isEqualTo(404).isEqualTo(absent.statusCode());
            assertThat(foreign.body().replace(id, "ID")).isEqualTo(absent.body().replace(absentId, "ID"));
            assertThat(server.send("DELETE", "/sandboxes/" + id, null, keyB).statusCode()).isEqualTo(404);
            assertThat(server.send("POST", "/sandboxes/" + id + "/timeout", "{\"timeout\":1}", keyB).statusCode()).isEqualTo(404);
            assertThat(server.send("POST", "/sandboxes/" + id + "/connect", "{\"timeout\":10}", keyB).statusCode()).isEqualTo(404);
            assertThat(json(server.send("GET", "/v2/sandboxes", null, keyB)).findValuesAsText("sandboxID")).doesNotContain(id);
            assertThat(server.send("GET", "/sandboxes/" + id, null, keyA).statusCode()).isEqualTo(200);
        } finally {
            server.send("DELETE", "/sandboxes/" + id, null, keyA);
        }
    }

    @Test
    void quota_secondSandboxOverLimit_429() throws Exception {
        String key = tenant("tenant-quota", 1).get("apiKey").asText();
        String id = create(key, "{\"templateID\":\"base\"}").get("sandboxID").asText();
        try {
            assertError(server.send("POST", "/sandboxes", "{\"templateID\":\"base\"}", key), 429, "limit");
        } finally {
            server.send("DELETE", "/sandboxes/" + id, null, key);
        }
        String again = create(key, "{\"templateID\":\"base\"}").get("sandboxID").asText();
        server.send("DELETE", "/sandboxes/" + again, null, key);
    }

    @Test
    void badInput_4xxNamingTheField() throws Exception {
        assertError(server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"colour\":1}", keyA), 400, "colour");
        assertError(server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"timeout\":\"soon\"}", keyA), 400, "timeout");
        assertError(server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"timeout\":-1}", keyA), 400, "timeout");
        assertError(server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"timeout\":99999999}", keyA), 400, "at most");
        assertError(server.send("POST", "/sandboxes", "{}", keyA), 400, "templateID");
        assertError(server.send("POST", "/sandboxes", "{\"templateID\":\"base\",\"autoPause\":true}", keyA), 400, "autoPause");
        assertError(server.send("POST", "/sandboxes", "{\"templateID\":", keyA), 400, "malformed JSON");
        assertError(server.send("POST", "/sandboxes", "[1,2]", keyA), 400, "JSON object");
        assertError(server.send("POST", "/sandboxes", "{\"templateID\":\"no-such-template\"}", keyA), 404, "no-such-template");
        assertError(server.send("GET", "/v2/sandboxes?limit=1000", null, keyA), 400, "limit");
        assertError(server.send("GET", "/sandboxes/%2e%2e/%2e%2e/etc/passwd", null, keyA), 400, "malformed");
        String huge = "{\"templateID\":\"base\",\"metadata\":{\"k\":\"" + "x".repeat(2 << 20) + "\"}}";
        assertThat(server.send("POST", "/sandboxes", huge, keyA).statusCode()).isEqualTo(413);
    }

    @Test
    void pause_connectResumes_timeoutShortens() throws Exception {
        String id = create(keyA, "{\"templateID\":\"base\"}").get("sandboxID").asText();

        assertThat(server.send("POST", "/sandboxes/" + id + "/pause", "{}", keyA).statusCode()).isEqualTo(204);
        assertError(server.send("POST", "/sandboxes/" + id + "/pause", "{}", keyA), 409, "already paused");
        assertThat(json(server.send("GET", "/sandboxes/" + id, null, keyA)).get("state").asText()).isEqualTo("paused");
        HttpResponse<String> resumed = server.send("POST", "/sandboxes/" + id + "/connect", "{\"timeout\":60}", keyA);
        assertThat(resumed.statusCode()).isEqualTo(201);
        assertThat(json(resumed).get("envdAccessToken").asText()).matches("[0-9a-f]{64}");
        assertThat(server.send("POST", "/sandboxes/" + id + "/connect", "{\"timeout\":60}", keyA).statusCode()).isEqualTo(200);
        assertError(server.send("POST", "/sandboxes/" + id + "/connect", "{}", keyA), 400, "timeout");

        JsonNode metrics = json(server.send("GET", "/sandboxes/" + id + "/metrics", null, keyA));
        assertThat(metrics.size()).isGreaterThanOrEqualTo(1);
        assertThat(metrics.get(0).get("memTotal").asLong()).isEqualTo(512L << 20);

        assertThat(server.send("POST", "/sandboxes/" + id + "/timeout", "{\"timeout\":1}", keyA).statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(15)).until(() -> server.send("GET", "/sandboxes/" + id, null, keyA).statusCode() == 404);
    }

    @Test
    void templates_listed() throws Exception {
        JsonNode templates = json(server.send("GET", "/templates", null, keyA));

        assertThat(templates.findValuesAsText("templateID")).contains("base");
    }

    @Test
    void admin_nonAdmin403_revokedKey401_revokedTenantLosesSandboxes() throws Exception {
        JsonNode t = tenant("tenant-revoked", 2);
        String key = t.get("apiKey").asText();
        assertError(server.send("GET", "/admin/tenants", null, key), 403, "not an admin");
        String id = create(key, "{\"templateID\":\"base\"}").get("sandboxID").asText();

        JsonNode second = json(server.send("POST", "/admin/tenants/" + t.get("id").asText() + "/keys", "{\"name\":\"ci\"}"));
        assertThat(second.get("apiKey").asText()).matches("e2b_[0-9a-f]{40}");
        JsonNode keys = json(server.send("GET", "/admin/tenants/" + t.get("id").asText() + "/keys", null));
        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.toString()).doesNotContain(key).doesNotContain(second.get("apiKey").asText());
        assertThat(server.send("DELETE", "/admin/keys/" + second.get("id").asText(), null).statusCode()).isEqualTo(204);
        assertError(server.send("GET", "/v2/sandboxes", null, second.get("apiKey").asText()), 401, "invalid API key");

        assertThat(server.send("DELETE", "/admin/tenants/" + t.get("id").asText(), null).statusCode()).isEqualTo(204);
        assertError(server.send("GET", "/v2/sandboxes", null, key), 401, "invalid API key");
        assertThat(server.airlock.service().list()).noneMatch(s -> s.id().equals(id));
    }

    @Test
    void prometheusMetrics_countSandboxes() throws Exception {
        HttpResponse<String> r = server.send("GET", "/metrics", null, null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("airlock_sandboxes_alive").contains("airlock_http_requests_seconds_count");
    }
}
