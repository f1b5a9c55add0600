package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Requests to one sandbox: envd (port 49983) and the code interpreter (port 49999), on the same
 * base URL as the control plane, routed by the {@code E2b-Sandbox-Id} and {@code E2b-Sandbox-Port}
 * headers and authorised by the sandbox's {@code X-Access-Token}.
 */
final class DataPlane {
    static final String ENVD_PORT = "49983";
    static final String INTERPRETER_PORT = "49999";

    private final Transport transport;
    private final String sandboxId;
    private volatile String accessToken;

    DataPlane(Transport transport, String sandboxId, String accessToken) {
        this.transport = transport;
        this.sandboxId = sandboxId;
        this.accessToken = accessToken;
    }

    String sandboxId() {
        return sandboxId;
    }

    Transport transport() {
        return transport;
    }

    /** The token may be reissued by a connect or resume. */
    void accessToken(String token) {
        if (token != null && !token.isEmpty()) {
            this.accessToken = token;
        }
    }

    HttpRequest.Builder request(String pathAndQuery, String port) {
        HttpRequest.Builder b = HttpRequest.newBuilder(transport.config().uri(pathAndQuery))
                .timeout(transport.config().requestTimeout())
                .header("E2b-Sandbox-Id", sandboxId)
                .header("E2b-Sandbox-Port", port)
                .header("User-Agent", "airlock-java-sdk");
        String token = accessToken;
        if (token != null && !token.isEmpty()) {
            b.header("X-Access-Token", token);
        }
        return b;
    }

    /** A unary Connect call to envd as {@code user}: the answer message. */
    JsonNode unary(String rpc, JsonNode message, String user, String what) {
        HttpRequest request = request("/" + rpc, ENVD_PORT)
                .header("Content-Type", "application/json")
                .header("Connect-Protocol-Version", "1")
                .header("Authorization", basic(user))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(message)))
                .build();
        return transport.expect(request, what, true).json();
    }

    /**
     * A server-streaming Connect call to envd as {@code user}, returned once the answer's headers
     * arrive.
     *
     * @param deadline the call's deadline ({@code Connect-Timeout-Ms}); zero for none
     */
    /** Names the secrets a started command gets, on top of its sandbox's. */
    static final String SECRETS_HEADER = "X-Airlock-Secrets";

    Envelopes stream(String rpc, JsonNode message, String user, Duration deadline, String what) {
        return stream(rpc, message, user, deadline, List.of(), what);
    }

    /** A stream call that also names the secrets the started process gets ({@code X-Airlock-Secrets}). */
    Envelopes stream(String rpc, JsonNode message, String user, Duration deadline, List<String> secrets, String what) {
        HttpRequest.Builder b = request("/" + rpc, ENVD_PORT)
                .header("Content-Type", "application/connect+json")
                .header("Connect-Protocol-Version", "1")
                .header("Authorization", basic(user))
                .header("Keepalive-Ping-Interval", "15")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Envelopes.envelope(message)));
        if (!deadline.isZero()) {
            b.header("Connect-Timeout-Ms", Long.toString(deadline.toMillis()));
        }
        if (!secrets.isEmpty()) {
            // The vault opens only to the tenant's API key, never to the sandbox's access token alone.
            b.header(SECRETS_HEADER, String.join(",", secrets)).header("X-API-Key", transport.config().apiKey());
        }
        return new Envelopes(transport.stream(b.build(), what, true), what);
    }

    /** {@code /files?path=&username=}. */
    static String filesPath(String path, String user) {
        return "/files?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8) + "&username="
                + URLEncoder.encode(user, StandardCharsets.UTF_8);
    }

    InputStream download(String path, String user, String what) {
        return transport.stream(request(filesPath(path, user), ENVD_PORT).GET().build(), what, true);
    }

    void upload(String path, String user, HttpRequest.BodyPublisher body, String what) {
        HttpRequest request = request(filesPath(path, user), ENVD_PORT)
                .header("Content-Type", "application/octet-stream")
                .POST(body)
                .build();
        transport.expect(request, what, true);
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8));
    }
}
