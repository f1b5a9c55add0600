package io.airlock.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code conformance/floor_server.mjs} in a node process of its own: a stand-in E2B server with
 * canned replies, so the SDK figures can show how much of each is the SDK and HTTP themselves.
 */
final class FloorServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private FloorServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static FloorServer start(Path conformance) throws IOException {
        Process p = new ProcessBuilder(System.getProperty("airlock.node", "node"), "floor_server.mjs")
                .directory(conformance.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (first == null) {
            p.destroyForcibly();
            throw new IllegalStateException("floor_server.mjs exited before it listened");
        }
        return new FloorServer(p, new ObjectMapper().readTree(first).path("port").asInt());
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
