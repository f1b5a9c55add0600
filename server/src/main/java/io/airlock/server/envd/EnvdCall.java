package io.airlock.server.envd;

import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxService;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One data-plane request, resolved: which sandbox it is for (the {@code E2b-Sandbox-Id} header)
 * and which user it acts as ({@code Authorization: Basic base64(user:)}, else the sandbox's
 * default user), and the secrets a process {@code Start} names ({@code X-Airlock-Secrets}, or
 * null). Construction checks the sandbox is alive and the access token matches.
 */
record EnvdCall(String sandboxId, String user, @Nullable String secretsHeader, @Nullable String apiKey) {
    EnvdCall(String sandboxId, String user) {
        this(sandboxId, user, null, null);
    }

    /** Never shows the API key. */
    @Override
    public String toString() {
        return "EnvdCall[" + sandboxId + ", " + user + ", secrets=" + secretsHeader + "]";
    }

    static final String SANDBOX_HEADER = "E2b-Sandbox-Id";
    static final String PORT_HEADER = "E2b-Sandbox-Port";
    static final String TOKEN_HEADER = "X-Access-Token";

    /** Whether a request is meant for a sandbox's envd rather than the control plane. */
    static boolean isDataPlane(Context ctx) {
        return ctx.header(SANDBOX_HEADER) != null;
    }

    /**
     * Resolves the request.
     *
     * @param tokenRequired whether {@code X-Access-Token} must match (false for paths envd itself
     *     exempts, or when the caller proved access another way, e.g. a signed URL)
     * @throws EnvdException 502 if the sandbox is unknown, killed or expired (as E2B's proxy
     *     answers), 401 if the token is missing or wrong, 400 for a malformed Authorization header
     */
    static EnvdCall resolve(Context ctx, SandboxService sandboxes, EnvdAccess access, boolean tokenRequired) {
        String id = ctx.header(SANDBOX_HEADER);
        if (id == null || id.isBlank()) {
            throw EnvdException.badGateway("", "the E2b-Sandbox-Id header is missing; the SDK sends it on every data-plane call");
        }
        Optional<String> token;
        String defaultUser;
        try {
            token = access.accessToken(id);
            defaultUser = sandboxes.defaultUser(id);
        } catch (SandboxNotFoundException e) {
            throw EnvdException.badGateway(id, "sandbox " + id + " is not running: it was killed, timed out, or never existed");
        }
        if (tokenRequired && token.isPresent() && !tokenMatches(token.get(), ctx.header(TOKEN_HEADER))) {
            throw new EnvdException(401, ctx.header(TOKEN_HEADER) == null
                    ? "this sandbox is secure: send its envdAccessToken in the X-Access-Token header"
                    : "the X-Access-Token does not match this sandbox's envdAccessToken");
        }
        return new EnvdCall(id, user(ctx.header("Authorization"), defaultUser), ctx.header(ProcessRpc.SECRETS_HEADER),
                ctx.header("X-API-Key"));
    }

    static boolean tokenMatches(String expected, String presented) {
        return presented != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The user named by {@code Authorization: Basic base64("user:")}, or the default. */
    static String user(String authorization, String defaultUser) {
        if (authorization == null || authorization.isBlank()) {
            return defaultUser;
        }
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new EnvdException(400, "Authorization must be 'Basic base64(user:)' naming the sandbox user");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new EnvdException(400, "Authorization: the Basic credentials are not valid base64");
        }
        int colon = decoded.indexOf(':');
        String name = colon < 0 ? decoded : decoded.substring(0, colon);
        if (name.isEmpty()) {
            return defaultUser;
        }
        if (!name.matches("[a-z_][a-z0-9_-]{0,31}")) {
            throw new EnvdException(400, "Authorization: '" + (name.length() > 40 ? name.substring(0, 40) + "…" : name)
                    + "' is not a valid user name");
        }
        return name;
    }
}
