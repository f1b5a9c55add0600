package io.airlock.server.envd;

import static io.airlock.server.envd.ConnectClient.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.ProcessSpec;
import io.airlock.core.SandboxFiles;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code filesystem.Filesystem} over real HTTP against a real sandbox. */
class FilesystemRpcTest {
    private static EnvdServer server;
    private static ConnectClient client;
    private static String sandbox;
    private static SandboxFiles files;

    @BeforeAll
    static void start() throws Exception {
        server = EnvdServer.start();
        client = new ConnectClient(server);
        sandbox = server.sandbox().id();
        files = server.service.files(sandbox);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void write(String path, String content) {
        files.write(path, "user", new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), Map.of());
    }

    private static void sh(String command) throws Exception {
        var p = server.service.spawn(sandbox, ProcessSpec.shell(command, "user"));
        p.attach().close();
        assertThat(p.exit().get(30, TimeUnit.SECONDS).exitCode()).as(command).isZero();
    }

    private static ConnectClient.Unary call(String method, String json) throws Exception {
        return client.unary(sandbox, "filesystem.Filesystem/" + method, json);
    }

    private static JsonNode ok(ConnectClient.Unary r) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    @Test
    void stat_file_reportsEntryInfo() throws Exception {
        write("/home/user/stat.txt", "abc");
        JsonNode e = ok(call("Stat", "{\"path\":\"/home/user/stat.txt\"}")).get("entry");
        assertThat(e.get("name").asText()).isEqualTo("stat.txt");
        assertThat(e.get("type").asText()).isEqualTo("FILE_TYPE_FILE");
        assertThat(e.get("path").asText()).isEqualTo("/home/user/stat.txt");
        assertThat(e.get("size").isTextual()).as("int64 is a JSON string").isTrue();
        assertThat(e.get("size").asText()).isEqualTo("3");
        assertThat(e.get("mode").asInt()).isEqualTo(0644);
        assertThat(e.get("permissions").asText()).isEqualTo("-rw-r--r--");
        assertThat(e.get("owner").asText()).isEqualTo("user");
        assertThat(e.get("group").asText()).isEqualTo("user");
        Instant modified = Instant.parse(e.get("modifiedTime").asText());
        assertThat(modified).isBetween(Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plusSeconds(5));
        assertThat(e.has("symlinkTarget")).isFalse();

        JsonNode relative = ok(call("Stat", "{\"path\":\"stat.txt\"}")).get("entry");
        assertThat(relative.get("path").asText()).as("relative to the user's home").isEqualTo("/home/user/stat.txt");

        JsonNode dir = ok(call("Stat", "{\"path\":\"/tmp\"}")).get("entry");
        assertThat(dir.get("type").asText()).isEqualTo("FILE_TYPE_DIRECTORY");
        assertThat(dir.get("permissions").asText()).isEqualTo("dtrwxrwxrwx");

        var missing = call("Stat", "{\"path\":\"/home/user/nope.txt\"}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("not_found");
        assertThat(missing.message()).contains("/home/user/nope.txt");
    }

    @Test
    void stat_symlink_reportsTarget() throws Exception {
        write("/home/user/target.txt", "t");
        sh("ln -sfn /home/user/target.txt /home/user/link");
        JsonNode e = ok(call("Stat", "{\"path\":\"/home/user/link\"}")).get("entry");
        assertThat(e.get("type").asText()).isEqualTo("FILE_TYPE_SYMLINK");
        assertThat(e.get("symlinkTarget").asText()).isEqualTo("/home/user/target.txt");
        assertThat(e.get("permissions").asText()).startsWith("L");
    }

    @Test
    void makeDir_thenAgain_isAlreadyExists() throws Exception {
        JsonNode e = ok(call("MakeDir", "{\"path\":\"/home/user/made/deep\"}")).get("entry");
        assertThat(e.get("type").asText()).isEqualTo("FILE_TYPE_DIRECTORY");
        assertThat(e.get("path").asText()).isEqualTo("/home/user/made/deep");
        var again = call("MakeDir", "{\"path\":\"/home/user/made/deep\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("already_exists");
        var denied = call("MakeDir", "{\"path\":\"/root/forbidden\"}");
        assertThat(denied.code()).isEqualTo("permission_denied");
    }

    @Test
    void move_renamesAndReturnsNewEntry() throws Exception {
        write("/home/user/before.txt", "x");
        JsonNode e = ok(call("Move", "{\"source\":\"/home/user/before.txt\",\"destination\":\"/home/user/after.txt\"}")).get("entry");
        assertThat(e.get("path").asText()).isEqualTo("/home/user/after.txt");
        assertThat(e.get("name").asText()).isEqualTo("after.txt");
        assertThat(call("Stat", "{\"path\":\"/home/user/before.txt\"}").code()).isEqualTo("not_found");
        var missing = call("Move", "{\"source\":\"/home/user/nothing\",\"destination\":\"/home/user/x\"}");
        assertThat(missing.code()).isEqualTo("not_found");
    }

    @Test
    void listDir_depth1AndDepth2() throws Exception {
        write("/home/user/tree/a.txt", "a");
        write("/home/user/tree/sub/b.txt", "b");
        write("/home/user/tree/sub/deeper/c.txt", "c");

        List<String> one = paths(ok(call("ListDir", "{\"path\":\"/home/user/tree\"}")));
        assertThat(one).containsExactlyInAnyOrder("/home/user/tree/a.txt", "/home/user/tree/sub");

        List<String> two = paths(ok(call("ListDir", "{\"path\":\"/home/user/tree\",\"depth\":2}")));
        assertThat(two).containsExactlyInAnyOrder("/home/user/tree/a.txt", "/home/user/tree/sub", "/home/user/tree/sub/b.txt",
                "/home/user/tree/sub/deeper");

        assertThat(call("ListDir", "{\"path\":\"/home/user/tree/a.txt\"}").code()).isEqualTo("invalid_argument");
        assertThat(call("ListDir", "{\"path\":\"/home/user/no-such-dir\"}").code()).isEqualTo("not_found");
    }

    private static List<String> paths(JsonNode listing) {
        List<String> out = new ArrayList<>();
        listing.get("entries").forEach(e -> out.add(e.get("path").asText()));
        return out;
    }

    @Test
    void remove_thenStatIsNotFound() throws Exception {
        write("/home/user/doomed/f.txt", "f");
        JsonNode r = ok(call("Remove", "{\"path\":\"/home/user/doomed\"}"));
        assertThat(r.size()).isZero();
        assertThat(call("Stat", "{\"path\":\"/home/user/doomed\"}").code()).isEqualTo("not_found");
        assertThat(call("Remove", "{\"path\":\"/home/user/doomed\"}").code()).isEqualTo("not_found");
    }

    @Test
    void watchDir_streamsStartThenEvents() throws Exception {
        write("/home/user/watched/.keep", "");
        try (var s = client.stream(sandbox, "filesystem.Filesystem/WatchDir", "{\"path\":\"/home/user/watched\",\"includeEntry\":true}",
                "Keepalive-Ping-Interval", "1")) {
            assertThat(s.status).isEqualTo(200);
            ConnectClient.Frame first = s.next();
            assertThat(first.json().toString()).isEqualTo("{\"start\":{}}");
            write("/home/user/watched/new.txt", "hello");
            JsonNode create = null;
            while (create == null) {
                ConnectClient.Frame f = s.next();
                assertThat(f).isNotNull();
                assertThat(f.endStream()).as(f.json().toString()).isFalse();
                JsonNode fs = f.json().get("filesystem");
                if (fs != null && fs.get("type").asText().equals("EVENT_TYPE_CREATE")) {
                    create = fs;
                }
            }
            assertThat(create.get("name").asText()).isEqualTo("new.txt");
            assertThat(create.get("entry").get("path").asText()).isEqualTo("/home/user/watched/new.txt");
        }
    }

    @Test
    void watchDir_deadline_endsWithDeadlineExceeded() throws Exception {
        write("/home/user/watched2/.keep", "");
        try (var s = client.stream(sandbox, "filesystem.Filesystem/WatchDir", "{\"path\":\"/home/user/watched2\"}",
                "Connect-Timeout-Ms", "500")) {
            List<ConnectClient.Frame> frames = s.rest();
            ConnectClient.Frame last = frames.getLast();
            assertThat(last.endStream()).isTrue();
            assertThat(last.json().get("error").get("code").asText()).isEqualTo("deadline_exceeded");
        }
        try (var s = client.stream(sandbox, "filesystem.Filesystem/WatchDir", "{\"path\":\"/home/user/not-there\"}")) {
            ConnectClient.Frame f = s.next();
            assertThat(f.endStream()).isTrue();
            assertThat(f.json().get("error").get("code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void pollingWatcher_createGetRemove() throws Exception {
        write("/home/user/polled/.keep", "");
        String id = ok(call("CreateWatcher", "{\"path\":\"/home/user/polled\",\"recursive\":true}")).get("watcherId").asText();
        assertThat(id).isNotEmpty();
        write("/home/user/polled/one.txt", "1");

        List<String> seen = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!seen.contains("EVENT_TYPE_CREATE one.txt") && System.nanoTime() < until) {
            // snake_case field names are accepted too
            ok(call("GetWatcherEvents", "{\"watcher_id\":\"" + id + "\"}")).get("events")
                    .forEach(e -> seen.add(e.get("type").asText() + " " + e.get("name").asText()));
            Thread.sleep(50);
        }
        assertThat(seen).contains("EVENT_TYPE_CREATE one.txt");
        int before = seen.size();
        assertThat(ok(call("GetWatcherEvents", "{\"watcherId\":\"" + id + "\"}")).get("events").size())
                .as("events are drained: %s", seen.subList(0, before)).isZero();

        var otherSandbox = client.unary(server.sandbox().id(), "filesystem.Filesystem/GetWatcherEvents", "{\"watcherId\":\"" + id + "\"}");
        assertThat(otherSandbox.code()).as("a watcher belongs to its sandbox").isEqualTo("not_found");

        assertThat(ok(call("RemoveWatcher", "{\"watcherId\":\"" + id + "\"}")).size()).isZero();
        assertThat(call("GetWatcherEvents", "{\"watcherId\":\"" + id + "\"}").code()).isEqualTo("not_found");
        assertThat(call("RemoveWatcher", "{\"watcherId\":\"" + id + "\"}").code()).isEqualTo("not_found");
    }

    @Test
    void pollingWatchers_areCappedPerSandbox() throws Exception {
        String box = server.sandbox().id();
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < Watchers.MAX_PER_SANDBOX; i++) {
                var r = client.unary(box, "filesystem.Filesystem/CreateWatcher", "{\"path\":\"/tmp\"}");
                assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
                ids.add(r.body().get("watcherId").asText());
            }
            var over = client.unary(box, "filesystem.Filesystem/CreateWatcher", "{\"path\":\"/tmp\"}");
            assertThat(over.status()).isEqualTo(429);
            assertThat(over.code()).isEqualTo("resource_exhausted");
            assertThat(over.message()).contains("RemoveWatcher");
        } finally {
            for (String id : ids) {
                client.unary(box, "filesystem.Filesystem/RemoveWatcher", "{\"watcherId\":\"" + id + "\"}");
            }
        }
        assertThat(client.unary(box, "filesystem.Filesystem/CreateWatcher", "{\"path\":\"/tmp\"}").status()).isEqualTo(200);
        server.service.kill(box);
    }

    @Test
    void userHeader_selectsTheUser() throws Exception {
        var asUser = call("MakeDir", "{\"path\":\"/root/x\"}");
        assertThat(asUser.code()).isEqualTo("permission_denied");
        var asRoot = client.unary(sandbox, "filesystem.Filesystem/MakeDir", "{\"path\":\"/root/x\"}",
                "Authorization", ConnectClient.basic("root"));
        assertThat(asRoot.status()).as(asRoot.body().toString()).isEqualTo(200);
        JsonNode e = ok(client.unary(sandbox, "filesystem.Filesystem/Stat", "{\"path\":\"/root/x\"}", "Authorization",
                ConnectClient.basic("root"))).get("entry");
        assertThat(e.get("owner").asText()).isEqualTo("root");
        assertThat(JSON.writeValueAsString(e)).doesNotContain("airlock");
    }
}
