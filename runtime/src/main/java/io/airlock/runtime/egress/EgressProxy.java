package io.airlock.runtime.egress;

import io.airlock.core.egress.EgressAudit;
import io.airlock.core.egress.EgressEvent;
import io.airlock.core.egress.EgressLimits;
import io.airlock.core.egress.EgressPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox's egress proxy and resolver. The runtime opens the listening sockets inside the
 * sandbox's network namespace and redirects every TCP connection and DNS question leaving it
 * there; everything else the sandbox sends is dropped by the kernel. Each connection is judged
 * by {@link ProxyConnection}, each question by {@link DnsResponder}, and every decision is
 * recorded in the {@link EgressAudit}.
 *
 * <p>The policy is swapped atomically by {@link #apply}; connections already open keep going.
 * The byte quota is shared by all of the sandbox's connections: once it is spent, every open
 * connection is ended and new ones are refused.
 */
public final class EgressProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EgressProxy.class);

    /** Reads where a redirected connection was going ({@code SO_ORIGINAL_DST}). */
    @FunctionalInterface
    public interface OriginalDestination {
        InetSocketAddress of(SocketChannel accepted) throws IOException;
    }

    /** Where Airlock itself resolves names; {@link DnsClient#resolveA} in production. */
    @FunctionalInterface
    public interface Upstream {
        DnsAnswer resolveA(String name) throws IOException;
    }

    private final String sandboxId;
    private final List<ServerSocketChannel> listeners;
    private final DatagramChannel dns;
    private final OriginalDestination originals;
    private final AtomicReference<EgressPolicy> policy;
    private final EgressAudit audit;
    private final EgressLimits limits;
    private final InstantSource clock;
    private final NameCache names;
    private final Semaphore connections;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicBoolean quotaSpent = new AtomicBoolean();
    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    private final AuditBudget budget = new AuditBudget();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param listeners the TCP listeners (IPv4, and IPv6 if any) inside the sandbox's namespace;
     *     a connection whose original destination is a listener's own address used the proxy
     *     explicitly ({@code HTTP_PROXY})
     * @param dns the UDP socket the sandbox's DNS questions arrive on
     */
    public EgressProxy(String sandboxId, List<ServerSocketChannel> listeners, DatagramChannel dns, OriginalDestination originals,
            EgressPolicy policy, EgressAudit audit, EgressLimits limits, Upstream upstream, InstantSource clock) {
        this.sandboxId = sandboxId;
        this.listeners = List.copyOf(listeners);
        this.dns = dns;
        this.originals = originals;
        this.policy = new AtomicReference<>(policy);
        this.audit = audit;
        this.limits = limits;
        this.clock = clock;
        this.names = new NameCache(upstream, clock);
        this.connections = new Semaphore(limits.maxConnections());
    }

    /** Starts accepting connections and answering DNS. */
    public synchronized void start() {
        for (ServerSocketChannel listener : listeners) {
            threads.add(Thread.ofVirtual().name("egress-accept-" + sandboxId).start(() -> accept(listener)));
        }
        DnsResponder responder = new DnsResponder(this, dns);
        threads.add(Thread.ofVirtual().name("egress-dns-" + sandboxId).start(responder::run));
    }

    /**
     * Replaces the policy: new connections and questions are judged by it, and open connections
     * it no longer allows are ended (and recorded so).
     */
    public void apply(EgressPolicy next) {
        policy.set(next);
        relays.forEach(r -> r.endIfRefused(next));
    }

    public EgressPolicy policy() {
        return policy.get();
    }

    EgressLimits limits() {
        return limits;
    }

    NameCache names() {
        return names;
    }

    String sandboxId() {
        return sandboxId;
    }

    InstantSource clock() {
        return clock;
    }

    private void accept(ServerSocketChannel listener) {
        InetSocketAddress self;
        try {
            self = (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            return;
        }
        while (!closed) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // e.g. EMFILE: say so once a second at most instead of spinning
                LOG.atWarn().addKeyValue("sandbox", sandboxId).log("egress accept failed: {}", e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            InetSocketAddress original;
            try {
                original = originals.of(ch);
            } catch (IOException | RuntimeException e) {
                record(null, null, 0, false, "no original destination: " + e.getMessage(), 0, 0);
                ProxyConnection.closeQuietly(ch);
                continue;
            }
            boolean explicit = original.equals(self);
            Socket down = ch.socket();
            if (quotaSpent.get()) {
                record(null, original.getAddress(), original.getPort(), false, "byte-quota: " + limits.byteQuota() + " bytes spent", 0, 0);
                ProxyConnection.closeQuietly(ch);
                continue;
            }
            if (!connections.tryAcquire()) {
                record(null, original.getAddress(), original.getPort(), false,
                        "connection-limit: " + limits.maxConnections() + " connections open", 0, 0);
                ProxyConnection.closeQuietly(ch);
                continue;
            }
            Thread.ofVirtual().name("egress-conn-" + sandboxId).start(() -> {
                try {
                    new ProxyConnection(this, down, original, explicit).run();
                } finally {
                    connections.release();
                    ProxyConnection.closeQuietly(ch);
                }
            });
        }
    }

    /** Counts {@code n} more bytes; false (and every connection ended) once the quota is spent. */
    boolean charge(long n) {
        if (bytes.addAndGet(n) <= limits.byteQuota()) {
            return true;
        }
        if (quotaSpent.compareAndSet(false, true)) {
            record(null, null, 0, false, "byte-quota: " + limits.byteQuota() + " bytes spent; every connection ended", 0, 0);
            relays.forEach(Relay::abort);
        }
        return false;
    }

    void opened(Relay r) {
        relays.add(r);
        if (closed || quotaSpent.get()) {
            r.abort();
        }
    }

    void closed(Relay r) {
        relays.remove(r);
    }

    void record(@Nullable String name, @Nullable InetAddress address, int port, boolean allowed, String reason, long out, long in) {
        recordEvent("tcp", name, address, port, allowed, reason, out, in);
    }

    void recordEvent(String protocol, @Nullable String name, @Nullable InetAddress address, int port, boolean allowed, String reason,
            long out, long in) {
        if (!budget.take()) {
            return;
        }
        writeSuppressed();
        write(protocol, name, address, port, allowed, reason, out, in);
    }

    /** One event saying how many the budget kept out since the last such event, if any. */
    private void writeSuppressed() {
        long suppressed = budget.drainSuppressed();
        if (suppressed > 0) {
            write("other", null, null, 0, false, "audit-rate-limit: " + suppressed + " events over " + AuditBudget.PER_SECOND
                    + "/s were not recorded", 0, 0);
        }
    }

    private void write(String protocol, @Nullable String name, @Nullable InetAddress address, int port, boolean allowed, String reason,
            long out, long in) {
        try {
            audit.record(new EgressEvent(sandboxId, clock.instant(), protocol, name, address == null ? null : address.getHostAddress(),
                    port, allowed, reason, out, in));
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("sandbox", sandboxId).log("egress audit failed: {}", e.toString());
        }
    }

    /** Stops accepting, ends every open connection and stops the resolver. Idempotent. */
    @Override
    public void close() {
        List<Thread> started;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            started = List.copyOf(threads);
        }
        listeners.forEach(ProxyConnection::closeQuietly);
        ProxyConnection.closeQuietly(dns);
        relays.forEach(Relay::abort);
        writeSuppressed();
        for (Thread t : started) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

}
