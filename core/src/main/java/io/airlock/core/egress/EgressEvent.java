package io.airlock.core.egress;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The audit record of one outbound connection (or DNS question) and what was decided: the
 * sandbox's egress log, and learn mode's raw material (see {@link Allowlists}).
 *
 * @param sandboxId the sandbox that made the connection
 * @param at when it was decided
 * @param protocol one of {@code tcp}, {@code udp}, {@code dns}, {@code icmp}, {@code other}
 * @param name the host name asked for, in {@link HostNames} normal form, or null if none
 * @param address the address dialled, as a canonical IP literal, or null if none (a DNS question)
 * @param port the destination port, 0..65535 (0 when there is none, e.g. ICMP)
 * @param allowed the {@link Decision}'s verdict
 * @param reason the {@link Decision}'s reason
 * @param bytesOut bytes sent by the sandbox, 0 or more
 * @param bytesIn bytes received by the sandbox, 0 or more
 */
public record EgressEvent(
        String sandboxId,
        Instant at,
        String protocol,
        @Nullable String name,
        @Nullable String address,
        int port,
        boolean allowed,
        String reason,
        long bytesOut,
        long bytesIn) {
    /** The protocols an event may name. */
    public static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "dns", "icmp", "other");

    /** @throws IllegalArgumentException naming the field and the value that breaks its contract */
    public EgressEvent {
        if (sandboxId.isBlank()) {
            throw new IllegalArgumentException("sandboxId is blank");
        }
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("protocol \"" + protocol + "\" is not one of " + PROTOCOLS);
        }
        if (name == null && address == null) {
            throw new IllegalArgumentException("an event needs a name, an address or both; got neither");
        }
        if (name != null && !HostNames.normalize(name).equals(Optional.of(name))) {
            throw new IllegalArgumentException("name \"" + name + "\" is not in normal form; pass it through HostNames.normalize");
        }
        if (address != null && !Ip.parse(address).map(Ip::text).equals(Optional.of(address))) {
            throw new IllegalArgumentException("address \"" + address + "\" is not a canonical IP literal; use "
                    + Ip.parse(address).map(Ip::text).orElse("an IPv4 or IPv6 address"));
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0..65535");
        }
        if (reason.isBlank()) {
            throw new IllegalArgumentException("reason is blank");
        }
        if (bytesOut < 0 || bytesIn < 0) {
            throw new IllegalArgumentException("byte counts must not be negative; got out=" + bytesOut + ", in=" + bytesIn);
        }
    }

    /** The event for a connection judged by {@code decision}, before any bytes flowed. */
    public static EgressEvent of(String sandboxId, Instant at, String protocol, @Nullable String name,
            @Nullable InetAddress address, int port, Decision decision) {
        return new EgressEvent(sandboxId, at, protocol, name, address == null ? null : Ip.of(address).text(), port,
                decision.allowed(), decision.reason(), 0, 0);
    }
}
