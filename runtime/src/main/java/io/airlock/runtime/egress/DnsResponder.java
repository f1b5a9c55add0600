package io.airlock.runtime.egress;

import io.airlock.core.egress.Decision;
import io.airlock.core.egress.EgressPolicy;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The only DNS server a sandbox can reach: every UDP packet to port 53 is redirected here. It
 * answers A questions for names the policy lets the sandbox reach, with the addresses Airlock
 * resolved itself minus any the policy refuses (private ranges, the host's own addresses), and
 * NXDOMAIN for everything else. Nothing the sandbox asks is forwarded as asked, so a DNS tunnel
 * through a denied name never leaves the host.
 */
final class DnsResponder {
    private static final int MAX_QUERY = 4096;

    private final EgressProxy proxy;
    private final DatagramChannel channel;

    DnsResponder(EgressProxy proxy, DatagramChannel channel) {
        this.proxy = proxy;
        this.channel = channel;
    }

    void run() {
        ByteBuffer buf = ByteBuffer.allocate(MAX_QUERY);
        while (!proxy.isClosed()) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                continue;
            }
            if (from == null) {
                continue;
            }
            byte[] reply;
            try {
                reply = answer(buf.array(), buf.position());
            } catch (RuntimeException e) {
                // one bad question must not end the sandbox's DNS
                proxy.recordEvent("dns", null, null, 53, false, "internal-error: " + e, buf.position(), 0);
                continue;
            }
            if (reply != null) {
                try {
                    channel.send(ByteBuffer.wrap(reply), from);
                } catch (IOException e) {
                    // the asker is gone; its question is recorded
                }
            }
        }
    }

    /** The reply to one datagram, or null for one that is not a DNS query at all. */
    byte[] answer(byte[] buf, int len) {
        DnsQuery q;
        try {
            q = DnsMessage.parseQuery(buf, len);
        } catch (DnsFormatException e) {
            proxy.recordEvent("dns", null, null, 53, false, "malformed query: " + e.getMessage(), len, 0);
            return len >= 2 ? DnsMessage.formErr((buf[0] & 0xff) << 8 | (buf[1] & 0xff)) : null;
        }
        if (!q.validName()) {
            proxy.recordEvent("dns", null, null, 53, false, "invalid-name", len, 0);
            return DnsMessage.nxdomain(q);
        }
        if (q.qclass() != DnsMessage.CLASS_IN) {
            return DnsMessage.refused(q);
        }
        EgressPolicy policy = proxy.policy();
        Decision byName = policy.decideName(q.name());
        if (!byName.allowed()) {
            proxy.recordEvent("dns", q.name(), null, 53, false, byName.reason(), len, 0);
            return DnsMessage.nxdomain(q);
        }
        if (q.qtype() != DnsMessage.TYPE_A) {
            return DnsMessage.noData(q); // IPv4 only: AAAA and the rest are empty for allowed names
        }
        NameCache.Entry entry;
        try {
            entry = proxy.names().resolve(q.name());
        } catch (IOException e) {
            proxy.recordEvent("dns", q.name(), null, 53, false, "resolve-failed: " + e.getMessage(), len, 0);
            return DnsMessage.servfail(q);
        }
        List<Inet4Address> allowed = new ArrayList<>();
        Decision refusal = null;
        for (Inet4Address a : entry.addresses()) {
            Decision d = policy.decide(q.name(), a, 0);
            if (d.allowed()) {
                allowed.add(a);
            } else {
                refusal = d;
            }
        }
        if (allowed.isEmpty()) {
            String reason = refusal != null ? refusal.reason() + " (" + entry.addresses().getFirst().getHostAddress() + ")"
                    : "nxdomain upstream (rcode " + entry.rcode() + ")";
            proxy.recordEvent("dns", q.name(), refusal != null ? entry.addresses().getFirst() : null, 53, false, reason, len, 0);
            return DnsMessage.nxdomain(q);
        }
        proxy.recordEvent("dns", q.name(), allowed.getFirst(), 53, true, byName.reason(), len, 0);
        long ttl = Math.max(1, java.time.Duration.between(proxy.clock().instant(), entry.expires()).toSeconds());
        return DnsMessage.answerA(q, allowed, (int) Math.min(ttl, NameCache.MAX_TTL.toSeconds()));
    }
}
