package io.airlock.runtime.egress;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Recognises the IP literals a Host header, an absolute URI or a CONNECT authority may carry, in
 * the strict forms of RFC 3986 only: a dotted quad without leading zeros ({@code 010.0.0.1} and
 * {@code 127.1} are ambiguous between resolvers and refused) and an IPv6 address without a zone.
 * The result is the address's canonical text, so {@code [::ffff:7f00:1]} comes back as
 * {@code 127.0.0.1} and is checked against IPv4 rules. No method here ever performs a lookup.
 */
final class IpLiterals {
    private static final int MAX_V6_TEXT = 45;

    private IpLiterals() {}

    /** Whether {@code s} is shaped like an address rather than a name (digits and dots, or a colon). */
    static boolean looksLikeAddress(String s) {
        return !s.isEmpty() && (s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9'));
    }

    /** {@code s} if it is a dotted quad {@code d.d.d.d} with each part 0..255 and no leading zero. */
    static Optional<String> ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || p.length() > 1 && p.charAt(0) == '0') {
                return Optional.empty();
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return Optional.empty();
                }
            }
            if (Integer.parseInt(p) > 255) {
                return Optional.empty();
            }
        }
        return Optional.of(s);
    }

    /** The canonical text of the IPv6 address between a literal's brackets, if it is one. */
    static Optional<String> ipv6(String inner) {
        if (inner.length() > MAX_V6_TEXT || inner.indexOf(':') < 0) {
            return Optional.empty();
        }
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.')) {
                return Optional.empty(); // no zone ids ("%eth0"), no IPvFuture
            }
        }
        try {
            return Optional.of(InetAddress.ofLiteral(inner).getHostAddress());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
