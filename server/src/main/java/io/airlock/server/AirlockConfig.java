package io.airlock.server;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.SandboxPolicy;
import io.airlock.core.workspace.WorkspaceLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Server configuration, read from the environment with embedded defaults.
 *
 * @param home data directory ({@code AIRLOCK_HOME}, default {@code ~/.airlock})
 * @param bind address to listen on ({@code AIRLOCK_BIND}, default 127.0.0.1)
 * @param port port to listen on ({@code AIRLOCK_PORT}, default 8700; 0 picks a free port)
 * @param agent the in-sandbox init binary ({@code -Dairlock.agent} or {@code AIRLOCK_AGENT})
 * @param stateRoot runtime state on tmpfs ({@code AIRLOCK_STATE}, default /run/airlock)
 * @param templates template cache ({@code AIRLOCK_TEMPLATES}, default {@code $AIRLOCK_HOME/templates})
 * @param policy operator limits; pool sizes from {@code AIRLOCK_POOL} as {@code base=2,code-interpreter=0}
 * @param idleTimeout how long a connection may sit without sending or receiving a byte before it
 *     is cut off ({@code AIRLOCK_IDLE_TIMEOUT_SECONDS}, default 30); data-plane streams send
 *     keepalives well within it
 * @param databaseUrl a JDBC URL ({@code AIRLOCK_DB_URL}, e.g. PostgreSQL), or {@code null} for the
 *     embedded SQLite file {@code $AIRLOCK_HOME/airlock.db}
 * @param egress the operator's egress ceiling, resolver and limits ({@link EgressConfig})
 * @param keys where the master key comes from ({@link KeyConfig})
 * @param workspaceLimits the most one workspace version may hold ({@code AIRLOCK_WORKSPACE_MAX_BYTES},
 *     default 1 GiB; {@code AIRLOCK_WORKSPACE_MAX_FILES}, default 100,000 files, directories and links)
 */
public record AirlockConfig(
        Path home, String bind, int port, Path agent, Path stateRoot, Path templates, SandboxPolicy policy,
        Duration idleTimeout, @Nullable String databaseUrl, EgressConfig egress, KeyConfig keys,
        WorkspaceLimits workspaceLimits) {
    /** Reads the configuration from environment variables and system properties. */
    public static AirlockConfig fromEnvironment(Map<String, String> env) {
        Path home = Path.of(env.getOrDefault("AIRLOCK_HOME", System.getProperty("user.home") + "/.airlock"));
        String bind = env.getOrDefault("AIRLOCK_BIND", "127.0.0.1");
        int port = parsePort(env.getOrDefault("AIRLOCK_PORT", "8700"));
        Path agent = Path.of(env.getOrDefault("AIRLOCK_AGENT", System.getProperty("airlock.agent", "agent/target/airlock-init")));
        Path state = Path.of(env.getOrDefault("AIRLOCK_STATE", "/run/airlock"));
        Path templates = env.containsKey("AIRLOCK_TEMPLATES") ? Path.of(env.get("AIRLOCK_TEMPLATES")) : home.resolve("templates");
        SandboxPolicy policy = SandboxPolicy.standard();
        if (env.containsKey("AIRLOCK_POOL")) {
            policy = policy.withPoolSizes(parsePools(env.get("AIRLOCK_POOL")));
        }
        Duration idle = Duration.ofSeconds(parseSeconds("AIRLOCK_IDLE_TIMEOUT_SECONDS", env.getOrDefault("AIRLOCK_IDLE_TIMEOUT_SECONDS", "30")));
        return new AirlockConfig(home, bind, port, agent, state, templates, policy, idle, env.get("AIRLOCK_DB_URL"),
                EgressConfig.fromEnvironment(env), KeyConfig.fromEnvironment(env),
                new WorkspaceLimits(
                        parseLong("AIRLOCK_WORKSPACE_MAX_BYTES", env.get("AIRLOCK_WORKSPACE_MAX_BYTES"), WorkspaceLimits.standard().maxBytes(), 1 << 20, 1L << 40),
                        (int) parseLong("AIRLOCK_WORKSPACE_MAX_FILES", env.get("AIRLOCK_WORKSPACE_MAX_FILES"), WorkspaceLimits.standard().maxEntries(), 1, 10_000_000)));
    }

    /** This configuration listening on another port. */
    public AirlockConfig withPort(int newPort) {
        return new AirlockConfig(home, bind, newPort, agent, stateRoot, templates, policy, idleTimeout, databaseUrl, egress, keys, workspaceLimits);
    }

    /** This configuration with another policy. */
    public AirlockConfig withEgress(EgressConfig newEgress) {
        return new AirlockConfig(home, bind, port, agent, stateRoot, templates, policy, idleTimeout, databaseUrl, newEgress, keys, workspaceLimits);
    }

    public AirlockConfig withPolicy(SandboxPolicy newPolicy) {
        return new AirlockConfig(home, bind, port, agent, stateRoot, templates, newPolicy, idleTimeout, databaseUrl, egress, keys, workspaceLimits);
    }

    private static long parseLong(String name, @Nullable String s, long dflt, long min, long max) {
        if (s == null || s.isBlank()) {
            return dflt;
        }
        try {
            long v = Long.parseLong(s.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidRequestException(name, "'" + s + "' is not a whole number in " + min + ".." + max);
    }

    private static long parseSeconds(String name, String s) {
        try {
            long v = Long.parseLong(s.trim());
            if (v >= 1 && v <= 3600) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidRequestException(name, "'" + s + "' is not a number of seconds in 1..3600");
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidRequestException("AIRLOCK_PORT", "'" + s + "' is not a port number (0-65535)");
    }

    private static Map<String, Integer> parsePools(String spec) {
        Map<String, Integer> sizes = new HashMap<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split("=", 2);
            try {
                sizes.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
            } catch (RuntimeException e) {
                throw new InvalidRequestException("AIRLOCK_POOL", "'" + part + "' is not template=size, e.g. base=2");
            }
        }
        return sizes;
    }
}
