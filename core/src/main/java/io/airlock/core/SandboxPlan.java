package io.airlock.core;

import java.util.List;
import java.util.Map;

/**
 * Everything a runtime needs to start one sandbox. Built by the service layer from a validated,
 * clamped request; users never supply any of it directly.
 *
 * @param id the sandbox id, also its hostname
 * @param template the built template to overlay
 * @param resources clamped limits
 * @param env environment for every process, on top of the template's
 * @param tier which OCI runtime runs it
 * @param egress whether egress may be attached later ({@link RuntimeSandbox#openEgress}); runc
 *     sandboxes can always take it, gVisor ones only if started for it
 * @param mounts host directories made by the service layer (workspace checkouts)
 */
public record SandboxPlan(String id, Template template, Resources resources, Map<String, String> env, Tier tier, boolean egress,
        List<BindMount> mounts) {
    public SandboxPlan {
        env = Map.copyOf(env);
        mounts = List.copyOf(mounts);
    }

    /** A plan without mounts. */
    public SandboxPlan(String id, Template template, Resources resources, Map<String, String> env, Tier tier, boolean egress) {
        this(id, template, resources, env, tier, egress, List.of());
    }

    /** A plan without egress. */
    public SandboxPlan(String id, Template template, Resources resources, Map<String, String> env, Tier tier) {
        this(id, template, resources, env, tier, false);
    }
}
