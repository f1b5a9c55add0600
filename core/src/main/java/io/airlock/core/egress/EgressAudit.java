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

    /** The sandbox's newest {@code limit} events, oldest first. */
    List<EgressEvent> events(String sandboxId, int limit);

    /**
     * One allowed TCP connection per distinct destination (name, or address when it had no
     * name) over the sandbox's whole record, however long: what learn mode proposes from.
     */
    List<EgressEvent> allowedConnections(String sandboxId);
}
