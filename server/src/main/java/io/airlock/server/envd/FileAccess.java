package io.airlock.server.envd;

import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxService;
import io.javalin.http.Context;
import java.time.InstantSource;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Who may use {@code /files}: for a secure sandbox, a request with its {@code X-Access-Token}, or
 * one with a {@code signature} ({@link FileSignature}) for the exact {@code path}, operation and
 * {@code username} in the query, unexpired per {@code signature_expiration} and the injected clock.
 *
 * <p>A signed URL the SDK builds from {@code E2B_SANDBOX_URL} is fetched without headers, so it
 * carries no {@code E2b-Sandbox-Id}: such a request goes to the live sandbox whose token validates
 * the signature (tried against each, in constant time per comparison).
 */
final class FileAccess {
    private final SandboxService sandboxes;
    private final EnvdAccess access;
    private final InstantSource clock;

    FileAccess(SandboxService sandboxes, EnvdAccess access, InstantSource clock) {
        this.sandboxes = sandboxes;
        this.access = access;
        this.clock = clock;
    }

    /**
     * Resolves the sandbox and checks access: the sandbox header and, for a secure sandbox, its
     * token or a valid signature; without the header, the live sandbox whose token validates the
     * signature.
     */
    EnvdCall authorize(Context ctx, String operation) {
        String path = Optional.ofNullable(ctx.queryParam("path")).orElse("");
        String username = Optional.ofNullable(ctx.queryParam("username")).orElse("");
        String signature = ctx.queryParam("signature");
        if (signature != null) {
            signature = signature.replace(' ', '+'); // a raw '+' in a hand-built URL decodes as a space
        }
        Long expiration = expiration(ctx.queryParam("signature_expiration"));
        if (EnvdCall.isDataPlane(ctx)) {
            EnvdCall call = EnvdCall.resolve(ctx, sandboxes, access, false);
            Optional<String> token = token(call.sandboxId());
            if (token.isEmpty()) {
                return call;
            }
            String header = ctx.header(EnvdCall.TOKEN_HEADER);
            if (header != null && !header.isEmpty()) {
                if (!EnvdCall.tokenMatches(token.get(), header)) {
                    throw new EnvdException(401, "the X-Access-Token does not match this sandbox's envdAccessToken");
                }
                return call;
            }
            if (signature == null) {
                throw new EnvdException(401, "this sandbox is secure: send its envdAccessToken in the X-Access-Token header, "
                        + "or use a signed URL (signature query parameter)");
            }
            if (!FileSignature.valid(signature, path, operation, username, token.get(), expiration)) {
                throw new EnvdException(401, "invalid signature: it was not made for this path, operation (" + operation
                        + "), username and expiration with this sandbox's token");
            }
            checkExpiration(expiration);
            return call;
        }
        if (signature == null) {
            throw new EnvdException(400, "the E2b-Sandbox-Id header is missing: send it (the SDK does), or use a signed "
                    + "URL of a secure sandbox (uploadUrl/downloadUrl)");
        }
        for (var s : sandboxes.list()) {
            Optional<String> token;
            try {
                token = access.accessToken(s.id());
            } catch (SandboxNotFoundException e) {
                continue; // died meanwhile
            }
            if (token.isPresent() && FileSignature.valid(signature, path, operation, username, token.get(), expiration)) {
                checkExpiration(expiration);
                String defaultUser;
                try {
                    defaultUser = sandboxes.defaultUser(s.id());
                } catch (SandboxNotFoundException e) {
                    break;
                }
                return new EnvdCall(s.id(), EnvdCall.user(ctx.header("Authorization"), defaultUser));
            }
        }
        throw new EnvdException(401, "invalid signature: it matches no running sandbox for this path, operation (" + operation
                + ") and username; the sandbox may be gone, or the URL was made for something else");
    }

    private Optional<String> token(String sandboxId) {
        try {
            return access.accessToken(sandboxId);
        } catch (SandboxNotFoundException e) {
            throw EnvdException.badGateway(sandboxId, "sandbox " + sandboxId + " is not running: it was killed, timed out, or never existed");
        }
    }

    private static @Nullable Long expiration(@Nullable String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new EnvdException(400, "signature_expiration: must be a unix time in seconds, got '"
                    + (value.length() > 30 ? value.substring(0, 30) + "…" : value) + "'");
        }
    }

    private void checkExpiration(@Nullable Long expiration) {
        long now = clock.instant().getEpochSecond();
        if (expiration != null && expiration < now) {
            throw new EnvdException(401, "signature is already expired (signature_expiration " + expiration + " is "
                    + (now - expiration) + " s in the past); make a new URL");
        }
    }
}
