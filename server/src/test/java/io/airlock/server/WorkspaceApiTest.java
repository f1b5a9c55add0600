package io.airlock.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v1/workspaces} against the real server: no sandboxes are needed. */
class WorkspaceApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static TestServer server;
    static String alice;
    static String bob;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
        alice = tenantKey("alice");
        bob = tenantKey("bob");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String tenantKey(String name) throws Exception {
        HttpResponse<String> r = server.send("POST", "/admin/tenants", "{\"name\":\"" + name + "-" + System.nanoTime() + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).get("apiKey").asText();
    }

    static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }

    static String unique(String prefix) {
        return prefix + "-" + System.nanoTime();
    }

    static HttpResponse<String> upload(String name, byte[] archive, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/workspaces/" + name + "/archive"))
                .header("X-API-Key", key).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<byte[]> download(String name, String query, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/workspaces/" + name + "/archive" + query))
                .header("X-API-Key", key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void create_list_get_delete() throws Exception {
        String name = unique("crud");
        JsonNode created = ok(server.send("POST", "/v1/workspaces", "{\"name\":\"" + name + "\"}", alice), 201);
        assertThat(created.get("name").asText()).isEqualTo(name);
        assertThat(created.get("head").asInt()).isZero();
        assertThat(created.has("id")).isFalse();
        JsonNode list = ok(server.send("GET", "/v1/workspaces", null, alice), 200);
        assertThat(list.findValuesAsText("name")).contains(name);
        assertThat(ok(server.send("GET", "/v1/workspaces/" + name, null, alice), 200).get("files").asInt()).isZero();
        JsonNode dup = ok(server.send("POST", "/v1/workspaces", "{\"name\":\"" + name + "\"}", alice), 400);
        assertThat(dup.get("field").asText()).isEqualTo("name");
        ok(server.send("DELETE", "/v1/workspaces/" + name, null, alice), 204);
        JsonNode gone = ok(server.send("GET", "/v1/workspaces/" + name, null, alice), 404);
        assertThat(gone.get("message").asText()).contains(name);
    }

    @Test
    void anotherTenantsWorkspace_isTheSame404AsAMissingOne() throws Exception {
        String name = unique("private");
        ok(server.send("POST", "/v1/workspaces", "{\"name\":\"" + name + "\"}", alice), 201);
        ok(upload(name, TestArchives.tar(Map.of("secret.txt", "alice only")), alice), 200);
        HttpResponse<String> missing = server.send("GET", "/v1/workspaces/nope-" + System.nanoTime(), null, bob);
        for (String[] req : new String[][] {{"GET", ""}, {"GET", "/versions"}, {"GET", "/versions/1"}, {"GET", "/diff?from=0"},
                {"POST", "/versions/1/restore"}, {"DELETE", ""}}) {
            HttpResponse<String> r = server.send(req[0], "/v1/workspaces/" + name + req[1], null, bob);
            assertThat(r.statusCode()).as(req[0] + " " + req[1]).isEqualTo(404);
            assertThat(JSON.readTree(r.body()).get("message").asText()).isEqualTo(
                    JSON.readTree(missing.body()).get("message").asText().replaceAll("nope-\\d+", name));
        }
        assertThat(download(name, "", bob).statusCode()).isEqualTo(404);
        assertThat(upload(name, TestArchives.tar(Map.of("x", "bob was here")), bob).statusCode()).isEqualTo(404);
        assertThat(ok(server.send("GET", "/v1/workspaces", null, bob), 200).findValuesAsText("name")).doesNotContain(name);
        assertThat(TestArchives.untar(download(name, "", alice).body())).isEqualTo(Map.of("secret.txt", "alice only"));
    }

    @Test
    void upload_download_versions_diff_restore() throws Exception {
        String name = unique("flow");
        ok(server.send("POST", "/v1/workspaces", "{\"name\":\"" + name + "\"}", alice), 201);
        JsonNode first = ok(upload(name, TestArchives.tar(Map.of("a.txt", "one", "dir/b.txt", "bee")), alice), 200);
        assertThat(first.get("outcome").asText()).isEqualTo("committed");
        assertThat(first.at("/version/number").asInt()).isEqualTo(1);
        JsonNode second = ok(upload(name, TestArchives.tar(Map.of("a.txt", "two")), alice), 200);
        assertThat(second.at("/version/number").asInt()).isEqualTo(2);
        assertThat(ok(upload(name, TestArchives.tar(Map.of("a.txt", "two")), alice), 200).get("outcome").asText()).isEqualTo("unchanged");

        JsonNode versions = ok(server.send("GET", "/v1/workspaces/" + name + "/versions", null, alice), 200);
        assertThat(versions.findValuesAsText("number")).containsExactly("2", "1");
        assertThat(versions.get(0).has("changes")).isFalse();
        JsonNode v2 = ok(server.send("GET", "/v1/workspaces/" + name + "/versions/2", null, alice), 200);
        assertThat(v2.get("origin").asText()).isEqualTo("upload");
        assertThat(v2.get("changes").toString()).contains("{\"path\":\"a.txt\",\"kind\":\"modified\",\"type\":\"file\",\"size\":3}")
                .contains("{\"path\":\"dir/b.txt\",\"kind\":\"deleted\",\"type\":\"file\",\"size\":3}");
        JsonNode diff = ok(server.send("GET", "/v1/workspaces/" + name + "/diff?from=0&to=1", null, alice), 200);
        assertThat(diff.get("changes").findValuesAsText("path")).containsExactly("a.txt", "dir", "dir/b.txt");

        assertThat(TestArchives.untar(download(name, "", alice).body())).isEqualTo(Map.of("a.txt", "two"));
        HttpResponse<byte[]> old = download(name, "?version=1", alice);
        assertThat(old.headers().firstValue("Content-Type")).contains("application/gzip");
        assertThat(TestArchives.untar(old.body())).isEqualTo(Map.of("a.txt", "one", "dir/b.txt", "bee"));

        JsonNode restored = ok(server.send("POST", "/v1/workspaces/" + name + "/versions/1/restore", null, alice), 200);
        assertThat(restored.get("outcome").asText()).isEqualTo("committed");
        assertThat(restored.at("/version/origin").asText()).isEqualTo("restore:1");
        assertThat(TestArchives.untar(download(name, "", alice).body())).isEqualTo(Map.of("a.txt", "one", "dir/b.txt", "bee"));
        assertThat(ok(server.send("GET", "/v1/workspaces/" + name, null, alice), 200).get("head").asInt()).isEqualTo(3);
    }

    @Test
    void badInput_is4xxNamingTheField() throws Exception {
        String name = unique("bad");
        assertThat(ok(server.send("POST", "/v1/workspaces", "{}", alice), 400).get("field").asText()).isEqualTo("name");
        assertThat(ok(server.send("POST", "/v1/workspaces", "{\"name\":\"a/b\"}", alice), 400).get("field").asText()).isEqualTo("name");
        assertThat(ok(server.send("POST", "/v1/workspaces", "{\"name\":\"x\",\"size\":1}", alice), 400).get("field").asText())
                .isEqualTo("size");
        ok(server.send("POST", "/v1/workspaces", "{\"name\":\"" + name + "\"}", alice), 201);
        assertThat(ok(server.send("GET", "/v1/workspaces/" + name + "/versions/abc", null, alice), 400).get("field").asText())
                .isEqualTo("n");
        assertThat(ok(server.send("GET", "/v1/workspaces/" + name + "/versions/0", null, alice), 400).get("field").asText())
                .isEqualTo("n");
        assertThat(ok(server.send("GET", "/v1/workspaces/" + name + "/diff?from=-1", null, alice), 400).get("field").asText())
                .isEqualTo("from");
        assertThat(ok(server.send("GET", "/v1/workspaces/" + name + "/diff", null, alice), 400).get("field").asText())
                .isEqualTo("from");
        assertThat(ok(server.send("GET", "/v1/workspaces/" + name + "/versions/7", null, alice), 404).get("message").asText())
                .contains("no version 7");
        JsonNode slip = ok(upload(name, TestArchives.tar(Map.of("../escape.txt", "x")), alice), 400);
        assertThat(slip.get("field").asText()).isEqualTo("archive");
        assertThat(slip.get("message").asText()).contains("'../escape.txt'");
        assertThat(ok(upload(name, "plain text, not an archive".repeat(30).getBytes(UTF_8), alice), 400).get("field").asText())
                .isEqualTo("archive");
        assertThat(download(name, "?version=x", alice).statusCode()).isEqualTo(400);
        HttpResponse<byte[]> noVersion = download(name, "?version=9", alice);
        assertThat(noVersion.statusCode()).isEqualTo(404);
        assertThat(new String(noVersion.body(), UTF_8)).contains("no version 9");
    }

    @Test
    void uploadsLargerThanTheJsonLimit_areStreamed() throws Exception {
        String name = unique("big");
        ok(server.send("POST", "/v1/workspaces", "{\"name\":\"" + name + "\"}", alice), 201);
        String big = "0123456789abcdef".repeat(300_000); // 4.8 MB, over the 1 MiB JSON body limit
        ok(upload(name, TestArchives.tar(Map.of("big.bin", big)), alice), 200);
        assertThat(TestArchives.untar(download(name, "", alice).body()).get("big.bin")).isEqualTo(big);
    }

    @Test
    void contentIsNotInTheDataDirectoryInPlaintext() throws Exception {
        String name = unique("plain");
        ok(server.send("POST", "/v1/workspaces", "{\"name\":\"" + name + "\"}", alice), 201);
        String marker = "API-PLAINTEXT-MARKER-" + System.nanoTime();
        ok(upload(name, TestArchives.tar(Map.of(marker + ".txt", marker)), alice), 200);
        try (Stream<Path> walk = Files.walk(server.home)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1)).as(f.toString())
                        .doesNotContain(marker);
            }
        }
    }
}
