package io.airlock.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxListener;
import io.airlock.core.SandboxRuntime;
import io.airlock.core.SandboxService;
import io.airlock.core.Templates;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.crypto.MasterKeys;
import io.airlock.core.egress.BlockedAddresses;
import io.airlock.core.egress.EgressRules;
import io.airlock.core.egress.EgressSettings;
import io.airlock.core.secrets.SecretGrants;
import io.airlock.core.secrets.Vault;
import io.airlock.core.workspace.Workspaces;
import io.airlock.runtime.OciRuntime;
import io.airlock.runtime.TemplateCatalog;
import io.airlock.server.auth.ApiKeyAuth;
import io.airlock.server.auth.Caller;
import io.airlock.server.e2b.E2bApi;
import io.airlock.server.e2b.MetricsHistory;
import io.airlock.server.e2b.SandboxTokens;
import io.airlock.server.envd.EnvdApi;
import io.airlock.server.interpreter.InterpreterApi;
import io.airlock.store.Store;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: wires the store, templates, the OCI runtime, the service layer and the
 * HTTP front doors, by hand. {@link #start} returns a running server; {@link #close} stops
 * accepting requests, kills every sandbox, then closes the store.
 *
 * <p>One port serves every front door. Requests with an {@code E2b-Sandbox-Id} header are the
 * E2B data plane: envd, or the code interpreter for {@code E2b-Sandbox-Port: 49999}; everything
 * else is the control plane: E2B's REST API, Airlock's own
 * {@code /v1} API and {@code /admin}, all behind API keys.
 */
public final class Airlock implements AutoCloseable {
    /** A tenant's own ceiling from the store; a tenant that is gone (or has none) gets the operator's. */
    private static EgressSettings.TenantCeilings tenantCeilings(Store store) {
        return tenantId -> {
            if (tenantId.isEmpty()) {
                return Optional.empty();
            }
            try {
                return store.tenants().egressCeiling(tenantId).map(rules -> EgressRules.parse("ceiling", rules));
            } catch (io.airlock.store.NotFoundException e) {
                return Optional.empty();
            }
        };
    }

    private static final Logger log = LoggerFactory.getLogger(Airlock.class);
    static final long MAX_JSON_BODY = 1 << 20;

    private final Javalin http;
    private final SandboxService service;
    private final SandboxRuntime runtime;
    private final Store store;
    private final MetricsHistory metrics;
    private final StoreRecords records;
    private final Workspaces workspaces;
    private final @Nullable String firstAdminKey;

    private Airlock(Javalin http, SandboxService service, SandboxRuntime runtime, Store store, MetricsHistory metrics,
            StoreRecords records, Workspaces workspaces, @Nullable String firstAdminKey) {
        this.workspaces = workspaces;
        this.records = records;
        this.http = http;
        this.service = service;
        this.runtime = runtime;
        this.store = store;
        this.metrics = metrics;
        this.firstAdminKey = firstAdminKey;
    }

    /** Starts everything; on failure, whatever started is stopped again. */
    public static Airlock start(AirlockConfig config) {
        Clock clock = Clock.systemUTC();
        List<AutoCloseable> started = new ArrayList<>();
        try {
            // First: the runtime claims the home and the state root, so that a second server on
            // either stops here, before it ends the first one's sandbox records or reaps its sandboxes.
            SandboxRuntime runtime = OciRuntime.create(config.home(), config.stateRoot(), config.agent(), config.egress().dns());
            started.add(runtime);
            Store store = config.databaseUrl() == null ? Store.sqlite(config.home().resolve("airlock.db"), clock)
                    : Store.open(config.databaseUrl(), clock);
            started.add(store);
            Optional<String> adminKey = store.tenants().ensureAdmin(config.home().resolve("admin.key"));
            DataKeys dataKeys = new DataKeys(MasterKeys.load(config.keys().asEnvironment(), config.home().resolve("master.key")),
                    store.wrappedKeys());
            dataKeys.rewrapAll();
            Workspaces workspaces = store.workspaces(dataKeys, config.home().resolve("workspaces"), config.workspaceLimits());
            int stale = store.sandboxes().endAllLive(clock.instant(), "server restart");
            Templates templates = TemplateCatalog.open(config.templates(), clock);
            SandboxTokens tokens = SandboxTokens.open(config.home().resolve("server.secret"));
            ServerMetrics serverMetrics = new ServerMetrics();
            StoreRecords records = new StoreRecords(store, clock);
            started.add(0, records);
            List<SandboxListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(records, serverMetrics));
            EgressSettings egress = new EgressSettings(config.egress().ceiling(), tenantCeilings(store), config.egress().limits(),
                    BlockedAddresses.live(config.egress().block()), store.egress());
            SandboxService service = SandboxService.create(templates, runtime, config.policy(), clock,
                    new TenantQuotas(store.tenants(), clock), fanOut(listeners), egress, workspaces, config.workspaceLimits());
            started.add(0, service);
            MetricsHistory metrics = new MetricsHistory(service, clock, Duration.ofSeconds(5));
            started.add(0, metrics);
            Vault vault = Vault.create(dataKeys, store.secrets(), clock);
            SecretGrants secretGrants = new SecretGrants(vault, service);
            java.util.function.Function<String, Optional<Caller>> keyCallers = key -> store.tenants().identify(key)
                    .map(k -> new Caller(k.tenant().id(), k.tenant().name(), k.tenant().admin(), k.keyId()));
            ApiKeyAuth auth = new ApiKeyAuth(keyCallers);
            EnvdApi envd = new EnvdApi(service, tokens, clock, secretGrants, keyCallers);
            InterpreterApi interpreter = new InterpreterApi(service, envd, clock, secretGrants);
            listeners.add(ended(id -> {
                secretGrants.ended(id);
                tokens.forget(id);
                metrics.forget(id);
                interpreter.forget(id);
            }));
            serverMetrics.bind(service);
            int reaped = service.start();
            if (reaped > 0 || stale > 0) {
                log.atWarn().addKeyValue("reaped", reaped).addKeyValue("records", stale).log("cleaned up after an earlier server");
            }
            metrics.start();

            PlatformApi platform = new PlatformApi(service, templates, config.policy(), secretGrants);
            SecretsApi secretsApi = new SecretsApi(vault);
            E2bApi e2b = new E2bApi(service, templates, config.policy(), tokens, metrics, clock, secretGrants);
            AdminApi admin = new AdminApi(store.tenants(), service, dataKeys);
            WorkspaceApi workspaceApi = new WorkspaceApi(workspaces);
            EgressApi egressApi = new EgressApi(service, id -> store.sandboxes().find(id).map(r -> r.tenantId()));
            Javalin http = Javalin.create(c -> {
                c.concurrency.useVirtualThreads = true;
                c.http.maxRequestSize = MAX_JSON_BODY;
                c.startup.showJavalinBanner = false;
                c.jsonMapper(new JavalinJackson(mapper(), true));
                c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
                c.jetty.modifyHttpConfiguration(h -> h.setSendServerVersion(false));
                serverMetrics.install(c.routes);
                c.routes.get("/health", ctx -> {
                    if (EnvdApi.isDataPlane(ctx)) {
                        envd.health(ctx);
                    } else {
                        ctx.status(204);
                    }
                });
                c.routes.get("/metrics", ctx -> {
                    if (EnvdApi.isDataPlane(ctx)) {
                        envd.metrics(ctx);
                    } else {
                        serverMetrics.scrape(ctx);
                    }
                });
                List<String> guarded = new ArrayList<>(E2bApi.GUARDED_PATHS);
                guarded.addAll(List.of("/v1/*", "/admin/*"));
                auth.install(c.routes, guarded.toArray(String[]::new));
                platform.routes(c.routes);
                secretsApi.routes(c.routes);
                egressApi.routes(c.routes);
                workspaceApi.routes(c.routes);
                e2b.routes(c.routes);
                admin.routes(c.routes);
                envd.routes(c.routes);
                interpreter.routes(c.routes);
                ErrorMapping.install(c.routes);
            });
            http.start(config.bind(), config.port());
            for (var connector : http.jettyServer().server().getConnectors()) {
                if (connector instanceof org.eclipse.jetty.server.AbstractConnector c) {
                    c.setIdleTimeout(config.idleTimeout().toMillis()); // slow or stalled clients are cut off
                }
            }
            log.atInfo().addKeyValue("bind", config.bind()).addKeyValue("port", http.port()).log("airlock listening");
            return new Airlock(http, service, runtime, store, metrics, records, workspaces, adminKey.orElse(null));
        } catch (RuntimeException e) {
            for (AutoCloseable c : started) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    static ObjectMapper mapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .build();
    }

    private static SandboxListener fanOut(List<SandboxListener> listeners) {
        return new SandboxListener() {
            @Override
            public void created(Sandbox sandbox) {
                for (SandboxListener l : listeners) {
                    l.created(sandbox);
                }
            }

            @Override
            public void ended(String id, String reason) {
                for (SandboxListener l : listeners) {
                    l.ended(id, reason);
                }
            }
        };
    }

    private static SandboxListener ended(java.util.function.Consumer<String> onEnd) {
        return new SandboxListener() {
            @Override
            public void created(Sandbox sandbox) {}

            @Override
            public void ended(String id, String reason) {
                onEnd.accept(id);
            }
        };
    }

    /** The port the server listens on (useful when configured with port 0). */
    public int port() {
        return http.port();
    }

    /** The service layer, for in-process callers such as tests and benchmarks. */
    public SandboxService service() {
        return service;
    }

    /** Tenants' workspaces, for in-process callers such as the sandbox side and tests. */
    public Workspaces workspaces() {
        return workspaces;
    }

    /** The admin API key if this start created it (the first start with this home), to be shown once. */
    public Optional<String> firstAdminKey() {
        return Optional.ofNullable(firstAdminKey);
    }

    @Override
    public void close() {
        http.stop();
        metrics.close();
        service.close();
        runtime.close();
        try {
            records.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
