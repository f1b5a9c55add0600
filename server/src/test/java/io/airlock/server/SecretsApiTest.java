package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

/**
 * The vault against the real server and real sandboxes: values are write-only, reach processes
 * only as environment variables, are masked in what comes back, are audited, stay inside their
 * tenant, and are never written to the data directory or the log. The last test searches the
 * whole data directory and the captured log for every value the other tests used.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecretsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every value any test stores; none may appear on disk or in the log. */
    private static final List<String> VALUES = new ArrayList<>();
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static TestServer server;
    private static String keyA;
    private static String keyB;
    private static String tenantA;
    private static String tenantB;
    private static OutputStreamAppender<ILoggingEvent> capture;
    private static Level rootLevel;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        captureLog();
        server = TestServer.start(Map.of());
        JsonNode a = tenant("secrets-a");
        JsonNode b = tenant("secrets-b");
        keyA = a.get("apiKey").asText();
        keyB = b.get("apiKey").asText();
        tenantA = a.get("id").asText();
        tenantB = b.get("id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(capture);
        root.setLevel(rootLevel);
        capture.stop();
    }

    /** The server's log, encoded as in production (JSON inside the redacting encoder), at INFO and above, kept in memory. */
    private static void captureLog() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        JsonEncoder json = new JsonEncoder(); // configured as in logback.xml
        json.setContext(context);
        json.setWithArguments(false);
        json.setWithContext(false);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithMessage(false);
        json.setWithFormattedMessage(true);
        RedactingEncoder encoder = new RedactingEncoder();
        encoder.setContext(context);
        encoder.setEncoder(json);
        encoder.start();
        capture = new OutputStreamAppender<>();
        capture.setContext(context);
        capture.setEncoder(encoder);
        capture.setOutputStream(LOG);
        capture.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.INFO);
        root.addAppender(capture);
    }

    private static JsonNode tenant(String name) throws Exception {
        HttpResponse<String> r = server.send("POST", "/admin/tenants", "{\"name\":\"" + name + "\",\"maxSandboxes\":5}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private static String value(String v) {
        VALUES.add(v);
        return v;
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> put(String key, String name, String value) throws Exception {
        return server.send("PUT", "/v1/secrets/" + name, JSON.writeValueAsString(Map.of("value", value)), key);
    }

    private static void putOk(String key, String name, String value) throws Exception {
        HttpResponse<String> r = put(key, name, value);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static JsonNode e2bCreate(String key, String metadataSecrets) throws Exception {
        HttpResponse<String> r = server.send("POST", "/sandboxes",
                "{\"templateID\":\"base\",\"metadata\":{\"airlock.secrets\":\"" + metadataSecrets + "\"}}", key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r);
    }

    private static JsonNode exec(String key, String id, String body) throws Exception {
        HttpResponse<String> r = server.send("POST", "/v1/sandboxes/" + id + "/exec", body, key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private static int liveSandboxes(String key) throws Exception {
        return json(server.send("GET", "/v1/sandboxes", null, key)).size();
    }

    // ---- the API

    @Test
    @Order(1)
    void put_answersMetadata_andNoCallReturnsTheValue() throws Exception {
        String v = value("pw-only-once-9f2c");
        HttpResponse<String> created = put(keyA, "ONLY_ONCE", v);

        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(json(created).get("name").asText()).isEqualTo("ONLY_ONCE");
        assertThat(json(created).has("createdAt")).isTrue();
        List<HttpResponse<String>> reads = List.of(created, server.send("GET", "/v1/secrets", null, keyA),
                server.send("GET", "/v1/secrets/ONLY_ONCE", null, keyA),
                server.send("GET", "/v1/secrets/ONLY_ONCE/uses", null, keyA));
        for (HttpResponse<String> r : reads) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).doesNotContain(v);
        }
        assertThat(json(reads.get(1)).findValuesAsText("name")).contains("ONLY_ONCE");
        assertThat(json(reads.get(2)).fieldNames()).toIterable().containsExactlyInAnyOrder("name", "createdAt", "updatedAt");
    }

    @Test
    @Order(2)
    void put_badInput_is400NamingTheFieldWithoutEchoingTheValue() throws Exception {
        HttpResponse<String> shortValue = put(keyA, "SHORT", "abc"); // refused, and too short to search for
        assertThat(shortValue.statusCode()).isEqualTo(400);
        assertThat(json(shortValue).get("field").asText()).isEqualTo("value");
        assertThat(json(shortValue).get("message").asText()).contains("at least 4 bytes").contains("masked").doesNotContain("abc");

        HttpResponse<String> badName = put(keyA, "1BAD", "long-enough-value");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(json(badName).get("field").asText()).isEqualTo("name");

        String bare = value("bare-token-7781");
        HttpResponse<String> malformed = server.send("PUT", "/v1/secrets/MALFORMED", "{\"value\": " + bare + "}", keyA);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).doesNotContain(bare).contains("value");

        HttpResponse<String> nul = put(keyA, "WITH_NUL", "abcd\0efgh");
        assertThat(nul.statusCode()).isEqualTo(400);
        assertThat(json(nul).get("message").asText()).contains("NUL");
    }

    @Test
    @Order(3)
    void delete_removesTheSecret_thenItIsNotFound() throws Exception {
        putOk(keyA, "TO_DELETE", value("delete-me-5521"));

        assertThat(server.send("DELETE", "/v1/secrets/TO_DELETE", null, keyA).statusCode()).isEqualTo(204);
        HttpResponse<String> gone = server.send("GET", "/v1/secrets/TO_DELETE", null, keyA);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(json(gone).get("message").asText()).contains("TO_DELETE");
        assertThat(server.send("DELETE", "/v1/secrets/TO_DELETE", null, keyA).statusCode()).isEqualTo(404);
    }

    // ---- tenants

    @Test
    @Order(4)
    void otherTenant_cannotReadListDeleteOrUseTheSecret() throws Exception {
        putOk(keyA, "A_ONLY", value("tenant-a-only-3141"));
        int before = liveSandboxes(keyB);

        assertThat(server.send("GET", "/v1/secrets/A_ONLY", null, keyB).statusCode()).isEqualTo(404);
        assertThat(server.send("GET", "/v1/secrets/A_ONLY/uses", null, keyB).statusCode()).isEqualTo(404);
        assertThat(server.send("DELETE", "/v1/secrets/A_ONLY", null, keyB).statusCode()).isEqualTo(404);
        assertThat(json(server.send("GET", "/v1/secrets", null, keyB)).findValuesAsText("name")).doesNotContain("A_ONLY");

        HttpResponse<String> e2b = server.send("POST", "/sandboxes",
                "{\"templateID\":\"base\",\"metadata\":{\"airlock.secrets\":\"A_ONLY\"}}", keyB);
        assertThat(e2b.statusCode()).isEqualTo(400);
        assertThat(json(e2b).get("field").asText()).isEqualTo("metadata.airlock.secrets");
        assertThat(json(e2b).get("message").asText()).contains("A_ONLY");
        HttpResponse<String> platform = server.send("POST", "/v1/sandboxes", "{\"template\":\"base\",\"secrets\":[\"A_ONLY\"]}", keyB);
        assertThat(platform.statusCode()).isEqualTo(400);
        assertThat(json(platform).get("field").asText()).isEqualTo("secrets");
        assertThat(liveSandboxes(keyB)).as("nothing was started").isEqualTo(before);

        String own = json(server.send("POST", "/v1/sandboxes", "{\"template\":\"base\"}", keyB)).get("sandboxId").asText();
        HttpResponse<String> exec = server.send("POST", "/v1/sandboxes/" + own + "/exec",
                "{\"cmd\":\"echo $A_ONLY\",\"secrets\":[\"A_ONLY\"]}", keyB);
        assertThat(exec.statusCode()).isEqualTo(400);
        assertThat(json(exec).get("field").asText()).isEqualTo("secrets");
        server.send("DELETE", "/v1/sandboxes/" + own, null, keyB);
        assertThat(json(server.send("GET", "/v1/secrets/A_ONLY/uses", null, keyA))).isEmpty();
    }

    @Test
    @Order(5)
    void sameNameInTwoTenants_eachSandboxGetsItsOwnTenantsValue() throws Exception {
        String a = value("same-name-in-a-2718");
        String b = value("same-name-in-b-1618");
        putOk(keyA, "SAME_NAME", a);
        putOk(keyB, "SAME_NAME", b);
        String idB = e2bCreate(keyB, "SAME_NAME").get("sandboxID").asText();

        JsonNode r = exec(keyB, idB, "{\"cmd\":\"printf %s \\\"$SAME_NAME\\\" | rev\"}");

        assertThat(r.get("stdout").asText()).isEqualTo(new StringBuilder(b).reverse().toString());
        server.send("DELETE", "/v1/sandboxes/" + idB, null, keyB);
    }

    @Test
    @Order(6)
    void ciphertextCopiedToAnotherTenantInTheDatabase_failsAuthentication_andStartsNothing() throws Exception {
        String a = value("swap-source-in-a-5555");
        putOk(keyA, "SWAPPED", a);
        putOk(keyB, "SWAPPED", value("swap-target-in-b-6666"));
        int before = liveSandboxes(keyB);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + server.home.resolve("airlock.db"));
                java.sql.PreparedStatement swap = c.prepareStatement("UPDATE secrets SET sealed ="
                        + " (SELECT sealed FROM secrets WHERE tenant_id = ? AND name = 'SWAPPED') WHERE tenant_id = ? AND name = 'SWAPPED'")) {
            swap.setString(1, tenantA);
            swap.setString(2, tenantB);
            assertThat(swap.executeUpdate()).isEqualTo(1);
        }

        HttpResponse<String> r = server.send("POST", "/v1/sandboxes", "{\"template\":\"base\",\"secrets\":[\"SWAPPED\"]}", keyB);

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(json(r).get("message").asText()).contains("SWAPPED").contains("failed authentication");
        assertThat(r.body()).doesNotContain(a);
        assertThat(liveSandboxes(keyB)).isEqualTo(before);
    }

    // ---- sandboxes

    @Test
    @Order(7)
    void e2bMetadata_givesEveryProcessTheValue_butNotEnvsAndMasksOutput() throws Exception {
        String v = value("sbx-wide-token-4242");
        putOk(keyA, "SBX_TOKEN", v);
        JsonNode created = e2bCreate(keyA, "SBX_TOKEN, ONLY_ONCE");
        String id = created.get("sandboxID").asText();

        JsonNode plain = exec(keyA, id, "{\"cmd\":\"echo \\\"$SBX_TOKEN\\\"; echo \\\"$SBX_TOKEN\\\" >&2\"}");
        JsonNode reversed = exec(keyA, id, "{\"cmd\":\"printf %s \\\"$SBX_TOKEN\\\" | rev\"}");
        HttpResponse<String> envs = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/envs"))
                .header("E2b-Sandbox-Id", id).header("X-Access-Token", created.get("envdAccessToken").asText()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(plain.get("stdout").asText()).isEqualTo("***\n");
        assertThat(plain.get("stderr").asText()).isEqualTo("***\n");
        assertThat(reversed.get("stdout").asText()).as("the process has the value").isEqualTo(new StringBuilder(v).reverse().toString());
        assertThat(envs.statusCode()).isEqualTo(200);
        assertThat(envs.body()).doesNotContain(v).doesNotContain("SBX_TOKEN");
        Path config = bundleConfig(id);
        assertThat(Files.readString(config)).as("the OCI bundle on disk").doesNotContain(v).doesNotContain("SBX_TOKEN");

        JsonNode uses = json(server.send("GET", "/v1/secrets/SBX_TOKEN/uses", null, keyA));
        assertThat(uses).hasSize(1);
        assertThat(uses.get(0).get("sandboxId").asText()).isEqualTo(id);
        assertThat(uses.get(0).get("scope").asText()).isEqualTo("sandbox");
        assertThat(uses.get(0).get("actor").asText()).startsWith("key:");
        assertThat(json(server.send("GET", "/v1/secrets/ONLY_ONCE/uses", null, keyA)).get(0).get("sandboxId").asText()).isEqualTo(id);
        server.send("DELETE", "/v1/sandboxes/" + id, null, keyA);
    }

    /** The live sandbox's OCI {@code config.json}, under the test server's state root. */
    private static Path bundleConfig(String id) throws IOException {
        Path stateRoot = Path.of("/run/airlock-test-" + ProcessHandle.current().pid());
        try (Stream<Path> walk = Files.walk(stateRoot, 5)) {
            return walk.filter(p -> p.endsWith(Path.of(id, "bundle", "config.json"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no bundle for " + id + " under " + stateRoot));
        }
    }

    @Test
    @Order(8)
    void execSecrets_reachOnlyThatCommand_andAreAuditedAsCommand() throws Exception {
        String v = value("per-command-77aa");
        putOk(keyA, "CMD_ONLY", v);
        String id = json(server.send("POST", "/v1/sandboxes", "{\"template\":\"base\"}", keyA)).get("sandboxId").asText();

        JsonNode with = exec(keyA, id, "{\"cmd\":\"printf %s \\\"$CMD_ONLY\\\" | rev; echo; echo $CMD_ONLY\",\"secrets\":[\"CMD_ONLY\"]}");
        JsonNode without = exec(keyA, id, "{\"cmd\":\"echo \\\"[$CMD_ONLY]\\\"\"}");

        assertThat(with.get("stdout").asText()).isEqualTo(new StringBuilder(v).reverse() + "\n***\n");
        assertThat(without.get("stdout").asText()).isEqualTo("[]\n");
        JsonNode uses = json(server.send("GET", "/v1/secrets/CMD_ONLY/uses?limit=5", null, keyA));
        assertThat(uses).hasSize(1);
        assertThat(uses.get(0).get("scope").asText()).isEqualTo("command");
        assertThat(uses.get(0).get("sandboxId").asText()).isEqualTo(id);
        server.send("DELETE", "/v1/sandboxes/" + id, null, keyA);
    }

    @Test
    @Order(9)
    void envdStart_withSecretsHeader_masksAValueSplitAcrossChunks() throws Exception {
        String v = value("split-across-chunks-0099");
        putOk(keyA, "SPLIT", v);
        JsonNode created = e2bCreate(keyA, "");
        String id = created.get("sandboxID").asText();
        // The value is printed in two writes 300 ms apart, so it leaves the sandbox as two chunks.
        String script = "h=${SPLIT:0:10}; t=${SPLIT:10}; printf %s \"$h\"; sleep 0.3; printf '%s\\n' \"$t\"; printf %s \"$SPLIT\" | rev";
        String body = JSON.writeValueAsString(Map.of("process", Map.of("cmd", "/bin/bash", "args", List.of("-c", script))));

        // T-04: the access token alone opens the sandbox, not the tenant's vault; nor does another tenant's key.
        for (String wrongKey : java.util.Arrays.asList(null, keyB)) {
            List<JsonNode> denied = start(id, created.get("envdAccessToken").asText(), body, "SPLIT", wrongKey);
            assertThat(denied.getLast().path("error").path("code").asText()).isEqualTo("permission_denied");
            assertThat(denied.toString()).doesNotContain(v);
        }
        List<JsonNode> frames = start(id, created.get("envdAccessToken").asText(), body, "SPLIT", keyA);

        StringBuilder stdout = new StringBuilder();
        int dataFrames = 0;
        for (JsonNode f : frames) {
            JsonNode data = f.path("event").path("data");
            if (data.has("stdout")) {
                dataFrames++;
                String text = new String(Base64.getDecoder().decode(data.get("stdout").asText()), StandardCharsets.UTF_8);
                assertThat(v).as("no frame carries the whole value").isNotEqualTo(text);
                stdout.append(text);
            }
        }
        assertThat(stdout.toString()).isEqualTo("***\n" + new StringBuilder(v).reverse());
        assertThat(dataFrames).as("more than one chunk").isGreaterThan(1);
        JsonNode uses = json(server.send("GET", "/v1/secrets/SPLIT/uses", null, keyA));
        assertThat(uses.get(0).get("scope").asText()).isEqualTo("command");
        assertThat(uses.get(0).get("actor").asText()).startsWith("key:");
        assertThat(uses).hasSize(1); // the refused attempts used nothing

        List<JsonNode> unknown = start(id, created.get("envdAccessToken").asText(), body, "NOPE_NOT_SET", keyA);
        assertThat(unknown.getLast().path("error").path("code").asText()).isEqualTo("invalid_argument");
        assertThat(unknown.getLast().path("error").path("message").asText()).contains("NOPE_NOT_SET");
        server.send("DELETE", "/v1/sandboxes/" + id, null, keyA);
    }

    /** A process.Process/Start call with {@code X-Airlock-Secrets}; every envelope, the end-stream one last. */
    private List<JsonNode> start(String id, String token, String body, String secrets, String apiKey) throws Exception {
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        ByteBuffer envelope = ByteBuffer.allocate(5 + json.length).put((byte) 0).putInt(json.length).put(json);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/process.Process/Start"))
                .timeout(Duration.ofSeconds(60))
                .header("E2b-Sandbox-Id", id).header("X-Access-Token", token).header("X-Airlock-Secrets", secrets)
                .header("Content-Type", "application/connect+json");
        if (apiKey != null) {
            b.header("X-API-Key", apiKey);
        }
        HttpResponse<InputStream> r = http.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(envelope.array())).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<JsonNode> frames = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(r.body())) {
            int flags;
            while ((flags = in.read()) >= 0) {
                byte[] message = in.readNBytes(in.readInt());
                frames.add(JSON.readTree(message));
                if ((flags & 2) != 0) {
                    break;
                }
            }
        }
        return frames;
    }

    @Test
    @Order(10)
    void log_whileASandboxHoldsTheValue_masksIt() throws Exception {
        String v = value("logged-by-mistake-6060");
        putOk(keyA, "LOGGED", v);
        String id = e2bCreate(keyA, "LOGGED").get("sandboxID").asText();

        LoggerFactory.getLogger(Airlock.class).warn("about to leak {} and \"{}\"", v, v);

        assertThat(LOG.toString(StandardCharsets.UTF_8)).contains("about to leak *** and \\\"***\\\"");
        server.send("DELETE", "/v1/sandboxes/" + id, null, keyA);
    }

    // ---- at rest

    @Test
    @Order(100)
    void dataDirectoryAndLog_neverContainAValue() throws Exception {
        assertThat(VALUES).hasSizeGreaterThan(8);
        assertThat(Files.exists(server.home.resolve("airlock.db"))).isTrue();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(server.home)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("airlock.db", "airlock.db-wal", "airlock.db-shm");
        String log = LOG.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("sandbox created");
        for (String v : VALUES) {
            byte[] raw = v.getBytes(StandardCharsets.UTF_8);
            byte[] b64 = Base64.getEncoder().encodeToString(raw).getBytes(StandardCharsets.US_ASCII);
            for (Path f : files) {
                byte[] content = Files.readAllBytes(f);
                assertThat(indexOf(content, raw)).as("%s in %s", v, f).isEqualTo(-1);
                assertThat(indexOf(content, b64)).as("base64 of %s in %s", v, f).isEqualTo(-1);
            }
            assertThat(log).as("the log").doesNotContain(v);
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
