package io.airlock.server.auth;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;
import java.util.function.Function;

/**
 * Requires an API key ({@code X-API-Key}, as the E2B SDKs send it) on the given paths and puts
 * the {@link Caller} on the request. A missing, malformed, unknown or revoked key is a 401 that
 * says which of these it was not, without revealing whether a key ever existed.
 */
public final class ApiKeyAuth {
    public static final String HEADER = "X-API-Key";

    private final Function<String, Optional<Caller>> keys;

    /** @param keys resolves a presented key to its caller; empty if it is not a valid, active key */
    public ApiKeyAuth(Function<String, Optional<Caller>> keys) {
        this.keys = keys;
    }

    /** Guards every path pattern with this check (Javalin before-handlers). */
    public void install(RoutesConfig routes, String... pathPatterns) {
        for (String p : pathPatterns) {
            routes.before(p, this::authenticate);
        }
    }

    private void authenticate(Context ctx) {
        if (ctx.attribute(Caller.ATTRIBUTE) != null) {
            return; // several patterns can match one path
        }
        String key = ctx.header(HEADER);
        if (key == null || key.isBlank()) {
            throw new UnauthenticatedException("missing API key: send it in the X-API-Key header (E2B_API_KEY for the E2B SDKs)");
        }
        Caller caller = keys.apply(key.trim())
                .orElseThrow(() -> new UnauthenticatedException("invalid API key: it is unknown or revoked"));
        ctx.attribute(Caller.ATTRIBUTE, caller);
    }
}
