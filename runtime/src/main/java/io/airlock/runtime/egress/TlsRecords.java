package io.airlock.runtime.egress;

import java.util.Optional;

/**
 * Reassembles the first handshake message of a TLS connection from the records that carry it
 * (RFC 8446 section 5.1: a handshake message may be split across records, and even its 4-byte
 * header may be). Only the bytes the caller already has are copied, into an array no larger than
 * {@link TlsClientHello#MAX_HELLO}, so a declared length never decides an allocation.
 *
 * <p>Stricter than TLS needs: at most {@link TlsClientHello#MAX_RECORDS} records, no zero-length
 * handshake records (RFC 8446 forbids them), nothing but handshake records until the message
 * ends, and no bytes after it in its last record (a client sends nothing else before the server
 * answers). Those are the shapes an evasion attempt takes, not what real clients send.
 */
final class TlsRecords {
    static final int HEADER = 5;
    static final int MAX_RECORD = 1 << 14;
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;

    private TlsRecords() {}

    /**
     * The whole handshake message (4-byte header included) once {@code buf[0, len)} holds all of
     * it, or empty when more bytes are needed.
     *
     * @throws WireException if the bytes are not the records of one ClientHello
     */
    static Optional<byte[]> clientHello(byte[] buf, int len) {
        byte[] msg = new byte[Math.min(len, TlsClientHello.MAX_HELLO)];
        int have = 0;
        int need = -1; // 4 + body length, once the handshake header has arrived
        int pos = 0;
        for (int records = 0; ; records++) {
            if (records == TlsClientHello.MAX_RECORDS) {
                throw new WireException("ClientHello still incomplete after " + records + " records (" + have
                        + " of " + need + " bytes); real clients use one or two");
            }
            if (len - pos < 1) {
                return Optional.empty();
            }
            int type = buf[pos] & 0xFF;
            if (type != HANDSHAKE) {
                throw new WireException(records == 0
                        ? String.format("not a TLS handshake: first byte is 0x%02x, not 0x16", type)
                        : String.format("record %d at offset %d has content type %d before the ClientHello ended",
                                records, pos, type));
            }
            if (len - pos >= 2 && buf[pos + 1] != 3) {
                throw new WireException(String.format(
                        "record %d at offset %d has version major %d, not 3", records, pos, buf[pos + 1] & 0xFF));
            }
            if (len - pos < HEADER) {
                return Optional.empty();
            }
            int recordLength = (buf[pos + 3] & 0xFF) << 8 | buf[pos + 4] & 0xFF;
            if (recordLength == 0 || recordLength > MAX_RECORD) {
                throw new WireException("record " + records + " at offset " + pos + " declares " + recordLength
                        + " bytes; a handshake record holds 1.." + MAX_RECORD);
            }
            int frag = pos + HEADER;
            int fragEnd = frag + recordLength;
            int present = Math.min(fragEnd, len);
            while (frag < present && (need < 0 || have < need)) {
                int take = Math.min(present - frag, need < 0 ? 4 - have : need - have);
                System.arraycopy(buf, frag, msg, have, take);
                have += take;
                frag += take;
                if (need < 0 && have == 4) {
                    need = 4 + checkHeader(msg);
                }
            }
            if (have == need) {
                if (fragEnd > frag) {
                    throw new WireException((fragEnd - frag) + " bytes follow the ClientHello in record " + records);
                }
                return Optional.of(have == msg.length ? msg : java.util.Arrays.copyOf(msg, have));
            }
            if (fragEnd > len) {
                return Optional.empty();
            }
            pos = fragEnd;
        }
    }

    /** The body length from a handshake header, checked against the cap. */
    private static int checkHeader(byte[] msg) {
        int type = msg[0] & 0xFF;
        if (type != CLIENT_HELLO) {
            throw new WireException("handshake type " + type + ", not ClientHello (1)");
        }
        int body = (msg[1] & 0xFF) << 16 | (msg[2] & 0xFF) << 8 | msg[3] & 0xFF;
        if (4 + body > TlsClientHello.MAX_HELLO) {
            throw new WireException("ClientHello declares " + body + " bytes; at most "
                    + (TlsClientHello.MAX_HELLO - 4) + " are accepted");
        }
        return body;
    }
}
