package io.airlock.runtime.egress;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the head of the first HTTP/1.x request on a connection (RFC 9112), for the egress proxy on
 * port 80 and for explicit proxy clients, so the proxy can decide on the destination before it
 * connects anywhere.
 *
 * <p>Strict where servers disagree, since a head the proxy reads one way and the origin another is
 * how a sandbox would reach a host it was not allowed: only CRLF ends a line (a bare LF or CR is
 * refused, though RFC 9112 lets a server accept a bare LF), only printable ASCII, SP and HTAB may
 * appear, no obs-fold, no whitespace before a header's colon, no empty line before the request
 * line, exactly one Host header, no userinfo, HTTP/1.0 and HTTP/1.1 only, and an HTTP/1.1 request
 * must have a Host header. In absolute-form and CONNECT requests a Host header, if any, must name
 * the same host as the target (ports are not compared). The checks run on every call, so a
 * connection that starts with bad bytes is refused without waiting for the end of the head.
 *
 * <p>Only the first request is read: the proxy must not forward later requests on the same
 * connection without reading them too.
 */
public final class HttpRequestHead {
    /** The longest head accepted, CRLFCRLF included. */
    public static final int MAX_HEAD = 16 * 1024;

    private HttpRequestHead() {}

    /**
     * The request head at the start of {@code buf[0, len)}. Bytes after the head (a body, a next
     * request) are not looked at. Safe on any input: bad bytes give {@link Head.Invalid}.
     *
     * @throws IndexOutOfBoundsException if {@code len} is negative or larger than {@code buf}
     */
    public static Head parse(byte[] buf, int len) {
        Objects.checkFromIndexSize(0, len, buf.length);
        try {
            int end = endOfHead(buf, len);
            if (end < 0) {
                int lineEnd = indexOfCrlf(buf, len);
                if (lineEnd >= 0) { // an HTTP/0.9 client would wait forever for a head it never ends
                    requestLine(new String(buf, 0, lineEnd, StandardCharsets.US_ASCII));
                }
                return new Head.NeedMore();
            }
            String[] lines = new String(buf, 0, end - 4, StandardCharsets.US_ASCII).split("\r\n", -1);
            return request(lines, end);
        } catch (WireException e) {
            return new Head.Invalid(e.getMessage());
        }
    }

    /** The offset just past the first CRLFCRLF, or -1 if more bytes are needed. */
    private static int endOfHead(byte[] buf, int len) {
        int scan = Math.min(len, MAX_HEAD);
        for (int i = 0; i < scan; i++) {
            int c = buf[i] & 0xFF;
            if (c == '\n') {
                if (i == 0 || buf[i - 1] != '\r') {
                    throw new WireException("bare LF at offset " + i + "; lines must end in CRLF");
                }
                if (i >= 3 && buf[i - 2] == '\n') {
                    return i + 1;
                }
            } else if (c == '\r') {
                if (i + 1 < scan && buf[i + 1] != '\n') {
                    throw new WireException("bare CR at offset " + i);
                }
            } else if (c >= 0x80) {
                throw new WireException(String.format("non-ASCII byte 0x%02x at offset %d", c, i));
            } else if (c < 0x20 && c != '\t' || c == 0x7F) {
                throw new WireException(String.format("control byte 0x%02x at offset %d", c, i));
            }
        }
        if (len >= MAX_HEAD) {
            throw new WireException("no end of head (CRLFCRLF) within " + MAX_HEAD + " bytes");
        }
        return -1;
    }

    private static int indexOfCrlf(byte[] buf, int len) {
        for (int i = 0; i + 1 < len; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static Head.Request request(String[] lines, int headLength) {
        String[] parts = requestLine(lines[0]);
        Optional<Authority> host = hostHeader(lines);
        if (host.isEmpty() && parts[2].equals("HTTP/1.1")) {
            throw new WireException("HTTP/1.1 request without a Host header");
        }
        return RequestTarget.classify(parts[0], parts[1], parts[2], host, headLength);
    }

    /** The request line's method, target and version, each checked. */
    private static String[] requestLine(String line) {
        String[] parts = line.split(" ", -1);
        if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
            throw new WireException("request line has no HTTP version (HTTP/0.9 is not supported)");
        }
        if (parts.length != 3) {
            throw new WireException("request line is not 'method SP target SP version': " + Printable.quote(line));
        }
        if (!isToken(parts[0])) {
            throw new WireException("method is not a token: " + Printable.quote(parts[0]));
        }
        if (parts[1].isEmpty() || !parts[1].chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new WireException("request-target is empty or has whitespace: " + Printable.quote(parts[1]));
        }
        if (!parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")) {
            throw new WireException("unsupported HTTP version " + Printable.quote(parts[2]));
        }
        return parts;
    }

    private static Optional<Authority> hostHeader(String[] lines) {
        Authority host = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            char first = line.charAt(0); // never empty: the first empty line ends the head
            if (first == ' ' || first == '\t') {
                throw new WireException("header line " + i + " is an obs-fold continuation, which is refused");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw new WireException("header line " + i + " has no valid 'name:' : " + Printable.quote(line));
            }
            if (line.regionMatches(true, 0, "host", 0, colon) && colon == 4) {
                if (host != null) {
                    throw new WireException("more than one Host header");
                }
                host = Authority.parse(line.substring(colon + 1).strip(), false, "Host header");
            }
        }
        return Optional.ofNullable(host);
    }

    /** RFC 9110 section 5.6.2: {@code 1*tchar}. */
    static boolean isToken(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }
}
