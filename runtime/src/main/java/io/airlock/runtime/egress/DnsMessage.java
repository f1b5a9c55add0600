package io.airlock.runtime.egress;

import io.airlock.core.egress.HostNames;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * DNS messages (RFC 1035 section 4) for the resolver a sandbox talks to, which answers only names
 * the policy allows: reading a sandbox's query, building the responses the resolver sends, and
 * building and reading the queries it sends upstream.
 *
 * <p>Queries are read strictly, since a resolver that reads a question differently from the
 * client could be made to answer a name it did not check: one question, no answer or authority
 * records, at most one additional record and that an EDNS OPT, no compression pointers in the
 * question, no bytes after the message. Responses never carry EDNS and stay within the classic
 * {@value #MAX_UDP}-byte UDP limit.
 */
public final class DnsMessage {
    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_AAAA = 28;
    public static final int CLASS_IN = 1;
    public static final int NOERROR = 0;
    public static final int FORMERR = 1;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;
    public static final int REFUSED = 5;
    /** The largest message sent; a UDP DNS message without EDNS. */
    public static final int MAX_UDP = 512;
    /** The most A records put in one answer. */
    public static final int MAX_ANSWERS = 16;

    static final int HEADER = 12;
    static final int QR = 0x8000;
    static final int TC = 0x0200;
    static final int RD = 0x0100;
    static final int RA = 0x0080;
    private static final int TYPE_OPT = 41;
    private static final int A_RECORD = 16; // pointer 2, type 2, class 2, ttl 4, rdlength 2, address 4

    private DnsMessage() {}

    /**
     * Reads a query from a sandbox in {@code buf[0, len)}.
     *
     * @throws DnsFormatException if it is not a standard query with one question in the shape
     *     above; answer with {@link #formErr} when the id could be read ({@code len >= 2})
     * @throws IndexOutOfBoundsException if {@code len} is negative or larger than {@code buf}
     */
    public static DnsQuery parseQuery(byte[] buf, int len) throws DnsFormatException {
        Objects.checkFromIndexSize(0, len, buf.length);
        try {
            if (len < HEADER) {
                throw new WireException("query of " + len + " bytes is shorter than a DNS header");
            }
            WireReader r = new WireReader(buf, 0, len);
            int id = r.u16("id");
            int flags = r.u16("flags");
            int qd = r.u16("qdcount");
            int an = r.u16("ancount");
            int ns = r.u16("nscount");
            int ar = r.u16("arcount");
            if ((flags & QR) != 0) {
                throw new WireException("QR is set: a response, not a query");
            }
            if ((flags >> 11 & 0xF) != 0) {
                throw new WireException("opcode " + (flags >> 11 & 0xF) + "; only standard queries (0) are answered");
            }
            if (qd != 1 || an != 0 || ns != 0 || ar > 1) {
                throw new WireException("counts qd=" + qd + " an=" + an + " ns=" + ns + " ar=" + ar
                        + "; a query has one question and at most one (OPT) additional record");
            }
            StringBuilder text = new StringBuilder();
            r = new WireReader(buf, DnsNames.read(buf, len, HEADER, false, text), len);
            int qtype = r.u16("qtype");
            int qclass = r.u16("qclass");
            byte[] question = Arrays.copyOfRange(buf, HEADER, r.pos());
            if (ar == 1) {
                skipOpt(r);
            }
            if (r.remaining() != 0) {
                throw new WireException(r.remaining() + " bytes after the end of the query");
            }
            String raw = text.toString();
            var name = HostNames.normalize(raw);
            return new DnsQuery(id, flags, name.orElse(raw), name.isPresent(), qtype, qclass, (flags & RD) != 0, question);
        } catch (WireException e) {
            throw new DnsFormatException(e.getMessage());
        }
    }

    private static void skipOpt(WireReader r) {
        if (r.u8("OPT owner") != 0) {
            throw new WireException("the additional record is not an OPT (its owner is not the root)");
        }
        int type = r.u16("OPT type");
        if (type != TYPE_OPT) {
            throw new WireException("the additional record has type " + type + ", not OPT (41)");
        }
        r.skip(2 + 4, "OPT class and ttl");
        r.skip(r.u16("OPT rdlength"), "OPT rdata");
    }

    /**
     * A NOERROR answer with up to {@value #MAX_ANSWERS} of {@code addrs} (fewer if the question is
     * so long that they would not fit in {@value #MAX_UDP} bytes), each with the given TTL (a
     * negative TTL is sent as 0).
     *
     * @throws IllegalArgumentException if {@code q} is not an IN A question
     */
    public static byte[] answerA(DnsQuery q, List<Inet4Address> addrs, int ttlSeconds) {
        if (q.qtype() != TYPE_A || q.qclass() != CLASS_IN) {
            throw new IllegalArgumentException(
                    "A records answer an IN A question, not qtype " + q.qtype() + " qclass " + q.qclass());
        }
        return response(q, NOERROR, addrs, Math.max(0, ttlSeconds));
    }

    /** An NXDOMAIN (RCODE 3) response: the name does not exist. */
    public static byte[] nxdomain(DnsQuery q) {
        return response(q, NXDOMAIN, List.of(), 0);
    }

    /** A REFUSED (RCODE 5) response: the resolver will not answer this name. */
    public static byte[] refused(DnsQuery q) {
        return response(q, REFUSED, List.of(), 0);
    }

    /** A SERVFAIL (RCODE 2) response: the upstream failed. */
    public static byte[] servfail(DnsQuery q) {
        return response(q, SERVFAIL, List.of(), 0);
    }

    /** A NOERROR response without answers: the name exists but has no records of this type. */
    public static byte[] noData(DnsQuery q) {
        return response(q, NOERROR, List.of(), 0);
    }

    /** A bare FORMERR (RCODE 1) header for a query that could not be read; only its id is kept. */
    public static byte[] formErr(int id) {
        return ByteBuffer.allocate(HEADER)
                .putShort((short) id)
                .putShort((short) (QR | RA | FORMERR))
                .array();
    }

    /**
     * An upstream query for {@code name} with RD set and one IN question.
     *
     * @throws IllegalArgumentException if {@code name} is not a {@link HostNames host name}
     */
    public static byte[] query(int id, String name, int qtype) {
        byte[] wire = DnsNames.encode(hostName(name));
        return ByteBuffer.allocate(HEADER + wire.length + 4)
                .putShort((short) id)
                .putShort((short) RD)
                .putShort((short) 1) // qdcount; an, ns and ar stay 0
                .position(HEADER)
                .put(wire)
                .putShort((short) qtype)
                .putShort((short) CLASS_IN)
                .array();
    }

    /**
     * Reads an upstream's response to the query {@link #query} built: same id, QR set, not
     * truncated, the same question (names compared case-insensitively). Follows compression
     * pointers within the bounds of {@link DnsNames}.
     *
     * @throws DnsFormatException if the response is malformed, truncated or for another query
     * @throws IllegalArgumentException if {@code expectedName} is not a host name
     * @throws IndexOutOfBoundsException if {@code len} is negative or larger than {@code buf}
     */
    public static DnsAnswer parseResponse(byte[] buf, int len, int expectedId, String expectedName, int expectedQtype)
            throws DnsFormatException {
        Objects.checkFromIndexSize(0, len, buf.length);
        String name = hostName(expectedName);
        try {
            return DnsResponseReader.read(buf, len, expectedId & 0xFFFF, name, expectedQtype);
        } catch (WireException e) {
            throw new DnsFormatException(e.getMessage());
        }
    }

    private static byte[] response(DnsQuery q, int rcode, List<Inet4Address> addrs, int ttl) {
        byte[] question = q.question();
        int count = Math.min(Math.min(addrs.size(), MAX_ANSWERS), (MAX_UDP - HEADER - question.length) / A_RECORD);
        ByteBuffer b = ByteBuffer.allocate(HEADER + question.length + count * A_RECORD)
                .putShort((short) q.id())
                .putShort((short) (QR | q.flags() & RD | RA | rcode))
                .putShort((short) 1)
                .putShort((short) count)
                .putShort((short) 0)
                .putShort((short) 0)
                .put(question);
        for (Inet4Address a : addrs.subList(0, count)) {
            b.putShort((short) (0xC000 | HEADER)) // the question's name
                    .putShort((short) TYPE_A)
                    .putShort((short) CLASS_IN)
                    .putInt(ttl)
                    .putShort((short) 4)
                    .put(a.getAddress());
        }
        return b.array();
    }

    private static String hostName(String name) {
        return HostNames.normalize(name)
                .orElseThrow(() -> new IllegalArgumentException("not a host name: " + Printable.quote(name)));
    }
}
