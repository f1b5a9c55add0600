package io.airlock.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@link Secrets} over {@code /v1/secrets}. */
final class HttpSecrets implements Secrets {
    private final Transport transport;

    HttpSecrets(Transport transport) {
        this.transport = transport;
    }

    @Override
    public SecretInfo set(String name, String value) {
        SandboxSpec.checkSecretNames(List.of(name));
        if (value == null) {
            throw new IllegalArgumentException("a secret's value is required");
        }
        return info(transport.expect(Transport.withJson(transport.control(path(name)), "PUT", Json.object().put("value", value))
                .build(), "set secret " + name, false).json());
    }

    @Override
    public List<SecretInfo> list() {
        JsonNode all = transport.expect(transport.control("/v1/secrets").GET().build(), "list secrets", false).json();
        List<SecretInfo> out = new ArrayList<>();
        all.forEach(s -> out.add(info(s)));
        return out;
    }

    @Override
    public SecretInfo get(String name) {
        return info(transport.expect(transport.control(path(name)).GET().build(), "get secret " + name, false).json());
    }

    @Override
    public void delete(String name) {
        transport.expect(transport.control(path(name)).DELETE().build(), "delete secret " + name, false);
    }

    @Override
    public List<SecretUse> uses(String name, int limit) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be in 1..1000, got " + limit);
        }
        JsonNode all = transport.expect(transport.control(path(name) + "/uses?limit=" + limit).GET().build(),
                "list uses of secret " + name, false).json();
        List<SecretUse> out = new ArrayList<>();
        all.forEach(u -> out.add(new SecretUse(Instant.parse(Json.text(u, "at")), Json.text(u, "sandboxId"), Json.text(u, "scope"),
                Json.text(u, "actor"))));
        return out;
    }

    private static SecretInfo info(JsonNode s) {
        return new SecretInfo(Json.text(s, "name"), Instant.parse(Json.text(s, "createdAt")), Instant.parse(Json.text(s, "updatedAt")));
    }

    private static String path(String name) {
        return "/v1/secrets/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
    }
}
