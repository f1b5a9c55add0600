package io.airlock.store.workspace;

import io.airlock.core.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Follows a tar stream's blocks as they pass to the tar reader and refuses metadata entries (pax
 * extended headers, GNU long names and links) larger than {@link #MAX_META} bytes, which the
 * reader would otherwise hold in memory whole. It tracks each header's size, including a size a
 * pax header sets for the next entry, so it cannot be led out of step; a global pax header that
 * sets a size is refused.
 */
final class TarGuard extends FilterInputStream {
    static final int MAX_META = 1 << 20;
    private static final int BLOCK = 512;

    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    private long untilHeader; // data and padding bytes before the next header
    private ByteArrayOutputStream meta; // a pax header's records, while they pass
    private long metaLeft;
    private long pendingSize = -1; // the size a pax header set for the next entry
    private byte metaType;

    TarGuard(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            track(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(n, 64 * 1024)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    private void track(byte[] b, int off, int n) {
        int i = off;
        int end = off + n;
        while (i < end) {
            if (untilHeader > 0) {
                int take = (int) Math.min(untilHeader, end - i);
                if (meta != null && metaLeft > 0) {
                    int m = (int) Math.min(metaLeft, take);
                    meta.write(b, i, m);
                    metaLeft -= m;
                }
                untilHeader -= take;
                i += take;
                if (untilHeader == 0 && meta != null) {
                    endMeta();
                }
            } else {
                int take = Math.min(BLOCK - headerFill, end - i);
                System.arraycopy(b, i, header, headerFill, take);
                headerFill += take;
                i += take;
                if (headerFill == BLOCK) {
                    headerFill = 0;
                    onHeader();
                }
            }
        }
    }

    private void onHeader() {
        boolean zeros = true;
        for (byte x : header) {
            zeros &= x == 0;
        }
        if (zeros) {
            return; // end-of-archive blocks
        }
        byte type = header[156];
        long size = size();
        boolean metaEntry = type == 'x' || type == 'g' || type == 'X' || type == 'L' || type == 'K';
        if (metaEntry) {
            if (size > MAX_META) {
                throw new InvalidRequestException("archive", "the archive has a " + (type == 'L' || type == 'K' ? "long-name" : "pax")
                        + " header of " + size + " bytes; at most " + MAX_META + " are accepted");
            }
            if (type == 'x' || type == 'X' || type == 'g') {
                meta = new ByteArrayOutputStream();
                metaLeft = size;
                metaType = type;
            }
        } else if (pendingSize >= 0) {
            size = pendingSize;
            pendingSize = -1;
        }
        untilHeader = (size + BLOCK - 1) / BLOCK * BLOCK;
        if (untilHeader == 0 && meta != null) {
            endMeta();
        }
    }

    /**
     * Applies a pax header's {@code size} record to the next entry (as the tar reader will).
     * Records are parsed by their length prefix, as the reader parses them, so a value holding a
     * newline cannot pass for a record of its own.
     */
    private void endMeta() {
        byte[] r = meta.toByteArray();
        meta = null;
        int pos = 0;
        while (pos < r.length) {
            int sp = pos;
            long len = 0;
            while (sp < r.length && r[sp] >= '0' && r[sp] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (r[sp] - '0');
                sp++;
            }
            if (sp >= r.length || r[sp] != ' ' || len <= sp - pos || pos + len > r.length) {
                return; // malformed: the tar reader refuses it too
            }
            String record = new String(r, sp + 1, (int) (pos + len - sp - 1), StandardCharsets.UTF_8);
            pos += (int) len;
            int eq = record.indexOf('=');
            if (eq > 0 && record.substring(0, eq).equals("size")) {
                if (metaType == 'g') {
                    throw new InvalidRequestException("archive", "the archive has a global pax header that sets a size; "
                            + "such archives are not accepted");
                }
                try {
                    pendingSize = Long.parseLong(record.substring(eq + 1).strip());
                } catch (NumberFormatException e) {
                    throw new InvalidRequestException("archive", "the archive has a pax header with a malformed size");
                }
                if (pendingSize < 0) {
                    throw new InvalidRequestException("archive", "the archive has a pax header with a negative size");
                }
            }
        }
    }

    /** The header's size field: octal, or base-256 when its first byte has the high bit set. */
    private long size() {
        if ((header[124] & 0x80) != 0) {
            long v = header[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    throw new InvalidRequestException("archive", "the archive has an entry size beyond 2^63 bytes");
                }
                v = (v << 8) | (header[i] & 0xff);
            }
            return v;
        }
        long v = 0;
        for (int i = 124; i < 136; i++) {
            byte c = header[i];
            if (c >= '0' && c <= '7') {
                v = v * 8 + (c - '0');
            } else if (c == 0 || c == ' ') {
                if (v > 0) {
                    break;
                }
            } else {
                throw new InvalidRequestException("archive", "the archive has a malformed tar header (size field)");
            }
        }
        return v;
    }
}
