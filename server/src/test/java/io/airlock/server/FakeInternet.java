package io.airlock.server;

import io.airlock.runtime.egress.DnsFormatException;
import io.airlock.runtime.egress.DnsMessage;
import io.airlock.runtime.egress.DnsQuery;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The test suite's own internet, built on this machine only: a network namespace joined to the
 * host by a veth pair, holding HTTP and HTTPS (SNI) servers for {@code a.test} (203.0.113.10)
 * and {@code b.test} (203.0.113.20), plus a DNS server on the host's loopback that knows those
 * names, {@code private.test} (10.0.0.7: an allowed name on a private address) and nothing else,
 * and remembers every name it was asked.
 */
public final class FakeInternet implements AutoCloseable {
    public static final String A = "203.0.113.10";
    public static final String B = "203.0.113.20";
    public static final String HOST_SIDE = "203.0.113.1";
    private static final Map<String, String> NAMES = Map.of("a.test", A, "b.test", B, "private.test", "10.0.0.7");

    private final String ns;
    private final String hostLink;
    private final Process web;
    private final DatagramSocket dns;
    private final Thread dnsThread;
    /** Every name the DNS server was asked, in order. */
    public final List<String> questions = new CopyOnWriteArrayList<>();

    private FakeInternet(String ns, String hostLink, Process web, DatagramSocket dns) {
        this.ns = ns;
        this.hostLink = hostLink;
        this.web = web;
        this.dns = dns;
        this.dnsThread = Thread.ofPlatform().daemon().name("fake-dns").start(this::serveDns);
    }

    public static FakeInternet start() throws IOException, InterruptedException {
        String tag = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
        String ns = "alnet-" + tag;
        String hostLink = "alh" + tag;
        run("ip", "netns", "add", ns);
        try {
            run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", "inet0", "netns", ns);
            run("ip", "addr", "add", HOST_SIDE + "/24", "dev", hostLink);
            run("ip", "link", "set", hostLink, "up");
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "-n", ns, "addr", "add", A + "/24", "dev", "inet0");
            run("ip", "-n", ns, "addr", "add", B + "/24", "dev", "inet0");
            run("ip", "-n", ns, "link", "set", "inet0", "up");
            Path dir = Files.createTempDirectory("airlock-fake-internet");
            run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=a.test",
                    "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString());
            Path script = dir.resolve("fake_web.py");
            try (InputStream in = FakeInternet.class.getResourceAsStream("fake_web.py")) {
                Files.copy(in, script);
            }
            Process web = new ProcessBuilder("ip", "netns", "exec", ns, "python3", script.toString(),
                    dir.resolve("cert.pem").toString(), dir.resolve("key.pem").toString(), A + "=a", B + "=b")
                    .redirectErrorStream(true).start();
            String ready = new BufferedReader(new InputStreamReader(web.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (!"ready".equals(ready)) {
                web.destroyForcibly();
                throw new IOException("fake web servers did not start: " + ready);
            }
            DatagramSocket dns = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new FakeInternet(ns, hostLink, web, dns);
        } catch (IOException | RuntimeException e) {
            runQuietly("ip", "netns", "del", ns);
            throw e;
        }
    }

    /** The DNS server, for {@code AIRLOCK_DNS}. */
    public String dnsAddress() {
        return "127.0.0.1:" + dns.getLocalPort();
    }

    private void serveDns() {
        byte[] buf = new byte[1500];
        while (!dns.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                dns.receive(p);
                DnsQuery q = DnsMessage.parseQuery(p.getData(), p.getLength());
                questions.add(q.name());
                String ip = NAMES.get(q.name());
                byte[] reply = ip == null ? DnsMessage.nxdomain(q)
                        : q.qtype() == DnsMessage.TYPE_A ? DnsMessage.answerA(q, List.of((Inet4Address) InetAddress.ofLiteral(ip)), 30)
                        : DnsMessage.noData(q);
                dns.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (DnsFormatException e) {
                // not a query: ignore
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        dns.close();
        dnsThread.join(5000);
        web.destroyForcibly();
        web.waitFor(10, TimeUnit.SECONDS);
        runQuietly("ip", "link", "del", hostLink);
        runQuietly("ip", "netns", "del", ns);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }

    private static void runQuietly(String... cmd) {
        try {
            run(cmd);
        } catch (IOException e) {
            // cleanup of what may already be gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
