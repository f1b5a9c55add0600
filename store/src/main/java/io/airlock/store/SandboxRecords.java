package io.airlock.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable record of sandboxes: which tenant started what, when, and when and why it ended.
 * Sandboxes do not survive a restart, so at start-up the server ends every record still live
 * ({@link #endAllLive}).
 */
public interface SandboxRecords {

    /**
     * Records a sandbox (normally live: {@code endedAt} null).
     *
     * @throws io.airlock.core.InvalidRequestException naming {@code id} if a record with that id exists
     */
    void created(SandboxRecord record);

    /**
     * Marks a live sandbox as ended. Does nothing if it already ended (the first end wins) or
     * was never recorded.
     */
    void ended(String id, Instant at, String reason);

    /** The record of this sandbox, live or ended. */
    Optional<SandboxRecord> find(String id);

    /** Every sandbox not yet ended, oldest first. */
    List<SandboxRecord> live();

    /** Ends every live sandbox; returns how many there were. */
    int endAllLive(Instant at, String reason);

    /** How many sandboxes of this tenant are not yet ended. */
    int countLive(String tenantId);
}
