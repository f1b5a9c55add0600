package io.airlock.sdk;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to create a sandbox from: a template, how long it lives, its environment, metadata and
 * outbound network rules. Immutable; build it with {@link #builder()}.
 *
 * <pre>{@code
 * SandboxSpec spec = SandboxSpec.builder()
 *         .template("code-interpreter")
 *         .timeout(Duration.ofMinutes(5))
 *         .env(Map.of("MODE", "test"))
 *         .metadata(Map.of("user", "alice"))
 *         .secrets("OPENAI_API_KEY")
 *         .allowOut(List.of("pypi.org")).denyOut(List.of("0.0.0.0/0"))
 *         .build();
 * }</pre>
 *
 * @param template the template to start from ({@code base} by default)
 * @param timeout how long the sandbox lives before it is killed; the server clamps it to its maximum
 * @param env environment variables of every command and code context
 * @param metadata key/value labels, filterable in {@link Sandboxes#list(ListOptions)}; {@link #SECRETS_KEY} names
 *     the sandbox's secrets
 * @param allowOut destinations the sandbox may connect to (domains, {@code *.domain}, IPs, CIDRs); allow wins over deny
 * @param denyOut destinations it may not connect to (IPs and CIDRs; {@code 0.0.0.0/0} for everything)
 * @param learnEgress allow everything within the operator's ceilings and record it, to propose an allowlist
 */
public record SandboxSpec(String template, Duration timeout, Map<String, String> env, Map<String, String> metadata,
        List<String> allowOut, List<String> denyOut, boolean learnEgress) {
    /** The template E2B and Airlock start from when none is named. */
    public static final String DEFAULT_TEMPLATE = "base";
    /** How long a sandbox lives when no timeout is given, as in E2B. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    /**
     * The metadata key naming, comma-separated, the secrets from the tenant's vault every process of
     * the sandbox gets as environment variables. The E2B SDKs can set it too: {@code metadata:
     * {"airlock.secrets": "A,B"}}.
     */
    public static final String SECRETS_KEY = "airlock.secrets";

    /** The reserved metadata key naming the workspace to mount: {@code name} or {@code name:rw}. */
    public static final String WORKSPACE_KEY = "airlock.workspace";

    public SandboxSpec {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(timeout, "timeout");
        env = Map.copyOf(env);
        metadata = Map.copyOf(metadata);
        allowOut = List.copyOf(allowOut);
        denyOut = List.copyOf(denyOut);
    }

    /** A spec for the {@code base} template with every default. */
    public static SandboxSpec defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The names, if each is environment-variable shaped as secret names are. */
    static List<String> checkSecretNames(List<String> names) {
        for (String n : names) {
            if (n == null || !n.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
                throw new IllegalArgumentException("secret names are 1 to 128 letters, digits and '_', not starting with a digit;"
                        + " got '" + n + "'");
            }
        }
        return List.copyOf(names);
    }

    /** Builds a {@link SandboxSpec}; every setting is optional. Not thread-safe. */
    public static final class Builder {
        private String template = DEFAULT_TEMPLATE;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Map<String, String> env = Map.of();
        private Map<String, String> metadata = Map.of();
        private String workspace;
        private List<String> allowOut = List.of();
        private List<String> denyOut = List.of();
        private boolean learnEgress;
        private List<String> secrets = List.of();

        private Builder() {}

        /** @throws IllegalArgumentException if {@code template} is blank */
        public Builder template(String template) {
            if (template == null || template.isBlank()) {
                throw new IllegalArgumentException("template must name a template such as 'base', got '" + template + "'");
            }
            this.template = template;
            return this;
        }

        /** @throws IllegalArgumentException if {@code timeout} is not positive or not whole seconds' worth */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.toSeconds() < 1) {
                throw new IllegalArgumentException("timeout must be at least 1 second, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        public Builder metadata(Map<String, String> metadata) {
            this.metadata = Map.copyOf(metadata);
            return this;
        }

        /**
         * Mounts the tenant's workspace {@code name} read-only at {@code /home/user/workspace}: sets
         * the reserved metadata key {@value SandboxSpec#WORKSPACE_KEY}. Replaces an earlier workspace
         * choice; kept whatever {@link #metadata} is given.
         */
        public Builder workspace(String name) {
            return workspace(name, false);
        }

        /**
         * Mounts the tenant's workspace {@code name} at {@code /home/user/workspace}; with {@code
         * readWrite}, what the sandbox leaves there is committed as a new version when it ends or
         * syncs. Sets the reserved metadata key {@value SandboxSpec#WORKSPACE_KEY} to {@code name} or
         * {@code name:rw}.
         */
        public Builder workspace(String name, boolean readWrite) {
            if (name == null || name.isBlank() || name.contains(":")) {
                throw new IllegalArgumentException("workspace name must be non-blank without ':', got '" + name + "'");
            }
            this.workspace = readWrite ? name + ":rw" : name;
            return this;
        }

        public Builder allowOut(List<String> allowOut) {
            this.allowOut = List.copyOf(allowOut);
            return this;
        }

        public Builder denyOut(List<String> denyOut) {
            this.denyOut = List.copyOf(denyOut);
            return this;
        }

        /**
         * Secrets from the tenant's vault ({@link AirlockClient#secrets()}) every process of the sandbox gets as
         * environment variables of the same names. Their values are masked as {@code ***} in command output.
         * Sent as the metadata key {@link #SECRETS_KEY}; an unknown name fails {@link Sandboxes#create}.
         *
         * @throws IllegalArgumentException if a name is not a valid secret name
         */
        public Builder secrets(String... names) {
            this.secrets = checkSecretNames(List.of(names));
            return this;
        }

        public Builder learnEgress(boolean learn) {
            this.learnEgress = learn;
            return this;
        }

        public SandboxSpec build() {
            Map<String, String> labels = metadata;
            if (!secrets.isEmpty() || workspace != null) {
                labels = new HashMap<>(metadata);
                if (!secrets.isEmpty()) {
                    labels.put(SECRETS_KEY, String.join(",", secrets));
                }
                if (workspace != null) {
                    labels.put(WORKSPACE_KEY, workspace);
                }
            }
            return new SandboxSpec(template, timeout, env, labels, allowOut, denyOut, learnEgress);
        }
    }
}
