package io.airlock.runtime.egress;

import java.util.Optional;

/**
 * What the first bytes of a plain HTTP/1.x connection say, as read by {@link
 * HttpRequestHead#parse}: read more bytes ({@link NeedMore}), a request head the proxy may act on
 * ({@link Request}), or bytes it must refuse ({@link Invalid}).
 */
public sealed interface Head {
    /** No CRLFCRLF yet, and fewer than {@link HttpRequestHead#MAX_HEAD} bytes; call again with more. */
    record NeedMore() implements Head {}

    /** Not a request head the proxy accepts; {@code reason} says what was wrong and where. */
    record Invalid(String reason) implements Head {}

    /** The shape of a request-target (RFC 9112 section 3.2). */
    enum Form {
        /** {@code /path?query}: the destination is the Host header. */
        ORIGIN,
        /** {@code http://host[:port]/path}: a request to an explicit proxy. */
        ABSOLUTE,
        /** {@code host:port}, for {@code CONNECT} only. */
        AUTHORITY,
        /** {@code *}, for {@code OPTIONS} only. */
        ASTERISK
    }

    /**
     * A well-formed request head.
     *
     * <p>A destination is either a name or an address, never both: a name is in {@link
     * io.airlock.core.egress.HostNames} form, an address is the canonical text of an IPv4 or IPv6
     * literal (no brackets; an IPv4-mapped IPv6 literal comes back as IPv4).
     *
     * @param method the method token, case kept (methods are case-sensitive)
     * @param target the request-target exactly as sent
     * @param version {@code HTTP/1.0} or {@code HTTP/1.1}
     * @param hostHeader the Host header's name, if it has one
     * @param hostPort the Host header's port, or -1 if it has none (or there is no Host header)
     * @param headLength bytes from the start of the buffer through the CRLFCRLF that ends the head
     * @param form the request-target's form
     * @param hostAddress the Host header's IP literal, if it is one
     * @param targetHost for {@link Form#ABSOLUTE} and {@link Form#AUTHORITY}: the target's name
     * @param targetAddress for {@link Form#ABSOLUTE} and {@link Form#AUTHORITY}: the target's IP
     *     literal
     * @param targetPort for {@link Form#ABSOLUTE} the target's port (80 if none is given), for
     *     {@link Form#AUTHORITY} the required port, otherwise -1
     */
    record Request(
            String method,
            String target,
            String version,
            Optional<String> hostHeader,
            int hostPort,
            int headLength,
            Form form,
            Optional<String> hostAddress,
            Optional<String> targetHost,
            Optional<String> targetAddress,
            int targetPort)
            implements Head {}
}
