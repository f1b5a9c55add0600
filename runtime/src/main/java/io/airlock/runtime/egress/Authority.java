package io.airlock.runtime.egress;

import io.airlock.core.egress.HostNames;
import java.util.Optional;

/**
 * The {@code host[:port]} of a Host header, an absolute URI or a CONNECT target (RFC 3986 section
 * 3.2): exactly one of a {@link HostNames} name or an {@link IpLiterals IP literal}, and a port of
 * 1..65535 or -1 when none is given. Userinfo ({@code user@host}) is refused outright: it is the
 * classic way to make a URL's host read differently to a person, a filter and a client.
 */
record Authority(Optional<String> name, Optional<String> address, int port) {
    private static final int MAX_PORT = 65535;

    /**
     * @param what names the field in error messages ("Host header", "CONNECT target")
     * @throws WireException if {@code s} is not an authority, or lacks a required port
     */
    static Authority parse(String s, boolean portRequired, String what) {
        if (s.isEmpty()) {
            throw new WireException(what + " is empty");
        }
        if (s.indexOf('@') >= 0) {
            throw new WireException(what + " has userinfo, which is refused: " + Printable.quote(s));
        }
        String host;
        String port = null;
        Optional<String> address;
        if (s.charAt(0) == '[') {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new WireException(what + " has an unclosed IPv6 literal: " + Printable.quote(s));
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    throw new WireException(what + " has bytes after its IPv6 literal: " + Printable.quote(s));
                }
                port = rest.substring(1);
            }
            address = IpLiterals.ipv6(host);
            if (address.isEmpty()) {
                throw new WireException(what + " has an invalid IPv6 literal: " + Printable.quote(s));
            }
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
                throw new WireException(what + " has more than one ':' (an IPv6 literal needs brackets): "
                        + Printable.quote(s));
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
            address = IpLiterals.ipv4(host);
        }
        Optional<String> name = address.isPresent() ? Optional.empty() : HostNames.normalize(host);
        if (address.isEmpty() && name.isEmpty()) {
            throw new WireException(what + " is neither a host name nor an IP literal: " + Printable.quote(s));
        }
        if (port == null && portRequired) {
            throw new WireException(what + " has no port: " + Printable.quote(s));
        }
        return new Authority(name, address, port == null ? -1 : port(port, s, what));
    }

    private static int port(String digits, String s, String what) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new WireException(what + " has an invalid port: " + Printable.quote(s));
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > MAX_PORT) {
            throw new WireException(what + " has port " + port + ", outside 1.." + MAX_PORT);
        }
        return port;
    }

    /** The name or the address, whichever this authority has. */
    String host() {
        return name.or(() -> address).orElseThrow();
    }
}
