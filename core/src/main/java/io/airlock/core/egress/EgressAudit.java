package io.airlock.core.egress;

import java.util.List;

/**
 * Where egress decisions are recorded, and read back per sandbox.
 *
 * <p>{@link #record} is called on the proxy's and resolver's threads for every decision, so an
 * implementation must not block them for long; under a flood it may drop events, but must then
 * record how many it dropped.
 */
public interface EgressAudit {
    void record(EgressEvent event);

    /** The sandbox's events, oldest first, at most {@code limit}. */
    List<EgressEvent> events(String sandboxId, int limit);
}
