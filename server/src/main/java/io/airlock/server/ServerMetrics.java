package io.airlock.server;

import io.airlock.core.Sandbox;
import io.airlock.core.SandboxListener;
import io.airlock.core.SandboxService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * Prometheus metrics at {@code GET /metrics}: HTTP requests by route and status, sandboxes alive,
 * created and ended (by reason), and the JVM's own. Request timing is a before/after pair.
 */
final class ServerMetrics implements SandboxListener {
    private static final String START = "airlock.request.start";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter created;

    ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        created = Counter.builder("airlock.sandboxes.created").description("sandboxes created").register(registry);
    }

    /** Exposes the number of live sandboxes. */
    void bind(SandboxService sandboxes) {
        Supplier<Number> alive = () -> sandboxes.list().size();
        Gauge.builder("airlock.sandboxes.alive", alive).description("sandboxes alive now").register(registry);
    }

    void install(RoutesConfig routes) {
        routes.before(ctx -> ctx.attribute(START, System.nanoTime()));
        routes.after(this::record);
    }

    void scrape(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
    }

    private void record(Context ctx) {
        Long start = ctx.attribute(START);
        if (start == null) {
            return;
        }
        io.javalin.router.Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        String route = matched == null ? "unmatched" : matched.path;
        HandlerType method = ctx.method();
        Timer.builder("airlock.http.requests")
                .tag("method", method.name())
                .tag("route", route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .register(registry)
                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    @Override
    public void created(Sandbox sandbox) {
        created.increment();
    }

    @Override
    public void ended(String id, String reason) {
        Counter.builder("airlock.sandboxes.ended").tag("reason", reason).register(registry).increment();
    }
}
