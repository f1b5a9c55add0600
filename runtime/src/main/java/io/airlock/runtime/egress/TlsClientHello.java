package io.airlock.runtime.egress;

import io.airlock.core.egress.HostNames;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the server name (SNI) a TLS client asks for from the first bytes of its connection, so the
 * egress proxy can decide on a name before it connects anywhere, without terminating TLS.
 *
 * <p>The layout is RFC 8446 section 4.1.2 (which TLS 1.2 clients share) and RFC 6066 section 3.
 * The parse is strict where leniency would let one ClientHello mean two things to the proxy and
 * to the server behind it: lengths must nest exactly, each extension may appear once, the
 * {@code server_name} list must hold exactly one {@code host_name}, and that name must be a
 * {@link HostNames host name} (an IP literal is forbidden by RFC 6066 and refused here).
 *
 * <p>Bounds: a ClientHello (handshake header included) of at most {@link #MAX_HELLO} bytes, in at
 * most {@link #MAX_RECORDS} records, so the proxy never needs to buffer more than
 * {@link #MAX_BYTES} bytes: with that many bytes the answer is never {@link Sni.NeedMore}.
 */
public final class TlsClientHello {
    /** The largest ClientHello accepted, its 4-byte handshake header included. */
    public static final int MAX_HELLO = 16 * 1024;
    /** The most TLS records a ClientHello may be split across. */
    public static final int MAX_RECORDS = 16;
    /** The most bytes {@link #sni} ever needs: a maximal ClientHello in the most records. */
    public static final int MAX_BYTES = MAX_HELLO + MAX_RECORDS * TlsRecords.HEADER;

    private static final int EXT_SERVER_NAME = 0;
    private static final int HOST_NAME = 0;

    private TlsClientHello() {}

    /**
     * The server name in the ClientHello at the start of {@code buf[0, len)}. Bytes after the
     * records that carry the ClientHello are not looked at. Safe on any input: bad bytes give
     * {@link Sni.Invalid}, never an exception.
     *
     * @throws IndexOutOfBoundsException if {@code len} is negative or larger than {@code buf}
     */
    public static Sni sni(byte[] buf, int len) {
        Objects.checkFromIndexSize(0, len, buf.length);
        try {
            Optional<byte[]> hello = TlsRecords.clientHello(buf, len);
            if (hello.isEmpty()) {
                return new Sni.NeedMore();
            }
            return body(new WireReader(hello.get(), 4, hello.get().length));
        } catch (WireException e) {
            return new Sni.Invalid(e.getMessage());
        }
    }

    private static Sni body(WireReader r) {
        int major = r.u8("legacy_version");
        r.u8("legacy_version");
        if (major != 3) {
            throw new WireException("ClientHello legacy_version major " + major + ", not 3");
        }
        r.skip(32, "random");
        int sessionId = r.u8("legacy_session_id length");
        if (sessionId > 32) {
            throw new WireException("legacy_session_id of " + sessionId + " bytes; at most 32");
        }
        r.skip(sessionId, "legacy_session_id");
        int suites = r.u16("cipher_suites length");
        if (suites == 0 || suites % 2 != 0) {
            throw new WireException("cipher_suites of " + suites + " bytes; must be even and non-zero");
        }
        r.skip(suites, "cipher_suites");
        int compression = r.u8("legacy_compression_methods length");
        if (compression == 0) {
            throw new WireException("no legacy_compression_methods");
        }
        r.skip(compression, "legacy_compression_methods");
        if (r.remaining() == 0) {
            return new Sni.Absent(); // TLS 1.2 lets a ClientHello end without extensions
        }
        int extensionsLength = r.u16("extensions length");
        if (extensionsLength != r.remaining()) {
            throw new WireException("extensions declare " + extensionsLength + " bytes but " + r.remaining()
                    + " remain in the ClientHello");
        }
        Set<Integer> seen = new HashSet<>();
        Sni result = new Sni.Absent();
        while (r.remaining() > 0) {
            int type = r.u16("extension type");
            WireReader ext = r.slice(r.u16("extension length"), "extension " + type);
            if (!seen.add(type)) {
                throw new WireException("extension " + type + " appears twice");
            }
            if (type == EXT_SERVER_NAME) {
                result = new Sni.Found(serverName(ext));
            }
        }
        return result;
    }

    private static String serverName(WireReader ext) {
        int listLength = ext.u16("server_name_list length");
        if (listLength == 0 || listLength != ext.remaining()) {
            throw new WireException("server_name_list declares " + listLength + " bytes but the extension holds "
                    + ext.remaining());
        }
        String name = null;
        while (ext.remaining() > 0) {
            int nameType = ext.u8("server_name name_type");
            if (nameType != HOST_NAME) {
                throw new WireException("server_name entry of name_type " + nameType + "; only host_name (0) exists");
            }
            if (name != null) {
                throw new WireException("server_name lists more than one host_name");
            }
            int length = ext.u16("host_name length");
            if (length == 0 || length > HostNames.MAX_LENGTH + 1) {
                throw new WireException("host_name of " + length + " bytes; must be 1.." + (HostNames.MAX_LENGTH + 1));
            }
            name = ext.latin1(length, "host_name");
        }
        String raw = Objects.requireNonNull(name);
        return HostNames.normalize(raw).orElseThrow(() -> new WireException(IpLiterals.looksLikeAddress(raw)
                ? "SNI is an IP literal, which RFC 6066 forbids: " + Printable.quote(raw)
                : "SNI is not a host name: " + Printable.quote(raw)));
    }
}
