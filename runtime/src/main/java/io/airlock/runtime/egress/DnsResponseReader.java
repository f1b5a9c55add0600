package io.airlock.runtime.egress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an upstream's response to one A query (the parsing half of {@link
 * DnsMessage#parseResponse}). Only the header, the question and the answer section are read; the
 * authority and additional sections are ignored, since nothing in them is trusted.
 *
 * <p>An address is accepted only if its owner is the question name or a name reached from it
 * through CNAME records in the same answer section, so an upstream (or a spoofer) cannot slip in
 * addresses for unrelated names. Every loop is bounded by the message length: each record read
 * consumes at least 11 bytes, and the CNAME chain is followed at most once per CNAME record.
 */
final class DnsResponseReader {
    private record Cname(String owner, String target, long ttl) {}

    private record A(String owner, Inet4Address address, long ttl) {}

    private DnsResponseReader() {}

    static DnsAnswer read(byte[] buf, int len, int expectedId, String expectedName, int expectedQtype) {
        WireReader r = new WireReader(buf, 0, len);
        int id = r.u16("id");
        int flags = r.u16("flags");
        int qd = r.u16("qdcount");
        int an = r.u16("ancount");
        if (id != expectedId) {
            throw new WireException("reply has id " + id + ", expected " + expectedId);
        }
        if ((flags & DnsMessage.QR) == 0 || (flags >> 11 & 0xF) != 0) {
            throw new WireException(String.format("reply flags 0x%04x are not a standard response", flags));
        }
        if ((flags & DnsMessage.TC) != 0) {
            throw new WireException("reply is truncated (TC) and TCP is not supported");
        }
        if (qd != 1) {
            throw new WireException("reply has " + qd + " questions, expected 1");
        }
        StringBuilder qname = new StringBuilder();
        r = new WireReader(buf, DnsNames.read(buf, len, DnsMessage.HEADER, true, qname), len);
        int qtype = r.u16("qtype");
        int qclass = r.u16("qclass");
        if (!qname.toString().equals(expectedName) || qtype != expectedQtype || qclass != DnsMessage.CLASS_IN) {
            throw new WireException("reply is for " + Printable.quote(qname.toString()) + " type " + qtype + " class "
                    + qclass + ", expected " + Printable.quote(expectedName) + " type " + expectedQtype + " class 1");
        }
        int rcode = flags & 0xF;
        if (rcode != DnsMessage.NOERROR) {
            return new DnsAnswer(rcode, List.of(), 0);
        }
        List<Cname> cnames = new ArrayList<>();
        List<A> as = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            StringBuilder owner = new StringBuilder();
            r = new WireReader(buf, DnsNames.read(buf, len, r.pos(), true, owner), len);
            int type = r.u16("answer type");
            int clazz = r.u16("answer class");
            long ttl = r.u32("answer ttl");
            int rdlength = r.u16("answer rdlength");
            int rdata = r.pos();
            r.skip(rdlength, "answer rdata");
            if (clazz != DnsMessage.CLASS_IN) {
                continue;
            }
            if (type == DnsMessage.TYPE_CNAME) {
                StringBuilder target = new StringBuilder();
                if (DnsNames.read(buf, rdata + rdlength, rdata, true, target) != rdata + rdlength) {
                    throw new WireException("CNAME rdata at offset " + rdata + " is not exactly one name");
                }
                cnames.add(new Cname(owner.toString(), target.toString(), ttl));
            } else if (type == DnsMessage.TYPE_A) {
                if (rdlength != 4) {
                    throw new WireException("A record at offset " + rdata + " has " + rdlength + " bytes of rdata, not 4");
                }
                as.add(new A(owner.toString(), address(buf, rdata), ttl));
            }
        }
        return answer(expectedName, cnames, as);
    }

    private static DnsAnswer answer(String qname, List<Cname> cnames, List<A> as) {
        Set<String> names = new HashSet<>(Set.of(qname));
        long minTtl = Long.MAX_VALUE;
        boolean grew = true;
        for (int round = 0; grew && round <= cnames.size(); round++) {
            grew = false;
            for (Cname c : cnames) {
                if (names.contains(c.owner()) && names.add(c.target())) {
                    minTtl = Math.min(minTtl, ttl(c.ttl()));
                    grew = true;
                }
            }
        }
        Set<Inet4Address> addresses = new LinkedHashSet<>();
        for (A a : as) {
            if (names.contains(a.owner())) {
                addresses.add(a.address());
                minTtl = Math.min(minTtl, ttl(a.ttl()));
            }
        }
        return new DnsAnswer(DnsMessage.NOERROR, List.copyOf(addresses), addresses.isEmpty() ? 0 : (int) minTtl);
    }

    /** RFC 2181 section 8: a TTL with the top bit set is read as 0. */
    private static long ttl(long wire) {
        return wire > Integer.MAX_VALUE ? 0 : wire;
    }

    private static Inet4Address address(byte[] buf, int at) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {buf[at], buf[at + 1], buf[at + 2], buf[at + 3]});
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }
}
