package io.airlock.core.egress;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The addresses no sandbox may reach, whatever any rule or ceiling says: private, loopback,
 * link-local (including cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved
 * and the host's own addresses. These are how a sandbox would reach the host, its neighbours or
 * the cloud's control plane.
 *
 * <p>IPv6 forms that carry an IPv4 address are judged by that IPv4 address: IPv4-mapped
 * ({@code ::ffff:10.0.0.1}), NAT64 ({@code 64:ff9b::a00:1}) and 6to4 ({@code 2002:a00:1::}), so
 * they cannot be used to write a private address in a form a list does not recognise.
 *
 * <p>The documentation ranges 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 are deliberately not
 * blocked: they are never routed on the internet, and tests use them as one.
 */
public final class BlockedAddresses {
    private static final List<Map.Entry<IpBlock, String>> RANGES = List.of(
            range("0.0.0.0/8", "this network"),
            range("10.0.0.0/8", "private"),
            range("100.64.0.0/10", "carrier-grade NAT"),
            range("127.0.0.0/8", "loopback"),
            range("169.254.0.0/16", "link-local, cloud metadata"),
            range("172.16.0.0/12", "private"),
            range("192.0.0.0/24", "IETF protocol assignments"),
            range("192.168.0.0/16", "private"),
            range("198.18.0.0/15", "benchmarking"),
            range("224.0.0.0/4", "multicast"),
            range("240.0.0.0/4", "reserved"),
            range("255.255.255.255", "broadcast"),
            range("::", "unspecified"),
            range("::1", "loopback"),
            range("::/96", "IPv4-compatible, deprecated"),
            range("64:ff9b:1::/48", "local-use NAT64"),
            range("fc00::/7", "unique local"),
            range("fe80::/10", "link-local"),
            range("fec0::/10", "site-local, deprecated"),
            range("ff00::/8", "multicast"));
    private static final IpBlock NAT64 = IpBlock.of("64:ff9b::/96");
    private static final IpBlock SIX_TO_FOUR = IpBlock.of("2002::/16");

    /** What {@link #why} says of the host's own addresses (possibly after a NAT64 or 6to4 prefix). */
    static final String HOST = "a host address";

    /** How often {@link #live} lists the host's addresses again. */
    static final long REFRESH_NANOS = 10_000_000_000L;

    private final Supplier<Set<InetAddress>> source;
    private final boolean refreshing;
    private volatile Set<Ip> host;
    private volatile long listedAt;

    /** The fixed ranges plus {@code hostAddresses}, usually {@link #hostAddresses()}. */
    public BlockedAddresses(Set<InetAddress> hostAddresses) {
        this(() -> hostAddresses, false);
    }

    private BlockedAddresses(Supplier<Set<InetAddress>> source, boolean refreshing) {
        this.source = source;
        this.refreshing = refreshing;
        this.host = list(source);
        this.listedAt = System.nanoTime();
    }

    /**
     * The fixed ranges plus the host's own addresses, listed again every 10 s (an address that
     * appears later, by DHCP, a new interface or IPv6 privacy addressing, is blocked too), plus
     * {@code extra}: addresses that reach the host without being on one of its interfaces, such
     * as a cloud's 1:1 NAT public IP ({@code AIRLOCK_EGRESS_BLOCK}).
     */
    public static BlockedAddresses live(Set<InetAddress> extra) {
        return new BlockedAddresses(() -> {
            Set<InetAddress> all = new HashSet<>(hostAddresses());
            all.addAll(extra);
            return all;
        }, true);
    }

    private static Set<Ip> list(Supplier<Set<InetAddress>> source) {
        return source.get().stream().map(Ip::of).collect(Collectors.toUnmodifiableSet());
    }

    private Set<Ip> host() {
        if (refreshing && System.nanoTime() - listedAt > REFRESH_NANOS) {
            listedAt = System.nanoTime(); // one caller lists; the others use the previous set meanwhile
            host = list(source);
        }
        return host;
    }

    /**
     * The addresses of this machine's interfaces, as far as they can be listed. An interface that
     * cannot be read is skipped rather than failing startup; the fixed ranges already cover
     * loopback and private addresses.
     */
    public static Set<InetAddress> hostAddresses() {
        Set<InetAddress> all = new HashSet<>();
        try {
            NetworkInterface.networkInterfaces().forEach(nic -> {
                try {
                    nic.inetAddresses().forEach(all::add);
                } catch (RuntimeException e) {
                    // one unreadable interface does not hide the others
                }
            });
        } catch (SocketException | RuntimeException e) {
            // no interface listing (e.g. a restricted container): fixed ranges still apply
        }
        return Set.copyOf(all);
    }

    /** Why {@code address} is blocked, e.g. {@code 10.0.0.0/8 (private)} or {@code a host address}; empty if it is not. */
    public Optional<String> why(InetAddress address) {
        return why(Ip.of(address));
    }

    Optional<String> why(Ip ip) {
        if (host().contains(ip)) {
            return Optional.of(HOST);
        }
        for (Map.Entry<IpBlock, String> r : RANGES) {
            if (r.getKey().contains(ip)) {
                return Optional.of(r.getKey() + " (" + r.getValue() + ")");
            }
        }
        if (NAT64.contains(ip)) {
            return why(Ip.v4(ip.lo() & 0xffffffffL)).map(w -> NAT64 + " (NAT64) of " + w);
        }
        if (SIX_TO_FOUR.contains(ip)) {
            return why(Ip.v4((ip.hi() >>> 16) & 0xffffffffL)).map(w -> SIX_TO_FOUR + " (6to4) of " + w);
        }
        return Optional.empty();
    }

    private static Map.Entry<IpBlock, String> range(String cidr, String label) {
        return Map.entry(IpBlock.of(cidr), label);
    }
}
