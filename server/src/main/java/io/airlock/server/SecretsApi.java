package io.airlock.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.secrets.SecretInfo;
import io.airlock.core.secrets.SecretUse;
import io.airlock.core.secrets.Vault;
import io.airlock.server.auth.Caller;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Iterator;

/**
 * {@code /v1/secrets}: the caller's tenant's vault. Values go in with {@code PUT} and never come
 * back out; every answer is metadata. Another tenant's secret of the same name is a plain 404.
 *
 * <p>The {@code PUT} body is parsed here rather than by the shared mapper, so that no parse error
 * can quote a piece of the value back.
 */
final class SecretsApi {
    private static final int DEFAULT_USES = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vault vault;

    SecretsApi(Vault vault) {
        this.vault = vault;
    }

    record SecretView(String name, String createdAt, String updatedAt) {
        static SecretView of(SecretInfo i) {
            return new SecretView(i.name(), i.createdAt().toString(), i.updatedAt().toString());
        }
    }

    record UseView(String at, String sandboxId, String scope, String actor) {
        static UseView of(SecretUse u) {
            return new UseView(u.at().toString(), u.sandboxId(), u.scope().wire(), u.actor());
        }
    }

    void routes(RoutesConfig r) {
        r.get("/v1/secrets", ctx -> ctx.json(vault.list(tenant(ctx)).stream().map(SecretView::of).toList()));
        r.get("/v1/secrets/{name}", ctx -> ctx.json(SecretView.of(vault.info(tenant(ctx), ctx.pathParam("name")))));
        r.put("/v1/secrets/{name}", this::put);
        r.delete("/v1/secrets/{name}", ctx -> {
            vault.delete(tenant(ctx), ctx.pathParam("name"));
            ctx.status(204);
        });
        r.get("/v1/secrets/{name}/uses", ctx -> ctx.json(vault.uses(tenant(ctx), ctx.pathParam("name"), limit(ctx)).stream()
                .map(UseView::of).toList()));
    }

    private void put(Context ctx) {
        String name = ctx.pathParam("name");
        Vault.checkName("name", name);
        ctx.json(SecretView.of(vault.put(tenant(ctx), name, value(ctx.body()))));
    }

    /** The {@code value} of a {@code {"value": "..."}} body; errors never include any of the body. */
    private static String value(String body) {
        JsonNode node;
        try {
            node = body.isBlank() ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new InvalidRequestException("value", "the body must be a JSON object {\"value\": \"...\"} (not echoed back)");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("value")) {
                throw new InvalidRequestException(field.length() > 40 ? field.substring(0, 40) : field,
                        "unknown field; the body has one field, value");
            }
        }
        JsonNode value = node.get("value");
        if (value == null || !value.isTextual()) {
            throw new InvalidRequestException("value", "required: the secret's value as a JSON string");
        }
        return value.textValue();
    }

    private static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return DEFAULT_USES;
        }
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("limit", "must be a whole number in 1..1000, got '"
                    + (raw.length() > 20 ? raw.substring(0, 20) : raw) + "'");
        }
    }

    private static String tenant(Context ctx) {
        return Caller.of(ctx).tenantId();
    }
}
