package io.airlock.server.interpreter;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.airlock.core.EntryInfo;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxNotFoundException;
import io.airlock.core.SandboxService;
import io.airlock.core.secrets.SecretGrants;
import io.airlock.server.ErrorMapping;
import io.airlock.server.envd.EnvdApi;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * E2B's code-interpreter API, which E2B serves inside each sandbox on port 49999 and Airlock
 * serves on the shared data-plane port for requests with {@code E2b-Sandbox-Port: 49999}:
 *
 * <ul>
 *   <li>{@code POST /execute {code, context_id?, language?, env_vars?}}: runs code in a context
 *       (by id, else the default context of the language, python when none is named) and streams
 *       NDJSON lines ({@link ExecutionStream});
 *   <li>{@code GET|POST /contexts}, {@code POST /contexts/{id}/restart}, {@code DELETE /contexts/{id}}.
 * </ul>
 *
 * <p>{@code /execute} requires the sandbox's access token; the context routes, like E2B's, do not
 * (the SDKs do not send it there), so they are reachable by whoever knows the unguessable sandbox
 * id, and can restart or remove contexts but never run code.
 */
public final class InterpreterApi {
    /** The port E2B's code-interpreter server listens on inside a sandbox. */
    public static final String PORT = "49999";
    private static final int MAX_ENV_VARS = 256;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,255}");
    /** Names the bash kernel's own machinery uses; a per-call value would break its protocol. */
    private static final Pattern RESERVED_ENV = Pattern.compile("__airlock.*|AIRLOCK_JS_KERNEL_TOKEN|PROMPT_COMMAND|PS[0-4]|IFS"
            + "|SHELLOPTS|BASHOPTS|BASH_ENV|ENV|BASH_.*|HISTFILE");
    /** Executions that may wait for a busy context; more get 429 rather than a growing queue. */
    static final int MAX_QUEUED = 8;

    private final SandboxService sandboxes;
    private final EnvdApi dataPlane;
    private final InstantSource clock;
    private final SecretGrants secrets;
    private final Map<String, SandboxContexts> bySandbox = new ConcurrentHashMap<>();

    /** @param secrets masks the values a sandbox got in what its executions print */
    public InterpreterApi(SandboxService sandboxes, EnvdApi dataPlane, InstantSource clock, SecretGrants secrets) {
        this.secrets = secrets;
        this.sandboxes = sandboxes;
        this.dataPlane = dataPlane;
        this.clock = clock;
    }

    public void routes(RoutesConfig r) {
        r.post("/execute", ctx -> serve(ctx, true, this::execute));
        r.get("/contexts", ctx -> serve(ctx, false, (c, id) -> c.json(contexts(id).list().stream().map(CodeContext::wire).toList())));
        r.post("/contexts", ctx -> serve(ctx, false, this::create));
        r.post("/contexts/{context}/restart", ctx -> serve(ctx, false, this::restart));
        r.delete("/contexts/{context}", ctx -> serve(ctx, false, this::remove));
    }

    /** Drops a sandbox's contexts once it has ended (its kernels died with it). */
    public void forget(String sandboxId) {
        SandboxContexts gone = bySandbox.remove(sandboxId);
        if (gone != null) {
            gone.close("the sandbox ended");
        }
    }

    record ExecuteBody(@Nullable String code, @JsonProperty("context_id") @Nullable String contextId,
            @Nullable String language, @JsonProperty("env_vars") @Nullable Map<String, String> envVars) {}

    record ContextBody(@Nullable String language, @Nullable String cwd) {}

    private void execute(Context ctx, String sandboxId) throws Exception {
        ExecuteBody body = read(ctx, ExecuteBody.class);
        if (body.code() == null) {
            throw InterpreterException.badRequest("code: required; send the code to run as a string");
        }
        if (body.contextId() != null && body.language() != null) {
            throw InterpreterException.badRequest("context_id and language: give one, not both (a context has its language)");
        }
        Map<String, String> env = envVars(body.envVars());
        requireRunning(sandboxId);
        SandboxContexts all = contexts(sandboxId);
        CodeContext c = body.contextId() != null ? find(all, body.contextId()) : all.defaultFor(Language.parse(body.language()));
        if (c.lock().getQueueLength() >= MAX_QUEUED) {
            throw new InterpreterException(429, "context '" + c.id + "' already has " + MAX_QUEUED
                    + " executions waiting for it; wait for them, or run in another context");
        }
        c.lock().lockInterruptibly();
        try {
            Kernel kernel = c.kernel();
            new ExecutionStream(kernel, ctx.res(), clock, line -> secrets.maskJson(sandboxId, line)).run(body.code(), env);
        } finally {
            c.lock().unlock();
        }
    }

    private void create(Context ctx, String sandboxId) throws Exception {
        ContextBody body = ctx.body().isBlank() ? new ContextBody(null, null) : read(ctx, ContextBody.class);
        String cwd = body.cwd() == null || body.cwd().isBlank() ? SandboxContexts.HOME : body.cwd();
        if (!cwd.startsWith("/") || cwd.length() > 4096 || cwd.indexOf('\0') >= 0) {
            throw InterpreterException.badRequest("cwd: must be an absolute path inside the sandbox, such as /home/user");
        }
        Language language = Language.parse(body.language());
        requireDirectory(sandboxId, cwd);
        SandboxContexts all = contexts(sandboxId);
        CodeContext c = all.create(language, cwd);
        boolean started = false;
        c.lock().lockInterruptibly();
        try {
            c.kernel();
            started = true;
        } finally {
            c.lock().unlock();
            if (!started) {
                all.remove(c.id);
                c.remove("it could not start");
            }
        }
        ctx.json(c.wire());
    }

    private void restart(Context ctx, String sandboxId) throws Exception {
        SandboxContexts all = contexts(sandboxId);
        CodeContext c = find(all, ctx.pathParam("context"));
        c.stopKernel("the context was restarted");
        c.lock().lockInterruptibly();
        try {
            // executions queued before the restart may have started a kernel meanwhile: the restart comes after them
            c.stopKernel("the context was restarted");
            c.kernel();
        } finally {
            c.lock().unlock();
        }
        ctx.status(204);
    }

    private void remove(Context ctx, String sandboxId) {
        SandboxContexts all = contexts(sandboxId);
        CodeContext c = find(all, ctx.pathParam("context"));
        all.remove(c.id);
        c.remove("the context was removed");
        ctx.status(204);
    }

    /** A kernel cannot start in a directory that is not there; say so plainly rather than as a failed spawn. */
    private void requireDirectory(String sandboxId, String cwd) {
        EntryInfo entry;
        try {
            entry = sandboxes.files(sandboxId).stat(cwd, "user");
        } catch (SandboxFileException e) {
            if (e.reason() == SandboxFileException.Reason.NOT_FOUND || e.reason() == SandboxFileException.Reason.NOT_A_DIRECTORY) {
                throw InterpreterException.badRequest("cwd: " + cwd + " does not exist in the sandbox; create it first"
                        + " (files.makeDir) or use another directory");
            }
            throw e;
        }
        if (entry.type() != EntryInfo.Type.DIRECTORY) {
            throw InterpreterException.badRequest("cwd: " + cwd + " is not a directory");
        }
    }

    private SandboxContexts contexts(String sandboxId) {
        SandboxContexts all = bySandbox.computeIfAbsent(sandboxId, id -> new SandboxContexts(id, sandboxes));
        try {
            sandboxes.get(sandboxId);
        } catch (SandboxNotFoundException e) {
            forget(sandboxId); // it ended while this request was on its way: keep no contexts for it
            throw e;
        }
        return all;
    }

    /**
     * A paused sandbox's kernels are frozen: input would wait, and an interrupt would land only
     * on resume, costing the context its state. Refused up front, as envd's file routes do.
     */
    private void requireRunning(String sandboxId) {
        if (sandboxes.get(sandboxId).state() == Sandbox.State.PAUSED) {
            throw new InterpreterException(409, "sandbox " + sandboxId + " is paused; connect to it (Sandbox.connect) to resume it first");
        }
    }

    private static CodeContext find(SandboxContexts all, String id) {
        return all.get(id).orElseThrow(() -> new InterpreterException(404, "context '"
                + (id.length() > 64 ? id.substring(0, 64) + "…" : id)
                + "' does not exist in this sandbox (it was removed, or never created); listCodeContexts() shows those that do"));
    }

    private static Map<String, String> envVars(@Nullable Map<String, String> env) {
        if (env == null) {
            return Map.of();
        }
        if (env.size() > MAX_ENV_VARS) {
            throw InterpreterException.badRequest("env_vars: at most " + MAX_ENV_VARS + " variables per call, got " + env.size());
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                String k = e.getKey().length() > 40 ? e.getKey().substring(0, 40) + "…" : e.getKey();
                throw InterpreterException.badRequest("env_vars: '" + k + "' is not a variable name (letters, digits and _, not starting with a digit)");
            }
            if (RESERVED_ENV.matcher(e.getKey()).matches()) {
                throw InterpreterException.badRequest("env_vars: " + e.getKey() + " is reserved: it would change how the kernel's"
                        + " shell works rather than what the code sees; set it inside the code instead");
            }
            if (e.getValue() == null || e.getValue().indexOf('\0') >= 0) {
                throw InterpreterException.badRequest("env_vars." + e.getKey() + ": must be a string without NUL characters");
            }
        }
        return env;
    }

    private static <T> T read(Context ctx, Class<T> type) throws JsonProcessingException {
        return E2bLines.JSON.readValue(ctx.body(), type);
    }

    /** Runs a handler as a data-plane call for port 49999, answering its failures in envd's error shape. */
    private void serve(Context ctx, boolean tokenRequired, EnvdApi.SandboxHandler handler) {
        if (!EnvdApi.isDataPlane(ctx)) {
            EnvdApi.reply(ctx, 404, ctx.path() + " belongs to the code interpreter: send E2b-Sandbox-Id and E2b-Sandbox-Port: "
                    + PORT + " headers (the @e2b/code-interpreter SDK does)");
            return;
        }
        String port = EnvdApi.port(ctx);
        if (port != null && !port.equals(PORT)) {
            EnvdApi.reply(ctx, 404, ctx.path() + " is served on port " + PORT + ", not " + (port.length() > 8 ? "that port" : port));
            return;
        }
        dataPlane.serve(ctx, tokenRequired, (c, id) -> {
            try {
                handler.handle(c, id);
            } catch (InterpreterException e) {
                EnvdApi.reply(c, e.status(), e.getMessage());
            } catch (JsonProcessingException e) {
                EnvdApi.reply(c, 400, ErrorMapping.jsonMessage(e));
            }
        });
    }
}
