package io.airlock.runtime.egress;

import java.io.IOException;

/**
 * A DNS message that is malformed, or is not the message expected (a response to another query,
 * a query with a shape the resolver refuses). The message says what was wrong and where.
 *
 * <p>Checked, and an {@link IOException}, on purpose: every DNS message comes from a sandbox or an
 * upstream and may be hostile, so callers must decide what a bad one means (answer FORMERR, drop
 * it, try again), and {@link DnsClient#resolveA} can report it with its other I/O failures.
 */
public final class DnsFormatException extends IOException {
    public DnsFormatException(String message) {
        super(message);
    }
}
