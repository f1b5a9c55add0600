package io.airlock.runtime.egress;

import io.airlock.core.egress.Decision;
import io.airlock.core.egress.EgressPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One connection a sandbox opened, from its first byte to its close: find out where it wants to
 * go (the Host header on port 80, the TLS SNI on 443, the address alone on other ports, or the
 * request itself when the sandbox used the proxy explicitly), judge that, dial the destination
 * Airlock resolved itself, and relay.
 *
 * <p>The destination is never taken from the sandbox's word alone: a name is resolved by
 * Airlock, every address is re-checked against the policy (so an allowed name that resolves to a
 * private address is still refused), and on a redirected connection the address the sandbox
 * dialled must be one of the name's addresses, so a forged Host or SNI gains nothing.
 */
final class ProxyConnection {
    private static final int PEEK_LIMIT = Math.max(TlsClientHello.MAX_BYTES, HttpRequestHead.MAX_HEAD);

    private final EgressProxy proxy;
    private final Socket down;
    private final InetSocketAddress original;
    private final boolean explicit;

    ProxyConnection(EgressProxy proxy, Socket down, InetSocketAddress original, boolean explicit) {
        this.proxy = proxy;
        this.down = down;
        this.original = original;
        this.explicit = explicit;
    }

    /** Where a connection goes: a name (or null), the port, and what to send first. */
    private record Target(@Nullable String name, @Nullable InetAddress literal, int port, byte[] prefix, boolean connectMethod,
            long bodyLeft) {
        /** A target whose bytes are relayed as they come: TLS, CONNECT tunnels, other ports. */
        Target(@Nullable String name, @Nullable InetAddress literal, int port, byte[] prefix, boolean connectMethod) {
            this(name, literal, port, prefix, connectMethod, OneRequest.UNFRAMED);
        }
    }

    void run() {
        try {
            judgeAndRelay();
        } catch (RuntimeException e) {
            deny(null, original.getAddress(), original.getPort(), "internal-error: " + e, false);
        }
    }

    private void judgeAndRelay() {
        byte[] buf = new byte[PEEK_LIMIT];
        int len = 0;
        Target target;
        long deadline = System.nanoTime() + proxy.limits().handshakeTimeout().toNanos();
        try {
            InputStream in = down.getInputStream();
            int fresh = 0;
            while (true) {
                // Re-parse only when the new bytes can have completed something (a line end, a
                // TLS record), so a sandbox dribbling bytes cannot make the proxy rescan 16 KiB per byte.
                if (worthParsing(buf, len, fresh)) {
                    target = classify(buf, len);
                    if (target != null) {
                        break;
                    }
                }
                if (len == buf.length) {
                    deny(null, original.getAddress(), original.getPort(), "unparsable: no request within " + buf.length + " bytes", true);
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException();
                }
                down.setSoTimeout((int) Math.max(1, left / 1_000_000)); // the whole handshake has one deadline, not each read
                int n = in.read(buf, len, buf.length - len);
                if (n < 0) {
                    if (len == 0) {
                        return; // connected and closed without a byte: nothing to judge
                    }
                    deny(null, original.getAddress(), original.getPort(), "closed before its request was complete", false);
                    return;
                }
                fresh = len;
                len += n;
            }
        } catch (Invalid e) {
            deny(null, original.getAddress(), original.getPort(), e.getMessage(), true);
            return;
        } catch (SocketTimeoutException e) {
            deny(null, original.getAddress(), original.getPort(), "no request within " + proxy.limits().handshakeTimeout().toSeconds() + " s", false);
            return;
        } catch (IOException e) {
            return;
        }
        dial(proxy.policy(), target); // the policy in force now, after the handshake
    }

    /** Whether {@code buf[from..len)} can have completed a request head or a TLS record. */
    private boolean worthParsing(byte[] buf, int len, int from) {
        if (len == 0 || len == buf.length || (!explicit && original.getPort() != 80 && original.getPort() != 443)) {
            return true;
        }
        if (explicit || original.getPort() == 80) {
            for (int i = from; i < len; i++) {
                if (buf[i] == '\n') {
                    return true;
                }
            }
            return false;
        }
        // TLS: parse once the records so far are complete (or it is not TLS at all)
        int at = 0;
        while (at + 5 <= len) {
            if (buf[at] != 22) {
                return true;
            }
            at += 5 + ((buf[at + 3] & 0xff) << 8 | (buf[at + 4] & 0xff));
        }
        return at == len || len < 5 && buf[0] != 22;
    }

    /** A request that cannot be judged; the message is the audit reason. */
    private static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The target once enough bytes are in, null while more are needed. */
    private @Nullable Target classify(byte[] buf, int len) throws Invalid {
        if (explicit) {
            return http(buf, len, true);
        }
        int port = original.getPort();
        if (port == 80) {
            return http(buf, len, false);
        }
        if (port == 443) {
            if (len == 0) {
                return null;
            }
            return switch (TlsClientHello.sni(buf, len)) {
                case Sni.NeedMore m -> null;
                case Sni.Found f -> new Target(f.name(), null, 443, Arrays.copyOf(buf, len), false);
                case Sni.Absent a -> new Target(null, null, 443, Arrays.copyOf(buf, len), false);
                case Sni.Invalid i -> throw new Invalid("not a TLS ClientHello on port 443: " + i.reason());
            };
        }
        return new Target(null, null, port, new byte[0], false); // other ports: judged by address alone
    }

    private @Nullable Target http(byte[] buf, int len, boolean proxyRequest) throws Invalid {
        return switch (HttpRequestHead.parse(buf, len)) {
            case Head.NeedMore m -> null;
            case Head.Invalid i -> throw new Invalid("not an HTTP request: " + i.reason());
            case Head.Request r -> {
                if (!proxyRequest) {
                    // IP literal or no Host: judged by address
                    yield oneRequest(r.hostHeader().orElse(null), null, 80, buf, len, r.headLength());
                }
                InetAddress literal = r.targetAddress().map(ProxyConnection::literal).orElse(null);
                String name = r.targetHost().orElse(null);
                if (r.form() == Head.Form.AUTHORITY || r.form() == Head.Form.ABSOLUTE) {
                    if (name == null && literal == null) {
                        throw new Invalid("proxy request without a usable host");
                    }
                    if (r.form() == Head.Form.AUTHORITY) {
                        yield new Target(name, literal, r.targetPort(), Arrays.copyOfRange(buf, r.headLength(), len), true);
                    }
                    yield oneRequest(name, literal, r.targetPort(), buf, len, r.headLength());
                }
                throw new Invalid("a request to the proxy must be CONNECT host:port or use an absolute http:// URL");
            }
        };
    }

    /** A plain HTTP request, cut to itself: see {@link OneRequest}. */
    private static Target oneRequest(@Nullable String name, @Nullable InetAddress literal, int port, byte[] buf, int len, int headLength)
            throws Invalid {
        OneRequest.Framed framed;
        try {
            framed = OneRequest.frame(buf, headLength);
        } catch (OneRequest.Unframable e) {
            throw new Invalid("cannot forward this request safely: " + e.getMessage());
        }
        int bodyRead = len - headLength;
        int bodySent = framed.bodyLength() == OneRequest.UNFRAMED ? bodyRead : (int) Math.min(bodyRead, framed.bodyLength());
        byte[] prefix = Arrays.copyOf(framed.head(), framed.head().length + bodySent);
        System.arraycopy(buf, headLength, prefix, framed.head().length, bodySent);
        long left = framed.bodyLength() == OneRequest.UNFRAMED ? OneRequest.UNFRAMED : framed.bodyLength() - bodySent;
        return new Target(name, literal, port, prefix, false, left);
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.ofLiteral(ip.startsWith("[") ? ip.substring(1, ip.length() - 1) : ip);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void dial(EgressPolicy policy, Target t) {
        List<InetAddress> candidates;
        if (t.literal() instanceof Inet6Address) {
            deny(null, t.literal(), t.port(), "ipv6-not-forwarded: egress is IPv4 only", true);
            return;
        }
        // A name is judged as a name only where the protocol carries it (Host on 80, SNI on 443),
        // as on a redirected connection; on other ports the name only says which addresses to
        // judge, so CONNECT a.test:22 is allowed only if a.test's address is.
        boolean byName = t.name() != null && (t.port() == 80 || t.port() == 443);
        if (t.name() == null) {
            InetAddress address = t.literal() != null ? t.literal() : original.getAddress();
            if (!explicit && t.literal() != null && !t.literal().equals(original.getAddress())) {
                deny(null, original.getAddress(), t.port(), "address-mismatch: asked for " + t.literal().getHostAddress(), t.port() == 80);
                return;
            }
            candidates = List.of(address);
        } else {
            Decision nameDecision = policy.decide(t.name(), null, t.port());
            if (!nameDecision.allowed()) {
                deny(t.name(), explicit ? null : original.getAddress(), t.port(), nameDecision.reason(), t.port() == 80 || explicit);
                return;
            }
            NameCache.Entry entry;
            try {
                entry = proxy.names().resolve(t.name());
            } catch (IOException e) {
                deny(t.name(), null, t.port(), "resolve-failed: " + e.getMessage(), t.port() == 80 || explicit);
                return;
            }
            if (entry.addresses().isEmpty()) {
                deny(t.name(), null, t.port(), "resolve-failed: no IPv4 address (rcode " + entry.rcode() + ")", t.port() == 80 || explicit);
                return;
            }
            if (explicit) {
                candidates = List.<InetAddress>copyOf(entry.addresses());
            } else {
                InetAddress asked = original.getAddress();
                if (!entry.addresses().contains(asked) && !proxy.names().wasResolvedTo(t.name(), asked)) {
                    deny(t.name(), asked, t.port(), "address-mismatch: " + t.name() + " does not resolve to " + asked.getHostAddress(),
                            t.port() == 80);
                    return;
                }
                candidates = List.of(asked);
            }
        }
        Decision last = null;
        for (InetAddress address : candidates) {
            Decision d = policy.decide(byName ? t.name() : null, address, t.port());
            if (!d.allowed()) {
                last = d;
                continue;
            }
            connect(t, address, d);
            return;
        }
        deny(t.name(), candidates.get(0), t.port(), last == null ? "no address" : last.reason(), t.port() == 80 || explicit);
    }

    private void connect(Target t, InetAddress address, Decision d) {
        Socket up = new Socket();
        try {
            up.connect(new InetSocketAddress(address, t.port()), (int) proxy.limits().connectTimeout().toMillis());
        } catch (IOException e) {
            closeQuietly(up);
            deny(t.name(), address, t.port(), "connect-failed: " + e.getMessage(), t.port() == 80 || explicit);
            return;
        }
        Relay relay = new Relay(proxy, down, up, t.name(), address, t.port());
        // Recorded when it opens, so a long-lived tunnel is in the audit (and in learn mode's
        // proposal) while it lasts, and again with its byte counts when it closes.
        proxy.record(t.name(), address, t.port(), true, d.reason(), 0, 0);
        try {
            down.setSoTimeout(0);
            if (t.connectMethod()) {
                down.getOutputStream().write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            relay.run(t.prefix(), t.bodyLeft());
        } catch (IOException e) {
            // the relay ends on either side's close or error; bytes so far are counted
        } finally {
            closeQuietly(up);
            closeQuietly(down);
            proxy.record(t.name(), address, t.port(), true, relay.endReason(), relay.bytesOut(), relay.bytesIn());
        }
    }

    private void deny(@Nullable String name, @Nullable InetAddress address, int port, String reason, boolean sayWhy) {
        proxy.record(name, address, port, false, reason, 0, 0);
        if (sayWhy && (explicit || port == 80)) {
            try {
                OutputStream out = down.getOutputStream();
                byte[] body = ("airlock egress denied: " + reason + "\n").getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // the sandbox went away; the denial is recorded either way
            }
        }
        closeQuietly(down);
    }

    /** Closes a socket or channel, ignoring failure: closing is all that is left to do. */
    static void closeQuietly(java.io.Closeable s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing: nothing left to do
        }
    }
}
