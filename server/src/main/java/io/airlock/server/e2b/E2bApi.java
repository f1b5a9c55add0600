package io.airlock.server.e2b;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.InvalidRequestException;
import io.airlock.server.NetworkBody;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.SandboxRequest;
import io.airlock.server.ReservedMetadata;
import io.airlock.core.SandboxService;
import io.airlock.core.SandboxStateException;
import io.airlock.core.SandboxStats;
import io.airlock.core.Templates;
import io.airlock.core.secrets.SecretGrants;
import io.airlock.core.secrets.SecretValues;
import io.airlock.core.secrets.Vault;
import io.airlock.server.auth.Caller;
import io.airlock.server.e2b.E2bDtos.Metric;
import io.airlock.server.e2b.E2bDtos.NewSandbox;
import io.airlock.server.e2b.E2bDtos.PauseBody;
import io.airlock.server.e2b.E2bDtos.ResumeBody;
import io.airlock.server.e2b.E2bDtos.SandboxCreated;
import io.airlock.server.e2b.E2bDtos.SandboxDetail;
import io.airlock.server.e2b.E2bDtos.TemplateView;
import io.airlock.server.e2b.E2bDtos.TimeoutBody;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * E2B's control-plane REST API over the service layer, for the official SDKs: create, list,
 * inspect, kill, time out, connect, pause and resume sandboxes, their metrics, and templates.
 * Every route is behind an API key; a tenant sees only its own sandboxes.
 */
public final class E2bApi {
    /** Template names the E2B SDKs use by default, mapped to Airlock's built-ins. */
    static final Map<String, String> TEMPLATE_ALIASES = Map.of("code-interpreter-v1", "code-interpreter");

    private final SandboxService sandboxes;
    private final Templates templates;
    private final SandboxPolicy policy;
    private final SandboxTokens tokens;
    private final MetricsHistory metrics;
    private final InstantSource clock;
    private final SecretGrants secrets;

    public E2bApi(SandboxService sandboxes, Templates templates, SandboxPolicy policy, SandboxTokens tokens,
            MetricsHistory metrics, InstantSource clock, SecretGrants secrets) {
        this.secrets = secrets;
        this.sandboxes = sandboxes;
        this.templates = templates;
        this.policy = policy;
        this.tokens = tokens;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The paths to put behind {@link io.airlock.server.auth.ApiKeyAuth}. */
    public static final List<String> GUARDED_PATHS = List.of("/sandboxes", "/sandboxes/*", "/v2/sandboxes", "/templates");

    public void routes(RoutesConfig r) {
        r.post("/sandboxes", this::create);
        r.get("/sandboxes", ctx -> ctx.json(list(ctx, false)));
        r.get("/v2/sandboxes", ctx -> ctx.json(list(ctx, true)));
        r.get("/sandboxes/{id}", ctx -> {
            Sandbox s = owned(ctx);
            ctx.json(SandboxDetail.of(s, token(s), sandboxes.network(s.id())));
        });
        r.delete("/sandboxes/{id}", ctx -> {
            sandboxes.kill(owned(ctx).id());
            ctx.status(204);
        });
        r.post("/sandboxes/{id}/timeout", ctx -> {
            Sandbox s = owned(ctx);
            sandboxes.setTimeout(s.id(), timeout(ctx.bodyAsClass(TimeoutBody.class), true));
            ctx.status(204);
        });
        r.post("/sandboxes/{id}/refreshes", this::refresh);
        r.post("/sandboxes/{id}/connect", this::connect);
        r.post("/sandboxes/{id}/pause", this::pause);
        r.post("/sandboxes/{id}/resume", this::resume);
        r.get("/sandboxes/{id}/metrics", this::metrics);
        r.put("/sandboxes/{id}/network", ctx -> {
            Sandbox s = owned(ctx);
            JsonNode body = ctx.body().isBlank() ? null : ctx.bodyAsClass(JsonNode.class);
            sandboxes.updateNetwork(s.id(), NetworkBody.parse(null, body, "body"));
            ctx.status(204);
        });
        r.get("/templates", ctx -> ctx.json(templates.list().stream()
                .map(t -> TemplateView.of(t, (int) Math.ceil(policy.defaults().cpus()), policy.defaults().memoryBytes() >> 20,
                        policy.defaults().diskBytes() >> 20))
                .toList()));
    }

    private void create(Context ctx) {
        NewSandbox b = ctx.bodyAsClass(NewSandbox.class);
        if (b == null || b.templateID() == null || b.templateID().isBlank()) {
            throw new InvalidRequestException("templateID", "required: the template to start from, e.g. 'base'");
        }
        refuseUnsupported(b);
        String template = TEMPLATE_ALIASES.getOrDefault(b.templateID(), b.templateID());
        Duration ttl = b.timeout() == null ? policy.defaultTimeout() : seconds("timeout", b.timeout());
        SandboxRequest request = SandboxRequest.of(template)
                .withTimeout(ttl)
                .withEnv(Objects.requireNonNullElse(b.envVars(), Map.of()))
                .withMetadata(Objects.requireNonNullElse(b.metadata(), Map.of()))
                .withOwner(Caller.of(ctx).tenantId())
                .withNetwork(NetworkBody.parse(b.allowInternetAccess(), b.network(), "network"))
                .withWorkspace(ReservedMetadata.workspace(b.metadata(), null));
        Caller caller = Caller.of(ctx);
        String named = request.metadata().get(SecretGrants.METADATA_KEY);
        SecretValues values = secrets.resolve(caller.tenantId(),
                named == null ? List.of() : Vault.parseNames("metadata." + SecretGrants.METADATA_KEY, named),
                "metadata." + SecretGrants.METADATA_KEY);
        Sandbox s = secrets.create(request, values, caller.actor());
        boolean secure = b.secure() == null || b.secure();
        if (!secure) {
            tokens.markInsecure(s.id());
        }
        ctx.status(201).json(SandboxCreated.of(s, secure ? tokens.tokenFor(s.id()) : null));
    }

    /** Options E2B has that Airlock does not implement yet are refused by name rather than ignored. */
    private static void refuseUnsupported(NewSandbox b) {
        if (Boolean.TRUE.equals(b.autoPause())) {
            throw new InvalidRequestException("autoPause", "is not supported: sandboxes are killed at their timeout; pause them explicitly");
        }
        if (enabled(b.autoResume())) {
            throw new InvalidRequestException("autoResume", "is not supported: resume a paused sandbox with connect");
        }
        if (b.mcp() != null && !b.mcp().isNull()) {
            throw new InvalidRequestException("mcp", "the MCP gateway inside sandboxes is not supported; leave mcp unset");
        }
        if (b.iam() != null && !b.iam().isNull() && !b.iam().isEmpty()) {
            throw new InvalidRequestException("iam", "workload identity tokens are not supported; leave iam unset");
        }
        if (b.volumeMounts() != null && !b.volumeMounts().isEmpty()) {
            throw new InvalidRequestException("volumeMounts", "volumes are not supported; leave volumeMounts empty");
        }
    }

    private static boolean enabled(@Nullable JsonNode autoResume) {
        return autoResume != null && autoResume.path("enabled").asBoolean(false);
    }

    private List<SandboxDetail> list(Context ctx, boolean paged) {
        SandboxListing listing = SandboxListing.parse(ctx.queryParamMap(), paged);
        String tenant = Caller.of(ctx).tenantId();
        List<Sandbox> mine = sandboxes.list().stream().filter(s -> s.owner().equals(tenant)).toList();
        SandboxListing.Page page = listing.apply(mine);
        if (page.nextToken() != null) {
            ctx.header("X-Next-Token", page.nextToken());
        }
        ctx.header("X-Total-Running", Integer.toString(page.total()));
        return page.items().stream().map(s -> SandboxDetail.of(s, null, false)).toList();
    }

    /** Connect: resumes a paused sandbox (201) or returns a running one (200); the time to live only ever grows. */
    private void connect(Context ctx) {
        Sandbox s = owned(ctx);
        Duration ttl = timeout(ctx.bodyAsClass(TimeoutBody.class), true);
        if (s.state() == Sandbox.State.PAUSED) {
            s = sandboxes.resume(s.id(), ttl);
            ctx.status(201);
        } else {
            s = extend(s, ttl);
            ctx.status(200);
        }
        ctx.json(SandboxCreated.of(s, token(s)));
    }

    private void refresh(Context ctx) {
        Sandbox s = owned(ctx);
        JsonNode body = ctx.bodyAsClass(JsonNode.class);
        JsonNode duration = body == null ? null : body.get("duration");
        if (duration != null && !duration.isInt()) {
            throw new InvalidRequestException("duration", "must be whole seconds (0..3600)");
        }
        int seconds = duration == null ? 60 : duration.asInt();
        if (seconds < 0 || seconds > 3600) {
            throw new InvalidRequestException("duration", "must be in 0..3600 seconds, got " + seconds);
        }
        extend(s, Duration.ofSeconds(seconds));
        ctx.status(204);
    }

    private Sandbox extend(Sandbox s, Duration ttl) {
        Instant wanted = clock.instant().plus(ttl);
        return wanted.isAfter(s.endAt()) ? sandboxes.setTimeout(s.id(), ttl) : s;
    }

    private void pause(Context ctx) {
        Sandbox s = owned(ctx);
        if (!ctx.body().isBlank()) {
            ctx.bodyAsClass(PauseBody.class); // validated only: memory is always kept, the freezer keeps every page
        }
        if (s.state() == Sandbox.State.PAUSED) {
            throw new SandboxStateException("sandbox " + s.id() + " is already paused; connect to resume it");
        }
        sandboxes.pause(s.id());
        ctx.status(204);
    }

    private void resume(Context ctx) {
        Sandbox s = owned(ctx);
        ResumeBody body = ctx.body().isBlank() ? new ResumeBody(null, null) : ctx.bodyAsClass(ResumeBody.class);
        if (s.state() == Sandbox.State.RUNNING) {
            throw new SandboxStateException("sandbox " + s.id() + " is already running");
        }
        Duration ttl = body.timeout() == null ? null : seconds("timeout", body.timeout());
        s = sandboxes.resume(s.id(), ttl);
        ctx.status(201).json(SandboxCreated.of(s, token(s)));
    }

    private void metrics(Context ctx) {
        Sandbox s = owned(ctx);
        Instant from = unixParam(ctx, "start", s.startedAt());
        Instant to = unixParam(ctx, "end", clock.instant().plusSeconds(1));
        int cpus = (int) Math.ceil(s.resources().cpus());
        ctx.json(metrics.samples(s.id(), from, to).stream().map(x -> {
            SandboxStats st = x.stats();
            return new Metric(x.at().toString(), x.at().getEpochSecond(), cpus, x.cpuUsedPct(), st.memoryBytes(),
                    st.memoryLimitBytes(), 0, st.diskUsedBytes(), st.diskTotalBytes());
        }).toList());
    }

    private static Instant unixParam(Context ctx, String name, Instant otherwise) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) {
            return otherwise;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name, "must be a Unix time in seconds, got '" + v + "'");
        }
    }

    private Sandbox owned(Context ctx) {
        return Caller.of(ctx).owned(sandboxes, ctx.pathParam("id"));
    }

    private @Nullable String token(Sandbox s) {
        return tokens.accessToken(s.id()).orElse(null);
    }

    private Duration timeout(@Nullable TimeoutBody body, boolean required) {
        if (body == null || body.timeout() == null) {
            if (required) {
                throw new InvalidRequestException("timeout", "required: seconds from now until the sandbox is killed");
            }
            return policy.defaultTimeout();
        }
        return seconds("timeout", body.timeout());
    }

    private Duration seconds(String field, int seconds) {
        if (seconds < 0) {
            throw new InvalidRequestException(field, "must not be negative, got " + seconds);
        }
        if (seconds > policy.maxTimeout().toSeconds()) {
            throw new InvalidRequestException(field, "must be at most " + policy.maxTimeout().toSeconds() + " seconds, got " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }
}
