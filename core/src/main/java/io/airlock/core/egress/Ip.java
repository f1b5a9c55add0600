package io.airlock.core.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * One IP address as a value: IPv4 in the low 32 bits of {@code lo}, or IPv6 in {@code hi:lo}.
 *
 * <p>An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is always held as the IPv4 address it
 * maps, whether it came from text or from an {@link InetAddress}, so a rule or a blocked range
 * written for IPv4 cannot be sidestepped by writing the same address in IPv6 form.
 *
 * <p>Text is parsed by {@link IpLiterals}, never by {@link InetAddress#getByName}, which would
 * resolve anything that is not a literal through DNS.
 */
record Ip(boolean v4, long hi, long lo) {
    Ip {
        if (v4 && (hi != 0 || (lo >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 value out of range: hi=" + hi + ", lo=" + lo);
        }
    }

    static Ip v4(long bits) {
        return new Ip(true, 0, bits);
    }

    /** IPv6 bits, unwrapped to IPv4 when they are an IPv4-mapped address. */
    static Ip v6(long hi, long lo) {
        return isMapped(hi, lo) ? v4(lo & 0xffffffffL) : new Ip(false, hi, lo);
    }

    /** Whether {@code hi:lo} is in {@code ::ffff:0:0/96}. */
    static boolean isMapped(long hi, long lo) {
        return hi == 0 && (lo >>> 32) == 0xffffL;
    }

    /** The strict literal {@code text}, or empty if it is not exactly an IPv4 or IPv6 address. */
    static Optional<Ip> parse(String text) {
        return IpLiterals.parse(text);
    }

    /** The value of {@code address}, ignoring any IPv6 scope. */
    static Ip of(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return v4(bits(b, 0, 4));
        }
        return v6(bits(b, 0, 8), bits(b, 8, 8));
    }

    int width() {
        return v4 ? 32 : 128;
    }

    /** This address as an {@link InetAddress}; no lookup is made. */
    InetAddress toInetAddress() {
        byte[] b = new byte[v4 ? 4 : 16];
        if (v4) {
            put(b, 0, 4, lo);
        } else {
            put(b, 0, 8, hi);
            put(b, 8, 8, lo);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4 or 16 byte address is always accepted", e);
        }
    }

    /** Dotted quad for IPv4; RFC 5952 compressed lower-case form for IPv6. */
    String text() {
        return v4 ? IpLiterals.formatV4(lo) : IpLiterals.formatV6(hi, lo);
    }

    @Override
    public String toString() {
        return text();
    }

    private static long bits(byte[] b, int from, int count) {
        long v = 0;
        for (int i = from; i < from + count; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    private static void put(byte[] b, int from, int count, long v) {
        for (int i = from + count - 1; i >= from; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
    }
}
