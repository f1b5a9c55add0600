package io.airlock.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.airlock.core.SandboxRuntime;
import io.airlock.core.SandboxService;
import io.airlock.core.Templates;
import io.airlock.runtime.OciRuntime;
import io.airlock.runtime.TemplateCatalog;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: wires templates, the OCI runtime, the service layer and the HTTP front
 * doors, by hand. {@link #start} returns a running server; {@link #close} stops accepting
 * requests, then kills every sandbox.
 */
public final class Airlock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Airlock.class);
    static final long MAX_JSON_BODY = 1 << 20;

    private final Javalin http;
    private final SandboxService service;
    private final SandboxRuntime runtime;

    private Airlock(Javalin http, SandboxService service, SandboxRuntime runtime) {
        this.http = http;
        this.service = service;
        this.runtime = runtime;
    }

    /** Starts everything; on failure, whatever started is stopped again. */
    public static Airlock start(AirlockConfig config) {
        Templates templates = TemplateCatalog.open(config.templates(), Clock.systemUTC());
        SandboxRuntime runtime = OciRuntime.create(config.home(), config.stateRoot(), config.agent());
        SandboxService service = SandboxService.create(templates, runtime, config.policy(), Clock.systemUTC());
        try {
            int reaped = service.start();
            if (reaped > 0) {
                log.atWarn().addKeyValue("reaped", reaped).log("reaped sandboxes left by an earlier server");
            }
            PlatformApi platform = new PlatformApi(service, templates, config.policy());
            Javalin http = Javalin.create(c -> {
                c.concurrency.useVirtualThreads = true;
                c.http.maxRequestSize = MAX_JSON_BODY;
                c.startup.showJavalinBanner = false;
                c.jsonMapper(new JavalinJackson(mapper(), true));
                c.routes.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
                platform.routes(c.routes);
                ErrorMapping.install(c.routes);
            });
            http.start(config.bind(), config.port());
            log.atInfo().addKeyValue("bind", config.bind()).addKeyValue("port", http.port()).log("airlock listening");
            return new Airlock(http, service, runtime);
        } catch (RuntimeException e) {
            service.close();
            runtime.close();
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

    /** The port the server listens on (useful when configured with port 0). */
    public int port() {
        return http.port();
    }

    /** The service layer, for in-process callers such as tests and benchmarks. */
    public SandboxService service() {
        return service;
    }

    @Override
    public void close() {
        http.stop();
        service.close();
        runtime.close();
    }
}
