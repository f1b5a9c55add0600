package io.airlock.runtime.egress;

import io.airlock.core.egress.HostNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Domain names in RFC 1035 wire form (section 3.1 labels, section 4.1.4 compression pointers).
 *
 * <p>Reading is bounded three ways, whatever the message says: every byte is checked against the
 * message length, a name is at most {@value #MAX_WIRE} bytes of labels, and a name follows at most
 * {@value #MAX_JUMPS} pointers, each of which must point before itself. So a pointer loop, a
 * forward pointer or a name longer than the message ends in a {@link WireException}, never in a
 * loop. The text form is lower case with every byte outside {@code [!-~]}, and {@code .} and
 * {@code \} inside a label, written as RFC 1035 {@code \DDD}, so it can never be mistaken for a
 * different name; the root name reads as {@code "."}.
 */
final class DnsNames {
    static final int MAX_WIRE = 255;
    static final int MAX_JUMPS = 32;

    private DnsNames() {}

    /** The wire form of a name already in {@link HostNames} form. */
    static byte[] encode(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 2);
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.write(0);
        return out.toByteArray();
    }

    /**
     * Reads the name at {@code start} into {@code text}.
     *
     * @param pointers whether compression pointers are allowed (not in a query's question)
     * @return the offset just after the name where it starts (after its first pointer, if any)
     */
    static int read(byte[] buf, int len, int start, boolean pointers, StringBuilder text) {
        int pos = start;
        int end = -1;
        int wire = 0;
        int jumps = 0;
        while (true) {
            if (pos >= len) {
                throw new WireException("name at offset " + start + " runs past the end of the message (" + len
                        + " bytes)");
            }
            int b = buf[pos] & 0xFF;
            if ((b & 0xC0) == 0xC0) {
                if (!pointers) {
                    throw new WireException("compression pointer at offset " + pos + " in a query's question");
                }
                if (pos + 1 >= len) {
                    throw new WireException("compression pointer at offset " + pos + " is cut off");
                }
                int target = (b & 0x3F) << 8 | buf[pos + 1] & 0xFF;
                if (target >= pos) {
                    throw new WireException("compression pointer at offset " + pos + " points forward to " + target);
                }
                if (++jumps > MAX_JUMPS) {
                    throw new WireException("name at offset " + start + " follows more than " + MAX_JUMPS
                            + " compression pointers");
                }
                if (end < 0) {
                    end = pos + 2;
                }
                pos = target;
                continue;
            }
            if ((b & 0xC0) != 0) {
                throw new WireException(String.format("label type 0x%02x at offset %d is not supported", b & 0xC0, pos));
            }
            wire += 1 + b;
            if (wire > MAX_WIRE) {
                throw new WireException("name at offset " + start + " is longer than " + MAX_WIRE + " bytes");
            }
            if (b == 0) {
                if (text.isEmpty()) {
                    text.append('.');
                }
                return end < 0 ? pos + 1 : end;
            }
            if (pos + 1 + b > len) {
                throw new WireException("label at offset " + pos + " runs past the end of the message");
            }
            if (!text.isEmpty()) {
                text.append('.');
            }
            appendLabel(buf, pos + 1, b, text);
            pos += 1 + b;
        }
    }

    private static void appendLabel(byte[] buf, int from, int n, StringBuilder text) {
        for (int i = from; i < from + n; i++) {
            int c = buf[i] & 0xFF;
            if (c > 0x20 && c < 0x7F && c != '.' && c != '\\') {
                text.append(Character.toLowerCase((char) c));
            } else {
                text.append('\\').append(String.format(Locale.ROOT, "%03d", c));
            }
        }
    }
}
