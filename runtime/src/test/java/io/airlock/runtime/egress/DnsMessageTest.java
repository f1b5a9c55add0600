package io.airlock.runtime.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsMessageTest {
    /** What {@code dig www.example.com} sends: RD and AD set, an EDNS OPT with a client cookie. */
    private static final byte[] DIG_QUERY = HexFormat.of()
            .parseHex("12340120000100000000000103777777076578616d706c6503636f6d0000010001"
                    + "00002904d000000000000c000a0008" + "0102030405060708");

    @Test
    void parseQuery_builtByQuery_roundTrips() throws Exception {
        byte[] wire = DnsMessage.query(0xBEEF, "A.Test.", DnsMessage.TYPE_AAAA);

        DnsQuery q = DnsMessage.parseQuery(wire, wire.length);

        assertThat(q.id()).isEqualTo(0xBEEF);
        assertThat(q.name()).isEqualTo("a.test");
        assertThat(q.validName()).isTrue();
        assertThat(q.qtype()).isEqualTo(DnsMessage.TYPE_AAAA);
        assertThat(q.qclass()).isEqualTo(DnsMessage.CLASS_IN);
        assertThat(q.recursionDesired()).isTrue();
    }

    @Test
    void parseQuery_digQueryWithEdns_read() throws Exception {
        DnsQuery q = DnsMessage.parseQuery(DIG_QUERY, DIG_QUERY.length);

        assertThat(q.id()).isEqualTo(0x1234);
        assertThat(q.flags()).isEqualTo(0x0120);
        assertThat(q.name()).isEqualTo("www.example.com");
        assertThat(q.qtype()).isEqualTo(DnsMessage.TYPE_A);
        assertThat(q.recursionDesired()).isTrue();
    }

    @Test
    void parseQuery_mixedCase_normalizedAndEchoedAsSent() throws Exception {
        byte[] wire = queryBytes(0, 0x0100, name("WwW", "ExAmPlE", "cOm"), 1);

        DnsQuery q = DnsMessage.parseQuery(wire, wire.length);
        byte[] response = DnsMessage.noData(q);

        assertThat(q.name()).isEqualTo("www.example.com");
        assertThat(Arrays.copyOfRange(response, 12, response.length)).isEqualTo(Arrays.copyOfRange(wire, 12, wire.length));
    }

    @Test
    void parseQuery_nameNotAHostName_invalidAndEscaped() throws Exception {
        byte[] wire = queryBytes(7, 0, name("a b", "te.st\u0000"), 1);
        byte[] root = queryBytes(7, 0, new byte[] {0}, 2);

        DnsQuery q = DnsMessage.parseQuery(wire, wire.length);

        assertThat(q.validName()).isFalse();
        assertThat(q.name()).isEqualTo("a\\032b.te\\046st\\000");
        assertThat(q.recursionDesired()).isFalse();
        assertThat(DnsMessage.parseQuery(root, root.length).name()).isEqualTo(".");
    }

    @Test
    void parseQuery_badHeaders_throw() {
        byte[] ok = DnsMessage.query(1, "a.test", 1);

        assertFormat(Arrays.copyOf(ok, 11), "shorter than a DNS header");
        assertFormat(withShort(ok, 2, 0x8100), "QR is set");
        assertFormat(withShort(ok, 2, 0x0900), "opcode 1");
        assertFormat(withShort(ok, 4, 2), "qd=2");
        assertFormat(withShort(ok, 4, 0), "qd=0");
        assertFormat(withShort(ok, 6, 1), "an=1");
        assertFormat(withShort(ok, 8, 1), "ns=1");
        assertFormat(withShort(ok, 10, 2), "ar=2");
    }

    @Test
    void parseQuery_compressionPointerInQuestion_throws() {
        byte[] wire = queryBytes(1, 0, new byte[] {1, 'a', (byte) 0xC0, 12}, 1);

        assertFormat(wire, "compression pointer");
    }

    @Test
    void parseQuery_extendedLabelType_throws() {
        assertFormat(queryBytes(1, 0, new byte[] {0x41, 'a', 0}, 1), "label type 0x40");
    }

    @Test
    void parseQuery_nameLongerThan255_throws() {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            labels.add("a".repeat(63));
        }
        assertFormat(queryBytes(1, 0, name(labels.toArray(String[]::new)), 1), "longer than 255");
    }

    @Test
    void parseQuery_labelRunsPastEnd_throws() {
        byte[] wire = DnsMessage.query(1, "a.test", 1);

        assertFormat(Arrays.copyOf(wire, 16), "past the end");
        assertFormat(Arrays.copyOf(wire, wire.length - 1), "qclass");
    }

    @Test
    void parseQuery_trailingBytes_onlyAsOpt() {
        byte[] plain = DnsMessage.query(1, "a.test", 1);
        byte[] garbage = concat(plain, new byte[] {0});
        byte[] notOpt = concat(withShort(plain, 10, 1), HexFormat.of().parseHex("00" + "00fa" + "00ff" + "00000000" + "0000"));
        byte[] optPlusGarbage = concat(DIG_QUERY, new byte[] {1});

        assertFormat(garbage, "1 bytes after the end");
        assertFormat(notOpt, "type 250, not OPT");
        assertFormat(optPlusGarbage, "1 bytes after the end");
        assertFormat(Arrays.copyOf(DIG_QUERY, DIG_QUERY.length - 1), "OPT rdata");
    }

    @Test
    void answerA_readBackWithParseResponse() throws Exception {
        DnsQuery q = DnsMessage.parseQuery(DIG_QUERY, DIG_QUERY.length);

        byte[] response = DnsMessage.answerA(q, List.of(ip("10.0.0.1"), ip("10.0.0.2")), 60);
        DnsAnswer answer = DnsMessage.parseResponse(response, response.length, 0x1234, "www.example.com", 1);

        assertThat(u16(response, 2)).isEqualTo(0x8000 | 0x0100 | 0x0080);
        assertThat(answer).isEqualTo(new DnsAnswer(0, List.of(ip("10.0.0.1"), ip("10.0.0.2")), 60));
    }

    @Test
    void answerA_manyAddresses_cappedAndWithin512() throws Exception {
        List<Inet4Address> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(ip("10.0.0." + i));
        }
        String longName = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        byte[] shortQ = DnsMessage.query(1, "a.test", 1);
        byte[] longQ = DnsMessage.query(2, longName, 1);

        byte[] shortR = DnsMessage.answerA(DnsMessage.parseQuery(shortQ, shortQ.length), many, 5);
        byte[] longR = DnsMessage.answerA(DnsMessage.parseQuery(longQ, longQ.length), many, 5);

        assertThat(u16(shortR, 6)).isEqualTo(DnsMessage.MAX_ANSWERS);
        assertThat(longR.length).isLessThanOrEqualTo(DnsMessage.MAX_UDP);
        assertThat(DnsMessage.parseResponse(longR, longR.length, 2, longName, 1).addresses()).hasSize(u16(longR, 6));
    }

    @Test
    void answerA_notAnAQuestion_throws() throws Exception {
        byte[] wire = DnsMessage.query(1, "a.test", DnsMessage.TYPE_AAAA);
        DnsQuery q = DnsMessage.parseQuery(wire, wire.length);

        assertThatThrownBy(() -> DnsMessage.answerA(q, List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorResponses_carryTheirRcode() throws Exception {
        byte[] wire = DnsMessage.query(9, "a.test", 1);
        DnsQuery q = DnsMessage.parseQuery(wire, wire.length);

        assertThat(rcodeOf(DnsMessage.nxdomain(q))).isEqualTo(3);
        assertThat(rcodeOf(DnsMessage.refused(q))).isEqualTo(5);
        assertThat(rcodeOf(DnsMessage.servfail(q))).isEqualTo(2);
        assertThat(rcodeOf(DnsMessage.noData(q))).isEqualTo(0);
        byte[] nx = DnsMessage.nxdomain(q);
        assertThat(DnsMessage.parseResponse(nx, nx.length, 9, "a.test", 1)).isEqualTo(new DnsAnswer(3, List.of(), 0));
        assertThat(DnsMessage.formErr(0xABCD)).isEqualTo(HexFormat.of().parseHex("abcd808100000000" + "00000000"));
    }

    @Test
    void parseResponse_cnameChain_onlyAddressesOnTheChain() throws Exception {
        Response r = new Response(5, "a.test");
        int b = r.cname(12, "b", 300); // a.test CNAME b.<a.test's parent> = b.test
        r.a(b, "192.0.2.1", 30);
        r.a(12, "192.0.2.2", 100);
        r.aNamed("c.test", "198.51.100.66", 10); // not on the chain: dropped
        byte[] wire = r.bytes();

        DnsAnswer answer = DnsMessage.parseResponse(wire, wire.length, 5, "A.TEST", 1);

        assertThat(answer.addresses()).containsExactly(ip("192.0.2.1"), ip("192.0.2.2"));
        assertThat(answer.minTtl()).isEqualTo(30);
    }

    @Test
    void parseResponse_aBeforeItsCname_stillAccepted() throws Exception {
        Response r = new Response(5, "a.test");
        r.aNamed("z.test", "192.0.2.9", 60);
        r.cnameTo(12, "z.test", 60);
        byte[] wire = r.bytes();

        assertThat(DnsMessage.parseResponse(wire, wire.length, 5, "a.test", 1).addresses())
                .containsExactly(ip("192.0.2.9"));
    }

    @Test
    void parseResponse_compressionLoop_throws() {
        Response r = new Response(5, "a.test");
        int at = r.size();
        r.raw(concat(new byte[] {20}, "x".repeat(20).getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xC0, (byte) at}));
        r.raw(HexFormat.of().parseHex("0001000100000001000400000000"));
        byte[] wire = r.bytes(1);

        assertFormat(() -> DnsMessage.parseResponse(wire, wire.length, 5, "a.test", 1), "longer than 255");
    }

    @Test
    void parseResponse_tooManyJumps_throws() {
        Response r = new Response(5, "a.test");
        r.raw(HexFormat.of().parseHex("c00c" + "0010" + "0001" + "00000001" + "0050")); // a TXT whose rdata...
        int prev = 12;
        for (int i = 0; i < 40; i++) { // ...is 40 pointers, each to the one before
            int at = r.size();
            r.raw(new byte[] {(byte) 0xC0, (byte) prev});
            prev = at;
        }
        r.raw(new byte[] {(byte) 0xC0, (byte) prev}); // owner of the second record: the last pointer
        r.raw(HexFormat.of().parseHex("0001000100000001000400000000"));
        byte[] wire = r.bytes(2);

        assertFormat(() -> DnsMessage.parseResponse(wire, wire.length, 5, "a.test", 1), "more than 32");
    }

    @Test
    void parseResponse_forwardAndSelfPointers_throw() {
        Response fwd = new Response(5, "a.test");
        int at = fwd.size();
        fwd.raw(new byte[] {(byte) 0xC0, (byte) (at + 2), 0});
        fwd.raw(HexFormat.of().parseHex("0001000100000001000400000000"));
        byte[] forward = fwd.bytes(1);
        Response self = new Response(5, "a.test");
        int s = self.size();
        self.raw(new byte[] {(byte) 0xC0, (byte) s});
        self.raw(HexFormat.of().parseHex("0001000100000001000400000000"));
        byte[] selfWire = self.bytes(1);

        assertFormat(() -> DnsMessage.parseResponse(forward, forward.length, 5, "a.test", 1), "points forward");
        assertFormat(() -> DnsMessage.parseResponse(selfWire, selfWire.length, 5, "a.test", 1), "points forward");
    }

    @Test
    void parseResponse_mismatches_throw() throws Exception {
        byte[] q = DnsMessage.query(5, "a.test", 1);
        byte[] ok = DnsMessage.answerA(DnsMessage.parseQuery(q, q.length), List.of(ip("192.0.2.1")), 1);

        assertFormat(() -> DnsMessage.parseResponse(ok, ok.length, 6, "a.test", 1), "id 5, expected 6");
        assertFormat(() -> DnsMessage.parseResponse(ok, ok.length, 5, "b.test", 1), "expected \"b.test\"");
        assertFormat(() -> DnsMessage.parseResponse(ok, ok.length, 5, "a.test", 28), "type 28");
        assertFormat(() -> DnsMessage.parseResponse(q, q.length, 5, "a.test", 1), "not a standard response");
        byte[] tc = withShort(ok, 2, u16(ok, 2) | 0x0200);
        assertFormat(() -> DnsMessage.parseResponse(tc, tc.length, 5, "a.test", 1), "truncated");
        byte[] cut = Arrays.copyOf(ok, ok.length - 1);
        assertFormat(() -> DnsMessage.parseResponse(cut, cut.length, 5, "a.test", 1), "answer rdata");
        byte[] longA = concat(withShort(ok, ok.length - 6, 5), new byte[] {0});
        assertFormat(() -> DnsMessage.parseResponse(longA, longA.length, 5, "a.test", 1), "not 4");
    }

    @Test
    void query_notAHostName_throws() {
        assertThatThrownBy(() -> DnsMessage.query(1, "1.2.3.4", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- fixtures

    /** Builds a response to an A question by hand, so tests can put any bytes in the answer. */
    private static final class Response {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int id;
        private int answers;

        Response(int id, String qname) {
            this.id = id;
            out.writeBytes(new byte[12]);
            out.writeBytes(name(qname.split("\\.")));
            out.writeBytes(new byte[] {0, 1, 0, 1});
        }

        int size() {
            return out.size();
        }

        void raw(byte[] b) {
            out.writeBytes(b);
        }

        /** A CNAME from the name at {@code owner} to {@code label} + the parent of that name; returns the target's offset. */
        int cname(int owner, String label, int ttl) {
            ptr(owner);
            out.writeBytes(rrHead(5, ttl, 1 + label.length() + 2));
            int target = out.size();
            out.write(label.length());
            out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
            ptr(owner + 2); // skip a.test's first label ("a"): the parent "test"
            answers++;
            return target;
        }

        void cnameTo(int owner, String target, int ttl) {
            ptr(owner);
            byte[] n = name(target.split("\\."));
            out.writeBytes(rrHead(5, ttl, n.length));
            out.writeBytes(n);
            answers++;
        }

        void a(int owner, String ip, int ttl) {
            ptr(owner);
            out.writeBytes(rrHead(1, ttl, 4));
            out.writeBytes(ip(ip).getAddress());
            answers++;
        }

        void aNamed(String owner, String ip, int ttl) {
            out.writeBytes(name(owner.split("\\.")));
            out.writeBytes(rrHead(1, ttl, 4));
            out.writeBytes(ip(ip).getAddress());
            answers++;
        }

        byte[] bytes() {
            return bytes(answers);
        }

        byte[] bytes(int ancount) {
            byte[] b = out.toByteArray();
            ByteBuffer.wrap(b).putShort((short) id).putShort((short) 0x8180).putShort((short) 1).putShort((short) ancount);
            return b;
        }

        private void ptr(int at) {
            out.writeBytes(new byte[] {(byte) (0xC0 | at >> 8), (byte) at});
        }

        private static byte[] rrHead(int type, int ttl, int rdlength) {
            return ByteBuffer.allocate(10).putShort((short) type).putShort((short) 1).putInt(ttl)
                    .putShort((short) rdlength).array();
        }
    }

    private static byte[] queryBytes(int id, int flags, byte[] name, int qtype) {
        ByteBuffer b = ByteBuffer.allocate(12 + name.length + 4);
        b.putShort((short) id).putShort((short) flags).putShort((short) 1).putShort((short) 0).putInt(0);
        return b.put(name).putShort((short) qtype).putShort((short) 1).array();
    }

    private static byte[] name(String... labels) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String l : labels) {
            out.write(l.length());
            out.writeBytes(l.getBytes(StandardCharsets.ISO_8859_1));
        }
        out.write(0);
        return out.toByteArray();
    }

    private static Inet4Address ip(String text) {
        return (Inet4Address) InetAddress.ofLiteral(text);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    private static int rcodeOf(byte[] response) {
        return u16(response, 2) & 0xF;
    }

    private static byte[] withShort(byte[] b, int at, int v) {
        byte[] copy = b.clone();
        copy[at] = (byte) (v >> 8);
        copy[at + 1] = (byte) v;
        return copy;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void assertFormat(byte[] query, String messagePart) {
        assertFormat(() -> DnsMessage.parseQuery(query, query.length), messagePart);
    }

    private static void assertFormat(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String messagePart) {
        assertThatThrownBy(call).isInstanceOf(DnsFormatException.class).hasMessageContaining(messagePart);
    }
}
