package io.airlock.server;

import io.airlock.core.InvalidRequestException;
import io.airlock.core.egress.EgressLimits;
import io.airlock.core.egress.EgressRules;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The operator's egress settings, from the environment.
 *
 * @param ceiling what any sandbox may ever reach ({@code AIRLOCK_EGRESS_CEILING}: comma-separated
 *     rules such as {@code *}, {@code *.example.com}, {@code 203.0.113.0/24}; default empty: no
 *     sandbox has a network)
 * @param dns the DNS server Airlock resolves sandboxes' names through ({@code AIRLOCK_DNS} as
 *     {@code ip} or {@code ip:port}; default the host's first {@code /etc/resolv.conf} nameserver)
 * @param limits {@code AIRLOCK_EGRESS_MAX_CONNECTIONS} (default 64, at most 10,000) and
 *     {@code AIRLOCK_EGRESS_QUOTA_BYTES} (default 1 GiB) per sandbox
 * @param block more addresses that are always denied ({@code AIRLOCK_EGRESS_BLOCK}, comma-separated
 *     IPs), for addresses that reach this host without being on its interfaces, like a cloud's NAT
 *     public IP; the host's own addresses are blocked without being listed
 */
public record EgressConfig(EgressRules ceiling, @Nullable InetSocketAddress dns, EgressLimits limits, Set<InetAddress> block) {
    public EgressConfig {
        block = Set.copyOf(block);
    }

    static EgressConfig fromEnvironment(Map<String, String> env) {
        String raw = env.getOrDefault("AIRLOCK_EGRESS_CEILING", "").strip();
        List<String> rules = raw.isEmpty() ? List.of() : Arrays.stream(raw.split(",")).map(String::strip).toList();
        EgressRules ceiling = EgressRules.parse("AIRLOCK_EGRESS_CEILING", rules);
        InetSocketAddress dns = env.containsKey("AIRLOCK_DNS") ? dns(env.get("AIRLOCK_DNS")) : null;
        EgressLimits d = EgressLimits.DEFAULTS;
        EgressLimits limits = new EgressLimits(
                (int) number("AIRLOCK_EGRESS_MAX_CONNECTIONS", env, d.maxConnections(), 10_000),
                number("AIRLOCK_EGRESS_QUOTA_BYTES", env, d.byteQuota(), Long.MAX_VALUE),
                d.handshakeTimeout(), d.connectTimeout());
        Set<InetAddress> block = new HashSet<>();
        for (String ip : env.getOrDefault("AIRLOCK_EGRESS_BLOCK", "").split(",")) {
            if (!ip.isBlank()) {
                try {
                    block.add(InetAddress.ofLiteral(ip.strip()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidRequestException("AIRLOCK_EGRESS_BLOCK", "'" + ip.strip() + "' is not an IP address");
                }
            }
        }
        return new EgressConfig(ceiling, dns, limits, block);
    }

    private static InetSocketAddress dns(String text) {
        String host = text;
        int port = 53;
        int colon = text.lastIndexOf(':');
        if (colon > 0 && text.indexOf(':') == colon) {
            host = text.substring(0, colon);
            port = (int) parse("AIRLOCK_DNS", text.substring(colon + 1), 1, 65535);
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("AIRLOCK_DNS", "'" + text + "' is not an IP address with an optional :port, e.g. 127.0.0.1:5353");
        }
    }

    private static long number(String name, Map<String, String> env, long fallback, long max) {
        return env.containsKey(name) ? parse(name, env.get(name), 1, max) : fallback;
    }

    private static long parse(String name, String text, long min, long max) {
        try {
            long v = Long.parseLong(text.strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException(name, "'" + text + "' is not a whole number in " + min + ".." + max);
    }
}
