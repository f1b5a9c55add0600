package io.airlock.runtime.egress;

import java.net.Inet4Address;
import java.util.List;

/**
 * An upstream's answer to an A query, as read by {@link DnsMessage#parseResponse}.
 *
 * @param rcode the response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...); the addresses are
 *     empty unless it is 0
 * @param addresses the A records for the question name or a name its CNAME chain in the answer
 *     section leads to, in the order sent, without duplicates
 * @param minTtl the smallest TTL, in seconds, of the records those addresses rest on (the A
 *     records and the CNAMEs leading to them), or 0 when there are no addresses
 */
public record DnsAnswer(int rcode, List<Inet4Address> addresses, int minTtl) {
    public DnsAnswer {
        addresses = List.copyOf(addresses);
    }
}
