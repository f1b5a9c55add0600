package io.airlock.core.egress;

import java.util.Optional;

/**
 * The operator's side of egress: the ceiling above every tenant, each tenant's own ceiling, the
 * per-sandbox limits, and where decisions are recorded.
 *
 * @param operatorCeiling what any sandbox may ever reach ({@link EgressRules#NONE} by default)
 * @param tenantCeilings each tenant's ceiling; a tenant without one gets the operator's
 * @param limits connection and byte limits per sandbox
 * @param blocked the always-denied ranges and the host's own addresses
 * @param audit where every decision goes
 */
public record EgressSettings(
        EgressRules operatorCeiling, TenantCeilings tenantCeilings, EgressLimits limits, BlockedAddresses blocked, EgressAudit audit) {

    /** A tenant's ceiling, as an administrator set it. */
    @FunctionalInterface
    public interface TenantCeilings {
        Optional<EgressRules> ceiling(String tenantId);
    }

    /** No egress for anyone: the default. */
    public static EgressSettings none(EgressAudit audit) {
        return new EgressSettings(EgressRules.NONE, t -> Optional.empty(), EgressLimits.DEFAULTS,
                new BlockedAddresses(java.util.Set.of()), audit);
    }

    /** The policy a sandbox of {@code tenantId} that asked for {@code rules} gets. */
    public EgressPolicy policyFor(String tenantId, NetworkRules rules) {
        // Under an empty operator ceiling nothing can be reached, so the tenant's (a database
        // read) cannot matter: skip it on the create path.
        EgressRules tenant = operatorCeiling.isEmpty() ? EgressRules.NONE : tenantCeilings.ceiling(tenantId).orElse(operatorCeiling);
        return EgressPolicy.of(operatorCeiling, tenant, rules, blocked);
    }
}
