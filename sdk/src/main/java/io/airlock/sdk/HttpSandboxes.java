package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** {@link Sandboxes} over E2B's control plane ({@code /sandboxes}, {@code /v2/sandboxes}) and Airlock's {@code /v1}. */
final class HttpSandboxes implements Sandboxes {
    private final Transport transport;

    HttpSandboxes(Transport transport) {
        this.transport = transport;
    }

    @Override
    public Sandbox create(SandboxSpec spec) {
        ObjectNode body = Json.object();
        body.put("templateID", spec.template());
        body.put("timeout", spec.timeout().toSeconds());
        body.put("secure", true);
        body.set("metadata", Json.map(spec.metadata()));
        body.set("envVars", Json.map(spec.env()));
        if (!spec.allowOut().isEmpty() || !spec.denyOut().isEmpty() || spec.learnEgress()) {
            ObjectNode network = body.putObject("network");
            network.set("allowOut", Json.array(spec.allowOut()));
            network.set("denyOut", Json.array(spec.denyOut()));
            if (spec.learnEgress()) {
                network.put("learn", true);
            }
        }
        String what = "create a sandbox from template '" + spec.template() + "'";
        JsonNode created = transport.expect(Transport.withJson(transport.control("/sandboxes"), "POST", body).build(), what, false).json();
        return handle(created, spec.timeout());
    }

    @Override
    public Sandbox connect(String sandboxId) {
        return connect(sandboxId, SandboxSpec.DEFAULT_TIMEOUT);
    }

    @Override
    public Sandbox connect(String sandboxId, Duration timeout) {
        return handle(connectCall(transport, sandboxId, timeout), timeout);
    }

    /** {@code POST /sandboxes/{id}/connect}: resumes a paused sandbox, extends a running one's time to live. */
    static JsonNode connectCall(Transport transport, String sandboxId, Duration timeout) {
        ObjectNode body = Json.object().put("timeout", Math.max(1, timeout.toSeconds()));
        String what = "connect to sandbox " + sandboxId;
        return transport.expect(Transport.withJson(transport.control("/sandboxes/" + path(sandboxId) + "/connect"), "POST", body)
                .build(), what, false).json();
    }

    private Sandbox handle(JsonNode created, Duration timeout) {
        String id = Json.text(created, "sandboxID");
        DataPlane plane = new DataPlane(transport, id, Json.text(created, "envdAccessToken"));
        return new HttpSandbox(plane, this, timeout);
    }

    @Override
    public Page<SandboxInfo> list(ListOptions options) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        if (!options.metadata().isEmpty()) {
            StringJoiner metadata = new StringJoiner("&");
            for (Map.Entry<String, String> e : options.metadata().entrySet()) {
                metadata.add(encode(e.getKey()) + "=" + encode(e.getValue()));
            }
            query.add("metadata=" + encode(metadata.toString()));
        }
        if (!options.states().isEmpty()) {
            StringJoiner states = new StringJoiner(",");
            options.states().stream().sorted().forEach(s -> states.add(s.wire()));
            query.add("state=" + encode(states.toString()));
        }
        if (options.limit() > 0) {
            query.add("limit=" + options.limit());
        }
        options.nextToken().ifPresent(t -> query.add("nextToken=" + encode(t)));
        Transport.Response r = transport.expect(transport.control("/v2/sandboxes" + query).GET().build(), "list sandboxes", false);
        List<SandboxInfo> items = new ArrayList<>();
        r.json().forEach(s -> items.add(Wire.sandbox(s)));
        return new Page<>(items, r.headers.firstValue("X-Next-Token").filter(t -> !t.isEmpty()).orElse(null));
    }

    @Override
    public SandboxInfo info(String sandboxId) {
        return Wire.sandbox(transport.expect(transport.control("/sandboxes/" + path(sandboxId)).GET().build(),
                "get sandbox " + sandboxId, false).json());
    }

    @Override
    public boolean kill(String sandboxId) {
        Transport.Response r = transport.send(transport.control("/sandboxes/" + path(sandboxId)).DELETE().build(),
                "kill sandbox " + sandboxId);
        if (r.status == 404) {
            return false;
        }
        if (r.status >= 300) {
            throw Errors.of(r.status, r.json(), "kill sandbox " + sandboxId, false);
        }
        return true;
    }

    @Override
    public EgressAudit egress(String sandboxId) {
        JsonNode audit = transport.expect(transport.control("/v1/sandboxes/" + path(sandboxId) + "/egress").GET().build(),
                "get the egress audit of sandbox " + sandboxId, false).json();
        return Wire.egress(sandboxId, audit);
    }

    static String path(String sandboxId) {
        if (sandboxId == null || sandboxId.isBlank()) {
            throw new IllegalArgumentException("sandboxId is blank; pass the id create() returned (Sandbox.sandboxId())");
        }
        return encode(sandboxId).replace("+", "%20");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
