package io.airlock.runtime;

import io.airlock.core.egress.EgressAudit;
import io.airlock.core.egress.EgressEvent;
import io.airlock.core.egress.EgressLimits;
import io.airlock.core.egress.EgressPolicy;
import io.airlock.core.egress.SandboxEgress;
import io.airlock.runtime.egress.EgressProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SandboxEgress} for an OCI sandbox: {@link SandboxNetwork}'s plumbing in the sandbox's
 * network namespace, and an {@link EgressProxy} whose sockets are opened inside that namespace
 * (so the sandbox reaches them on loopback) while it dials out from the host's.
 */
final class OciEgress implements SandboxEgress {
    private static final Logger LOG = LoggerFactory.getLogger(OciEgress.class);

    private final String sandboxId;
    private final NetNamespace ns;
    private final EgressProxy proxy;
    private final EgressAudit audit;
    private final InstantSource clock;
    /** Destinations already recorded: the sets are emptied on each harvest, but a destination is news only once. */
    private final Set<SandboxNetwork.Dropped> recorded = new HashSet<>();
    private boolean closed;

    private OciEgress(String sandboxId, NetNamespace ns, EgressProxy proxy, EgressAudit audit, InstantSource clock) {
        this.sandboxId = sandboxId;
        this.ns = ns;
        this.proxy = proxy;
        this.audit = audit;
        this.clock = clock;
    }

    record Sockets(ServerSocketChannel tcp, DatagramChannel dns) {}

    /** Configures the namespace of process {@code pid} and starts the proxy; undoes everything on failure. */
    static OciEgress open(String sandboxId, long pid, EgressPolicy policy, EgressAudit audit, EgressLimits limits,
            EgressProxy.Upstream upstream, InstantSource clock) {
        SocketDestinations.check();
        NetNamespace ns = NetNamespace.of(pid);
        try {
            Sockets sockets = ns.call(() -> {
                SandboxNetwork.configure();
                ServerSocketChannel tcp = null;
                DatagramChannel dns = null;
                try {
                    tcp = ServerSocketChannel.open();
                    tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    tcp.bind(new InetSocketAddress(SandboxNetwork.PROXY_V4, SandboxNetwork.PROXY_PORT), 256);
                    dns = DatagramChannel.open();
                    dns.bind(new InetSocketAddress(SandboxNetwork.PROXY_V4, SandboxNetwork.DNS_PORT));
                    return new Sockets(tcp, dns);
                } catch (IOException e) {
                    closeQuietly(tcp);
                    closeQuietly(dns);
                    throw new UncheckedIOException("cannot open the egress sockets in sandbox " + sandboxId
                            + " (is something in the sandbox already bound to " + SandboxNetwork.PROXY_V4.getHostAddress() + "?)", e);
                }
            });
            try {
                EgressProxy proxy = new EgressProxy(sandboxId, List.of(sockets.tcp()), sockets.dns(),
                        SocketDestinations::original, policy, audit, limits, upstream, clock);
                proxy.start();
                return new OciEgress(sandboxId, ns, proxy, audit, clock);
            } catch (RuntimeException e) {
                closeQuietly(sockets.tcp());
                closeQuietly(sockets.dns());
                throw e;
            }
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    private static void closeQuietly(java.nio.channels.@org.jspecify.annotations.Nullable Channel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing after a failure: the failure is what gets reported
            }
        }
    }

    @Override
    public void apply(EgressPolicy policy) {
        proxy.apply(policy);
    }

    @Override
    public String proxyUrl() {
        return "http://" + SandboxNetwork.PROXY_V4.getHostAddress() + ":" + SandboxNetwork.PROXY_PORT;
    }

    @Override
    public EgressPolicy policy() {
        return proxy.policy();
    }

    @Override
    public synchronized void flush() {
        if (closed) {
            return;
        }
        SandboxNetwork.Harvest harvest = ns.call(SandboxNetwork::harvest);
        if (harvest.unrecorded() > 0) {
            audit.record(new EgressEvent(sandboxId, clock.instant(), "other", null, null, 0, false,
                    "not-forwarded: " + harvest.unrecorded() + " more packets dropped, too many destinations to record", 0, 0));
        }
        for (SandboxNetwork.Dropped d : harvest.dropped()) {
            if (recorded.add(d)) {
                String reason = d.protocol().equals("udp") ? "udp-not-forwarded: only TCP and DNS leave a sandbox"
                        : d.address().contains(":") ? "ipv6-not-forwarded: egress is IPv4 only"
                        : d.protocol() + "-not-forwarded: only TCP and DNS leave a sandbox";
                audit.record(new EgressEvent(sandboxId, clock.instant(), d.protocol(), null, d.address(), d.port(), false, reason, 0, 0));
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                flush();
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("sandbox", sandboxId).log("could not collect dropped packets: {}", e.getMessage());
            }
            closed = true;
        }
        proxy.close();
        ns.close();
    }
}
