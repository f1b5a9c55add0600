package io.airlock.core;

import io.airlock.core.egress.NetworkRules;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a caller may ask for when creating a sandbox: the whole clamped allowlist. Nothing here
 * reaches the OCI spec except through {@link SandboxPolicy} clamping.
 *
 * @param template template name
 * @param resources requested limits, or {@code null} for the policy's defaults
 * @param env environment variables for every process in the sandbox
 * @param timeout time to live, or {@code null} for the policy's default
 * @param metadata caller's key/value labels, returned as given
 * @param tier runtime tier, or {@code null} for the template's
 * @param owner the tenant the sandbox belongs to, or empty for none; counted against its quota
 * @param network outbound network rules, within the operator's and the owner's ceilings
 * @param workspace the owner's workspace to mount, or {@code null} for none
 */
public record SandboxRequest(
        String template,
        @Nullable Resources resources,
        Map<String, String> env,
        @Nullable Duration timeout,
        Map<String, String> metadata,
        @Nullable Tier tier,
        String owner,
        NetworkRules network,
        @Nullable WorkspaceRequest workspace) {
    static final int MAX_ENTRIES = 256;
    static final int MAX_VALUE_BYTES = 16 * 1024;

    /** A request with the default network rules (as open as the ceilings allow). */
    public SandboxRequest(String template, @Nullable Resources resources, Map<String, String> env, @Nullable Duration timeout,
            Map<String, String> metadata, @Nullable Tier tier, String owner) {
        this(template, resources, env, timeout, metadata, tier, owner, NetworkRules.DEFAULT, null);
    }

    /** A request without a workspace. */
    public SandboxRequest(String template, @Nullable Resources resources, Map<String, String> env, @Nullable Duration timeout,
            Map<String, String> metadata, @Nullable Tier tier, String owner, NetworkRules network) {
        this(template, resources, env, timeout, metadata, tier, owner, network, null);
    }

    public SandboxRequest {
        env = Map.copyOf(env);
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(owner, "owner");
        checkMap("envVars", env, true);
        checkMap("metadata", metadata, false);
    }

    /** A request for the template with every default. */
    public static SandboxRequest of(String template) {
        return new SandboxRequest(template, null, Map.of(), null, Map.of(), null, "");
    }

    public SandboxRequest withResources(Resources r) {
        return new SandboxRequest(template, r, env, timeout, metadata, tier, owner, network, workspace);
    }

    public SandboxRequest withTimeout(Duration t) {
        return new SandboxRequest(template, resources, env, t, metadata, tier, owner, network, workspace);
    }

    public SandboxRequest withTier(Tier t) {
        return new SandboxRequest(template, resources, env, timeout, metadata, t, owner, network, workspace);
    }

    public SandboxRequest withEnv(Map<String, String> e) {
        return new SandboxRequest(template, resources, e, timeout, metadata, tier, owner, network, workspace);
    }

    public SandboxRequest withMetadata(Map<String, String> m) {
        return new SandboxRequest(template, resources, env, timeout, m, tier, owner, network, workspace);
    }

    public SandboxRequest withOwner(String o) {
        return new SandboxRequest(template, resources, env, timeout, metadata, tier, o, network, workspace);
    }

    public SandboxRequest withNetwork(NetworkRules n) {
        return new SandboxRequest(template, resources, env, timeout, metadata, tier, owner, n, workspace);
    }

    public SandboxRequest withWorkspace(@Nullable WorkspaceRequest w) {
        return new SandboxRequest(template, resources, env, timeout, metadata, tier, owner, network, w);
    }

    public Optional<Resources> requestedResources() {
        return Optional.ofNullable(resources);
    }

    private static void checkMap(String field, Map<String, String> map, boolean envNames) {
        if (map.size() > MAX_ENTRIES) {
            throw new InvalidRequestException(field, "at most " + MAX_ENTRIES + " entries, got " + map.size());
        }
        map.forEach((k, v) -> {
            if (envNames ? !k.matches("[A-Za-z_][A-Za-z0-9_]{0,255}") : (k.isEmpty() || k.length() > 256)) {
                throw new InvalidRequestException(field, "invalid key '" + truncate(k) + "'"
                        + (envNames ? ": names are letters, digits and '_', not starting with a digit" : ""));
            }
            if (v.length() > MAX_VALUE_BYTES || v.indexOf('\0') >= 0) {
                throw new InvalidRequestException(field + "." + k, "values are at most 16 KiB and contain no NUL byte");
            }
        });
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
