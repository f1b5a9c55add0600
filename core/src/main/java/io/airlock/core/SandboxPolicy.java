package io.airlock.core;

import java.time.Duration;
import java.util.Map;

/**
 * Operator limits every sandbox request is clamped to.
 *
 * @param defaults resources of a sandbox whose request names none
 * @param maximum the most any one sandbox may get
 * @param defaultTimeout time to live when the request names none (E2B: 300 s)
 * @param maxTimeout the longest time to live a request may ask for
 * @param poolSizes warm-pool size per template name (templates not named get no pool)
 */
public record SandboxPolicy(
        Resources defaults, Resources maximum, Duration defaultTimeout, Duration maxTimeout, Map<String, Integer> poolSizes) {
    public SandboxPolicy {
        poolSizes = Map.copyOf(poolSizes);
        if (defaultTimeout.compareTo(maxTimeout) > 0) {
            throw new InvalidRequestException(
                    "defaultTimeout", "default timeout " + defaultTimeout + " exceeds the maximum " + maxTimeout);
        }
    }

    /** 1 CPU / 512 MiB / 256 pids / 1 GiB by default, at most 2 CPUs / 4 GiB / 1024 pids / 10 GiB, 300 s TTL up to 24 h, 2 warm {@code base}. */
    public static SandboxPolicy standard() {
        return new SandboxPolicy(
                Resources.DEFAULTS,
                new Resources(2.0, 4096 * Resources.MIB, 1024, 10240 * Resources.MIB),
                Duration.ofSeconds(300),
                Duration.ofHours(24),
                Map.of("base", 2));
    }

    /** This policy with different warm-pool sizes. */
    public SandboxPolicy withPoolSizes(Map<String, Integer> sizes) {
        return new SandboxPolicy(defaults, maximum, defaultTimeout, maxTimeout, sizes);
    }

    /** Clamps a requested time to live into {@code [1 s, maxTimeout]}. */
    public Duration clampTimeout(Duration requested) {
        if (requested.isNegative()) {
            throw new InvalidRequestException("timeout", "must not be negative, got " + requested.toSeconds() + " s");
        }
        if (requested.compareTo(maxTimeout) > 0) {
            return maxTimeout;
        }
        return requested.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : requested;
    }
}
