package io.airlock.runtime.egress;

import java.util.Arrays;

/**
 * A query from a sandbox, as read by {@link DnsMessage#parseQuery}: one question, checked.
 *
 * @param id the query id, 0..65535, echoed in the response
 * @param flags the header's flags word as sent
 * @param name the question name in {@link io.airlock.core.egress.HostNames} form if {@code
 *     validName}, otherwise its lower-cased text with odd bytes escaped as {@code \DDD} (for logs
 *     and audit only; {@code "."} for the root)
 * @param validName whether {@code name} is a host name a rule can match
 * @param qtype the question type (1 = A, 28 = AAAA, ...)
 * @param qclass the question class (1 = IN)
 * @param recursionDesired the RD bit, copied into the response
 * @param question the question section exactly as sent (name, type, class), which every response
 *     copies so clients that check the echoed name's case (DNS 0x20) accept it; copied on the way
 *     in and out
 */
public record DnsQuery(
        int id,
        int flags,
        String name,
        boolean validName,
        int qtype,
        int qclass,
        boolean recursionDesired,
        byte[] question) {
    public DnsQuery {
        question = question.clone();
    }

    @Override
    public byte[] question() {
        return question.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DnsQuery q
                && id == q.id
                && flags == q.flags
                && name.equals(q.name)
                && validName == q.validName
                && qtype == q.qtype
                && qclass == q.qclass
                && recursionDesired == q.recursionDesired
                && Arrays.equals(question, q.question);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * id + name.hashCode()) + qtype;
    }

    @Override
    public String toString() {
        return "DnsQuery[id=" + id + ", name=" + Printable.quote(name) + ", validName=" + validName + ", qtype=" + qtype
                + ", qclass=" + qclass + ", rd=" + recursionDesired + "]";
    }
}
