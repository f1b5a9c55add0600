package io.airlock.core.egress;

import java.util.Optional;

/**
 * A strict parser and printer for IP address literals, written out so that nothing here can
 * trigger a DNS lookup (as {@link java.net.InetAddress#getByName} does for anything that is not a
 * literal it knows).
 *
 * <p>IPv4 is exactly four decimal parts of 0..255 without leading zeros ({@code 010.0.0.1} is
 * refused rather than guessed at: some libraries read it as octal). IPv6 is eight groups of one to
 * four hex digits, at most one {@code ::}, optionally ending in a dotted IPv4 part; zones
 * ({@code %eth0}) and brackets are refused.
 */
final class IpLiterals {
    private IpLiterals() {}

    static Optional<Ip> parse(String text) {
        if (text.indexOf(':') >= 0) {
            long[] v6 = parseV6(text);
            return v6 == null ? Optional.empty() : Optional.of(Ip.v6(v6[0], v6[1]));
        }
        long v4 = parseV4(text);
        return v4 < 0 ? Optional.empty() : Optional.of(Ip.v4(v4));
    }

    /** The 32 bits of a dotted quad, or -1. */
    static long parseV4(String s) {
        long value = 0;
        int parts = 0;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i < s.length() && s.charAt(i) != '.') {
                continue;
            }
            int part = decimal(s, start, i, 255);
            if (part < 0 || ++parts > 4) {
                return -1;
            }
            value = (value << 8) | part;
            start = i + 1;
        }
        return parts == 4 ? value : -1;
    }

    /** The value of the decimal digits {@code s[from, to)} if it is at most {@code max} and has no leading zero; else -1. */
    static int decimal(String s, int from, int to, int max) {
        if (to <= from || to - from > 3 || (s.charAt(from) == '0' && to - from > 1)) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? v : -1;
    }

    /** The raw 128 bits (not unwrapped) of an IPv6 literal as {hi, lo}, or null. */
    static long[] parseV6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] groups = new int[8];
        int head = gap < 0 ? groups(s, groups, 0, true) : gap == 0 ? 0 : groups(s.substring(0, gap), groups, 0, false);
        if (head < 0) {
            return null;
        }
        if (gap < 0) {
            return head == 8 ? pack(groups) : null;
        }
        String tailText = s.substring(gap + 2);
        int[] tail = new int[8];
        int tailCount = tailText.isEmpty() ? 0 : groups(tailText, tail, 0, true);
        if (tailCount < 0 || head + tailCount > 7) {
            return null;
        }
        System.arraycopy(tail, 0, groups, 8 - tailCount, tailCount);
        return pack(groups);
    }

    /** Fills {@code out} from {@code at} with the colon-separated groups of {@code s}; returns the new count or -1. */
    private static int groups(String s, int[] out, int at, boolean v4Last) {
        int n = at;
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i < s.length() && s.charAt(i) != ':') {
                continue;
            }
            String g = s.substring(start, i);
            if (i == s.length() && v4Last && g.indexOf('.') >= 0) {
                long v4 = parseV4(g);
                if (v4 < 0 || n + 2 > 8) {
                    return -1;
                }
                out[n++] = (int) (v4 >>> 16);
                out[n++] = (int) (v4 & 0xffff);
                return n;
            }
            int v = hex(g);
            if (v < 0 || n == 8) {
                return -1;
            }
            out[n++] = v;
            start = i + 1;
        }
        return n;
    }

    private static int hex(String g) {
        if (g.isEmpty() || g.length() > 4) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < g.length(); i++) {
            int d = Character.digit(g.charAt(i), 16);
            if (d < 0 || g.charAt(i) > 'f') { // Character.digit also takes non-ASCII digits
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    private static long[] pack(int[] g) {
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = (hi << 16) | g[i];
            lo = (lo << 16) | g[i + 4];
        }
        return new long[] {hi, lo};
    }

    static String formatV4(long v) {
        return (v >>> 24 & 0xff) + "." + (v >>> 16 & 0xff) + "." + (v >>> 8 & 0xff) + "." + (v & 0xff);
    }

    /** RFC 5952: lower case, no leading zeros, the first longest run of two or more zero groups as {@code ::}. */
    static String formatV6(long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
