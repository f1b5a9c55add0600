package io.airlock.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.Resources;
import io.airlock.core.WorkspaceRequest;
import io.airlock.core.workspace.Checkout;
import io.airlock.core.workspace.CommitResult;
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
            WorkspaceBody workspace,
            List<String> secrets) {}

    /** {@code {"name": "data", "readWrite": true, "version": 3}}: a workspace to mount at ~/workspace. */
    record WorkspaceBody(String name, Boolean readWrite, Integer version) {
        WorkspaceRequest toRequest() {
            if (name == null) {
                throw new InvalidRequestException("workspace.name", "required: the name of one of your workspaces");
            }
            return new WorkspaceRequest(name, Boolean.TRUE.equals(readWrite), version);
        }
    }

    /** What a workspace commit did: {@code committed}, {@code merged}, {@code conflict} or {@code unchanged}. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record CommitView(String outcome, Integer version, List<String> conflicts) {
        static CommitView of(CommitResult r) {
            return new CommitView(r.outcome().name().toLowerCase(java.util.Locale.ROOT),
                    r.version() == null ? null : r.version().number(), r.conflicts());
        }
    }

    /** The workspace a live sandbox has mounted, and the version its next commit is made against. */
    record AttachedView(String name, boolean readWrite, int base) {
        static AttachedView of(Checkout c) {
            return new AttachedView(c.name(), c.readWrite(), c.base());
        }
    }

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
            String state,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            AttachedView workspace) {
        static SandboxView of(Sandbox s) {
            return of(s, null);
        }

        static SandboxView of(Sandbox s, Checkout workspace) {
            return new SandboxView(s.id(), s.template(), s.tier().binary(), ResourcesBody.of(s.resources()), s.metadata(),
                    s.startedAt().toString(), s.endAt().toString(), s.state().name().toLowerCase(java.util.Locale.ROOT),
                    workspace == null ? null : AttachedView.of(workspace));
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
