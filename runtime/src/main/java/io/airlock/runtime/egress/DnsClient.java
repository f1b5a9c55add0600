package io.airlock.runtime.egress;

import io.airlock.core.egress.HostNames;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

/**
 * Asks one upstream resolver for the A records of a name, over UDP, for the sandbox resolver and
 * the egress proxy.
 *
 * <p>Each attempt uses a fresh socket on an ephemeral port, connected to the upstream so the
 * kernel drops datagrams from anyone else, and a fresh random id; a reply with another id or one
 * that does not parse as the answer to this query is ignored (an off-path spoofer cannot make the
 * lookup fail early) and the attempt waits on until its deadline. An attempt that times out is
 * tried once more. Thread-safe: calls share nothing but the random source.
 */
public final class DnsClient {
    private static final int ATTEMPTS = 2;
    private static final int MAX_REPLY = 4096;
    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    private final InetSocketAddress upstream;
    private final Duration timeout;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param timeout how long each of the two attempts waits for an answer
     * @throws IllegalArgumentException if {@code upstream} is unresolved or {@code timeout} is not
     *     positive
     */
    public DnsClient(InetSocketAddress upstream, Duration timeout) {
        if (upstream.isUnresolved()) {
            throw new IllegalArgumentException("upstream resolver must be an address, not the name " + upstream);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        this.upstream = upstream;
        this.timeout = timeout;
    }

    /**
     * The upstream's answer for {@code name}'s A records; NXDOMAIN and SERVFAIL come back as the
     * answer's {@code rcode}, not as exceptions.
     *
     * @throws IllegalArgumentException if {@code name} is not a {@link HostNames host name}
     * @throws IOException if neither attempt got a usable answer in time, or the socket failed; the
     *     message names the upstream, the name and what happened
     */
    public DnsAnswer resolveA(String name) throws IOException {
        String host = HostNames.normalize(name)
                .orElseThrow(() -> new IllegalArgumentException("not a host name: " + Printable.quote(name)));
        String lastBadReply = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int id = random.nextInt(1 << 16);
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.connect(upstream);
                byte[] query = DnsMessage.query(id, host, DnsMessage.TYPE_A);
                socket.send(new DatagramPacket(query, query.length));
                long deadline = System.nanoTime() + timeout.toNanos();
                byte[] buf = new byte[MAX_REPLY];
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, Duration.ofNanos(left).toMillis())));
                    DatagramPacket reply = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(reply);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    if (!upstream.equals(reply.getSocketAddress())) {
                        continue; // the connected socket already filters; this is belt and braces
                    }
                    try {
                        return DnsMessage.parseResponse(buf, reply.getLength(), id, host, DnsMessage.TYPE_A);
                    } catch (DnsFormatException e) {
                        lastBadReply = "; last ignored reply: " + e.getMessage();
                    }
                }
            } catch (PortUnreachableException e) {
                throw new IOException(
                        "upstream resolver " + text(upstream) + " is not listening (ICMP port unreachable) for "
                                + host,
                        e);
            }
        }
        throw new IOException("no answer from " + text(upstream) + " for " + host + " within " + text(timeout)
                + " (" + ATTEMPTS + " attempts)" + lastBadReply);
    }

    /**
     * The first {@code nameserver} in {@code /etc/resolv.conf}, on port 53.
     *
     * @throws IllegalStateException if the file cannot be read or names no usable nameserver
     */
    public static InetSocketAddress systemResolver() {
        try {
            return systemResolver(Files.readAllLines(RESOLV_CONF));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOLV_CONF + " to find the system resolver: " + e, e);
        }
    }

    static InetSocketAddress systemResolver(List<String> resolvConf) {
        for (String line : resolvConf) {
            String[] words = line.strip().split("[ \t]+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                try {
                    return new InetSocketAddress(InetAddress.ofLiteral(words[1]), 53);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(
                            RESOLV_CONF + " names a nameserver that is not an IP address: " + Printable.quote(words[1]), e);
                }
            }
        }
        throw new IllegalStateException("no nameserver line in " + RESOLV_CONF + "; pass the upstream resolver explicitly");
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
