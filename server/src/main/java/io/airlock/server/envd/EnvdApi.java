package io.airlock.server.envd;

import io.airlock.core.SandboxService;
import io.airlock.core.secrets.SecretGrants;
import io.airlock.core.secrets.Vault;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;

/**
 * The E2B data plane: what E2B's in-sandbox daemon, envd, serves on port 49983, served here by
 * the control-plane process for every sandbox on the one shared port. Requests are routed by the
 * {@code E2b-Sandbox-Id} header; the work is done inside the sandbox by its agent.
 *
 * <ul>
 *   <li>Connect RPC, JSON encoding over HTTP/1.1: {@code process.Process} ({@link ProcessRpc}) and
 *       {@code filesystem.Filesystem} ({@link FilesystemRpc});
 *   <li>REST: {@code /files} ({@link EnvdFiles}), {@code /health}, {@code /envs} and {@code /metrics}
 *       ({@link EnvdRest}).
 * </ul>
 */
public final class EnvdApi {
    private final ProcessRpc process;
    private final FilesystemRpc filesystem;
    private final EnvdFiles files;
    private final EnvdRest rest;
    private final SandboxService sandboxes;
    private final EnvdAccess access;

    /** The data plane without a secrets vault: processes get no secrets and output is not masked. */
    public EnvdApi(SandboxService sandboxes, EnvdAccess access, InstantSource clock) {
        this(sandboxes, access, clock, new SecretGrants(Vault.none(), sandboxes), key -> java.util.Optional.empty());
    }

    /**
     * The data plane; {@code secrets} gives commands the secrets they name (when the request also
     * carries the owning tenant's API key, authenticated by {@code keys}) and masks the values in
     * their output.
     */
    public EnvdApi(SandboxService sandboxes, EnvdAccess access, InstantSource clock, SecretGrants secrets,
            java.util.function.Function<String, java.util.Optional<io.airlock.server.auth.Caller>> keys) {
        this.sandboxes = sandboxes;
        this.access = access;
        this.process = new ProcessRpc(sandboxes, access, clock, secrets, keys);
        this.filesystem = new FilesystemRpc(sandboxes, access, clock);
        this.files = new EnvdFiles(sandboxes, access, clock);
        this.rest = new EnvdRest(sandboxes, access, clock);
    }

    /** Registers the routes only the data plane has. {@code /health} and {@code /metrics} are shared; see below. */
    public void routes(RoutesConfig r) {
        process.routes(r);
        filesystem.routes(r);
        files.routes(r);
        rest.routes(r);
    }

    /**
     * Serves a request for another service inside the sandbox (the code interpreter) the way
     * envd's REST routes are served: resolves the {@code E2b-Sandbox-Id} header to a running
     * sandbox, checks {@code X-Access-Token} when {@code tokenRequired}, and answers any failure
     * as {@code {code, message}} with the status envd would use (502 for a sandbox that is gone).
     */
    public void serve(Context ctx, boolean tokenRequired, SandboxHandler handler) {
        String id = ctx.header(EnvdCall.SANDBOX_HEADER);
        try {
            handler.handle(ctx, EnvdCall.resolve(ctx, sandboxes, access, tokenRequired).sandboxId());
        } catch (Exception e) {
            RestErrors.handle(ctx, sandboxes, id, e);
        }
    }

    /** Answers a data-plane request with envd's error shape {@code {code, message}}. */
    public static void reply(Context ctx, int status, String message) {
        RestErrors.send(ctx, status, message);
    }

    /** A data-plane handler, given the sandbox its request is for. */
    @FunctionalInterface
    public interface SandboxHandler {
        void handle(Context ctx, String sandboxId) throws Exception;
    }

    /** The port a data-plane request is addressed to ({@code E2b-Sandbox-Port}), or null if none. */
    public static @Nullable String port(Context ctx) {
        return ctx.header(EnvdCall.PORT_HEADER);
    }

    /** Whether a request carries the sandbox header, i.e. is for a sandbox's envd, not the control plane. */
    public static boolean isDataPlane(Context ctx) {
        return EnvdCall.isDataPlane(ctx);
    }

    /** envd's {@code GET /health}: 204 while the sandbox runs, 502 once it is gone. */
    public void health(Context ctx) {
        rest.health(ctx);
    }

    /** envd's {@code GET /metrics}: the sandbox's CPU, memory and disk use. */
    public void metrics(Context ctx) {
        rest.metrics(ctx);
    }
}
