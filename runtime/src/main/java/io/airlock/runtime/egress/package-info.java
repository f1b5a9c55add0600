/**
 * Wire-format parsers for the egress proxy and the in-sandbox DNS resolver: the SNI of a TLS
 * ClientHello ({@link io.airlock.runtime.egress.TlsClientHello}), the head of a plain HTTP/1.x
 * request ({@link io.airlock.runtime.egress.HttpRequestHead}) and DNS queries and answers
 * ({@link io.airlock.runtime.egress.DnsMessage}, {@link io.airlock.runtime.egress.DnsClient}).
 *
 * <p>Every byte these classes read comes from a hostile sandbox or from an upstream it may have
 * influenced. So every length read from the wire is checked against the bytes actually present
 * and against a small fixed cap before it is used, no loop runs longer than the input it
 * consumes, nothing is allocated from an attacker's length field beyond those caps, and bad input
 * ends in the documented result ({@code Invalid}) or exception ({@link
 * io.airlock.runtime.egress.DnsFormatException}), never in a stray runtime exception. Every name
 * taken from the wire is put in the one normal form of {@link io.airlock.core.egress.HostNames}.
 */
@NullMarked
package io.airlock.runtime.egress;

import org.jspecify.annotations.NullMarked;
