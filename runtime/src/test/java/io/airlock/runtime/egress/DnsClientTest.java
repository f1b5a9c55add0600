package io.airlock.runtime.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DnsClientTest {
    private static final Inet4Address ADDRESS = (Inet4Address) InetAddress.ofLiteral("192.0.2.7");

    private final DatagramSocket upstream = bind();
    private final DatagramSocket spoofer = bind();

    @AfterEach
    void close() {
        upstream.close();
        spoofer.close();
    }

    @Test
    void resolveA_upstreamAnswers_addresses() throws Exception {
        serve(false, false);

        DnsAnswer answer = client(Duration.ofSeconds(5)).resolveA("A.Test");

        assertThat(answer).isEqualTo(new DnsAnswer(0, List.of(ADDRESS), 60));
    }

    @Test
    void resolveA_silentUpstream_ioExceptionAfterBothAttempts() {
        long start = System.nanoTime();

        assertThatThrownBy(() -> client(Duration.ofMillis(200)).resolveA("a.test"))
                .isInstanceOf(IOException.class)
                .hasMessage("no answer from 127.0.0.1:" + upstream.getLocalPort() + " for a.test within 200 ms (2 attempts)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
    }

    @Test
    void resolveA_spoofedRepliesFirst_ignoredAndRightAnswerReturned() throws Exception {
        serve(true, false);

        assertThat(client(Duration.ofSeconds(5)).resolveA("a.test").addresses()).containsExactly(ADDRESS);
    }

    @Test
    void resolveA_firstQueryLost_retried() throws Exception {
        serve(false, true);

        assertThat(client(Duration.ofMillis(300)).resolveA("a.test").addresses()).containsExactly(ADDRESS);
    }

    @Test
    void systemResolver_firstNameserverOnPort53() {
        List<String> conf = List.of("# generated", "search example.test", "nameserver  10.0.0.53 ", "nameserver 10.0.0.54");

        assertThat(DnsClient.systemResolver(conf)).isEqualTo(new InetSocketAddress(InetAddress.ofLiteral("10.0.0.53"), 53));
        assertThatThrownBy(() -> DnsClient.systemResolver(List.of("search x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no nameserver line");
        assertThatThrownBy(() -> DnsClient.systemResolver(List.of("nameserver dns.example")))
                .isInstanceOf(IllegalStateException.class);
    }

    /**
     * Answers queries on {@link #upstream} from a virtual thread: optionally first a reply from
     * another port and one with the wrong id, optionally dropping the first query.
     */
    private void serve(boolean spoofFirst, boolean dropFirst) {
        Thread.ofVirtual().start(() -> {
            try {
                byte[] buf = new byte[512];
                for (int n = 0; ; n++) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    upstream.receive(p);
                    if (dropFirst && n == 0) {
                        continue;
                    }
                    DnsQuery q = DnsMessage.parseQuery(buf, p.getLength());
                    SocketAddress client = p.getSocketAddress();
                    byte[] answer = DnsMessage.answerA(q, List.of(ADDRESS), 60);
                    if (spoofFirst) {
                        byte[] other = DnsMessage.answerA(q, List.of((Inet4Address) InetAddress.ofLiteral("6.6.6.6")), 60);
                        spoofer.send(new DatagramPacket(other, other.length, client));
                        byte[] wrongId = other.clone();
                        wrongId[1] ^= 1;
                        upstream.send(new DatagramPacket(wrongId, wrongId.length, client));
                    }
                    upstream.send(new DatagramPacket(answer, answer.length, client));
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
    }

    private DnsClient client(Duration timeout) {
        return new DnsClient(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.getLocalPort()), timeout);
    }

    private static DatagramSocket bind() {
        try {
            return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
