package io.airlock.sdk;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The entry point of the SDK: a connection to one Airlock server (or any server speaking E2B's
 * API) with one API key. Thread-safe; create one and share it. Holds no resources that need
 * closing beyond the JDK's HTTP client.
 *
 * <p>Configuration comes from the builder, else the environment: {@code AIRLOCK_URL} and
 * {@code AIRLOCK_API_KEY}, else E2B's {@code E2B_API_URL} and {@code E2B_API_KEY}.
 *
 * <pre>{@code
 * AirlockClient client = AirlockClient.builder()
 *         .url("http://127.0.0.1:8700")
 *         .apiKey(System.getenv("AIRLOCK_API_KEY"))
 *         .requestTimeout(Duration.ofSeconds(30))
 *         .build();
 * try (Sandbox sbx = client.sandboxes().create(SandboxSpec.defaults())) {
 *     System.out.println(sbx.commands().run("uname -a").stdout());
 * }
 * }</pre>
 */
public interface AirlockClient {
    /** Sandboxes of this key's tenant: create, connect, list, kill, audit. */
    Sandboxes sandboxes();

    /** The secrets vault of this key's tenant: set, list, delete, audit. Values are write-only. */
    Secrets secrets();

    /** Workspaces of this key's tenant: versioned file trees that outlive sandboxes. */
    Workspaces workspaces();

    /** The server's base URL, e.g. {@code http://127.0.0.1:8700}. */
    String url();

    /** A builder reading defaults from the process environment. */
    static Builder builder() {
        return new Builder(System.getenv());
    }

    /** Builds an {@link AirlockClient}. Not thread-safe. */
    final class Builder {
        /** How long one HTTP request may take when no timeout is given. */
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

        private final Map<String, String> environment;
        private String url;
        private String apiKey;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

        Builder(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
        }

        /** The server's base URL; else {@code AIRLOCK_URL}, else {@code E2B_API_URL}. */
        public Builder url(String url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /** The API key; else {@code AIRLOCK_API_KEY}, else {@code E2B_API_KEY}. */
        public Builder apiKey(String apiKey) {
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
            return this;
        }

        /**
         * How long one control-plane or data-plane request may take (not a command or code run,
         * which have their own timeouts).
         *
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder requestTimeout(Duration timeout) {
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("requestTimeout must be positive, got " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * @throws IllegalStateException if no URL or no API key was given or found in the environment
         * @throws IllegalArgumentException if the URL is not an http(s) URL
         */
        public AirlockClient build() {
            String u = firstOf(url, "AIRLOCK_URL", "E2B_API_URL");
            String k = firstOf(apiKey, "AIRLOCK_API_KEY", "E2B_API_KEY");
            if (u == null) {
                throw new IllegalStateException("no server URL: call url(...) or set AIRLOCK_URL (or E2B_API_URL), e.g. http://127.0.0.1:8700");
            }
            if (k == null) {
                throw new IllegalStateException("no API key: call apiKey(...) or set AIRLOCK_API_KEY (or E2B_API_KEY)");
            }
            return new HttpAirlockClient(ClientConfig.of(u, k, requestTimeout));
        }

        private String firstOf(String explicit, String... variables) {
            if (explicit != null) {
                return explicit;
            }
            for (String v : variables) {
                String value = environment.get(v);
                if (value != null && !value.isBlank()) {
                    return value.trim();
                }
            }
            return null;
        }
    }
}
