package io.airlock.core.egress;

/**
 * The answer to "may this connection (or this name) go out?", with the reason recorded in the
 * audit trail.
 *
 * <p>A reason is a short, stable kebab-case code ({@link #BLOCKED_RANGE}, {@link #ALLOW_RULE}, ...)
 * that clients and dashboards may match on, optionally followed by {@code ": "} and a detail for
 * people, such as the rule or range that decided, e.g. {@code blocked-range: 10.0.0.0/8 (private)}.
 *
 * @param allowed whether the connection may proceed
 * @param reason {@code code} or {@code code: detail}
 */
public record Decision(boolean allowed, String reason) {
    /** The address is in a range that is always denied. */
    public static final String BLOCKED_RANGE = "blocked-range";
    /** The address is one of the host's own. */
    public static final String HOST_ADDRESS = "host-address";
    /** The operator's ceiling does not cover the name or address. */
    public static final String OUTSIDE_OPERATOR_CEILING = "outside-operator-ceiling";
    /** The tenant's ceiling does not cover the name or address. */
    public static final String OUTSIDE_TENANT_CEILING = "outside-tenant-ceiling";
    /** Learn mode: allowed because it is inside the ceilings, and recorded. */
    public static final String LEARN = "learn";
    /** The sandbox's {@code allowOut} covers it. */
    public static final String ALLOW_RULE = "allow-rule";
    /** The sandbox's {@code denyOut} covers it. */
    public static final String DENY_RULE = "deny-rule";
    /** Nothing denies it and the sandbox has internet access. */
    public static final String INTERNET_ACCESS = "internet-access";
    /** The sandbox has no internet access and {@code allowOut} does not cover it. */
    public static final String NO_INTERNET_ACCESS = "no-internet-access";

    public Decision {
        if (reason.isBlank()) {
            throw new IllegalArgumentException("a decision needs a reason; got a blank one");
        }
    }

    /** An allowing decision with {@code code} and a detail (omitted when blank). */
    public static Decision allow(String code, String detail) {
        return new Decision(true, join(code, detail));
    }

    /** A denying decision with {@code code} and a detail (omitted when blank). */
    public static Decision deny(String code, String detail) {
        return new Decision(false, join(code, detail));
    }

    /** The stable code: the reason up to the first {@code ": "}. */
    public String code() {
        int colon = reason.indexOf(": ");
        return colon < 0 ? reason : reason.substring(0, colon);
    }

    private static String join(String code, String detail) {
        return detail.isBlank() ? code : code + ": " + detail;
    }
}
