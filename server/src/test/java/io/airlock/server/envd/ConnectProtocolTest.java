package io.airlock.server.envd;

import static io.airlock.server.envd.ConnectClient.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Connect protocol itself: content types, envelopes, headers and bad input, over real HTTP. */
class ConnectProtocolTest {
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

    @Test
    void unary_answersJsonWithStatus200() throws Exception {
        var r = client.unary(sandbox, "process.Process/List", "{}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.body().get("processes").isArray()).isTrue();
    }

    @Test
    void unknownFieldsAreIgnored_integersMayBeStrings() throws Exception {
        assertThat(client.unary(sandbox, "process.Process/List", "{\"someFutureField\":{\"x\":1}}").status()).isEqualTo(200);
        var r = client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":\"999999\"},\"signal\":\"SIGNAL_SIGTERM\"}");
        assertThat(r.code()).as("parsed, then looked up").isEqualTo("not_found");
    }

    @Test
    void unsupportedContentType_is415() throws Exception {
        var text = client.unaryRaw(sandbox, "process.Process/List", "text/plain", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.message()).contains("application/json");

        var proto = client.unaryRaw(sandbox, "process.Process/List", "application/proto", new byte[0]);
        assertThat(proto.status()).isEqualTo(415);
        assertThat(proto.message()).contains("JSON");

        try (var s = client.streamRaw(sandbox, "process.Process/Start", "application/json", "{}".getBytes(StandardCharsets.UTF_8))) {
            assertThat(s.status).isEqualTo(415);
            assertThat(JSON.readTree(s.body()).get("message").asText()).contains("application/connect+json");
        }
        var charset = client.unaryRaw(sandbox, "process.Process/List", "application/json; charset=latin1", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(charset.status()).isEqualTo(415);
        assertThat(client.unaryRaw(sandbox, "process.Process/List", "application/json; charset=utf-8", "{}".getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(200);
    }

    @Test
    void malformedJson_isInvalidArgument_neverA500() throws Exception {
        for (String body : new String[] {"{", "[]", "\"x\"", "{\"a\":1}{}", "{\"a\":1,\"a\":2}", "nul"}) {
            var r = client.unary(sandbox, "process.Process/List", body);
            assertThat(r.status()).as(body + " -> " + r.body()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("invalid_argument");
            assertThat(r.message()).doesNotContain("Exception").doesNotContain("at com.");
        }
        assertThat(client.unary(sandbox, "process.Process/List", "{").message()).contains("not valid JSON");
    }

    @Test
    void wrongTypes_nameTheField() throws Exception {
        var pid = client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":\"abc\"},\"signal\":9}");
        assertThat(pid.status()).isEqualTo(400);
        assertThat(pid.message()).contains("process.pid");

        var both = client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":1,\"tag\":\"t\"},\"signal\":9}");
        assertThat(both.message()).contains("oneof").contains("pid").contains("tag");

        var signal = client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":1},\"signal\":\"SIGSTOP\"}");
        assertThat(signal.code()).isEqualTo("invalid_argument");
        assertThat(signal.message()).contains("signal").contains("SIGNAL_SIGKILL");

        var negative = client.unary(sandbox, "process.Process/SendSignal", "{\"process\":{\"pid\":-1},\"signal\":9}");
        assertThat(negative.message()).contains("process.pid");

        var input = client.unary(sandbox, "process.Process/SendInput", "{\"process\":{\"pid\":1},\"input\":{\"stdin\":\"%%%\"}}");
        assertThat(input.message()).contains("input.stdin").contains("base64");

        try (var s = client.stream(sandbox, "process.Process/Start", "{\"process\":{\"cmd\":5}}")) {
            var f = s.next();
            assertThat(s.status).isEqualTo(200);
            assertThat(f.endStream()).isTrue();
            assertThat(f.json().get("error").get("code").asText()).isEqualTo("invalid_argument");
            assertThat(f.json().get("error").get("message").asText()).contains("process.cmd");
        }
        try (var s = client.stream(sandbox, "process.Process/Start", "{\"process\":{\"cmd\":\"ls\",\"args\":[\"-l\",3]}}")) {
            assertThat(s.next().json().get("error").get("message").asText()).contains("process.args[1]");
        }
        try (var s = client.stream(sandbox, "process.Process/Start", "{}")) {
            assertThat(s.next().json().get("error").get("message").asText()).contains("process");
        }
    }

    @Test
    void oversizedBody_isRejectedClearly() throws Exception {
        byte[] big = new byte[Connect.MAX_REQUEST_BYTES + 100];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        var r = client.unaryRaw(sandbox, "process.Process/List", "application/json", big);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("larger than 4 MiB");
        // regression: the unread rest of the body made the server close the connection after an
        // answer that did not say so, and the client's next call on it failed with EOF
        assertThat(r.connection()).isEqualToIgnoringCase("close");
    }

    @Test
    void streamEnvelopes_areChecked() throws Exception {
        try (var s = client.streamRaw(sandbox, "process.Process/Start", "application/connect+json",
                "{\"process\":{\"cmd\":\"true\"}}".getBytes(StandardCharsets.UTF_8))) {
            var f = s.next();
            assertThat(f.endStream()).isTrue();
            assertThat(f.json().get("error").get("code").asText()).isEqualTo("invalid_argument");
            assertThat(f.json().get("error").get("message").asText()).contains("flags");
        }
        byte[] msg = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] lying = ByteBuffer.allocate(5 + msg.length).put((byte) 0).putInt(99).put(msg).array();
        try (var s = client.streamRaw(sandbox, "process.Process/Start", "application/connect+json", lying)) {
            assertThat(s.next().json().get("error").get("message").asText()).contains("declares 99 bytes");
        }
        byte[] compressed = ConnectClient.envelope("{}");
        compressed[0] = 1;
        try (var s = client.streamRaw(sandbox, "process.Process/Start", "application/connect+json", compressed)) {
            assertThat(s.next().json().get("error").get("code").asText()).isEqualTo("unimplemented");
        }
    }

    @Test
    void protocolHeaders_areChecked() throws Exception {
        var version = client.unary(sandbox, "process.Process/List", "{}", "Connect-Protocol-Version", "2");
        assertThat(version.status()).isEqualTo(400);
        assertThat(version.message()).contains("Connect-Protocol-Version");

        var timeout = client.unary(sandbox, "process.Process/List", "{}", "Connect-Timeout-Ms", "soon");
        assertThat(timeout.code()).isEqualTo("invalid_argument");
        assertThat(timeout.message()).contains("Connect-Timeout-Ms");

        var gzip = client.unary(sandbox, "process.Process/List", "{}", "Content-Encoding", "gzip");
        assertThat(gzip.code()).isEqualTo("unimplemented");

        var auth = client.unary(sandbox, "process.Process/List", "{}", "Authorization", "Bearer x");
        assertThat(auth.status()).isEqualTo(400);
        assertThat(auth.code()).isEqualTo("invalid_argument");
    }

    @Test
    void streamInput_isUnimplemented() throws Exception {
        var r = client.unary(sandbox, "process.Process/StreamInput", "{}");
        assertThat(r.status()).isEqualTo(501);
        assertThat(r.code()).isEqualTo("unimplemented");
        assertThat(r.message()).contains("SendInput");
    }
}
