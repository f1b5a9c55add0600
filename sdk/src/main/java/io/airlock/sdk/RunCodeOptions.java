package io.airlock.sdk;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to run code: in which language or context, with which per-call environment, callbacks for
 * output as it arrives, and a time limit. Immutable; build it with {@link #builder()}.
 *
 * <pre>{@code
 * sbx.runCode("for i in range(3): print(i)", RunCodeOptions.builder()
 *         .onStdout(System.out::print)
 *         .timeout(Duration.ofSeconds(30))
 *         .build());
 * sbx.runCode("[1, 2].map(x => x * 2)", RunCodeOptions.builder().language("javascript").build());
 * }</pre>
 *
 * @param language the language of the default context to run in ({@code python}, {@code javascript}, {@code bash});
 *     empty when {@code context} is set, or for python
 * @param contextId the context to run in; empty for the language's default context
 * @param env environment variables for this call only
 * @param onStdout called with each chunk of standard output, on a reader thread
 * @param onStderr called with each chunk of standard error, on a reader thread
 * @param onResult called with each result as it arrives, on a reader thread
 * @param timeout how long the code may run; {@link Duration#ZERO} for no limit. Then it is interrupted and the context keeps its state
 */
public record RunCodeOptions(String language, String contextId, Map<String, String> env, Consumer<String> onStdout,
        Consumer<String> onStderr, Consumer<Result> onResult, Duration timeout) {
    /** How long code may run when no timeout is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public RunCodeOptions {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(contextId, "contextId");
        env = Map.copyOf(env);
        Objects.requireNonNull(onStdout, "onStdout");
        Objects.requireNonNull(onStderr, "onStderr");
        Objects.requireNonNull(onResult, "onResult");
        Objects.requireNonNull(timeout, "timeout");
        if (!language.isEmpty() && !contextId.isEmpty()) {
            throw new IllegalArgumentException("give a language or a context, not both: context " + contextId
                    + " already has its language");
        }
    }

    /** Python's default context, 60 s, no callbacks. */
    public static RunCodeOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link RunCodeOptions}; every setting is optional. Not thread-safe. */
    public static final class Builder {
        private String language = "";
        private String contextId = "";
        private Map<String, String> env = Map.of();
        private Consumer<String> onStdout = s -> { };
        private Consumer<String> onStderr = s -> { };
        private Consumer<Result> onResult = r -> { };
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {}

        public Builder language(String language) {
            this.language = Objects.requireNonNull(language, "language");
            return this;
        }

        public Builder context(CodeContext context) {
            this.contextId = context.id();
            return this;
        }

        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        public Builder onStdout(Consumer<String> onStdout) {
            this.onStdout = Objects.requireNonNull(onStdout, "onStdout");
            return this;
        }

        public Builder onStderr(Consumer<String> onStderr) {
            this.onStderr = Objects.requireNonNull(onStderr, "onStderr");
            return this;
        }

        public Builder onResult(Consumer<Result> onResult) {
            this.onResult = Objects.requireNonNull(onResult, "onResult");
            return this;
        }

        /** @throws IllegalArgumentException if {@code timeout} is negative */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be zero (no limit) or positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** @throws IllegalArgumentException if both a language and a context were set */
        public RunCodeOptions build() {
            return new RunCodeOptions(language, contextId, env, onStdout, onStderr, onResult, timeout);
        }
    }
}
