package io.airlock.server.interpreter;

import java.io.ByteArrayOutputStream;

/**
 * Splits a byte stream into '\n'-terminated lines, holding at most {@code maxLine} bytes of one
 * line: a longer line is dropped (its length reported) and splitting resumes after its end. A
 * line the sink does not want when it starts is skipped without being held.
 * Not thread-safe.
 */
final class LineSplitter {
    /** Where lines go. */
    interface Sink {
        /** Whether a line starting now is wanted; one that is not is skipped without being held. */
        default boolean wanted() {
            return true;
        }

        void line(byte[] line);

        /** A line of {@code length} bytes was longer than allowed and dropped. */
        void oversized(long length);
    }

    private static final int SHRINK_ABOVE = 1 << 20;

    private final int maxLine;
    private final Sink sink;
    private ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private long skipped = -1;
    private boolean ignoring;

    LineSplitter(int maxLine, Sink sink) {
        this.maxLine = maxLine;
        this.sink = sink;
    }

    void feed(byte[] data) {
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                append(data, start, i - start);
                endLine();
                start = i + 1;
            }
        }
        append(data, start, data.length - start);
    }

    /** Bytes held of an unfinished line. */
    int pending() {
        return buf.size();
    }

    private void append(byte[] data, int off, int len) {
        if (len == 0) {
            return;
        }
        if (buf.size() == 0 && skipped < 0 && !ignoring && !sink.wanted()) {
            ignoring = true;
        }
        if (ignoring) {
            return;
        }
        if (skipped >= 0) {
            skipped += len;
            return;
        }
        if ((long) buf.size() + len > maxLine) {
            skipped = (long) buf.size() + len;
            reset();
            return;
        }
        buf.write(data, off, len);
    }

    private void endLine() {
        if (ignoring) {
            ignoring = false;
            return;
        }
        if (skipped >= 0) {
            long n = skipped;
            skipped = -1;
            sink.oversized(n);
            return;
        }
        byte[] line = buf.toByteArray();
        reset();
        sink.line(line);
    }

    private void reset() {
        if (buf.size() > SHRINK_ABOVE) {
            buf = new ByteArrayOutputStream();
        } else {
            buf.reset();
        }
    }
}
