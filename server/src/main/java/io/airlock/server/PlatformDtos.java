package io.airlock.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Resources;
import io.airlock.core.Sandbox;
import io.airlock.core.Template;
import java.util.List;
import java.util.Map;

/** Request and response bodies of Airlock's own platform API ({@code /v1/...}). */
final class PlatformDtos {
    private PlatformDtos() {}

    /** POST /v1/sandboxes. Every field is optional except {@code template}. */
    record CreateSandbox(
            String template,
            Integer timeoutSeconds,
            Map<String, String> envVars,
            Map<String, String> metadata,
            ResourcesBody resources,
            String runtime,
            JsonNode network,
            List<String> secrets) {}

    record ResourcesBody(Double cpus, Long memoryMB, Integer pids, Long diskMB) {
        Resources toResources(Resources defaults) {
            return new Resources(
                    cpus != null ? cpus : defaults.cpus(),
                    memoryMB != null ? memoryMB * Resources.MIB : defaults.memoryBytes(),
                    pids != null ? pids : defaults.pids(),
                    diskMB != null ? diskMB * Resources.MIB : defaults.diskBytes());
        }

        static ResourcesBody of(Resources r) {
            return new ResourcesBody(r.cpus(), r.memoryBytes() / Resources.MIB, r.pids(), r.diskBytes() / Resources.MIB);
        }
    }

    record SandboxView(
            String sandboxId,
            String template,
            String runtime,
            ResourcesBody resources,
            Map<String, String> metadata,
            String startedAt,
            String endAt,
            String state) {
        static SandboxView of(Sandbox s) {
            return new SandboxView(s.id(), s.template(), s.tier().binary(), ResourcesBody.of(s.resources()), s.metadata(),
                    s.startedAt().toString(), s.endAt().toString(), s.state().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    record Timeout(Integer timeoutSeconds) {}

    /** POST /v1/sandboxes/{id}/exec: run a shell command to completion. */
    record Exec(String cmd, String user, String cwd, Map<String, String> envs, Integer timeoutSeconds, List<String> secrets) {}

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record ExecResult(int exitCode, String stdout, String stderr, boolean truncated, String error) {}

    record TemplateView(String name, String hash, String suite, List<String> packages, String runtime, String builtAt) {
        static TemplateView of(Template t) {
            return new TemplateView(t.name(), t.hash(), t.recipe().suite(), t.recipe().packages(),
                    t.recipe().tier().binary(), t.builtAt().toString());
        }
    }
}
