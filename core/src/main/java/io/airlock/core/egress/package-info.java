/**
 * Outbound network policy: the rules a sandbox may ask for ({@code allowOut}/{@code denyOut} in
 * E2B's terms), the ceilings an operator and a tenant set above them, the ranges that are
 * always denied, and the audit record of each decision.
 *
 * <p>Pure decisions only: enforcement (the network namespace, the egress proxy and the resolver)
 * lives in the runtime.
 */
@NullMarked
package io.airlock.core.egress;

import org.jspecify.annotations.NullMarked;
