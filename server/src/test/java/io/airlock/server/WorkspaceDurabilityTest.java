package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real server in a child JVM, killed with SIGKILL at a random moment while archives are
 * being uploaded into a workspace, then restarted on the same home, several rounds: every
 * version the server acknowledged (2xx) is still listed and downloads with exactly its content,
 * and no temporary (torn) file is left under the workspace root. The server's log is searched
 * for uploaded content too.
 */
class WorkspaceDurabilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Random random = new Random();
    private Path home;
    private Process child;
    private int port;

    @AfterEach
    void stop() throws Exception {
        if (child != null) {
            child.destroy(); // SIGTERM: the server kills its sandboxes and releases everything they held
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        // Whatever the killed servers left was reaped by the next start; the last one shut down cleanly.
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertThat(mounts).as("mounts left by the test's servers").doesNotContain(stateRoot().toString())
                .doesNotContain(home.toString());
    }

    private static Path stateRoot() {
        return Path.of("/run/airlock-durability-" + ProcessHandle.current().pid());
    }

    private void startServer() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                "-Dairlock.agent=" + System.getProperty("airlock.agent"),
                "-cp", System.getProperty("java.class.path"), "io.airlock.server.Main", "serve");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("server.log").toFile()));
        pb.environment().put("AIRLOCK_HOME", home.toString());
        pb.environment().put("AIRLOCK_PORT", "0");
        pb.environment().put("AIRLOCK_BIND", "127.0.0.1");
        pb.environment().put("AIRLOCK_STATE", stateRoot().toString());
        pb.environment().put("AIRLOCK_POOL", "base=0"); // no warm sandboxes: a SIGKILLed server leaves less to reap
        pb.environment().put("AIRLOCK_TEMPLATES", TestServer.TEMPLATES.toString());
        long logStart = Files.exists(home.resolve("server.log")) ? Files.size(home.resolve("server.log")) : 0;
        child = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String log = Files.exists(home.resolve("server.log")) ? Files.readString(home.resolve("server.log")).substring((int) logStart) : "";
            Matcher m = LISTENING.matcher(log);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                return;
            }
            assertThat(child.isAlive()).as("server exited: " + log).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("the server did not start in 60 s: " + Files.readString(home.resolve("server.log")));
    }

    private HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", key).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An archive of a few dozen files with content unique to {@code seed}. */
    private static Map<String, String> tree(long seed) {
        Random r = new Random(seed);
        Map<String, String> files = new TreeMap<>();
        int n = 20 + r.nextInt(30);
        for (int i = 0; i < n; i++) {
            StringBuilder content = new StringBuilder("DURABLE-" + seed + "-" + i + "\n");
            int size = r.nextInt(40_000);
            while (content.length() < size) {
                content.append(Long.toHexString(r.nextLong()));
            }
            files.put("d" + (i % 5) + "/f" + i + ".txt", content.toString());
        }
        return files;
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void x1_aSandboxsUncommittedWorkspace_isCommittedByTheNextServerAfterAKill9() throws Exception {
        home = Files.createTempDirectory("airlock-durability");
        startServer();
        String admin = Files.readString(home.resolve("admin.key")).trim();
        String key = JSON.readTree(send("POST", "/admin/tenants", "{\"name\":\"salvaged\"}", admin).body()).get("apiKey").asText();
        assertThat(send("POST", "/v1/workspaces", "{\"name\":\"live\"}", key).statusCode()).isEqualTo(201);
        HttpResponse<String> created = send("POST", "/v1/sandboxes",
                "{\"template\":\"base\",\"workspace\":{\"name\":\"live\",\"readWrite\":true}}", key);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = JSON.readTree(created.body()).get("sandboxId").asText();
        String content = "written-before-the-crash-" + random.nextLong();
        HttpResponse<String> wrote = send("POST", "/v1/sandboxes/" + id + "/exec",
                JSON.writeValueAsString(Map.of("cmd", "echo " + content + " > /home/user/workspace/unsynced.txt")), key);
        assertThat(JSON.readTree(wrote.body()).get("exitCode").asInt()).as(wrote.body()).isZero();

        child.destroyForcibly(); // SIGKILL: no kill, no sync, no final commit
        child.waitFor(30, TimeUnit.SECONDS);
        startServer(); // reaps the sandbox, then commits what its workspace held

        JsonNode versions = JSON.readTree(send("GET", "/v1/workspaces/live/versions", null, key).body());
        assertThat(versions).hasSize(1);
        assertThat(versions.get(0).get("origin").asText()).isEqualTo("recovered:sandbox:" + id);
        HttpResponse<byte[]> archive = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/workspaces/live/archive")).header("X-API-Key", key).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(TestArchives.untar(archive.body())).containsEntry("unsynced.txt", content + "\n");
        try (Stream<Path> volumes = Files.list(stateRoot().resolve("volumes"))) {
            assertThat(volumes.toList()).as("scratch volumes left after salvage").isEmpty();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void killedDuringCommits_losesNoAcknowledgedVersion_andLeavesNoTornFile() throws Exception {
        home = Files.createTempDirectory("airlock-durability");
        startServer();
        String admin = Files.readString(home.resolve("admin.key")).trim();
        JsonNode tenant = JSON.readTree(send("POST", "/admin/tenants", "{\"name\":\"durable\"}", admin).body());
        String key = tenant.get("apiKey").asText();
        assertThat(send("POST", "/v1/workspaces", "{\"name\":\"w\"}", key).statusCode()).isEqualTo(201);

        Map<Integer, Map<String, String>> acknowledged = new ConcurrentHashMap<>();
        long seed = random.nextLong();
        int kills = 0;
        long tornBeforeRestart = 0;
        for (int round = 0; round < 4; round++) {
            long roundSeed = seed + round * 1_000_000L;
            int currentPort = port;
            Thread uploader = Thread.ofPlatform().start(() -> {
                for (long i = 0; ; i++) {
                    Map<String, String> files = tree(roundSeed + i);
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + currentPort + "/v1/workspaces/w/archive"))
                                .timeout(Duration.ofSeconds(30)).header("X-API-Key", key)
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(TestArchives.tar(files))).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() / 100 == 2) {
                            JsonNode body = JSON.readTree(r.body());
                            assertThat(body.get("outcome").asText()).isEqualTo("committed");
                            acknowledged.put(body.at("/version/number").asInt(), files);
                        }
                    } catch (IOException e) {
                        return; // the server died mid-request: not acknowledged
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Thread.sleep(300 + random.nextInt(1500));
            child.destroyForcibly(); // SIGKILL
            child.waitFor(30, TimeUnit.SECONDS);
            kills++;
            uploader.join(60_000);
            long torn;
            try (Stream<Path> walk = Files.walk(home.resolve("workspaces"))) {
                torn = walk.filter(p -> p.getFileName().toString().startsWith(".tmp-")).count();
            }
            tornBeforeRestart += torn;
            startServer();

            assertThat(acknowledged).as("round " + round + " acknowledged something").isNotEmpty();
            try (Stream<Path> walk = Files.walk(home.resolve("workspaces"))) {
                assertThat(walk.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList())
                        .as("temporary files after restart").isEmpty();
            }
            JsonNode versions = JSON.readTree(send("GET", "/v1/workspaces/w/versions", null, key).body());
            List<Integer> listed = new ArrayList<>();
            versions.forEach(v -> listed.add(v.get("number").asInt()));
            assertThat(listed).containsAll(acknowledged.keySet());
            for (var v : acknowledged.entrySet()) {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/v1/workspaces/w/archive?version=" + v.getKey()))
                        .header("X-API-Key", key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(TestArchives.untar(r.body())).as("version " + v.getKey()).isEqualTo(v.getValue());
            }
        }
        assertThat(kills).isEqualTo(4);
        System.out.printf("durability: %d kills, %d versions acknowledged, %d temporary files found after kills and removed%n",
                kills, acknowledged.size(), tornBeforeRestart);
        String log = Files.readString(home.resolve("server.log"));
        assertThat(log).doesNotContain("DURABLE-");
    }
}
