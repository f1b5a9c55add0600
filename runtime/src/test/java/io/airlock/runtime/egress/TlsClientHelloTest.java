package io.airlock.runtime.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

class TlsClientHelloTest {
    @Test
    void sni_realClientHello_found() throws Exception {
        byte[] hello = jdkClientHello(List.of(new SNIHostName("a.test")));

        assertThat(TlsClientHello.sni(hello, hello.length)).isEqualTo(new Sni.Found("a.test"));
    }

    @Test
    void sni_realClientHello_uppercaseIsNormalized() throws Exception {
        byte[] hello = jdkClientHello(List.of(new SNIHostName("API.Example.TEST")));

        assertThat(TlsClientHello.sni(hello, hello.length)).isEqualTo(new Sni.Found("api.example.test"));
    }

    @Test
    void sni_realClientHelloWithoutServerName_absent() throws Exception {
        byte[] hello = jdkClientHello(List.of());

        assertThat(TlsClientHello.sni(hello, hello.length)).isEqualTo(new Sni.Absent());
    }

    @Test
    void sni_everyPrefix_needsMoreUntilComplete() throws Exception {
        byte[] hello = jdkClientHello(List.of(new SNIHostName("a.test")));

        for (int n = 0; n < hello.length; n++) {
            assertThat(TlsClientHello.sni(hello, n)).as("prefix of %d bytes", n).isEqualTo(new Sni.NeedMore());
        }
        assertThat(TlsClientHello.sni(hello, hello.length)).isEqualTo(new Sni.Found("a.test"));
    }

    @Test
    void sni_fragmentedAcrossRecords_found() throws Exception {
        byte[] message = handshakeMessage(jdkClientHello(List.of(new SNIHostName("a.test"))));

        byte[] split = records(message, 2, 100); // splits the handshake header itself, then the body
        byte[] wire = concat(split, "trailing application bytes".getBytes(StandardCharsets.US_ASCII));

        assertThat(TlsClientHello.sni(wire, wire.length)).isEqualTo(new Sni.Found("a.test"));
        for (int n = 0; n < split.length; n++) {
            assertThat(TlsClientHello.sni(split, n)).as("prefix of %d bytes", n).isEqualTo(new Sni.NeedMore());
        }
    }

    @Test
    void sni_tooManyRecords_invalid() throws Exception {
        byte[] message = handshakeMessage(jdkClientHello(List.of(new SNIHostName("a.test"))));
        int[] ones = new int[TlsClientHello.MAX_RECORDS];
        Arrays.fill(ones, 1);

        byte[] wire = records(message, ones);

        assertThat(TlsClientHello.sni(wire, wire.length)).isInstanceOf(Sni.Invalid.class);
    }

    @Test
    void sni_maximalHelloInMaxRecords_completeAtMaxBytes() {
        int base = clientHello(serverName("a.test"), extension(21, new byte[0])).length;
        byte[] message = clientHello(serverName("a.test"), extension(21, new byte[TlsClientHello.MAX_HELLO - base]));
        int[] ones = new int[TlsClientHello.MAX_RECORDS - 1];
        Arrays.fill(ones, 1);

        byte[] wire = records(message, ones);

        assertThat(message).hasSize(TlsClientHello.MAX_HELLO);
        assertThat(wire).hasSize(TlsClientHello.MAX_BYTES);
        assertThat(TlsClientHello.sni(wire, wire.length)).isEqualTo(new Sni.Found("a.test"));
        assertThat(TlsClientHello.sni(wire, wire.length - 1)).isEqualTo(new Sni.NeedMore());
    }

    @Test
    void sni_helloOneByteOverMax_invalid() {
        int base = clientHello(serverName("a.test"), extension(21, new byte[0])).length;
        byte[] message =
                clientHello(serverName("a.test"), extension(21, new byte[TlsClientHello.MAX_HELLO - base + 1]));

        byte[] wire = records(message, 10);

        assertThat(TlsClientHello.sni(wire, 5 + 10)).isInstanceOf(Sni.Invalid.class);
    }

    @Test
    void sni_lookalikeName_foundAsItself() {
        byte[] wire = records(clientHello(serverName("a.test.evil")));

        assertThat(TlsClientHello.sni(wire, wire.length)).isEqualTo(new Sni.Found("a.test.evil"));
    }

    @Test
    void sni_ipLiteral_invalid() {
        byte[] wire = records(clientHello(serverName("10.0.0.1")));

        assertThat(TlsClientHello.sni(wire, wire.length))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.type(Sni.Invalid.class))
                .extracting(Sni.Invalid::reason)
                .asString()
                .contains("IP literal");
    }

    @Test
    void sni_notAHostName_invalidAndQuotedSafely() {
        byte[] wire = records(clientHello(serverName("a.test\n\u001b[31m")));

        Sni sni = TlsClientHello.sni(wire, wire.length);

        assertThat(sni).isInstanceOf(Sni.Invalid.class);
        assertThat(((Sni.Invalid) sni).reason()).contains("\\x0a\\x1b").doesNotContain("\n");
    }

    @Test
    void sni_twoHostNames_invalid() {
        byte[] list = concat(nameEntry("a.test"), nameEntry("b.test"));
        byte[] wire = records(clientHello(extension(0, concat(u16(list.length), list))));

        assertThat(TlsClientHello.sni(wire, wire.length)).isInstanceOf(Sni.Invalid.class);
    }

    @Test
    void sni_twoServerNameExtensions_invalid() {
        byte[] wire = records(clientHello(serverName("a.test"), serverName("b.test")));

        assertThat(TlsClientHello.sni(wire, wire.length)).isInstanceOf(Sni.Invalid.class);
    }

    @Test
    void sni_helloWithoutExtensions_absent() {
        byte[] wire = records(clientHello());

        assertThat(TlsClientHello.sni(wire, wire.length)).isEqualTo(new Sni.Absent());
    }

    @Test
    void sni_garbage_invalid() {
        byte[] wire = {0x42, 0x13, 0x37, 0, 0, 0, 0};

        assertThat(TlsClientHello.sni(wire, wire.length)).isInstanceOf(Sni.Invalid.class);
        assertThat(TlsClientHello.sni(wire, 1)).isInstanceOf(Sni.Invalid.class);
    }

    @Test
    void sni_plainHttpOn443_invalidFromTheFirstByte() {
        byte[] wire = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(TlsClientHello.sni(wire, 1)).isEqualTo(new Sni.Invalid("not a TLS handshake: first byte is 0x47, not 0x16"));
    }

    @Test
    void sni_hugeDeclaredLengths_invalidWithoutWaiting() {
        byte[] hugeRecord = {22, 3, 1, (byte) 0xFF, (byte) 0xFF};
        byte[] hugeHandshake = {22, 3, 1, 0, 4, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        byte[] serverHello = {22, 3, 3, 0, 4, 2, 0, 0, 0};

        assertThat(TlsClientHello.sni(hugeRecord, hugeRecord.length)).isInstanceOf(Sni.Invalid.class);
        assertThat(TlsClientHello.sni(hugeHandshake, hugeHandshake.length)).isInstanceOf(Sni.Invalid.class);
        assertThat(TlsClientHello.sni(serverHello, serverHello.length)).isInstanceOf(Sni.Invalid.class);
    }

    @Test
    void sni_innerLengthsInconsistent_invalid() throws Exception {
        byte[] wire = jdkClientHello(List.of(new SNIHostName("a.test")));
        int extensionsAt = extensionsOffset(wire);

        byte[] longer = wire.clone();
        longer[extensionsAt + 1]++; // extensions claim one byte more than the ClientHello holds
        byte[] oddSuites = records(clientHelloWith(3, serverName("a.test")));
        byte[] namePastList = records(clientHello(extension(0, concat(u16(4), nameEntry("a.test")))));

        assertThat(TlsClientHello.sni(longer, longer.length)).isInstanceOf(Sni.Invalid.class);
        assertThat(TlsClientHello.sni(oddSuites, oddSuites.length)).isInstanceOf(Sni.Invalid.class);
        assertThat(TlsClientHello.sni(namePastList, namePastList.length)).isInstanceOf(Sni.Invalid.class);
    }

    @Test
    void sni_bytesAfterHelloInItsRecord_invalid() {
        byte[] message = concat(clientHello(serverName("a.test")), new byte[] {1, 2, 3});

        byte[] wire = records(message);

        assertThat(TlsClientHello.sni(wire, wire.length)).isInstanceOf(Sni.Invalid.class);
    }

    @Test
    void sni_nonHandshakeRecordBeforeHelloEnds_invalid() {
        byte[] message = clientHello(serverName("a.test"));
        byte[] first = records(Arrays.copyOf(message, 10));
        byte[] changeCipherSpec = {20, 3, 3, 0, 1, 1};

        byte[] wire = concat(first, changeCipherSpec);

        assertThat(TlsClientHello.sni(wire, wire.length)).isInstanceOf(Sni.Invalid.class);
    }

    // ---- fixtures: a real ClientHello from the JDK, and hand-built ones in the RFC 8446 layout

    private static byte[] jdkClientHello(List<SNIServerName> names) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("unused.invalid", 443);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setServerNames(names);
        engine.setSSLParameters(params);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] wire = new byte[out.remaining()];
        out.get(wire);
        return wire;
    }

    /** The handshake message inside a single-record ClientHello. */
    private static byte[] handshakeMessage(byte[] singleRecord) {
        return Arrays.copyOfRange(singleRecord, 5, singleRecord.length);
    }

    private static int extensionsOffset(byte[] singleRecord) {
        int p = 5 + 4 + 2 + 32;
        p += 1 + (singleRecord[p] & 0xFF);
        p += 2 + ((singleRecord[p] & 0xFF) << 8 | singleRecord[p + 1] & 0xFF);
        p += 1 + (singleRecord[p] & 0xFF);
        return p;
    }

    /** {@code message} split into handshake records of the given sizes, the rest in a last one. */
    private static byte[] records(byte[] message, int... sizes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int p = 0;
        for (int size : sizes) {
            out.writeBytes(record(Arrays.copyOfRange(message, p, p + size)));
            p += size;
        }
        if (p < message.length) {
            out.writeBytes(record(Arrays.copyOfRange(message, p, message.length)));
        }
        return out.toByteArray();
    }

    private static byte[] record(byte[] fragment) {
        return concat(new byte[] {22, 3, 1}, u16(fragment.length), fragment);
    }

    private static byte[] clientHello(byte[]... extensions) {
        return clientHelloWith(2, extensions);
    }

    private static byte[] clientHelloWith(int cipherSuitesLength, byte[]... extensions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {3, 3});
        body.writeBytes(new byte[32]);
        body.write(0); // empty legacy_session_id
        body.writeBytes(u16(cipherSuitesLength));
        body.writeBytes(new byte[cipherSuitesLength]);
        body.writeBytes(new byte[] {1, 0}); // one compression method: null
        if (extensions.length > 0) {
            byte[] all = concat(extensions);
            body.writeBytes(u16(all.length));
            body.writeBytes(all);
        }
        byte[] b = body.toByteArray();
        return concat(new byte[] {1, (byte) (b.length >> 16), (byte) (b.length >> 8), (byte) b.length}, b);
    }

    private static byte[] serverName(String name) {
        byte[] entry = nameEntry(name);
        return extension(0, concat(u16(entry.length), entry));
    }

    private static byte[] nameEntry(String name) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        return concat(new byte[] {0}, u16(n.length), n);
    }

    private static byte[] extension(int type, byte[] data) {
        return concat(u16(type), u16(data.length), data);
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
