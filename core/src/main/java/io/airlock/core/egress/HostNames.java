package io.airlock.core.egress;

import java.util.Locale;
import java.util.Optional;

/**
 * The one normal form of a DNS host name that every egress decision compares: ASCII, lower case,
 * without a trailing dot, labels of letters, digits, {@code -} and {@code _} (1..63 each), at
 * most 253 characters. Anything else (IP literals, userinfo, ports, non-ASCII, empty labels) is
 * not a host name.
 *
 * <p>Rules and the names a sandbox sends (Host header, TLS SNI, a DNS question, a CONNECT
 * authority) all go through {@link #normalize}, so {@code A.Test.} and {@code a.test} are one name
 * and {@code a.test.evil} never matches {@code a.test}.
 */
public final class HostNames {
    /** RFC 1035's limit for a name in text form without the trailing dot. */
    public static final int MAX_LENGTH = 253;
    private static final int MAX_LABEL = 63;

    private HostNames() {}

    /** The normal form of {@code raw}, or empty if it is not a valid host name. */
    public static Optional<String> normalize(String raw) {
        String s = raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw;
        if (s.isEmpty() || s.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int labelStart = 0;
        boolean allDigitsOrDots = true;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c == '.') {
                int len = i - labelStart;
                if (len == 0 || len > MAX_LABEL || s.charAt(labelStart) == '-' || s.charAt(i - 1) == '-') {
                    return Optional.empty();
                }
                labelStart = i + 1;
            } else if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return Optional.empty();
            } else if (!(c >= '0' && c <= '9')) {
                allDigitsOrDots = false;
            }
        }
        if (allDigitsOrDots) {
            return Optional.empty(); // 1.2.3.4 (or 1234) is an address, never a name
        }
        return Optional.of(s.toLowerCase(Locale.ROOT));
    }
}
