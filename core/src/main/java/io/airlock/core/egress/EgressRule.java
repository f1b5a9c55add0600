package io.airlock.core.egress;

import io.airlock.core.InvalidRequestException;
import java.net.InetAddress;
import java.util.Optional;

/**
 * One entry of an egress list ({@code allowOut}, {@code denyOut} or a ceiling), in E2B's syntax.
 *
 * <ul>
 *   <li>{@code *}: every name and every address;
 *   <li>{@code a.test}: exactly that name (compared in {@link HostNames} normal form, so case and
 *       one trailing dot do not matter);
 *   <li>{@code *.a.test}: any name strictly under {@code a.test} ({@code x.a.test},
 *       {@code y.x.a.test}), but not {@code a.test} itself, as in E2B; only whole labels match,
 *       so {@code evila.test} never does;
 *   <li>{@code 203.0.113.7}, {@code 10.0.0.0/8}, {@code 2001:db8::1}, {@code 2001:db8::/32}: an
 *       address or CIDR block. Host bits are masked off. IPv4-mapped IPv6 addresses count as the
 *       IPv4 address they map.
 * </ul>
 *
 * <p>Name rules never match an address and address rules never match a name: whether a name is
 * allowed because of the address it resolves to is {@link EgressPolicy}'s decision, not a rule's.
 * Parsing never consults DNS.
 */
public sealed interface EgressRule permits AnyRule, DomainRule, SubdomainRule, AddressRule {
    /**
     * Parses one rule.
     *
     * @param field the request field the text came from, e.g. {@code network.allowOut[2]}, named in
     *     the error
     * @throws InvalidRequestException if {@code text} is none of the forms above
     */
    static EgressRule parse(String field, String text) {
        String t = text.strip();
        if (t.equals("*")) {
            return AnyRule.INSTANCE;
        }
        if (t.startsWith("*.")) {
            return HostNames.normalize(t.substring(2))
                    .<EgressRule>map(SubdomainRule::new)
                    .orElseThrow(() -> invalid(field, text, "the part after \"*.\" is not a valid domain name"));
        }
        if (looksLikeAddress(t)) {
            return IpBlock.parse(t)
                    .<EgressRule>map(AddressRule::new)
                    .orElseThrow(() -> invalid(field, text,
                            "it is not a valid IP address or CIDR (prefix 0..32 for IPv4, 0..128 for IPv6, no leading zeros)"));
        }
        Optional<String> name = HostNames.normalize(t);
        return name.<EgressRule>map(DomainRule::new)
                .orElseThrow(() -> invalid(field, text, "it is not a valid domain name"));
    }

    /** Whether this rule covers the host name {@code normalizedName} (in {@link HostNames} normal form). */
    boolean matchesName(String normalizedName);

    /** Whether this rule covers {@code address}; an IPv4-mapped IPv6 address is judged as its IPv4 address. */
    boolean matchesAddress(InetAddress address);

    /** Whether this is a name rule ({@code a.test} or {@code *.a.test}); {@code *} is not. */
    boolean isDomain();

    /** The canonical text of this rule, as stored, shown in JSON and proposed by learn mode. */
    String text();

    private static boolean looksLikeAddress(String t) {
        if (t.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.' || c == '/')) {
                return false;
            }
        }
        return !t.isEmpty();
    }

    private static InvalidRequestException invalid(String field, String text, String why) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return new InvalidRequestException(field, "\"" + shown + "\" is not an egress rule: " + why
                + ". Write a domain (a.test), a wildcard (*.a.test), an IP address or CIDR"
                + " (203.0.113.7, 10.0.0.0/8, 2001:db8::/32), or * for everything");
    }
}
