package io.airlock.runtime;

import io.airlock.core.RuntimeFailureException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The plumbing inside a sandbox's network namespace that makes Airlock's proxy the only way out.
 *
 * <p>The namespace gets a veth pair whose both ends stay inside it ({@code eg0} carries the
 * default routes, {@code eg1} is its dead-end peer), so a packet to any outside address has a
 * route but nowhere to go. nftables then, in the namespace's own output path:
 * <ul>
 *   <li>leaves loopback alone (the sandbox's own servers); the filter below matches loopback by
 *       address, because after a DNAT in the output path the packet's output interface as
 *       nftables sees it is still the one routed to before the DNAT;
 *   <li>redirects every IPv4 UDP packet to port 53 to the resolver, loopback included (a
 *       sandbox without a {@code nameserver} line asks 127.0.0.1), and every IPv4 TCP connection
 *       that leaves loopback to the proxy ({@link #PROXY_V4}:{@link #PROXY_PORT});
 *   <li>records the destination of anything else (UDP, ICMP, IPv6 of any kind, other
 *       protocols) in sets that {@link #harvest} reads into the audit, and drops it (UDP: the
 *       sender gets EPERM) or rejects it (everything else: no connect() waits for a timeout).
 *       IPv6 is refused outright: DNAT of IPv6 to a local listener does not deliver on this
 *       kernel (measured), and Airlock resolves names to IPv4 only.
 * </ul>
 * The sandbox has no {@code CAP_NET_ADMIN}, so it cannot change any of this; and since no
 * interface leads out of the namespace, even a flaw in these rules would leave packets with
 * nowhere to go.
 */
final class SandboxNetwork {
    static final InetAddress PROXY_V4 = InetAddress.ofLiteral("127.100.0.1");
    static final int PROXY_PORT = 3128;
    static final int DNS_PORT = 53;
    private static final String SANDBOX_ADDRESS = "198.18.0.2"; // benchmarking range: never routed anywhere

    private static final String LINKS = String.join("\n",
            "link set lo up",
            "link add eg0 type veth peer name eg1",
            "addr add " + SANDBOX_ADDRESS + "/32 dev eg0",
            "link set eg0 up",
            "link set eg1 up",
            "route add default dev eg0",
            "route add ::/0 dev eg0",
            "");

    // "add table; delete table" first makes loading idempotent: a retry after a failure replaces
    // the table instead of failing on what the first attempt created.
    private static final String RULES = """
            add table inet airlock
            delete table inet airlock
            table inet airlock {
              counter unrecorded { }
              set udp4 { type ipv4_addr . inet_service; size 1024; flags dynamic; }
              set udp6 { type ipv6_addr . inet_service; size 1024; flags dynamic; }
              set other4 { type ipv4_addr . inet_proto; size 1024; flags dynamic; }
              set other6 { type ipv6_addr . inet_proto; size 1024; flags dynamic; }
              chain to_proxy {
                type nat hook output priority -100; policy accept;
                ip daddr != 127.100.0.1 udp dport 53 dnat ip to 127.100.0.1:53
                oifname "lo" return
                meta nfproto ipv4 meta l4proto tcp dnat ip to 127.100.0.1:3128
              }
              chain drop_rest {
                type filter hook output priority 0; policy drop;
                ip daddr { 127.0.0.0/8, 198.18.0.2 } accept
                ip6 daddr ::1 accept
                ip6 daddr ff00::/8 drop
                icmp type destination-unreachable accept
                icmpv6 type destination-unreachable accept
                meta nfproto ipv4 meta l4proto udp add @udp4 { ip daddr . udp dport } drop
                meta nfproto ipv6 meta l4proto udp add @udp6 { ip6 daddr . udp dport } drop
                meta nfproto ipv4 add @other4 { ip daddr . meta l4proto } reject with icmpx type admin-prohibited
                meta nfproto ipv6 add @other6 { ip6 daddr . meta l4proto } reject with icmpx type admin-prohibited
                counter name "unrecorded" drop
              }
            }
            """;

    private static final int COMMAND_TIMEOUT_SECONDS = 10;

    private SandboxNetwork() {}

    /**
     * Sets up links, routes and rules. Must run inside the namespace ({@link NetNamespace#call}).
     * Safe to run again after a partial failure.
     */
    static void configure() {
        try {
            run(List.of("ip", "-batch", "-"), LINKS);
        } catch (RuntimeFailureException e) {
            if (!e.getMessage().contains("File exists")) {
                throw e;
            }
            run(List.of("ip", "link", "del", "eg0"), ""); // an earlier attempt got this far: start over
            run(List.of("ip", "-batch", "-"), LINKS);
        }
        run(List.of("nft", "-f", "-"), RULES);
    }

    /** A dropped packet's destination as the kernel recorded it. */
    record Dropped(String protocol, String address, int port) {}

    /** What the kernel dropped since the last harvest, and how many packets it could not record. */
    record Harvest(List<Dropped> dropped, long unrecorded) {}

    /**
     * What the kernel dropped so far, from the rules' sets, which are then emptied of what was
     * read (a full set records nothing more; packets past that only count in {@code unrecorded}).
     * Must run inside the namespace. Each destination appears once however many packets went to it.
     */
    static Harvest harvest() {
        String json = run(List.of("nft", "-j", "list", "table", "inet", "airlock"), "");
        List<Dropped> dropped = NftSets.dropped(json);
        long unrecorded = NftSets.counter(json, "unrecorded");
        StringBuilder script = new StringBuilder();
        for (Dropped d : dropped) {
            String set = (d.protocol().equals("udp") ? "udp" : "other") + (d.address().contains(":") ? "6" : "4");
            String key = d.protocol().equals("udp") ? d.address() + " . " + d.port() : d.address() + " . " + d.protocol();
            script.append("delete element inet airlock ").append(set).append(" { ").append(key).append(" }\n");
        }
        if (unrecorded > 0) {
            script.append("reset counter inet airlock unrecorded\n");
        }
        if (!script.isEmpty()) {
            run(List.of("nft", "-f", "-"), script.toString());
        }
        return new Harvest(dropped, unrecorded);
    }

    private static String run(List<String> command, String input) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        try {
            Process p = pb.start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(output unreadable: " + e.getMessage() + ")";
                }
            }, Thread::startVirtualThread);
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new RuntimeFailureException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            String out = output.join();
            if (p.exitValue() != 0) {
                throw new RuntimeFailureException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new RuntimeFailureException("cannot run " + String.join(" ", command) + " (is iproute2/nftables installed?): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailureException("interrupted running " + String.join(" ", command));
        }
    }
}
