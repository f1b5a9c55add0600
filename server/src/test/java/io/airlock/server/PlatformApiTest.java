package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PlatformApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static String create(String body) throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r).get("sandboxId").asText();
    }

    @Test
    void health_ok_withoutKey() throws Exception {
        assertThat(server.send("GET", "/health", null, null).statusCode()).isEqualTo(204);
    }

    @Test
    void createExecKill_roundTrip() throws Exception {
        String id = create("{\"template\":\"base\",\"envVars\":{\"GREETING\":\"hello\"},\"metadata\":{\"owner\":\"t\"}}");

        HttpResponse<String> exec = server.send("POST", "/v1/sandboxes/" + id + "/exec",
                "{\"cmd\":\"echo $GREETING from $(whoami) in $(pwd) on $(hostname)\"}");
        assertThat(exec.statusCode()).as(exec.body()).isEqualTo(200);
        assertThat(json(exec).get("stdout").asText()).isEqualTo("hello from user in /home/user on " + id + "\n");

        JsonNode info = json(server.send("GET", "/v1/sandboxes/" + id, null));
        assertThat(info.get("metadata").get("owner").asText()).isEqualTo("t");
        assertThat(info.get("runtime").asText()).isEqualTo("runc");
        assertThat(info.get("resources").get("memoryMB").asInt()).isEqualTo(512);

        assertThat(server.send("DELETE", "/v1/sandboxes/" + id, null).statusCode()).isEqualTo(204);
        assertThat(server.send("GET", "/v1/sandboxes/" + id, null).statusCode()).isEqualTo(404);
        assertThat(server.send("DELETE", "/v1/sandboxes/" + id, null).statusCode()).isEqualTo(404);
    }

    @Test
    void exec_nonZeroExitAndStderr_reported() throws Exception {
        String id = create("{\"template\":\"base\"}");

        JsonNode r = json(server.send("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo oops >&2; exit 7\",\"user\":\"root\"}"));

        assertThat(r.get("exitCode").asInt()).isEqualTo(7);
        assertThat(r.get("stderr").asText()).isEqualTo("oops\n");
        server.send("DELETE", "/v1/sandboxes/" + id, null);
    }

    @Test
    void exec_timeout_killsCommandAndSaysSo() throws Exception {
        String id = create("{\"template\":\"base\"}");

        JsonNode r = json(server.send("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"sleep 30\",\"timeoutSeconds\":1}"));

        assertThat(r.get("error").asText()).contains("timed out after 1 s");
        assertThat(r.get("exitCode").asInt()).isEqualTo(137);
        server.send("DELETE", "/v1/sandboxes/" + id, null);
    }

    @Test
    void create_unknownField_400NamesField() throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", "{\"template\":\"base\",\"privileged\":true}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("field").asText()).isEqualTo("privileged");
        assertThat(json(r).get("message").asText()).contains("unknown field 'privileged'");
    }

    @Test
    void create_malformedJson_400() throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", "{\"template\":");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("code").asInt()).isEqualTo(400);
    }

    @Test
    void create_wrongType_400NamesField() throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", "{\"template\":\"base\",\"timeoutSeconds\":\"soon\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("field").asText()).isEqualTo("timeoutSeconds");
    }

    @Test
    void create_missingTemplate_400() throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", "{}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("field").asText()).isEqualTo("template");
    }

    @Test
    void create_unknownTemplate_404() throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", "{\"template\":\"nope\"}");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("message").asText()).contains("'nope'").contains("base");
    }

    @Test
    void create_badRuntime_400() throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", "{\"template\":\"base\",\"runtime\":\"kata\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("field").asText()).isEqualTo("runtime");
    }

    @Test
    void create_oversizedBody_rejected() throws Exception {
        String big = "{\"template\":\"base\",\"metadata\":{\"x\":\"" + "a".repeat(2 << 20) + "\"}}";

        assertThat(server.send("POST", "/v1/sandboxes", big).statusCode()).isEqualTo(413);
    }

    @Test
    void pauseResume_stateReported() throws Exception {
        String id = create("{\"template\":\"base\"}");

        assertThat(json(server.send("POST", "/v1/sandboxes/" + id + "/pause", null)).get("state").asText()).isEqualTo("paused");
        assertThat(server.send("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"true\"}").statusCode()).isEqualTo(409);
        assertThat(json(server.send("POST", "/v1/sandboxes/" + id + "/resume", null)).get("state").asText()).isEqualTo("running");
        assertThat(json(server.send("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"echo back\"}")).get("stdout").asText()).isEqualTo("back\n");
        server.send("DELETE", "/v1/sandboxes/" + id, null);
    }

    @Test
    void unknownRoute_404Json() throws Exception {
        HttpResponse<String> r = server.send("GET", "/v1/nothing", null);

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("message").asText()).contains("/v1/nothing");
    }
}
