package io.airlock.server.envd;

import io.airlock.core.Resources;
import io.airlock.core.Sandbox;
import io.airlock.core.SandboxService;
import io.airlock.core.SandboxStats;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * envd's small REST endpoints: {@code GET /health} (no token; 204 while the sandbox runs, 502 once
 * it is gone or paused, which is how the SDK's {@code isRunning} tells), {@code GET /envs} (the
 * sandbox's environment) and {@code GET /metrics} (envd's {@code Metrics}: CPU, memory and disk).
 *
 * <p>CPU use is the CPU time the sandbox used since the previous {@code /metrics} call for it,
 * as a share of the time passed times its CPU quota; the first call reports 0.
 */
final class EnvdRest {
    /** Beyond this many remembered CPU samples, those of dead sandboxes are dropped. */
    static final int SAMPLES_BEFORE_PRUNING = 64;

    private final SandboxService sandboxes;
    private final EnvdAccess access;
    private final InstantSource clock;
    private final Map<String, CpuSample> lastCpu = new ConcurrentHashMap<>();

    private record CpuSample(long cpuNanos, Instant at) {}

    EnvdRest(SandboxService sandboxes, EnvdAccess access, InstantSource clock) {
        this.sandboxes = sandboxes;
        this.access = access;
        this.clock = clock;
    }

    /** Registers {@code /envs}; {@code /health} and {@code /metrics} are shared with the control plane. */
    void routes(RoutesConfig r) {
        r.get("/envs", this::envs);
    }

    void health(Context ctx) {
        String id = ctx.header(EnvdCall.SANDBOX_HEADER);
        try {
            EnvdCall call = EnvdCall.resolve(ctx, sandboxes, access, false);
            if (sandboxes.get(call.sandboxId()).state() == Sandbox.State.PAUSED) {
                throw EnvdException.badGateway(call.sandboxId(), "sandbox " + call.sandboxId()
                        + " is paused; connect to it (Sandbox.connect) to resume it");
            }
            ctx.status(204);
        } catch (Exception e) {
            RestErrors.handle(ctx, sandboxes, id, e);
        }
    }

    private void envs(Context ctx) {
        String id = ctx.header(EnvdCall.SANDBOX_HEADER);
        try {
            EnvdCall call = EnvdCall.resolve(ctx, sandboxes, access, true);
            ctx.json(sandboxes.environment(call.sandboxId()));
        } catch (Exception e) {
            RestErrors.handle(ctx, sandboxes, id, e);
        }
    }

    void metrics(Context ctx) {
        String id = ctx.header(EnvdCall.SANDBOX_HEADER);
        try {
            EnvdCall call = EnvdCall.resolve(ctx, sandboxes, access, true);
            Resources resources = sandboxes.get(call.sandboxId()).resources();
            SandboxStats stats = sandboxes.stats(call.sandboxId());
            Instant now = clock.instant();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ts", now.getEpochSecond());
            m.put("cpu_count", (int) Math.max(1, Math.ceil(resources.cpus())));
            m.put("cpu_used_pct", cpuPercent(call.sandboxId(), stats.cpuNanos(), now, resources.cpus()));
            m.put("mem_total", stats.memoryLimitBytes());
            m.put("mem_used", stats.memoryBytes());
            m.put("mem_total_mib", stats.memoryLimitBytes() >> 20);
            m.put("mem_used_mib", stats.memoryBytes() >> 20);
            m.put("disk_used", stats.diskUsedBytes());
            m.put("disk_total", stats.diskTotalBytes());
            ctx.json(m);
        } catch (Exception e) {
            RestErrors.handle(ctx, sandboxes, id, e);
        }
    }

    /** Percent of the CPU quota used since the previous sample (0 for the first), rounded to 0.01. */
    private float cpuPercent(String sandboxId, long cpuNanos, Instant now, double cpus) {
        CpuSample previous = lastCpu.put(sandboxId, new CpuSample(cpuNanos, now));
        if (lastCpu.size() > SAMPLES_BEFORE_PRUNING) {
            Set<String> live = sandboxes.list().stream().map(Sandbox::id).collect(Collectors.toSet());
            lastCpu.keySet().retainAll(live);
        }
        if (previous == null) {
            return 0;
        }
        long wall = Duration.between(previous.at, now).toNanos();
        long used = cpuNanos - previous.cpuNanos;
        if (wall <= 0 || used <= 0) {
            return 0;
        }
        double pct = Math.min(100, used * 100.0 / (wall * cpus));
        return (float) (Math.round(pct * 100) / 100.0);
    }
}
