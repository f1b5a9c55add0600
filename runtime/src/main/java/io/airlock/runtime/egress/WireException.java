package io.airlock.runtime.egress;

/**
 * A malformed message, thrown inside the parsers and turned into the public result ({@code
 * Invalid}, {@link DnsFormatException}) at their one public entry point, so a check deep in a
 * parser can stop it without threading a result type through every helper. It never escapes the
 * package, and it skips the stack trace because a hostile peer can make it happen at line rate.
 */
final class WireException extends RuntimeException {
    WireException(String message) {
        super(message, null, false, false);
    }
}
