package io.airlock.sdk;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to run a command: output callbacks, working directory, user, environment, time limit and
 * whether it gets a stdin. Immutable; build it with {@link #builder()}.
 *
 * <pre>{@code
 * RunOptions opts = RunOptions.builder()
 *         .onStdout(chunk -> System.out.print(chunk))
 *         .cwd("/tmp").user("root").env(Map.of("DEBUG", "1"))
 *         .secrets("PYPI_TOKEN")
 *         .timeout(Duration.ofMinutes(2))
 *         .build();
 * sbx.commands().run("make test", opts);
 * }</pre>
 *
 * @param onStdout called with each chunk of standard output as it arrives, on a reader thread
 * @param onStderr called with each chunk of standard error as it arrives, on a reader thread
 * @param cwd the working directory; empty for the user's home
 * @param user the Linux user to run as ({@code user} by default, as in E2B)
 * @param env environment variables added to the sandbox's own
 * @param timeout how long the command may run; {@link Duration#ZERO} for no limit. The server kills it then
 * @param stdin whether the command gets a stdin to send to ({@link CommandHandle#sendStdin}); closed otherwise
 * @param secrets names of secrets in the tenant's vault ({@link AirlockClient#secrets()}) this command alone gets as
 *     environment variables; their values are masked as {@code ***} in its output
 */
public record RunOptions(Consumer<String> onStdout, Consumer<String> onStderr, String cwd, String user,
        Map<String, String> env, Duration timeout, boolean stdin, List<String> secrets) {
    /** How long a command may run when no timeout is given, as in E2B. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** The user commands run as when none is given, as in E2B. */
    public static final String DEFAULT_USER = "user";

    public RunOptions {
        Objects.requireNonNull(onStdout, "onStdout");
        Objects.requireNonNull(onStderr, "onStderr");
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(user, "user");
        env = Map.copyOf(env);
        Objects.requireNonNull(timeout, "timeout");
        secrets = List.copyOf(secrets);
    }

    /** Options without secrets (the shape before secrets existed). */
    public RunOptions(Consumer<String> onStdout, Consumer<String> onStderr, String cwd, String user,
            Map<String, String> env, Duration timeout, boolean stdin) {
        this(onStdout, onStderr, cwd, user, env, timeout, stdin, List.of());
    }

    /** Every default: no callbacks, home directory, user {@code user}, 60 s, no stdin. */
    public static RunOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link RunOptions}; every setting is optional. Not thread-safe. */
    public static final class Builder {
        private Consumer<String> onStdout = s -> { };
        private Consumer<String> onStderr = s -> { };
        private String cwd = "";
        private String user = DEFAULT_USER;
        private Map<String, String> env = Map.of();
        private List<String> secrets = List.of();
        private Duration timeout = DEFAULT_TIMEOUT;
        private boolean stdin;

        private Builder() {}

        public Builder onStdout(Consumer<String> onStdout) {
            this.onStdout = Objects.requireNonNull(onStdout, "onStdout");
            return this;
        }

        public Builder onStderr(Consumer<String> onStderr) {
            this.onStderr = Objects.requireNonNull(onStderr, "onStderr");
            return this;
        }

        public Builder cwd(String cwd) {
            this.cwd = Objects.requireNonNull(cwd, "cwd");
            return this;
        }

        /** @throws IllegalArgumentException if {@code user} is blank */
        public Builder user(String user) {
            if (user == null || user.isBlank()) {
                throw new IllegalArgumentException("user must name a Linux user such as 'user' or 'root', got '" + user + "'");
            }
            this.user = user;
            return this;
        }

        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(env);
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

        public Builder stdin(boolean stdin) {
            this.stdin = stdin;
            return this;
        }

        /**
         * Secrets this command alone gets as environment variables, from the tenant's vault.
         *
         * @throws IllegalArgumentException if a name is not a valid secret name
         */
        public Builder secrets(String... names) {
            this.secrets = SandboxSpec.checkSecretNames(List.of(names));
            return this;
        }

        public RunOptions build() {
            return new RunOptions(onStdout, onStderr, cwd, user, env, timeout, stdin, secrets);
        }
    }
}
