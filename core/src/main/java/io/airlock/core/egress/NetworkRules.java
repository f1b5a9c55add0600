package io.airlock.core.egress;

import io.airlock.core.InvalidRequestException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one sandbox asked for: E2B's {@code allowInternetAccess}, {@code network.allowOut} and
 * {@code network.denyOut}, plus Airlock's learn mode (allow everything inside the ceilings and
 * record it, to propose an {@code allowOut} later; see {@link Allowlists}).
 *
 * <p>These are requests, not the effective policy: {@link EgressPolicy} puts them under the
 * operator's and tenant's ceilings and the {@link BlockedAddresses}, which they can never widen.
 *
 * @param allowInternetAccess false means the same as {@code denyOut} holding {@code 0.0.0.0/0} and
 *     {@code ::/0}: nothing but {@code allowOut} is reachable
 * @param allowOut what is reachable even if {@code denyOut} covers it (allow wins, as in E2B)
 * @param denyOut addresses and CIDRs that are not reachable unless {@code allowOut} covers them
 * @param learn allow everything inside the ceilings, for recording
 */
public record NetworkRules(boolean allowInternetAccess, EgressRules allowOut, EgressRules denyOut, boolean learn) {
    /** E2B's default: internet access, no lists, no learning. */
    public static final NetworkRules DEFAULT = new NetworkRules(true, EgressRules.NONE, EgressRules.NONE, false);

    private static final String ALLOW_OUT = "network.allowOut";
    private static final String DENY_OUT = "network.denyOut";

    /**
     * Parses and validates a request the way E2B does.
     *
     * @param allowInternetAccess null means true (E2B's default)
     * @param allowOut null means none
     * @param denyOut null means none
     * @throws InvalidRequestException if an entry is not a rule; if {@code denyOut} holds a name or
     *     {@code *} ({@code network.denyOut[i]}); or if {@code allowOut} holds a name while
     *     {@code denyOut} does not hold {@code 0.0.0.0/0} and internet access is on (E2B answers
     *     400 to that, since the name rule would have nothing to override)
     */
    public static NetworkRules of(@Nullable Boolean allowInternetAccess, @Nullable List<String> allowOut,
            @Nullable List<String> denyOut, boolean learn) {
        EgressRules allow = allowOut == null ? EgressRules.NONE : EgressRules.parse(ALLOW_OUT, allowOut);
        EgressRules deny = denyOut == null ? EgressRules.NONE : EgressRules.parse(DENY_OUT, denyOut);
        List<EgressRule> denied = deny.rules();
        for (int i = 0; i < denied.size(); i++) {
            EgressRule r = denied.get(i);
            if (r.isDomain()) {
                throw new InvalidRequestException(DENY_OUT + "[" + i + "]", "\"" + r.text()
                        + "\": denyOut takes only IP addresses and CIDRs; put names in allowOut");
            }
            if (r instanceof AnyRule) {
                throw new InvalidRequestException(DENY_OUT + "[" + i + "]", "\"*\": denyOut takes only IP addresses"
                        + " and CIDRs; write 0.0.0.0/0 (ALL_TRAFFIC) to deny everything not in allowOut");
            }
        }
        boolean internet = allowInternetAccess == null || allowInternetAccess;
        if (allow.hasDomains() && internet && !deny.containsAllIpv4()) {
            throw new InvalidRequestException(ALLOW_OUT, "allowOut with domains requires denyOut to contain 0.0.0.0/0"
                    + " (ALL_TRAFFIC), as in E2B; add it to denyOut or set allowInternetAccess to false");
        }
        return new NetworkRules(internet, allow, deny, learn);
    }

    /** Whether everything not in {@code allowOut} is denied: no internet access, or {@code 0.0.0.0/0} in {@code denyOut}. */
    public boolean deniesAll() {
        return !allowInternetAccess || denyOut.containsAllIpv4();
    }
}
