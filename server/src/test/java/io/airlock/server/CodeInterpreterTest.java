package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.runtime.TemplateCatalog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The code interpreter over raw HTTP, as the SDKs speak it: {@code /execute} and {@code /contexts}
 * on the data-plane URL with {@code E2b-Sandbox-Port: 49999}, against a real server and real
 * kernels in a code-interpreter sandbox. The official SDK's view is in
 * {@code conformance/test/interpreter.test.mjs}; this class covers the protocol edges and faults.
 */
@Timeout(180)
class CodeInterpreterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer server;
    private static String sandbox;
    private static String token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        TemplateCatalog.open(TestServer.TEMPLATES, Clock.systemUTC()).build(BuiltinTemplates.CODE_INTERPRETER, BuildProgress.NONE);
        server = TestServer.start(Map.of());
        HttpResponse<String> r = server.send("POST", "/sandboxes", "{\"templateID\":\"code-interpreter-v1\",\"timeout\":600,"
                + "\"envVars\":{\"FROM_CREATE\":\"yes\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode created = JSON.readTree(r.body());
        sandbox = created.get("sandboxID").asText();
        token = created.get("envdAccessToken").asText();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void stateMainResultStreamsAndExecutionCountInTheDefaultPythonContext() throws Exception {
        Run first = execute(Map.of("code", "counter_state = 40\nprint('hello')\nimport sys; print('warn', file=sys.stderr)"));
        assertThat(first.types()).endsWith("number_of_executions", "end_of_execution");
        assertThat(first.text("stdout")).isEqualTo("hello\n");
        assertThat(first.text("stderr")).isEqualTo("warn\n");
        assertThat(first.of("stdout").get(0).get("timestamp").asLong()).isGreaterThan(1_700_000_000_000_000_000L);
        assertThat(first.of("result")).isEmpty();

        Run second = execute(Map.of("code", "counter_state + 2"));
        JsonNode result = second.of("result").get(0);
        assertThat(result.get("text").asText()).isEqualTo("42");
        assertThat(result.get("is_main_result").asBoolean()).isTrue();
        assertThat(second.of("number_of_executions").get(0).get("execution_count").asLong())
                .isGreaterThan(first.of("number_of_executions").get(0).get("execution_count").asLong());

        Run cwd = execute(Map.of("code", "import os; (os.getcwd(), os.environ.get('FROM_CREATE'), os.getuid())"));
        assertThat(cwd.of("result").get(0).get("text").asText()).isEqualTo("('/home/user', 'yes', 1000)");
    }

    @Test
    void envVarsApplyToOneCallOnly() throws Exception {
        Run with = execute(Map.of("code", "import os; os.environ.get('ONE_CALL')", "env_vars", Map.of("ONE_CALL", "v1")));
        assertThat(with.of("result").get(0).get("text").asText()).isEqualTo("v1"); // E2B strips one pair of quotes
        Run without = execute(Map.of("code", "import os; print(os.environ.get('ONE_CALL'))"));
        assertThat(without.text("stdout")).isEqualTo("None\n");
    }

    @Test
    void anExceptionIsAnErrorWithItsTracebackAndTheStateSurvives() throws Exception {
        execute(Map.of("code", "survivor = 'still here'"));
        Run failed = execute(Map.of("code", "def f():\n    return 1 / 0\nf()"));
        JsonNode error = failed.of("error").get(0);
        assertThat(error.get("name").asText()).isEqualTo("ZeroDivisionError");
        assertThat(error.get("value").asText()).contains("division by zero");
        assertThat(error.get("traceback").asText()).contains("ZeroDivisionError").contains("f()");
        assertThat(failed.types()).endsWith("end_of_execution");
        assertThat(execute(Map.of("code", "survivor")).of("result").get(0).get("text").asText()).isEqualTo("still here");
    }

    @Test
    void richResultsFromDataFramesFiguresAndReprMethods() throws Exception {
        Run df = execute(Map.of("code", "import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})"));
        JsonNode r = df.of("result").get(0);
        assertThat(r.get("html").asText()).contains("<table");
        assertThat(r.get("text").asText()).contains("a").contains("x");
        assertThat(r.get("data").get("a")).isNotNull();

        Run fig = execute(Map.of("code", "import matplotlib.pyplot as plt\nplt.figure(figsize=(2, 1), dpi=100)\nplt.plot([1, 2], [3, 4])\nplt.show()"));
        List<JsonNode> pngs = fig.of("result").stream().filter(n -> n.has("png")).toList();
        assertThat(pngs).hasSize(1);
        byte[] png = java.util.Base64.getDecoder().decode(pngs.get(0).get("png").asText());
        assertThat(java.nio.ByteBuffer.wrap(png, 16, 8).getInt()).isEqualTo(200);
        assertThat(java.nio.ByteBuffer.wrap(png, 20, 4).getInt()).isEqualTo(100);

        Run repr = execute(Map.of("code", "class M:\n    def _repr_markdown_(self): return '**bold**'\n"
                + "    def _repr_svg_(self): return '<svg/>'\nM()"));
        JsonNode m = repr.of("result").get(0);
        assertThat(m.get("markdown").asText()).isEqualTo("**bold**");
        assertThat(m.get("svg").asText()).isEqualTo("<svg/>");
    }

    @Test
    void aResultOverTheLineCapIsDroppedWithANoteAndTheExecutionCompletes() throws Exception {
        // regression: the server once buffered kernel lines of up to 64 MiB, 32 contexts per sandbox
        Run big = execute(Map.of("code", "class Big:\n    def _repr_html_(self): return 'x' * (17 << 20)\nBig()"));
        assertThat(big.text("stderr")).contains("was dropped").contains("16 MiB");
        assertThat(big.types()).endsWith("end_of_execution");
        assertThat(execute(Map.of("code", "'after'")).of("result").get(0).get("text").asText()).isEqualTo("after");
    }

    @Test
    void javascriptKeepsStateAwaitsAndLogs() throws Exception {
        execute(Map.of("code", "let js_total = 20", "language", "javascript"));
        Run r = execute(Map.of("code", "console.log('from js'); await new Promise(r => setTimeout(r, 10)); js_total * 2 + 2",
                "language", "js"));
        assertThat(r.text("stdout")).isEqualTo("from js\n");
        assertThat(r.of("result").get(0).get("text").asText()).isEqualTo("42");
        Run thrown = execute(Map.of("code", "null.x", "language", "javascript"));
        assertThat(thrown.of("error").get(0).get("name").asText()).isEqualTo("TypeError");
    }

    @Test
    void bashContextsKeepCwdAndExports() throws Exception {
        JsonNode ctx = createContext("{\"language\":\"bash\",\"cwd\":\"/tmp\"}");
        assertThat(ctx.get("language").asText()).isEqualTo("bash");
        assertThat(ctx.get("cwd").asText()).isEqualTo("/tmp");
        String id = ctx.get("id").asText();
        Run start = execute(Map.of("code", "pwd; mkdir -p sub && cd sub; export KEPT=value", "context_id", id));
        assertThat(start.text("stdout")).isEqualTo("/tmp\n");
        Run later = execute(Map.of("code", "pwd; echo $KEPT; false", "context_id", id));
        assertThat(later.text("stdout")).isEqualTo("/tmp/sub\nvalue\n");
    }

    @Test
    void contextsAreListedCreatedRestartedAndRemoved() throws Exception {
        JsonNode list = JSON.readTree(send("GET", "/contexts", null, false).body());
        List<String> defaults = new ArrayList<>();
        list.forEach(c -> {
            if (c.get("cwd").asText().equals("/home/user")) {
                defaults.add(c.get("language").asText());
            }
        });
        assertThat(defaults).contains("python", "javascript");

        String id = createContext("{\"language\":\"python\",\"cwd\":\"/tmp\"}").get("id").asText();
        execute(Map.of("code", "restart_me = 1", "context_id", id));
        assertThat(send("POST", "/contexts/" + id + "/restart", null, false).statusCode()).isEqualTo(204);
        Run after = execute(Map.of("code", "restart_me", "context_id", id));
        assertThat(after.of("error").get(0).get("name").asText()).isEqualTo("NameError");

        assertThat(send("DELETE", "/contexts/" + id, null, false).statusCode()).isEqualTo(204);
        HttpResponse<String> gone = send("POST", "/execute", JSON.writeValueAsString(Map.of("code", "1", "context_id", id)), true);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).contains("does not exist");
        assertThat(JSON.readTree(send("GET", "/contexts", null, false).body()).findValuesAsText("id")).doesNotContain(id);
    }

    @Test
    void badRequestsGetClearErrors() throws Exception {
        assertError(send("POST", "/execute", "{\"code\":\"1\",\"context_id\":\"x\",\"language\":\"python\"}", true), 400, "not both");
        assertError(send("POST", "/execute", "{\"language\":\"python\"}", true), 400, "code: required");
        assertError(send("POST", "/execute", "{\"code\":\"1\",\"language\":\"cobol\"}", true), 400, "python");
        assertError(send("POST", "/execute", "{\"code\":\"1\",\"env_vars\":{\"A=B\":\"1\"}}", true), 400, "env_vars");
        assertError(send("POST", "/execute", "{\"code\":\"1\",\"bogus\":1}", true), 400, "bogus");
        // regression: PROMPT_COMMAND or the bash kernel's own variables as env_vars hung the execution
        assertError(send("POST", "/execute", "{\"code\":\"1\",\"env_vars\":{\"PROMPT_COMMAND\":\"x\"}}", true), 400, "reserved");
        assertError(send("POST", "/execute", "{\"code\":\"1\",\"env_vars\":{\"__airlock_out\":\"1\"}}", true), 400, "reserved");
        assertError(send("POST", "/execute", "{\"code\":", true), 400, "malformed JSON");
        assertError(send("POST", "/contexts", "{\"cwd\":\"relative\"}", false), 400, "absolute path");
        assertError(send("POST", "/contexts", "{\"cwd\":\"/does/not/exist\"}", false), 400, "does not exist");
        assertError(send("POST", "/contexts/nope/restart", null, false), 404, "does not exist");

        HttpResponse<String> noToken = send("POST", "/execute", "{\"code\":\"1\"}", false);
        assertError(noToken, 401, "X-Access-Token");
        HttpResponse<String> wrongPort = http.send(request("/contexts", "GET", null, false).setHeader("E2b-Sandbox-Port", "49983").build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(wrongPort, 404, "49999");
        HttpResponse<String> unknownSandbox = http.send(request("/contexts", "GET", null, false)
                .setHeader("E2b-Sandbox-Id", "i" + "0".repeat(19)).build(), HttpResponse.BodyHandlers.ofString());
        assertError(unknownSandbox, 502, "not running");
    }

    @Test
    void aClientThatGoesAwayInterruptsTheCodeAndTheContextCarriesOn() throws Exception {
        String id = createContext("{\"language\":\"python\"}").get("id").asText();
        execute(Map.of("code", "kept = 'yes'", "context_id", id));
        String body = JSON.writeValueAsString(Map.of("context_id", id,
                "code", "import time\nprint('sleeping', flush=True)\ntime.sleep(120)\nkept = 'overwritten'"));
        try (Socket s = new Socket("127.0.0.1", server.airlock.port())) {
            s.setSoTimeout(30_000);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST /execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nE2b-Sandbox-Id: " + sandbox
                    + "\r\nE2b-Sandbox-Port: 49999\r\nX-Access-Token: " + token + "\r\nContent-Length: " + b.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.contains("sleeping")) {
                // headers and chunk sizes until the code has started
            }
            assertThat(line).as("the execution never printed 'sleeping'").isNotNull();
        } // the client is gone; the server notices at its next keepalive and interrupts the code
        long t0 = System.nanoTime();
        Run next = execute(Map.of("code", "kept", "context_id", id));
        assertThat(next.of("result").get(0).get("text").asText()).isEqualTo("yes");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void aKernelKilledOrOutOfMemoryIsReportedAndTheContextRestarts() throws Exception {
        String id = createContext("{\"language\":\"python\"}").get("id").asText();
        Run killed = execute(Map.of("code", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "context_id", id));
        assertThat(killed.of("error").get(0).get("name").asText()).isEqualTo("KernelDied");
        assertThat(killed.of("error").get(0).get("value").asText()).contains("signal 9");
        assertThat(killed.types()).endsWith("unexpected_end_of_execution");
        assertThat(execute(Map.of("code", "1 + 1", "context_id", id)).of("result").get(0).get("text").asText()).isEqualTo("2");

        Run oom = execute(Map.of("code", "hog = []\nwhile True:\n    hog.append(bytearray(64 << 20))", "context_id", id));
        JsonNode error = oom.of("error").get(0);
        assertThat(error.get("name").asText()).as(error.toString()).isEqualTo("OutOfMemory");
        assertThat(send("POST", "/contexts/" + id + "/restart", null, false).statusCode()).isEqualTo(204);
        assertThat(execute(Map.of("code", "'alive'", "context_id", id)).of("result").get(0).get("text").asText()).isEqualTo("alive");
    }

    @Test
    void aLargeResultUnderTheCapComesThroughWhole() throws Exception {
        Run big = execute(Map.of("code", "class Wide:\n    def _repr_html_(self): return 'y' * (2 << 20)\nWide()"));
        assertThat(big.of("result").get(0).get("html").asText()).hasSize(2 << 20);
    }

    @Test
    void killingABashContextKillsItsShell() throws Exception {
        // regression: bash leads its own session, so the SIGKILL to the kernel's process group missed it
        String id = createContext("{\"language\":\"bash\"}").get("id").asText();
        String pid = execute(Map.of("code", "echo $$", "context_id", id)).text("stdout").strip();
        assertThat(pid).matches("[0-9]+");
        assertThat(send("POST", "/contexts/" + id + "/restart", null, false).statusCode()).isEqualTo(204);
        String probe = "import os, time\nfor _ in range(100):\n    if not os.path.exists('/proc/" + pid + "'): break\n    time.sleep(0.1)\n"
                + "os.path.exists('/proc/" + pid + "')";
        assertThat(execute(Map.of("code", probe)).of("result").get(0).get("text").asText()).isEqualTo("False");
    }

    @Test
    void aBusyContextTakesABoundedQueueThenSays429() throws Exception {
        // regression: executions waiting for a busy context queued without limit
        String id = createContext("{\"language\":\"python\"}").get("id").asText();
        var running = http.sendAsync(request("/execute", "POST", JSON.writeValueAsString(Map.of("context_id", id,
                "code", "import time\nwhile not __import__('os').path.exists('/tmp/release-" + id + "'): time.sleep(0.05)")), true).build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> queued = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            queued.add(http.sendAsync(request("/execute", "POST", JSON.writeValueAsString(Map.of("context_id", id, "code", "1")), true).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        HttpResponse<String> refused = null;
        for (int attempt = 0; attempt < 100 && refused == null; attempt++) { // the 8 reach the lock in their own time
            Thread.sleep(100);
            HttpResponse<String> r = send("POST", "/execute", JSON.writeValueAsString(Map.of("context_id", id, "code", "2")), true);
            if (r.statusCode() == 429) {
                refused = r;
            }
        }
        assertThat(refused).as("a ninth waiting execution must be refused").isNotNull();
        assertError(refused, 429, "waiting");
        execute(Map.of("code", "open('/tmp/release-" + id + "', 'w').close()", "language", "python"));
        assertThat(running.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        for (var q : queued) {
            assertThat(q.get(60, java.util.concurrent.TimeUnit.SECONDS).body()).contains("end_of_execution");
        }
    }

    @Test
    void aRestartWhileTheKernelStartsIsReportedAsSuch() throws Exception {
        // regression: the execution waiting for that kernel was told it needed the code-interpreter template
        JsonNode other = JSON.readTree(server.send("POST", "/sandboxes", "{\"templateID\":\"code-interpreter\",\"timeout\":120}").body());
        String id = other.get("sandboxID").asText();
        String tok = other.get("envdAccessToken").asText();
        try {
            var first = http.sendAsync(request("/execute", "POST", "{\"code\":\"1\",\"language\":\"javascript\"}", true)
                    .setHeader("E2b-Sandbox-Id", id).setHeader("X-Access-Token", tok).build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(50); // the node kernel takes a few hundred ms to be ready
            JsonNode contexts = JSON.readTree(http.send(request("/contexts", "GET", null, false).setHeader("E2b-Sandbox-Id", id).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            String js = null;
            for (JsonNode c : contexts) {
                if (c.get("language").asText().equals("javascript")) {
                    js = c.get("id").asText();
                }
            }
            assertThat(http.send(request("/contexts/" + js + "/restart", "POST", null, false).setHeader("E2b-Sandbox-Id", id).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(204);
            HttpResponse<String> r = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
            if (r.statusCode() != 200) { // the restart came while the kernel started (almost always)
                assertError(r, 409, "stopped before it was ready");
            }
        } finally {
            server.send("DELETE", "/sandboxes/" + id, null);
        }
    }

    @Test
    void aPausedSandboxRefusesExecutionsAndKeepsItsState() throws Exception {
        execute(Map.of("code", "before_pause = 7"));
        assertThat(server.send("POST", "/sandboxes/" + sandbox + "/pause", null).statusCode()).isEqualTo(204);
        try {
            assertError(send("POST", "/execute", "{\"code\":\"before_pause\"}", true), 409, "paused");
        } finally {
            assertThat(server.send("POST", "/sandboxes/" + sandbox + "/connect", "{\"timeout\":600}").statusCode()).isIn(200, 201);
        }
        assertThat(execute(Map.of("code", "before_pause")).of("result").get(0).get("text").asText()).isEqualTo("7");
    }

    // ------------------------------------------------------------------------------------------

    /** The NDJSON lines of one execution. */
    record Run(List<JsonNode> lines) {
        List<String> types() {
            return lines.stream().map(l -> l.get("type").asText()).filter(t -> !t.equals("keepalive")).toList();
        }

        List<JsonNode> of(String type) {
            return lines.stream().filter(l -> l.get("type").asText().equals(type)).toList();
        }

        String text(String type) {
            return of(type).stream().map(l -> l.get("text").asText()).collect(Collectors.joining());
        }
    }

    private Run execute(Map<String, Object> body) throws Exception {
        HttpResponse<String> r = send("POST", "/execute", JSON.writeValueAsString(body), true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/x-ndjson");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            lines.add(JSON.readTree(line));
        }
        Run run = new Run(lines);
        assertThat(run.types()).as("every execution ends with an end line: %s", r.body())
                .last().isIn("end_of_execution", "unexpected_end_of_execution");
        return run;
    }

    private JsonNode createContext(String body) throws Exception {
        HttpResponse<String> r = send("POST", "/contexts", body, false);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        ObjectNode ctx = (ObjectNode) JSON.readTree(r.body());
        assertThat(ctx.get("id").asText()).isNotBlank();
        return ctx;
    }

    private HttpResponse<String> send(String method, String path, String body, boolean withToken) throws IOException, InterruptedException {
        return http.send(request(path, method, body, withToken).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path, String method, String body, boolean withToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json")
                .header("E2b-Sandbox-Id", sandbox)
                .header("E2b-Sandbox-Port", "49999")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (withToken) {
            b.header("X-Access-Token", token);
        }
        return b;
    }

    private static void assertError(HttpResponse<String> r, int status, String mentions) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("code").asInt()).isEqualTo(status);
        assertThat(body.get("message").asText()).contains(mentions);
    }
}
