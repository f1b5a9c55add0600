package io.airlock.core.egress;

import java.util.Optional;

/**
 * A CIDR block: the addresses of one family whose first {@code prefix} bits equal {@code base}'s.
 *
 * <p>Host bits in the written form are masked off ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}), as
 * routers and most firewalls do. A block written in IPv4-mapped IPv6 form with a prefix of 96 or
 * more ({@code ::ffff:10.0.0.0/104}) is the IPv4 block it maps; any other IPv6 block never contains
 * an IPv4 address, so {@code ::/0} means every IPv6 address and no IPv4 one.
 */
record IpBlock(Ip base, int prefix) {
    IpBlock {
        if (prefix < 0 || prefix > base.width()) {
            throw new IllegalArgumentException("prefix " + prefix + " is out of range for " + base);
        }
        base = mask(base, prefix);
    }

    static IpBlock of(String cidr) {
        return parse(cidr).orElseThrow(() -> new IllegalArgumentException("not a CIDR: " + cidr));
    }

    /** {@code address} or {@code address/prefix}, strictly; empty if malformed or the prefix is out of range. */
    static Optional<IpBlock> parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        if (addr.indexOf(':') >= 0) {
            long[] raw = IpLiterals.parseV6(addr);
            if (raw == null) {
                return Optional.empty();
            }
            int prefix = slash < 0 ? 128 : IpLiterals.decimal(text, slash + 1, text.length(), 128);
            if (prefix < 0) {
                return Optional.empty();
            }
            if (Ip.isMapped(raw[0], raw[1]) && prefix >= 96) {
                return Optional.of(new IpBlock(Ip.v4(raw[1] & 0xffffffffL), prefix - 96));
            }
            return Optional.of(new IpBlock(new Ip(false, raw[0], raw[1]), prefix));
        }
        long v4 = IpLiterals.parseV4(addr);
        int prefix = slash < 0 ? 32 : IpLiterals.decimal(text, slash + 1, text.length(), 32);
        return v4 < 0 || prefix < 0 ? Optional.empty() : Optional.of(new IpBlock(Ip.v4(v4), prefix));
    }

    boolean contains(Ip ip) {
        return ip.v4() == base.v4() && mask(ip, prefix).equals(base);
    }

    /** Canonical text: a single address without {@code /32} or {@code /128}. */
    String text() {
        return prefix == base.width() ? base.text() : base.text() + "/" + prefix;
    }

    @Override
    public String toString() {
        return text();
    }

    private static Ip mask(Ip ip, int prefix) {
        if (ip.v4()) {
            long m = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            return Ip.v4(ip.lo() & m);
        }
        long hiMask = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
        long loMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        // new Ip, not Ip.v6: a masked IPv6 block base stays IPv6 even if it lands on ::ffff:0:0
        return new Ip(false, ip.hi() & hiMask, ip.lo() & loMask);
    }
}
