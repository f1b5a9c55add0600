package io.airlock.server;

import io.airlock.core.BuiltinTemplates;
import io.airlock.core.CommandRunner;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.ProcessSpec;
import io.airlock.core.Resources;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.SandboxProcess;
import io.airlock.core.SandboxRequest;
import io.airlock.core.SandboxService;
import io.airlock.core.Template;
import io.airlock.core.TemplateRecipe;
import io.airlock.core.Templates;
import io.airlock.core.Tier;
import io.airlock.server.PlatformDtos.CommitView;
import io.airlock.server.PlatformDtos.CreateSandbox;
import io.airlock.server.PlatformDtos.Exec;
import io.airlock.server.PlatformDtos.ExecResult;
import io.airlock.server.PlatformDtos.SandboxView;
import io.airlock.server.PlatformDtos.TemplateView;
import io.airlock.server.PlatformDtos.Timeout;
import io.airlock.server.auth.Caller;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import io.airlock.core.secrets.SecretGrants;
import io.airlock.core.secrets.SecretValues;
import java.util.HashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;
import java.util.Map;
import java.util.Objects;

/** Airlock's own platform API under {@code /v1}: sandboxes, exec and templates. */
final class PlatformApi {
    static final int EXEC_OUTPUT_CAP = 1 << 20;

    private final SandboxService sandboxes;
    private final Templates templates;
    private final SandboxPolicy policy;
    private final SecretGrants secrets;

    PlatformApi(SandboxService sandboxes, Templates templates, SandboxPolicy policy, SecretGrants secrets) {
        this.secrets = secrets;
        this.sandboxes = sandboxes;
        this.templates = templates;
        this.policy = policy;
    }

    void routes(RoutesConfig r) {
        r.post("/v1/sandboxes", this::create);
        r.get("/v1/sandboxes", ctx -> {
            String tenant = Caller.of(ctx).tenantId();
            ctx.json(sandboxes.list().stream().filter(s -> s.owner().equals(tenant)).map(SandboxView::of).toList());
        });
        r.get("/v1/sandboxes/{id}", ctx -> {
            Sandbox s = owned(ctx);
            ctx.json(SandboxView.of(s, sandboxes.workspace(s.id()).orElse(null)));
        });
        r.delete("/v1/sandboxes/{id}", ctx -> {
            // With a read-write workspace, answers once its final commit is durable, and says what it did.
            var commit = sandboxes.killAndCommit(owned(ctx).id());
            if (commit.isPresent()) {
                ctx.json(Map.of("workspace", CommitView.of(commit.get())));
            } else {
                ctx.status(204);
            }
        });
        r.post("/v1/sandboxes/{id}/workspace/sync", ctx -> ctx.json(CommitView.of(sandboxes.syncWorkspace(owned(ctx).id()))));
        r.post("/v1/sandboxes/{id}/timeout", ctx -> {
            Timeout t = ctx.bodyAsClass(Timeout.class);
            if (t == null || t.timeoutSeconds() == null) {
                throw new InvalidRequestException("timeoutSeconds", "required: seconds from now until the sandbox is killed");
            }
            ctx.json(SandboxView.of(sandboxes.setTimeout(owned(ctx).id(), Duration.ofSeconds(t.timeoutSeconds()))));
        });
        r.post("/v1/sandboxes/{id}/pause", ctx -> ctx.json(SandboxView.of(sandboxes.pause(owned(ctx).id()))));
        r.post("/v1/sandboxes/{id}/resume", ctx -> ctx.json(SandboxView.of(sandboxes.resume(owned(ctx).id(), null))));
        r.post("/v1/sandboxes/{id}/exec", this::exec);
        r.get("/v1/templates", ctx -> ctx.json(templates.list().stream().map(TemplateView::of).toList()));
        r.post("/v1/templates/{name}/build", this::build);
    }

    private void create(Context ctx) {
        CreateSandbox body = ctx.bodyAsClass(CreateSandbox.class);
        if (body == null || body.template() == null || body.template().isBlank()) {
            throw new InvalidRequestException("template", "required: the name of a built template, e.g. 'base'");
        }
        SandboxRequest request = new SandboxRequest(
                body.template(),
                body.resources() == null ? null : body.resources().toResources(policy.defaults()),
                Objects.requireNonNullElse(body.envVars(), Map.of()),
                body.timeoutSeconds() == null ? null : Duration.ofSeconds(body.timeoutSeconds()),
                Objects.requireNonNullElse(body.metadata(), Map.of()),
                body.runtime() == null ? null : Tier.parse("runtime", body.runtime()),
                Caller.of(ctx).tenantId(),
                NetworkBody.parse(null, body.network(), "network"),
                ReservedMetadata.workspace(body.metadata(), body.workspace() == null ? null : body.workspace().toRequest()));
        Caller caller = Caller.of(ctx);
        SecretValues values = secrets.resolve(caller.tenantId(), names(body.secrets()), "secrets");
        Sandbox created = secrets.create(request, values, caller.actor());
        ctx.status(201).json(SandboxView.of(created, sandboxes.workspace(created.id()).orElse(null)));
    }

    /**
     * Builds a built-in template (a cached one answers at once), streaming NDJSON progress lines
     * {@code {"fraction":0.42,"message":"…"}} and then {@code {"template":{…}}} or
     * {@code {"error":"…"}}. Admins only: a build runs mmdebstrap on the host.
     */
    private void build(Context ctx) throws java.io.IOException {
        Caller.of(ctx).requireAdmin();
        String name = ctx.pathParam("name");
        TemplateRecipe recipe = BuiltinTemplates.all().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new InvalidRequestException("name", "'" + name + "' is not a built-in template; built-ins: "
                        + BuiltinTemplates.all().stream().map(TemplateRecipe::name).toList()));
        ctx.contentType("application/x-ndjson");
        var out = ctx.res().getOutputStream();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Object lock = new Object();
        try {
            Template t = templates.build(recipe, (fraction, message) -> {
                synchronized (lock) {
                    try {
                        out.write(json.writeValueAsBytes(Map.of("fraction", fraction, "message", message)));
                        out.write('\n');
                        out.flush();
                    } catch (java.io.IOException e) {
                        // the client went away; the build finishes and is cached anyway
                    }
                }
            });
            out.write(json.writeValueAsBytes(Map.of("template", TemplateView.of(t))));
        } catch (RuntimeException e) {
            out.write(json.writeValueAsBytes(Map.of("error", String.valueOf(e.getMessage()))));
        }
        out.write('\n');
        out.flush();
    }

    private void exec(Context ctx) throws InterruptedException {
        Sandbox sandbox = owned(ctx);
        String id = sandbox.id();
        Exec body = ctx.bodyAsClass(Exec.class);
        if (body == null || body.cmd() == null || body.cmd().isEmpty()) {
            throw new InvalidRequestException("cmd", "required: a shell command, run as /bin/bash -l -c CMD");
        }
        int seconds = body.timeoutSeconds() == null ? 60 : body.timeoutSeconds();
        if (seconds < 1 || seconds > 86_400) {
            throw new InvalidRequestException("timeoutSeconds", "must be in 1..86400, got " + seconds);
        }
        Map<String, String> env = new HashMap<>(Objects.requireNonNullElse(body.envs(), Map.of()));
        env.putAll(secrets.forCommand(id, sandbox.owner(), names(body.secrets()), "secrets", Caller.of(ctx).actor()).env());
        ProcessSpec spec = new ProcessSpec(List.of("/bin/bash", "-l", "-c", body.cmd()),
                env, Objects.requireNonNullElse(body.cwd(), ""),
                Objects.requireNonNullElse(body.user(), ""), false, null, "");
        SandboxProcess p = sandboxes.spawn(id, spec);
        CommandRunner.Result r = CommandRunner.run(p, Duration.ofSeconds(seconds), EXEC_OUTPUT_CAP);
        String error = r.timedOut() ? "timed out after " + seconds + " s; the command was killed" : r.status().error();
        ctx.json(new ExecResult(r.status().exitCode(), secrets.mask(id, r.stdout()), secrets.mask(id, r.stderr()), r.truncated(),
                error == null ? null : secrets.mask(id, error)));
    }


    private static List<String> names(@Nullable List<String> names) {
        if (names == null) {
            return List.of();
        }
        if (names.contains(null)) {
            throw new InvalidRequestException("secrets", "must be a list of secret names, without nulls");
        }
        return names.stream().distinct().toList();
    }

    private Sandbox owned(Context ctx) {
        return Caller.of(ctx).owned(sandboxes, ctx.pathParam("id"));
    }
}
