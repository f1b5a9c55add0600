package io.airlock.runtime.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Mutated valid inputs must only ever give the documented results, never a stray exception. */
class WireFuzzTest {
    private static final int ROUNDS = 20_000;

    @Test
    void parsers_mutatedInput_onlyDocumentedOutcomes() throws Exception {
        Random random = new Random(42);
        byte[] http = "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\nX: y\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] query = DnsMessage.query(7, "www.a.test", 1);
        byte[] answer = DnsMessage.answerA(DnsMessage.parseQuery(query, query.length),
                List.of((java.net.Inet4Address) java.net.InetAddress.ofLiteral("192.0.2.1")), 5);
        byte[] tls = {22, 3, 1, 0, 60, 1, 0, 0, 56, 3, 3};
        for (int i = 0; i < ROUNDS; i++) {
            assertThat(HttpRequestHead.parse(mutate(http, random), http.length)).isNotNull();
            byte[] t = java.util.Arrays.copyOf(tls, 64);
            for (int j = tls.length; j < t.length; j++) {
                t[j] = (byte) random.nextInt(256);
            }
            assertThat(TlsClientHello.sni(mutate(t, random), t.length)).isNotNull();
            byte[] q = mutate(query, random);
            try {
                DnsMessage.parseQuery(q, random.nextInt(q.length + 1));
            } catch (DnsFormatException expected) {
                // documented
            }
            byte[] a = mutate(answer, random);
            try {
                DnsMessage.parseResponse(a, random.nextInt(a.length + 1), 7, "www.a.test", 1);
            } catch (DnsFormatException expected) {
                // documented
            }
        }
    }

    private static byte[] mutate(byte[] in, Random random) {
        byte[] out = in.clone();
        for (int n = random.nextInt(4); n >= 0; n--) {
            out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
        return out;
    }
}
