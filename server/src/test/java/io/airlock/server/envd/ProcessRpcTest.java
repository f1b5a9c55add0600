package io.airlock.server.envd;

import static io.airlock.server.envd.ConnectClient.JSON;
import static io.airlock.server.envd.ConnectClient.b64;
import static io.airlock.server.envd.ConnectClient.basic;
import static io.airlock.server.envd.ConnectClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Sandbox;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code process.Process} over real HTTP against real sandboxes. */
class ProcessRpcTest {
    private static EnvdServer server;
    private static ConnectClient client;
    private static String sandbox;

    @BeforeAll
    static void start() throws Exception {
        server = EnvdServer.start();
        client = new ConnectClient(server);
        sandbox = server.sandbox().id();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What a finished stream carried. */
    record Run(long pid, String stdout, String stderr, String pty, JsonNode end, JsonNode trailer, int keepalives) {}

    static String startRequest(String command, Map<String, String> envs, String cwd, boolean stdin, String tag) {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode process = req.putObject("process");
        process.put("cmd", "/bin/bash");
        process.putArray("args").add("-l").add("-c").add(command);
        envs.forEach(process.putObject("envs")::put);
        if (!cwd.isEmpty()) {
            process.put("cwd", cwd);
        }
        req.put("stdin", stdin);
        if (!tag.isEmpty()) {
            req.put("tag", tag);
        }
        return req.toString();
    }

    static String startRequest(String command) {
        return startRequest(command, Map.of(), "", false, "");
    }

    static Run collect(ConnectClient.Stream s) throws Exception {
        return collect(s, -1);
    }

    /** The rest of a stream; {@code pid} if its start event was read already, else -1. */
    static Run collect(ConnectClient.Stream s, long startedPid) throws Exception {
        assertThat(s.status).isEqualTo(200);
        assertThat(s.contentType).isEqualTo("application/connect+json");
        long pid = startedPid;
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        StringBuilder pty = new StringBuilder();
        JsonNode end = null;
        int keepalives = 0;
        for (ConnectClient.Frame f = s.next(); f != null; f = s.next()) {
            if (f.endStream()) {
                assertThat(s.next()).as("nothing after the end-stream message").isNull();
                return new Run(pid, out.toString(), err.toString(), pty.toString(), end, f.json(), keepalives);
            }
            assertThat(f.flags()).isZero();
            assertThat(end).as("nothing after the end event").isNull();
            JsonNode e = f.event();
            switch (f.kind()) {
                case "start" -> {
                    assertThat(pid).as("one start event, first").isEqualTo(-1);
                    pid = e.get("start").get("pid").asLong();
                }
                case "data" -> {
                    assertThat(pid).as("start comes before data").isPositive();
                    JsonNode d = e.get("data");
                    if (d.has("stdout")) {
                        out.append(text(d.get("stdout")));
                    } else if (d.has("stderr")) {
                        err.append(text(d.get("stderr")));
                    } else {
                        pty.append(text(d.get("pty")));
                    }
                }
                case "end" -> end = e.get("end");
                case "keepalive" -> keepalives++;
                default -> throw new AssertionError("unexpected event " + f.json());
            }
        }
        throw new AssertionError("the stream ended without an end-stream message");
    }

    private static ConnectClient.Frame expect(ConnectClient.Stream s, String kind) throws Exception {
        ConnectClient.Frame f = s.nextSkippingKeepalives();
        assertThat(f).as("a " + kind + " event").isNotNull();
        assertThat(f.kind()).as(f.json().toString()).isEqualTo(kind);
        return f;
    }

    /** Reads data events until their text contains {@code wanted}. */
    private static String readUntil(ConnectClient.Stream s, String wanted) throws Exception {
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains(wanted)) {
            ConnectClient.Frame f = s.nextSkippingKeepalives();
            assertThat(f).as("stream ended before '" + wanted + "' in: " + seen).isNotNull();
            assertThat(f.kind()).as(f.json() + " after: " + seen).isEqualTo("data");
            JsonNode d = f.event().get("data");
            seen.append(text(d.elements().next()));
        }
        return seen.toString();
    }

    @Test
    void start_echo_streamsStartDataEndAndLosesNoEarlyOutput() throws Exception {
        for (int i = 0; i < 10; i++) {
            try (var s = client.stream(sandbox, "process.Process/Start", startRequest("echo hi"), "Keepalive-Ping-Interval", "50")) {
                Run run = collect(s);
                assertThat(run.pid()).isPositive();
                assertThat(run.stdout()).isEqualTo("hi\n");
                assertThat(run.end().get("exitCode").asInt()).isZero();
                assertThat(run.end().get("exited").asBoolean()).isTrue();
                assertThat(run.end().get("status").asText()).isEqualTo("exit status 0");
                assertThat(run.end().has("error")).isFalse();
                assertThat(run.trailer().size()).as("a successful end-stream message is {}").isZero();
            }
        }
    }

    @Test
    void start_nonZeroExit_reportsCodeAndError() throws Exception {
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("echo oops >&2; exit 3"))) {
            Run run = collect(s);
            assertThat(run.stderr()).isEqualTo("oops\n");
            assertThat(run.end().get("exitCode").asInt()).isEqualTo(3);
            assertThat(run.end().get("exited").asBoolean()).isTrue();
            assertThat(run.end().get("status").asText()).isEqualTo("exit status 3");
            assertThat(run.end().get("error").asText()).isEqualTo("exit status 3");
        }
    }

    @Test
    void stdin_sendInputThenCloseStdin() throws Exception {
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("cat; echo done", Map.of(), "", true, ""))) {
            long pid = expect(s, "start").event().get("start").get("pid").asLong();
            String selector = "{\"pid\":" + pid + "}";
            var sent = client.unary(sandbox, "process.Process/SendInput",
                    "{\"process\":" + selector + ",\"input\":{\"stdin\":\"" + b64("hello\n") + "\"}}");
            assertThat(sent.status()).as(sent.body().toString()).isEqualTo(200);
            assertThat(sent.contentType()).startsWith("application/json");
            assertThat(readUntil(s, "hello\n")).isEqualTo("hello\n");

            var closed = client.unary(sandbox, "process.Process/CloseStdin", "{\"process\":" + selector + "}");
            assertThat(closed.status()).as(closed.body().toString()).isEqualTo(200);
            Run run = collect(s, pid);
            assertThat(run.stdout()).isEqualTo("done\n");
            assertThat(run.end().get("exitCode").asInt()).isZero();
        }
    }

    @Test
    void sendInput_toProcessWithoutStdin_isFailedPrecondition() throws Exception {
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("sleep 30"))) {
            long pid = expect(s, "start").event().get("start").get("pid").asLong();
            var r = client.unary(sandbox, "process.Process/SendInput",
                    "{\"process\":{\"pid\":" + pid + "},\"input\":{\"stdin\":\"" + b64("x") + "\"}}");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("failed_precondition");
            assertThat(r.message()).contains("stdin: true");
            client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":" + pid + "},\"signal\":\"SIGNAL_SIGKILL\"}");
        }
    }

    @Test
    void sendSignal_sigkill_endsWithSignal() throws Exception {
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("sleep 60"))) {
            long pid = expect(s, "start").event().get("start").get("pid").asLong();
            var r = client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":" + pid + "},\"signal\":\"SIGNAL_SIGKILL\"}");
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            Run run = collect(s, pid);
            assertThat(run.end().get("exited").asBoolean()).isFalse();
            assertThat(run.end().get("exitCode").asInt()).isEqualTo(-1);
            assertThat(run.end().get("status").asText()).isEqualTo("signal: killed");
            assertThat(run.end().get("error").asText()).isEqualTo("signal: killed");
        }
        var again = client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":999999},\"signal\":9}");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.code()).isEqualTo("not_found");
    }

    @Test
    void disconnect_leavesProcessRunning_listShowsIt_connectByTagReattaches() throws Exception {
        long pid;
        try (var s = client.stream(sandbox, "process.Process/Start",
                startRequest("cat", Map.of("SECRET_ENV", "v"), "/tmp", true, "worker-1"))) {
            pid = expect(s, "start").event().get("start").get("pid").asLong();
        } // the client goes away mid-stream

        var list = client.unary(sandbox, "process.Process/List", "{}");
        assertThat(list.status()).isEqualTo(200);
        JsonNode info = null;
        for (JsonNode p : list.body().get("processes")) {
            if (p.get("pid").asLong() == pid) {
                info = p;
            }
        }
        assertThat(info).as(list.body().toString()).isNotNull();
        assertThat(info.get("tag").asText()).isEqualTo("worker-1");
        assertThat(info.get("config").get("cmd").asText()).isEqualTo("/bin/bash");
        assertThat(info.get("config").get("args").toString()).isEqualTo("[\"-l\",\"-c\",\"cat\"]");
        assertThat(info.get("config").get("envs").toString()).isEqualTo("{\"SECRET_ENV\":\"v\"}");
        assertThat(info.get("config").get("cwd").asText()).isEqualTo("/tmp");

        try (var s = client.stream(sandbox, "process.Process/Connect", "{\"process\":{\"tag\":\"worker-1\"}}")) {
            assertThat(expect(s, "start").event().get("start").get("pid").asLong()).isEqualTo(pid);
            client.unary(sandbox, "process.Process/SendInput", "{\"process\":{\"pid\":" + pid + "},\"input\":{\"stdin\":\"" + b64("again\n") + "\"}}");
            assertThat(readUntil(s, "again\n")).isEqualTo("again\n");
            client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":" + pid + "},\"signal\":\"SIGNAL_SIGTERM\"}");
            Run run = collect(s, pid);
            assertThat(run.end().get("status").asText()).isEqualTo("signal: terminated");
        }
        var gone = client.unary(sandbox, "process.Process/CloseStdin", "{\"process\":{\"pid\":" + pid + "}}");
        assertThat(gone.code()).as("an exited process is not found").isEqualTo("not_found");
    }

    @Test
    void disconnect_fromChattyProcess_detachesSoItNeverStalls() throws Exception {
        String marker = "/tmp/chatty-done-" + System.nanoTime();
        try (var s = client.stream(sandbox, "process.Process/Start",
                startRequest("head -c 60000000 /dev/zero | base64; touch " + marker))) {
            expect(s, "start");
            expect(s, "data");
        }
        // had the reader stayed attached but unread, backpressure would stall the process forever
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (var s = client.stream(sandbox, "process.Process/Start", startRequest("test -f " + marker))) {
                if (collect(s).end().get("exitCode").asInt() == 0) {
                    break;
                }
            }
            assertThat(System.nanoTime()).as("the process finished after the client left").isLessThan(until);
            Thread.sleep(200);
        }
    }

    @Test
    void connect_unknownPid_endsStreamWithNotFound() throws Exception {
        try (var s = client.stream(sandbox, "process.Process/Connect", "{\"process\":{\"pid\":999999}}")) {
            Run run = collect(s);
            assertThat(run.pid()).isEqualTo(-1);
            assertThat(run.trailer().get("error").get("code").asText()).isEqualTo("not_found");
            assertThat(run.trailer().get("error").get("message").asText()).contains("999999");
        }
    }

    @Test
    void pty_startWithSize_updateResizes() throws Exception {
        String req = "{\"process\":{\"cmd\":\"/bin/bash\",\"args\":[\"-c\",\"stty size; read x; stty size\"],"
                + "\"envs\":{\"TERM\":\"xterm-256color\"}},\"pty\":{\"size\":{\"cols\":100,\"rows\":30}}}";
        try (var s = client.stream(sandbox, "process.Process/Start", req)) {
            long pid = expect(s, "start").event().get("start").get("pid").asLong();
            assertThat(readUntil(s, "30 100")).contains("30 100");
            var resized = client.unary(sandbox, "process.Process/Update",
                    "{\"process\":{\"pid\":" + pid + "},\"pty\":{\"size\":{\"cols\":120,\"rows\":40}}}");
            assertThat(resized.status()).as(resized.body().toString()).isEqualTo(200);
            var typed = client.unary(sandbox, "process.Process/SendInput", "{\"process\":{\"pid\":" + pid + "},\"input\":{\"pty\":\"" + b64("\r") + "\"}}");
            assertThat(typed.status()).as(typed.body().toString()).isEqualTo(200);
            Run run = collect(s, pid);
            assertThat(run.pty()).contains("40 120");
            assertThat(run.stdout()).as("a pty's output is pty data").isEmpty();
            assertThat(run.end().get("exitCode").asInt()).isZero();
        }
    }

    @Test
    void envs_areIsolatedBetweenStarts() throws Exception {
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("echo \"[$FOO]\"", Map.of("FOO", "bar"), "", false, ""))) {
            assertThat(collect(s).stdout()).isEqualTo("[bar]\n");
        }
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("echo \"[$FOO]\""))) {
            assertThat(collect(s).stdout()).isEqualTo("[]\n");
        }
    }

    @Test
    void cwdAndUser_followRequestAndAuthorization() throws Exception {
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("pwd; id -un"))) {
            assertThat(collect(s).stdout()).isEqualTo("/home/user\nuser\n");
        }
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("pwd; id -un", Map.of(), "/tmp", false, ""),
                "Authorization", basic("root"))) {
            assertThat(collect(s).stdout()).isEqualTo("/tmp\nroot\n");
        }
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("true", Map.of(), "/no/such/dir", false, ""))) {
            Run run = collect(s);
            assertThat(run.trailer().get("error").get("code").asText()).isEqualTo("invalid_argument");
        }
    }

    @Test
    void startDeadline_endsStreamWithDeadlineExceeded_andKillsTheProcess_asEnvdDoes() throws Exception {
        long pid;
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("sleep 30"), "Connect-Timeout-Ms", "700")) {
            long started = System.nanoTime();
            Run run = collect(s);
            pid = run.pid();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(run.end()).isNull();
            assertThat(run.trailer().get("error").get("code").asText()).isEqualTo("deadline_exceeded");
        }
        long gone = pid;
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.unary(sandbox, "process.Process/List", "{}")
                .body().path("processes").findValues("pid").stream().noneMatch(p -> p.asLong() == gone));
    }

    @Test
    void connectDeadline_detachesOnly_processKeepsRunning() throws Exception {
        long pid;
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("sleep 30"), "Connect-Timeout-Ms", "0")) {
            pid = expect(s, "start").event().get("start").get("pid").asLong();
        }
        try (var s = client.stream(sandbox, "process.Process/Connect", "{\"process\":{\"pid\":" + pid + "}}", "Connect-Timeout-Ms", "700")) {
            Run run = collect(s);
            assertThat(run.trailer().get("error").get("code").asText()).isEqualTo("deadline_exceeded");
        }
        var list = client.unary(sandbox, "process.Process/List", "{}");
        assertThat(list.body().get("processes").findValues("pid").stream().map(JsonNode::asLong)).contains(pid);
        client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":" + pid + "},\"signal\":\"SIGNAL_SIGKILL\"}");
    }

    @Test
    void idleStream_sendsKeepalives() throws Exception {
        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("sleep 2.5; echo late"), "Keepalive-Ping-Interval", "1")) {
            Run run = collect(s);
            assertThat(run.keepalives()).isGreaterThanOrEqualTo(1);
            assertThat(run.stdout()).isEqualTo("late\n");
        }
    }

    @Test
    void sandboxKilledMidStream_dropsTheConnection() throws Exception {
        Sandbox doomed = server.sandbox();
        try (var s = client.stream(doomed.id(), "process.Process/Start", startRequest("sleep 60"))) {
            expect(s, "start");
            server.service.kill(doomed.id());
            ConnectClient.Frame f;
            try {
                f = s.nextSkippingKeepalives();
            } catch (java.io.IOException e) {
                f = null;
            }
            assertThat(f).as("no end message: the connection drops as when envd dies").isNull();
        }
        var after = client.unary(doomed.id(), "process.Process/List", "{}");
        assertThat(after.status()).isEqualTo(502);
        assertThat(after.body().get("code").asInt()).isEqualTo(502);
    }

    @Test
    void auth_missingOrWrongToken_is401_unknownSandbox_is502() throws Exception {
        HttpRequest noToken = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/process.Process/List"))
                .header("E2b-Sandbox-Id", sandbox)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        HttpResponse<String> missing = server.send(noToken, HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(missing.body()).get("code").asText()).isEqualTo("unauthenticated");
        assertThat(JSON.readTree(missing.body()).get("message").asText()).contains("X-Access-Token");

        var wrong = client.unary(sandbox, "process.Process/List", "{}", "X-Access-Token", "wrong");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.code()).isEqualTo("unauthenticated");

        try (var s = client.stream(sandbox, "process.Process/Start", startRequest("true"), "X-Access-Token", "wrong")) {
            assertThat(s.status).as("envd's auth answers before Connect, for streams too").isEqualTo(401);
            assertThat(JSON.readTree(s.body()).get("code").asText()).isEqualTo("unauthenticated");
        }

        var unaryTypeOnStream = client.unary(sandbox, "process.Process/Start", startRequest("true"), "X-Access-Token", "wrong");
        assertThat(unaryTypeOnStream.status()).as("access is checked before the protocol").isEqualTo(401);

        var unknown = client.unary("nosuchsandbox0000000000", "process.Process/List", "{}");
        assertThat(unknown.status()).isEqualTo(502);
        assertThat(unknown.body().get("code").asInt()).isEqualTo(502);
        assertThat(unknown.message()).contains("not running");
        try (var s = client.stream("nosuchsandbox0000000000", "process.Process/Start", startRequest("true"))) {
            assertThat(s.status).isEqualTo(502);
        }
    }
}
