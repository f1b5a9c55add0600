package io.airlock.server.envd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.CommandRunner;
import io.airlock.core.ProcessSpec;
import io.airlock.core.Resources;
import io.airlock.core.Sandbox;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EnvdRestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EnvdServer server;

    @BeforeAll
    static void start() throws Exception {
        server = EnvdServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void health_is204WhileRunning_502WhenPausedOrKilled_andNeedsNoToken() throws Exception {
        Sandbox s = server.sandbox();
        HttpResponse<String> ok = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/health"))
                .header("E2b-Sandbox-Id", s.id()).build(), BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(204);

        server.service.pause(s.id());
        HttpResponse<String> paused = get(s.id(), "/health");
        assertThat(paused.statusCode()).isEqualTo(502);
        assertThat(paused.body()).contains("paused");
        server.service.resume(s.id(), null);
        assertThat(get(s.id(), "/health").statusCode()).isEqualTo(204);

        server.service.kill(s.id());
        HttpResponse<String> gone = get(s.id(), "/health");
        assertThat(gone.statusCode()).isEqualTo(502);
        JsonNode body = JSON.readTree(gone.body());
        assertThat(body.get("code").asInt()).isEqualTo(502);
        assertThat(body.get("message").asText()).contains(s.id()).contains("not running");
    }

    @Test
    void health_ofANeverSeenSandbox_is502() throws Exception {
        assertThat(get("inosuchsandbox0000000000", "/health").statusCode()).isEqualTo(502);
    }

    @Test
    void envs_returnsTheSandboxEnvironment_withTheToken() throws Exception {
        Sandbox s = server.sandbox(true, Map.of("GREETING", "hello", "ANSWER", "42"));
        try {
            HttpResponse<String> r = get(s.id(), "/envs");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode env = JSON.readTree(r.body());
            assertThat(env.get("GREETING").asText()).isEqualTo("hello");
            assertThat(env.get("ANSWER").asText()).isEqualTo("42");
            server.service.environment(s.id()).forEach((k, v) -> assertThat(env.get(k).asText()).isEqualTo(v));

            HttpResponse<String> noToken = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/envs"))
                    .header("E2b-Sandbox-Id", s.id()).build(), BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(noToken.body()).doesNotContain("hello");
        } finally {
            server.service.kill(s.id());
        }
        assertThat(get(s.id(), "/envs").statusCode()).isEqualTo(502);
    }

    @Test
    void metrics_haveSaneNumbers_andCpuFromTheDeltaBetweenCalls() throws Exception {
        Sandbox s = server.sandbox(new Resources(1.0, 256 * Resources.MIB, 128, 512 * Resources.MIB));
        try {
            long before = Instant.now().getEpochSecond();
            HttpResponse<String> first = get(s.id(), "/metrics");
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            JsonNode m = JSON.readTree(first.body());
            assertThat(m.get("ts").asLong()).isBetween(before - 1, Instant.now().getEpochSecond() + 1);
            assertThat(m.get("cpu_count").asInt()).isEqualTo(1);
            assertThat(m.get("cpu_used_pct").asDouble()).isZero();
            assertThat(m.get("mem_total").asLong()).isEqualTo(256 * Resources.MIB);
            assertThat(m.get("mem_total_mib").asLong()).isEqualTo(256);
            assertThat(m.get("mem_used").asLong()).isPositive().isLessThan(256 * Resources.MIB);
            assertThat(m.get("disk_total").asLong()).isBetween(256 * Resources.MIB, 600 * Resources.MIB);
            assertThat(m.get("disk_used").asLong()).isNotNegative().isLessThan(m.get("disk_total").asLong());

            CommandRunner.run(server.service.spawn(s.id(), ProcessSpec.shell("timeout 1 sh -c 'while :; do :; done'; true", "user")),
                    Duration.ofSeconds(30), 1024);
            JsonNode second = JSON.readTree(get(s.id(), "/metrics").body());
            assertThat(second.get("cpu_used_pct").asDouble()).isBetween(20.0, 100.0);

            HttpResponse<String> noToken = server.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics"))
                    .header("E2b-Sandbox-Id", s.id()).build(), BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(401);
        } finally {
            server.service.kill(s.id());
        }
        assertThat(get(s.id(), "/metrics").statusCode()).isEqualTo(502);
    }

    private static HttpResponse<String> get(String sandboxId, String path) throws Exception {
        return server.send(server.request(sandboxId, path).build(), BodyHandlers.ofString());
    }
}
