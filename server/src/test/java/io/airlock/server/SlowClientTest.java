package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Slow and stalled clients are cut off at the idle timeout; slow handlers are not. */
class SlowClientTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of(), Map.of("AIRLOCK_IDLE_TIMEOUT_SECONDS", "2"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Sends {@code partial}, then stalls; returns how long until the server closed the connection. */
    private static Duration stall(String partial) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.airlock.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(partial.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long t0 = System.nanoTime();
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // drain whatever error answer comes, until the server closes
            }
            return Duration.ofNanos(System.nanoTime() - t0);
        }
    }

    @Test
    void stalledHeaders_cutOff() throws Exception {
        assertThat(stall("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void stalledBody_cutOff() throws Exception {
        String headers = "POST /sandboxes HTTP/1.1\r\nHost: x\r\nX-API-Key: " + server.adminKey()
                + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"templateID\":";
        assertThat(stall(headers)).isLessThan(Duration.ofSeconds(10));
        assertThat(server.airlock.service().list()).isEmpty();
    }

    @Test
    void slowHandler_isNotCutOff() throws Exception {
        HttpResponse<String> created = server.send("POST", "/v1/sandboxes", "{\"template\":\"base\"}");
        String id = new ObjectMapper().readTree(created.body()).get("sandboxId").asText();
        try {
            HttpResponse<String> r = server.send("POST", "/v1/sandboxes/" + id + "/exec", "{\"cmd\":\"sleep 4; echo done\"}");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("done");
        } finally {
            server.send("DELETE", "/v1/sandboxes/" + id, null);
        }
    }
}
