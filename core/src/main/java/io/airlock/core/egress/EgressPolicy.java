package io.airlock.core.egress;

import java.net.InetAddress;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The effective outbound policy of one sandbox: its {@link NetworkRules} under the operator's and
 * the tenant's ceilings, with the {@link BlockedAddresses} denied whatever anyone says. Immutable
 * and thread-safe; {@link #withRules} makes the policy for a replaced rule set.
 *
 * <p>A connection is judged in this order, the first step that decides wins:
 *
 * <ol>
 *   <li>the address is blocked: deny ({@code blocked-range}, {@code host-address});
 *   <li>the operator's ceiling does not cover the name or the address: deny
 *       ({@code outside-operator-ceiling});
 *   <li>the same for the tenant's ceiling ({@code outside-tenant-ceiling});
 *   <li>learn mode: allow ({@code learn});
 *   <li>{@code allowOut} covers the name or the address: allow ({@code allow-rule}), even if
 *       {@code denyOut} covers it too, as in E2B;
 *   <li>{@code denyOut} covers the address, or everything is denied ({@code 0.0.0.0/0} in
 *       {@code denyOut}, which then covers IPv6 too, or no internet access): deny
 *       ({@code deny-rule}, {@code no-internet-access});
 *   <li>otherwise allow ({@code internet-access}).
 * </ol>
 *
 * <p>A name with no address yet (a DNS question, or a name judged before it is resolved) is
 * allowed if some address could still make the connection allowed. So a ceiling that lists
 * addresses does not stop a name before it resolves: the connection is judged again by the
 * address it resolves to. But when everything is denied, a name must be in {@code allowOut} to be
 * resolved at all, so a locked-down sandbox cannot leak data through DNS questions; addresses in
 * {@code allowOut} are then reachable by address.
 */
public final class EgressPolicy {
    private final EgressRules operatorCeiling;
    private final EgressRules tenantCeiling;
    private final NetworkRules rules;
    private final BlockedAddresses blocked;

    private EgressPolicy(EgressRules operatorCeiling, EgressRules tenantCeiling, NetworkRules rules,
            BlockedAddresses blocked) {
        this.operatorCeiling = operatorCeiling;
        this.tenantCeiling = tenantCeiling;
        this.rules = rules;
        this.blocked = blocked;
    }

    /**
     * The policy of a sandbox that asked for {@code sandbox}.
     *
     * @param operatorCeiling what the operator lets any sandbox reach ({@link EgressRules#ALL} for no limit)
     * @param tenantCeiling what the tenant lets its sandboxes reach, inside the operator's
     */
    public static EgressPolicy of(EgressRules operatorCeiling, EgressRules tenantCeiling, NetworkRules sandbox,
            BlockedAddresses blocked) {
        return new EgressPolicy(operatorCeiling, tenantCeiling, sandbox, blocked);
    }

    /**
     * Judges one connection.
     *
     * @param name the host name the connection asked for (Host, SNI, CONNECT authority) in
     *     {@link HostNames} normal form, or null for a connection judged by address only
     * @param address the address about to be dialled, or null if the name is judged before it is
     *     resolved; the caller must dial only an address the name resolved to
     * @param port the destination port, 0..65535 (0 when not known); rules do not restrict ports
     * @throws IllegalArgumentException if both {@code name} and {@code address} are null, the name is
     *     not in normal form, or the port is out of range
     */
    public Decision decide(@Nullable String name, @Nullable InetAddress address, int port) {
        if (name == null && address == null) {
            throw new IllegalArgumentException("a connection needs a name, an address or both; got neither");
        }
        if (name != null && !HostNames.normalize(name).equals(Optional.of(name))) {
            throw new IllegalArgumentException("name \"" + name + "\" is not in normal form; pass it through HostNames.normalize");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0..65535");
        }
        if (address != null) {
            Optional<String> why = blocked.why(address);
            if (why.isPresent()) {
                String code = why.get().endsWith(BlockedAddresses.HOST) ? Decision.HOST_ADDRESS : Decision.BLOCKED_RANGE;
                return Decision.deny(code, why.get());
            }
        }
        if (!inside(operatorCeiling, name, address)) {
            return Decision.deny(Decision.OUTSIDE_OPERATOR_CEILING, subject(name, address));
        }
        if (!inside(tenantCeiling, name, address)) {
            return Decision.deny(Decision.OUTSIDE_TENANT_CEILING, subject(name, address));
        }
        if (rules.learn()) {
            return Decision.allow(Decision.LEARN, subject(name, address));
        }
        Optional<EgressRule> allow = name == null ? Optional.empty() : rules.allowOut().matchingName(name);
        if (allow.isEmpty() && address != null) {
            allow = rules.allowOut().matchingAddress(address);
        }
        if (allow.isPresent()) {
            return Decision.allow(Decision.ALLOW_RULE, allow.get().text());
        }
        Optional<EgressRule> deny = address == null ? Optional.empty() : rules.denyOut().matchingAddress(address);
        if (deny.isPresent()) {
            return Decision.deny(Decision.DENY_RULE, deny.get().text());
        }
        if (!rules.allowInternetAccess()) {
            return Decision.deny(Decision.NO_INTERNET_ACCESS, subject(name, address));
        }
        if (rules.denyOut().containsAllIpv4()) {
            return Decision.deny(Decision.DENY_RULE, "0.0.0.0/0 (ALL_TRAFFIC)");
        }
        return Decision.allow(Decision.INTERNET_ACCESS, subject(name, address));
    }

    /** Whether {@code normalizedName} may be resolved at all: {@link #decide} with no address yet. */
    public Decision decideName(String normalizedName) {
        return decide(normalizedName, null, 0);
    }

    /** Whether anything at all can ever be allowed: false when either ceiling is empty. */
    public boolean reachable() {
        return !operatorCeiling.isEmpty() && !tenantCeiling.isEmpty();
    }

    /**
     * Whether this policy lets anything out right now: the ceilings are not empty, and the
     * sandbox's own rules are not "deny everything" with nothing allowed. A sandbox for which this
     * is false needs no network at all.
     */
    public boolean opensAnything() {
        return reachable() && (rules.learn() || !rules.deniesAll() || !rules.allowOut().isEmpty());
    }

    /** What the sandbox asked for. */
    public NetworkRules rules() {
        return rules;
    }

    /**
     * The policy after the sandbox replaces its rules (E2B's network update): a new policy with the
     * same ceilings and blocked addresses, since a sandbox can narrow or widen only its own rules,
     * never a ceiling. This policy is unchanged, so a connection judged concurrently sees either
     * the old rules or the new ones, never a mix.
     */
    public EgressPolicy withRules(NetworkRules replacement) {
        return new EgressPolicy(operatorCeiling, tenantCeiling, replacement, blocked);
    }

    /**
     * Whether {@code ceiling} covers the name or the address. With no address yet (a DNS question,
     * or a Host/SNI before Airlock resolves it), only a name rule, {@code *} or {@code 0.0.0.0/0}
     * covers a name: a ceiling of a few CIDRs must not let a sandbox have arbitrary names
     * resolved, because the question itself carries data to whoever serves that name (N-04).
     */
    private static boolean inside(EgressRules ceiling, @Nullable String name, @Nullable InetAddress address) {
        if (name != null && ceiling.allowsName(name)) {
            return true;
        }
        return address == null ? ceiling.containsAllIpv4() : ceiling.allowsAddress(address);
    }

    private static String subject(@Nullable String name, @Nullable InetAddress address) {
        @Nullable String a = address == null ? null : Ip.of(address).text();
        return name == null ? a : a == null ? name : name + " at " + a;
    }

    @Override
    public String toString() {
        return "EgressPolicy[operator=" + operatorCeiling + ", tenant=" + tenantCeiling + ", rules=" + rules + "]";
    }
}
