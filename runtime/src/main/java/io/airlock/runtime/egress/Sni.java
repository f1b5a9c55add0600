package io.airlock.runtime.egress;

/**
 * What the first bytes of a TLS connection say about the server name the client wants, as read
 * by {@link TlsClientHello#sni}. Exactly one of: read more bytes ({@link NeedMore}), the name
 * ({@link Found}), a well-formed ClientHello that names no server ({@link Absent}), or bytes the
 * proxy must refuse ({@link Invalid}).
 */
public sealed interface Sni {
    /** The buffer ends before the ClientHello does; call again with more bytes. */
    record NeedMore() implements Sni {}

    /** The ClientHello's one {@code host_name}, in {@link io.airlock.core.egress.HostNames} form. */
    record Found(String name) implements Sni {}

    /** A well-formed ClientHello without a {@code server_name} extension. */
    record Absent() implements Sni {}

    /** Not a ClientHello the proxy accepts; {@code reason} says what was wrong and where. */
    record Invalid(String reason) implements Sni {}
}
