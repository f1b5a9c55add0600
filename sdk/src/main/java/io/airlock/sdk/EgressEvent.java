package io.airlock.sdk;

import java.time.Instant;

/**
 * One outbound connection (or DNS lookup) a sandbox attempted, and what Airlock decided.
 *
 * <pre>{@code
 * client.sandboxes().egress(id).events().stream()
 *         .filter(e -> !e.allowed())
 *         .forEach(e -> System.out.println("denied " + e.name() + ":" + e.port() + " (" + e.reason() + ")"));
 * }</pre>
 *
 * @param at when it was decided
 * @param protocol {@code tcp}, {@code udp}, {@code dns}, {@code icmp} or {@code other}
 * @param name the destination's name (Host or SNI) when there was one; empty otherwise
 * @param address the destination's address; empty when not known
 * @param port the destination port
 * @param allowed whether it was let through
 * @param reason why
 * @param bytesOut bytes sent
 * @param bytesIn bytes received
 */
public record EgressEvent(Instant at, String protocol, String name, String address, int port, boolean allowed, String reason,
        long bytesOut, long bytesIn) {}
