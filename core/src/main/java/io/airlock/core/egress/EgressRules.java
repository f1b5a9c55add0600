package io.airlock.core.egress;

import io.airlock.core.InvalidRequestException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable list of {@link EgressRule}s: a sandbox's {@code allowOut} or {@code denyOut}, or a
 * ceiling set by the operator or a tenant.
 *
 * <p>Rules are kept in the order given, without duplicates (by canonical text), so what a client
 * reads back is what it wrote, normalized. A list holds at most {@value #MAX_RULES} rules: they are
 * matched linearly on every connection, and a longer list is a sign of a client bug.
 */
public final class EgressRules {
    /** The most rules one list may hold. */
    public static final int MAX_RULES = 256;

    /** No rules: allows nothing. */
    public static final EgressRules NONE = new EgressRules(List.of());

    /** {@code *}: allows every name and every address. */
    public static final EgressRules ALL = new EgressRules(List.of(AnyRule.INSTANCE));

    private static final EgressRule ALL_IPV4 = new AddressRule(IpBlock.of("0.0.0.0/0"));

    private final List<EgressRule> rules;

    private EgressRules(List<EgressRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * Parses {@code texts}, naming each bad entry as {@code field[i]}.
     *
     * @throws InvalidRequestException if there are more than {@value #MAX_RULES} entries, an entry is
     *     null, or an entry is not a rule (see {@link EgressRule})
     */
    public static EgressRules parse(String field, List<String> texts) {
        if (texts.size() > MAX_RULES) {
            throw new InvalidRequestException(field, "has " + texts.size() + " entries; at most " + MAX_RULES
                    + " are allowed. Use wildcards (*.a.test) or CIDRs (10.0.0.0/8) to cover more with fewer");
        }
        Map<String, EgressRule> byText = new LinkedHashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            String itemField = field + "[" + i + "]";
            if (text == null) {
                throw new InvalidRequestException(itemField, "is null; write a domain, wildcard, IP address, CIDR or *");
            }
            EgressRule rule = EgressRule.parse(itemField, text);
            byText.putIfAbsent(rule.text(), rule);
        }
        return byText.isEmpty() ? NONE : new EgressRules(new ArrayList<>(byText.values()));
    }

    /** The rules, in the order given. */
    public List<EgressRule> rules() {
        return rules;
    }

    /** The canonical text of each rule, in order: what JSON shows and what a client reads back. */
    public List<String> texts() {
        return rules.stream().map(EgressRule::text).toList();
    }

    /** Whether some rule covers the host name {@code normalizedName} ({@link HostNames} normal form). */
    public boolean allowsName(String normalizedName) {
        return matchingName(normalizedName).isPresent();
    }

    /** Whether some rule covers {@code address}; IPv4-mapped IPv6 addresses count as IPv4. */
    public boolean allowsAddress(InetAddress address) {
        return matchingAddress(address).isPresent();
    }

    /** Whether there are no rules at all. */
    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** Whether every IPv4 address is covered: the list has {@code 0.0.0.0/0} (E2B's ALL_TRAFFIC) or {@code *}. */
    public boolean containsAllIpv4() {
        return rules.contains(ALL_IPV4) || rules.contains(AnyRule.INSTANCE);
    }

    /** Whether some rule is a name rule ({@code a.test}, {@code *.a.test}). */
    public boolean hasDomains() {
        return rules.stream().anyMatch(EgressRule::isDomain);
    }

    Optional<EgressRule> matchingName(String normalizedName) {
        return rules.stream().filter(r -> r.matchesName(normalizedName)).findFirst();
    }

    Optional<EgressRule> matchingAddress(InetAddress address) {
        return rules.stream().filter(r -> r.matchesAddress(address)).findFirst();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EgressRules other && rules.equals(other.rules);
    }

    @Override
    public int hashCode() {
        return rules.hashCode();
    }

    @Override
    public String toString() {
        return texts().toString();
    }
}
