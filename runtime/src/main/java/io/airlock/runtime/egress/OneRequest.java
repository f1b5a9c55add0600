package io.airlock.runtime.egress;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a plain HTTP connection into exactly one request. Only the first request's Host (or
 * absolute URL) is judged, so nothing after that request may reach the destination: a second
 * keep-alive or pipelined request could name another host behind the same address, unjudged and
 * unrecorded. The head is rewritten with {@code Connection: close} (hop-by-hop headers,
 * {@code Upgrade} included, are dropped), and the body is framed by its {@code Content-Length};
 * the proxy forwards that many bytes and discards the rest.
 *
 * <p>A chunked body cannot be framed without parsing it, so it is relayed until the sandbox or
 * the server ends the connection; {@code Connection: close} still tells the server to take no
 * further request. A head with both {@code Content-Length} and {@code Transfer-Encoding}, or
 * conflicting lengths, is refused (request smuggling).
 */
final class OneRequest {
    /** Relay the body until either side closes. */
    static final long UNFRAMED = -1;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "proxy-connection", "keep-alive", "upgrade", "te", "trailer");

    /** A request head to send, and how many body bytes follow it ({@link #UNFRAMED} for chunked). */
    record Framed(byte[] head, long bodyLength) {}

    /** Thrown for a head that cannot be framed safely; the message says why. */
    static final class Unframable extends Exception {
        Unframable(String reason) {
            super(reason, null, false, false);
        }
    }

    private OneRequest() {}

    /**
     * Frames the request whose head is {@code buf[0..headLength)}, already checked by
     * {@link HttpRequestHead} (CRLF line ends, no folding, ASCII).
     */
    static Framed frame(byte[] buf, int headLength) throws Unframable {
        String head = new String(buf, 0, headLength - 2, StandardCharsets.ISO_8859_1); // without the final CRLF
        String[] lines = head.split("\r\n", -1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(headLength + 32);
        write(out, lines[0]);
        long length = -2;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new Unframable("header line without a name: " + printable(line));
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (HOP_BY_HOP.contains(name)) {
                continue;
            }
            if (name.equals("content-length")) {
                long n = contentLength(value);
                if (length >= 0 && length != n) {
                    throw new Unframable("conflicting Content-Length headers");
                }
                length = n;
            } else if (name.equals("transfer-encoding")) {
                if (!value.toLowerCase(Locale.ROOT).matches("(.*,\\s*)?chunked")) {
                    throw new Unframable("Transfer-Encoding must end with chunked, got " + printable(value));
                }
                chunked = true;
            }
            write(out, line);
        }
        if (chunked && length >= 0) {
            throw new Unframable("both Content-Length and Transfer-Encoding (request smuggling)");
        }
        write(out, "Connection: close");
        write(out, "");
        return new Framed(out.toByteArray(), chunked ? UNFRAMED : Math.max(0, length));
    }

    private static long contentLength(String value) throws Unframable {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Unframable("Content-Length is not a number: " + printable(value));
        }
        return Long.parseLong(value);
    }

    private static void write(ByteArrayOutputStream out, String line) {
        out.writeBytes(line.getBytes(StandardCharsets.ISO_8859_1));
        out.write('\r');
        out.write('\n');
    }

    private static String printable(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "…" : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
