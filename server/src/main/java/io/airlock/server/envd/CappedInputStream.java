package io.airlock.server.envd;

import java.io.IOException;
import java.io.InputStream;

/**
 * Passes at most {@code limit} bytes through; the first byte beyond fails with an
 * {@link UploadException} of status 507. Bounds what a (possibly gzip-bombed) upload makes the
 * server decompress and forward to a sandbox.
 */
final class CappedInputStream extends InputStream {
    private final InputStream in;
    private final long limit;
    private final String what;
    private long count;

    CappedInputStream(InputStream in, long limit, String what) {
        this.in = in;
        this.limit = limit;
        this.what = what;
    }

    /** Bytes passed through so far. */
    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        // ask for one byte past the limit, so reaching it exactly is not an error
        int n = in.read(b, off, (int) Math.min(len, limit - count + 1));
        if (n > 0) {
            count += n;
            if (count > limit) {
                throw new UploadException(507, what);
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
