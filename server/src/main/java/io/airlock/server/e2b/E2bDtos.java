package io.airlock.server.e2b;

import io.airlock.core.egress.NetworkRules;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Sandbox;
import io.airlock.core.Template;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Request and response bodies of E2B's control-plane REST API, named as E2B's OpenAPI spec names them. */
final class E2bDtos {
    /** The envd version Airlock's data plane implements; the SDKs gate features on it. */
    static final String ENVD_VERSION = "0.6.4";

    private E2bDtos() {}

    /** POST /sandboxes. Every field E2B defines is known; the ones Airlock cannot honour yet are refused when set. */
    record NewSandbox(
            @Nullable String templateID,
            @Nullable Integer timeout,
            @Nullable Boolean autoPause,
            @Nullable Boolean autoPauseMemory,
            @Nullable JsonNode autoResume,
            @Nullable Boolean secure,
            @JsonProperty("allow_internet_access") @Nullable Boolean allowInternetAccess,
            @Nullable JsonNode network,
            @Nullable Map<String, String> metadata,
            @Nullable Map<String, String> envVars,
            @Nullable JsonNode mcp,
            @Nullable JsonNode iam,
            @Nullable List<JsonNode> volumeMounts) {}

    /** POST /sandboxes/{id}/timeout and /connect. */
    record TimeoutBody(@Nullable Integer timeout) {}

    /** POST /sandboxes/{id}/pause. */
    record PauseBody(@Nullable Boolean memory) {}

    /** POST /sandboxes/{id}/resume (deprecated in favour of connect). */
    record ResumeBody(@Nullable Integer timeout, @Nullable Boolean autoPause) {}

    /** The {@code Sandbox} schema: what create, connect and resume answer. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SandboxCreated(
            String templateID,
            String sandboxID,
            String clientID,
            String envdVersion,
            @Nullable String envdAccessToken,
            @Nullable String trafficAccessToken,
            @Nullable String domain) {
        static SandboxCreated of(Sandbox s, @Nullable String token) {
            return new SandboxCreated(s.template(), s.id(), "airlock", ENVD_VERSION, token, null, null);
        }
    }

    /** {@code SandboxDetail} (GET /sandboxes/{id}) and {@code ListedSandbox} (lists) in one shape. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SandboxDetail(
            String templateID,
            String alias,
            String sandboxID,
            String clientID,
            String startedAt,
            String endAt,
            int cpuCount,
            long memoryMB,
            long diskSizeMB,
            Map<String, String> metadata,
            String state,
            String envdVersion,
            @Nullable String envdAccessToken,
            @Nullable Boolean allowInternetAccess,
            @Nullable NetworkView network,
            @Nullable Lifecycle lifecycle,
            List<Object> volumeMounts) {
        static SandboxDetail of(Sandbox s, @Nullable String token, boolean detail) {
            return of(s, token, detail ? NetworkRules.DEFAULT : null);
        }

        /** With {@code rules} when the caller asked for one sandbox's detail; a listing has none. */
        static SandboxDetail of(Sandbox s, @Nullable String token, @Nullable NetworkRules rules) {
            return new SandboxDetail(s.template(), s.template(), s.id(), "airlock", s.startedAt().toString(), s.endAt().toString(),
                    (int) Math.ceil(s.resources().cpus()), s.resources().memoryBytes() >> 20, s.resources().diskBytes() >> 20,
                    s.metadata(), s.state().name().toLowerCase(Locale.ROOT), ENVD_VERSION, token,
                    rules == null ? null : rules.allowInternetAccess(), rules == null ? null : NetworkView.of(rules),
                    rules == null ? null : new Lifecycle(false, "kill"), List.of());
        }
    }

    /**
     * E2B's {@code SandboxNetworkConfig} as a sandbox runs with it. {@code allowPublicTraffic} is
     * always false: nothing from outside can connect into a sandbox.
     */
    record NetworkView(List<String> allowOut, List<String> denyOut, boolean allowPublicTraffic, boolean learn) {
        static NetworkView of(NetworkRules r) {
            return new NetworkView(r.allowOut().texts(), r.denyOut().texts(), false, r.learn());
        }
    }

    record Lifecycle(boolean autoResume, String onTimeout) {}

    /** The {@code SandboxMetric} schema. */
    record Metric(
            String timestamp,
            long timestampUnix,
            int cpuCount,
            double cpuUsedPct,
            long memUsed,
            long memTotal,
            long memCache,
            long diskUsed,
            long diskTotal) {}

    /** The {@code Template} schema, filled from a built template. */
    record TemplateView(
            String templateID,
            String buildID,
            int cpuCount,
            long memoryMB,
            long diskSizeMB,
            @JsonProperty("public") boolean isPublic,
            List<String> aliases,
            List<String> names,
            String createdAt,
            String updatedAt,
            @Nullable Object createdBy,
            @Nullable String lastSpawnedAt,
            long spawnCount,
            int buildCount,
            String envdVersion,
            String buildStatus) {
        static TemplateView of(Template t, int cpus, long memoryMB, long diskMB) {
            String built = t.builtAt().toString();
            return new TemplateView(t.name(), t.hash().substring(0, 16), cpus, memoryMB, diskMB, true, List.of(t.name()),
                    List.of(t.name()), built, built, null, null, 0, 1, ENVD_VERSION, "ready");
        }
    }

    static String iso(Instant t) {
        return t.toString();
    }
}
