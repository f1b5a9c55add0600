package io.airlock.server.envd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A streaming {@code multipart/form-data} parser over a request body: each part's content is an
 * {@link InputStream} read straight from the body, so nothing is buffered beyond one fixed-size
 * window, in memory or on disk. Parts must be consumed in order; {@link #next} skips whatever is
 * left of the previous one.
 *
 * <p>Malformed input (no boundary, oversized headers, a body that ends inside a part, too many
 * parts) fails with an {@link UploadException} of status 400.
 */
final class MultipartReader {
    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final int MAX_PARTS = 1000;
    static final long MAX_SKIP = 1 << 20;
    private static final int WINDOW = 64 * 1024;

    private final InputStream in;
    private final String boundary;
    private final byte[] delimiter;
    private final byte[] buf;
    private int start;
    private int end;
    private boolean eof;
    private boolean finished;
    private int parts;
    private @Nullable PartStream current;

    /** One part: its headers (names lower-cased, first value kept) and its content. */
    record Part(Map<String, String> headers, InputStream body) {
        /** The {@code name} parameter of Content-Disposition, or empty. */
        String name() {
            return disposition().getOrDefault("name", "");
        }

        /** The {@code filename*} or {@code filename} parameter of Content-Disposition, or null. */
        @Nullable String filename() {
            Map<String, String> d = disposition();
            return d.containsKey("filename*") ? d.get("filename*") : d.get("filename");
        }

        private Map<String, String> disposition() {
            return parameters(headers.getOrDefault("content-disposition", ""));
        }
    }

    MultipartReader(InputStream in, String boundary) {
        this.in = in;
        this.boundary = boundary;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buf = new byte[WINDOW + delimiter.length];
        // the first boundary has no CRLF before it: pretend it has, so every delimiter looks alike
        buf[0] = '\r';
        buf[1] = '\n';
        end = 2;
    }

    /**
     * The boundary named by a {@code multipart/*} Content-Type.
     *
     * @throws UploadException 400 if it is missing or not a valid boundary
     */
    static String boundary(String contentType) throws UploadException {
        String b = parameters(contentType).get("boundary");
        if (b == null || b.isEmpty()) {
            throw new UploadException(400, "Content-Type: a multipart body needs a boundary parameter, e.g. "
                    + "'multipart/form-data; boundary=xyz'");
        }
        if (b.length() > 200 || !b.chars().allMatch(c -> c > 0x20 && c < 0x7f || c == ' ')) {
            throw new UploadException(400, "Content-Type: the multipart boundary must be 1..200 printable ASCII characters");
        }
        return b;
    }

    /** The next part, or null after the closing boundary. */
    @Nullable Part next() throws IOException {
        if (finished) {
            return null;
        }
        if (current == null) {
            skip(new PartStream(), MAX_SKIP, "the text before the first boundary --" + boundary);
        } else {
            skip(current, MAX_SKIP, "the unread rest of a part");
        }
        if (!fill(2)) {
            throw malformed("the body ended after a boundary; it must end with the closing boundary --" + boundary + "--");
        }
        if (buf[start] == '-' && buf[start + 1] == '-') {
            finished = true;
            current = null;
            return null;
        }
        while (fill(1) && (buf[start] == ' ' || buf[start] == '\t')) {
            start++;
        }
        if (!fill(2) || buf[start] != '\r' || buf[start + 1] != '\n') {
            throw malformed("a boundary must be followed by a line break (CRLF)");
        }
        start += 2;
        if (++parts > MAX_PARTS) {
            throw malformed("more than " + MAX_PARTS + " parts");
        }
        Map<String, String> headers = headers();
        current = new PartStream();
        return new Part(headers, current);
    }

    private Map<String, String> headers() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int budget = MAX_HEADER_BYTES;
        String last = null;
        while (true) {
            String line = line(budget);
            budget -= line.length() + 2;
            if (line.isEmpty()) {
                return headers;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && last != null) {
                headers.computeIfPresent(last, (k, v) -> v + " " + line.strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw malformed("a part header line has no 'Name: value' form");
            }
            last = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            headers.putIfAbsent(last, line.substring(colon + 1).strip());
        }
    }

    /** One header line without its line break, decoded as UTF-8. */
    private String line(int budget) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (!fill(1)) {
                throw malformed("the body ended inside a part's headers");
            }
            byte b = buf[start++];
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.UTF_8);
            }
            line.write(b);
            if (line.size() > budget) {
                throw malformed("a part's headers are larger than " + MAX_HEADER_BYTES + " bytes");
            }
        }
    }

    private void skip(PartStream s, long limit, String what) throws IOException {
        byte[] scratch = new byte[8192];
        long skipped = 0;
        for (int n; (n = s.read(scratch, 0, scratch.length)) >= 0; ) {
            skipped += n;
            if (skipped > limit) {
                throw malformed(what + " is larger than " + limit + " bytes; only parts named 'file' may be large");
            }
        }
    }

    /** Ensures {@code n} bytes are buffered; false if the body ends first. */
    private boolean fill(int n) throws IOException {
        if (end - start >= n) {
            return true;
        }
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        while (end - start < n && !eof) {
            int r = in.read(buf, end, buf.length - end);
            if (r < 0) {
                eof = true;
            } else {
                end += r;
            }
        }
        return end - start >= n;
    }

    private int indexOfDelimiter() {
        int last = end - delimiter.length;
        outer:
        for (int i = start; i <= last; i++) {
            if (buf[i] != '\r') {
                continue;
            }
            for (int j = 1; j < delimiter.length; j++) {
                if (buf[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private UploadException malformed(String what) {
        return new UploadException(400, "malformed multipart body: " + what);
    }

    /** A part's content: the bytes up to the next delimiter. */
    private final class PartStream extends InputStream {
        private boolean done;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            while (true) {
                int at = indexOfDelimiter();
                if (at == start) {
                    start += delimiter.length;
                    done = true;
                    return -1;
                }
                int safe = at >= 0 ? at - start : end - start - (delimiter.length - 1);
                if (safe > 0) {
                    int n = Math.min(len, safe);
                    System.arraycopy(buf, start, b, off, n);
                    start += n;
                    return n;
                }
                if (!fill(end - start + 1)) {
                    throw malformed("the body ended inside a part; the closing boundary --" + boundary + "-- is missing");
                }
            }
        }
    }

    /**
     * The parameters of a header value such as {@code form-data; name="file"; filename="a.txt"}
     * (keys lower-cased; quoted strings unescaped; RFC 5987 {@code key*} values decoded).
     */
    static Map<String, String> parameters(String value) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = value.indexOf(';');
        while (i >= 0 && i < value.length()) {
            i++;
            while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
                i++;
            }
            int eq = value.indexOf('=', i);
            int semi = value.indexOf(';', i);
            if (eq < 0 || (semi >= 0 && semi < eq)) {
                i = semi;
                continue;
            }
            String key = value.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            String v;
            if (i < value.length() && value.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < value.length() && value.charAt(i) != '"') {
                    char c = value.charAt(i++);
                    if (c == '\\' && i < value.length()) {
                        c = value.charAt(i++);
                    }
                    sb.append(c);
                }
                v = sb.toString();
                i = value.indexOf(';', i);
            } else {
                semi = value.indexOf(';', i);
                v = (semi < 0 ? value.substring(i) : value.substring(i, semi)).strip();
                i = semi;
            }
            if (key.endsWith("*")) {
                v = extended(v);
                if (v == null) {
                    continue;
                }
            }
            params.putIfAbsent(key, v);
        }
        return params;
    }

    /** An RFC 5987 value {@code charset'lang'pct-encoded}, or null if malformed. */
    private static @Nullable String extended(String v) {
        int a = v.indexOf('\'');
        int b = a < 0 ? -1 : v.indexOf('\'', a + 1);
        if (b < 0) {
            return null;
        }
        try {
            Charset cs = Charset.forName(v.substring(0, a));
            return URLDecoder.decode(v.substring(b + 1).replace("+", "%2B"), cs);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
