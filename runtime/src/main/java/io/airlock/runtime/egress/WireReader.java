package io.airlock.runtime.egress;

/**
 * A cursor over {@code buf[pos, limit)} whose reads never pass {@code limit}: a read past it
 * fails with a {@link WireException} that names the field, its offset and how many bytes were
 * left. Length fields read with it can only ever be used to skip or slice bytes that are present.
 */
final class WireReader {
    private final byte[] buf;
    private final int limit;
    private int pos;

    WireReader(byte[] buf, int pos, int limit) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
    }

    int pos() {
        return pos;
    }

    int remaining() {
        return limit - pos;
    }

    int u8(String field) {
        need(1, field);
        return buf[pos++] & 0xFF;
    }

    int u16(String field) {
        need(2, field);
        int v = (buf[pos] & 0xFF) << 8 | buf[pos + 1] & 0xFF;
        pos += 2;
        return v;
    }

    int u24(String field) {
        need(3, field);
        int v = (buf[pos] & 0xFF) << 16 | (buf[pos + 1] & 0xFF) << 8 | buf[pos + 2] & 0xFF;
        pos += 3;
        return v;
    }

    long u32(String field) {
        need(4, field);
        long v = (long) u16(field) << 16;
        return v | u16(field);
    }

    void skip(int n, String field) {
        need(n, field);
        pos += n;
    }

    /** The next {@code n} bytes as their own reader; this one moves past them. */
    WireReader slice(int n, String field) {
        need(n, field);
        WireReader sub = new WireReader(buf, pos, pos + n);
        pos += n;
        return sub;
    }

    /** The next {@code n} bytes as ISO-8859-1 text (one char per byte); callers cap {@code n}. */
    String latin1(int n, String field) {
        need(n, field);
        String s = new String(buf, pos, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        pos += n;
        return s;
    }

    private void need(int n, String field) {
        if (n < 0 || n > limit - pos) {
            throw new WireException(field + " needs " + n + " bytes at offset " + pos + " but only " + (limit - pos)
                    + " remain");
        }
    }
}
