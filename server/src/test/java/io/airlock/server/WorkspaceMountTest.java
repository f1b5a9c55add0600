package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Workspaces mounted into real sandboxes on a real server: what one sandbox writes, the next one
 * sees; read-only means read-only; concurrent writers lose nothing; old versions come back; and
 * the content is nowhere on disk in plaintext.
 */
@Timeout(300)
class WorkspaceMountTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WS = "/home/user/workspace";
    /** Written into workspaces by these tests, and searched for on disk at the end. */
    private static final String MARKER = "plaintext-marker-" + UUID.randomUUID();
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of(), Map.of("AIRLOCK_WORKSPACE_MAX_BYTES", String.valueOf(8 << 20),
                "AIRLOCK_WORKSPACE_MAX_FILES", "2000"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        // Acceptance: after all of the above, the marker is in no file under the data directory.
        List<Path> holding = new ArrayList<>();
        byte[] needle = MARKER.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(server.home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (contains(Files.readAllBytes(f), needle)) {
                    holding.add(f);
                }
            }
        }
        assertThat(holding).as("files holding a workspace file's content in plaintext").isEmpty();
        assertThat(Files.walk(server.home).filter(Files::isRegularFile).count()).isGreaterThan(3); // searched something
    }

    @Test
    void whatOneSandboxWritesTheNextSeesReadOnly() throws Exception {
        newWorkspace("roundtrip");
        String a = create("{\"template\":\"base\",\"workspace\":{\"name\":\"roundtrip\",\"readWrite\":true}}");
        assertThat(json(server.send("GET", "/v1/sandboxes/" + a, null)).get("workspace").get("readWrite").asBoolean()).isTrue();
        exec(a, "mkdir -p " + WS + "/src/deep && echo '" + MARKER + "' > " + WS + "/src/deep/notes.txt"
                + " && printf '#!/bin/sh\\necho run\\n' > " + WS + "/run.sh && chmod 755 " + WS + "/run.sh"
                + " && head -c 300000 /dev/urandom > " + WS + "/blob.bin && sha256sum " + WS + "/blob.bin | cut -c1-64 > /tmp/sum"
                + " && ln -s src/deep/notes.txt " + WS + "/link");
        String sum = exec(a, "cat /tmp/sum").strip();
        JsonNode killed = json(server.send("DELETE", "/v1/sandboxes/" + a, null));
        assertThat(killed.get("workspace").get("outcome").asText()).isEqualTo("committed");
        assertThat(killed.get("workspace").get("version").asInt()).isEqualTo(1);

        String b = create("{\"template\":\"base\",\"metadata\":{\"airlock.workspace\":\"roundtrip\"}}");
        assertThat(exec(b, "cat " + WS + "/src/deep/notes.txt")).isEqualTo(MARKER + "\n");
        assertThat(exec(b, WS + "/run.sh")).isEqualTo("run\n");
        assertThat(exec(b, "sha256sum " + WS + "/blob.bin | cut -c1-64").strip()).isEqualTo(sum);
        assertThat(exec(b, "readlink " + WS + "/link")).isEqualTo("src/deep/notes.txt\n");
        assertThat(exec(b, "stat -c %U " + WS + "/src/deep/notes.txt")).isEqualTo("user\n");
        // Read-only: refused for the user and for root, and nothing is committed afterwards.
        assertThat(execResult(b, "echo x > " + WS + "/new.txt", "user").get("stderr").asText()).contains("Read-only file system");
        assertThat(execResult(b, "rm -f " + WS + "/run.sh", "root").get("stderr").asText()).contains("Read-only file system");
        assertThat(server.send("DELETE", "/v1/sandboxes/" + b, null).statusCode()).isEqualTo(204);
        assertThat(versions("roundtrip")).hasSize(1);
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        newWorkspace("shared");
        seed("shared", "a.txt", "a0", "b.txt", "b0", "c.txt", "c0");
        // Disjoint changes: both kept, the second merged onto the first.
        String one = create(rw("shared"));
        String two = create(rw("shared"));
        exec(one, "echo a1 > " + WS + "/a.txt");
        exec(two, "echo b2 > " + WS + "/b.txt; rm " + WS + "/c.txt");
        assertThat(kill(one).get("outcome").asText()).isEqualTo("committed");
        assertThat(kill(two).get("outcome").asText()).isEqualTo("merged");
        String check = create("{\"template\":\"base\",\"workspace\":{\"name\":\"shared\"}}");
        assertThat(exec(check, "cat " + WS + "/a.txt " + WS + "/b.txt; ls " + WS)).isEqualTo("a1\nb2\na.txt\nb.txt\n");
        kill(check);

        // The same file changed on both sides: the second is kept as a branch, not written over the first.
        String three = create(rw("shared"));
        String four = create(rw("shared"));
        exec(three, "echo three > " + WS + "/a.txt");
        exec(four, "echo four > " + WS + "/a.txt");
        assertThat(kill(three).get("outcome").asText()).isEqualTo("committed");
        JsonNode conflict = kill(four);
        assertThat(conflict.get("outcome").asText()).isEqualTo("conflict");
        assertThat(conflict.get("conflicts")).extracting(JsonNode::asText).containsExactly("a.txt");
        int branch = conflict.get("version").asInt();
        String head = create("{\"template\":\"base\",\"workspace\":{\"name\":\"shared\"}}");
        assertThat(exec(head, "cat " + WS + "/a.txt")).isEqualTo("three\n");
        kill(head);
        String kept = create("{\"template\":\"base\",\"workspace\":{\"name\":\"shared\",\"version\":" + branch + "}}");
        assertThat(exec(kept, "cat " + WS + "/a.txt")).isEqualTo("four\n");
        kill(kept);
    }

    @Test
    void syncCommitsMidRunAndTheFinalCommitBuildsOnIt() throws Exception {
        newWorkspace("synced");
        String s = create(rw("synced"));
        exec(s, "echo one > " + WS + "/f.txt; sleep 1000 > /dev/null 2>&1 &");
        JsonNode first = json(server.send("POST", "/v1/sandboxes/" + s + "/workspace/sync", ""));
        assertThat(first.get("outcome").asText()).isEqualTo("committed");
        assertThat(json(server.send("POST", "/v1/sandboxes/" + s + "/workspace/sync", "")).get("outcome").asText())
                .isEqualTo("unchanged");
        // Still running after the freeze, and changing the same file again is no conflict with itself.
        assertThat(exec(s, "pgrep -c sleep")).isEqualTo("1\n");
        exec(s, "echo two > " + WS + "/f.txt");
        JsonNode last = kill(s);
        assertThat(last.get("outcome").asText()).isEqualTo("committed");
        assertThat(last.get("version").asInt()).isEqualTo(first.get("version").asInt() + 1);
    }

    @Test
    void aSandboxWhoseSyncWasMergedDoesNotConflictWithItselfLater() throws Exception {
        newWorkspace("remerge");
        seed("remerge", "a.txt", "a0", "b.txt", "b0");
        String mine = create(rw("remerge"));
        String other = create(rw("remerge"));
        exec(other, "echo b1 > " + WS + "/b.txt");
        assertThat(kill(other).get("outcome").asText()).isEqualTo("committed");
        exec(mine, "echo a1 > " + WS + "/a.txt");
        JsonNode synced = json(server.send("POST", "/v1/sandboxes/" + mine + "/workspace/sync", ""));
        assertThat(synced.get("outcome").asText()).isEqualTo("merged");
        exec(mine, "echo a2 > " + WS + "/a.txt"); // the file it changed before: on the head now, but that was its own change
        assertThat(kill(mine).get("outcome").asText()).isEqualTo("merged");
        String check = create("{\"template\":\"base\",\"workspace\":{\"name\":\"remerge\"}}");
        assertThat(exec(check, "cat " + WS + "/a.txt " + WS + "/b.txt")).isEqualTo("a2\nb1\n");
        kill(check);
    }

    @Test
    void restoringAnOldVersionBringsItsFilesBack() throws Exception {
        newWorkspace("history");
        seed("history", "f.txt", "v1");
        String s = create(rw("history"));
        exec(s, "echo v2 > " + WS + "/f.txt; echo extra > " + WS + "/g.txt");
        kill(s);
        HttpResponse<String> restored = server.send("POST", "/v1/workspaces/history/versions/1/restore", "");
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
        String after = create("{\"template\":\"base\",\"workspace\":{\"name\":\"history\"}}");
        assertThat(exec(after, "cat " + WS + "/f.txt; ls " + WS)).isEqualTo("v1\nf.txt\n");
        kill(after);
        assertThat(versions("history")).hasSize(3);
    }

    @Test
    void f10_h05_setuidFifosLinksAndHardlinks_takenSafely() throws Exception {
        newWorkspace("hostile");
        String s = create(rw("hostile"));
        exec(s, "ln -s /etc/shadow " + WS + "/shadow; ln -s / " + WS + "/root; mkfifo " + WS + "/fifo;"
                + " echo real > " + WS + "/real.txt; ln " + WS + "/real.txt " + WS + "/hard.txt");
        assertThat(execResult(s, "cp /bin/true " + WS + "/suid && chown root " + WS + "/suid && chmod 4755 " + WS + "/suid",
                "root").get("exitCode").asInt()).isZero();
        assertThat(kill(s).get("outcome").asText()).isEqualTo("committed");
        String check = create("{\"template\":\"base\",\"workspace\":{\"name\":\"hostile\"}}");
        assertThat(exec(check, "ls -l " + WS + " | awk '{print $1, $NF}' | sort"))
                .contains("lrwxrwxrwx /etc/shadow", "lrwxrwxrwx /", "real.txt").doesNotContain("fifo");
        assertThat(exec(check, "cat " + WS + "/hard.txt")).isEqualTo("real\n");
        // F-10: no set-uid bit survives the commit, and the mount is nosuid anyway.
        assertThat(exec(check, "stat -c '%a %U' " + WS + "/suid")).isEqualTo("755 user\n");
        assertThat(exec(check, "grep ' " + WS + " ' /proc/mounts")).contains("nosuid", "nodev");
        kill(check);
    }

    @Test
    void gvisorSandboxesReadAndWriteWorkspacesToo() throws Exception {
        newWorkspace("gvisor");
        String s = create("{\"template\":\"base\",\"runtime\":\"runsc\",\"workspace\":{\"name\":\"gvisor\",\"readWrite\":true}}");
        exec(s, "mkdir " + WS + "/d && echo from-gvisor > " + WS + "/d/f.txt");
        JsonNode synced = json(server.send("POST", "/v1/sandboxes/" + s + "/workspace/sync", ""));
        assertThat(synced.get("outcome").asText()).as(synced.toString()).isEqualTo("committed"); // runsc pause freezes it
        exec(s, "echo more > " + WS + "/d/g.txt");
        assertThat(kill(s).get("outcome").asText()).isEqualTo("committed");
        String check = create("{\"template\":\"base\",\"runtime\":\"runsc\",\"workspace\":{\"name\":\"gvisor\"}}");
        assertThat(exec(check, "cat " + WS + "/d/f.txt " + WS + "/d/g.txt")).isEqualTo("from-gvisor\nmore\n");
        assertThat(execResult(check, "touch " + WS + "/x", "root").get("exitCode").asInt()).isNotZero();
        kill(check);
    }

    @Test
    void r10_theVolumeCapsWhatASandboxCanWrite() throws Exception {
        newWorkspace("capped");
        String s = create(rw("capped"));
        JsonNode r = execResult(s, "head -c 40M /dev/zero > " + WS + "/big", "user");
        assertThat(r.get("stderr").asText()).contains("No space left on device");
        exec(s, "rm -f " + WS + "/big; echo small > " + WS + "/small.txt");
        assertThat(kill(s).get("outcome").asText()).isEqualTo("committed");
    }

    @Test
    void badRequestsNameTheFieldAndStartNothing() throws Exception {
        HttpResponse<String> missing = server.send("POST", "/v1/sandboxes", rw("no-such-workspace"));
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(missing.body()).contains("no-such-workspace");
        HttpResponse<String> badMode = server.send("POST", "/v1/sandboxes",
                "{\"template\":\"base\",\"metadata\":{\"airlock.workspace\":\"x:rwx\"}}");
        assertThat(badMode.statusCode()).isEqualTo(400);
        assertThat(json(badMode).get("field").asText()).isEqualTo("metadata.airlock.workspace");
        HttpResponse<String> e2b = server.send("POST", "/sandboxes",
                "{\"templateID\":\"base\",\"metadata\":{\"airlock.workspace\":\"no-such-workspace:rw\"}}");
        assertThat(e2b.statusCode()).as(e2b.body()).isEqualTo(404);
        assertThat(json(server.send("GET", "/v1/sandboxes", null))).isEmpty();
        assertThat(Files.exists(Path.of("/run/airlock-test-" + ProcessHandle.current().pid(), "volumes"))
                && Files.list(Path.of("/run/airlock-test-" + ProcessHandle.current().pid(), "volumes")).findAny().isPresent())
                .as("scratch volumes left behind").isFalse();
    }

    @Test
    void t01_anotherTenantCannotMountMyWorkspace() throws Exception {
        newWorkspace("mine");
        JsonNode tenant = json(server.send("POST", "/admin/tenants", "{\"name\":\"other-" + UUID.randomUUID().toString().substring(0, 8) + "\"}"));
        String key = json(server.send("POST", "/admin/tenants/" + tenant.get("id").asText() + "/keys", "{}")).get("apiKey").asText();
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", rw("mine"), key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
    }

    // --- helpers

    private static String rw(String name) {
        return "{\"template\":\"base\",\"workspace\":{\"name\":\"" + name + "\",\"readWrite\":true}}";
    }

    private static void newWorkspace(String name) throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/workspaces", "{\"name\":\"" + name + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** Writes name/content pairs through a sandbox and commits them. */
    private static void seed(String workspace, String... pairs) throws Exception {
        String s = create(rw(workspace));
        StringBuilder cmd = new StringBuilder("true");
        for (int i = 0; i < pairs.length; i += 2) {
            cmd.append(" && echo ").append(pairs[i + 1]).append(" > ").append(WS).append('/').append(pairs[i]);
        }
        exec(s, cmd.toString());
        assertThat(kill(s).get("outcome").asText()).isIn("committed", "merged");
    }

    private static JsonNode versions(String name) throws Exception {
        HttpResponse<String> r = server.send("GET", "/v1/workspaces/" + name + "/versions", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private static String create(String body) throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r).get("sandboxId").asText();
    }

    /** Kills a sandbox with a read-write workspace; returns what its final commit did. */
    private static JsonNode kill(String id) throws Exception {
        HttpResponse<String> r = server.send("DELETE", "/v1/sandboxes/" + id, null);
        if (r.statusCode() == 204) {
            return JSON.createObjectNode().put("outcome", "none");
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).get("workspace");
    }

    private static String exec(String id, String cmd) throws Exception {
        JsonNode r = execResult(id, cmd, "user");
        assertThat(r.get("exitCode").asInt()).as("%s: %s", cmd, r).isZero();
        return r.path("stdout").asText();
    }

    private static JsonNode execResult(String id, String cmd, String user) throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes/" + id + "/exec",
                JSON.writeValueAsString(Map.of("cmd", cmd, "user", user)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
