package io.airlock.core;

import java.time.Instant;
import java.util.Map;

/**
 * A sandbox as callers see it: a snapshot of its state.
 *
 * @param id unguessable sandbox id, also the hostname inside
 * @param template template name
 * @param tier runtime tier
 * @param resources the clamped limits it runs with
 * @param metadata the caller's labels
 * @param startedAt when it was created for the caller
 * @param endAt when it will be killed unless extended (for a paused sandbox: when it would end if resumed now)
 * @param state running or paused
 * @param owner the tenant it belongs to, or empty for none
 */
public record Sandbox(
        String id,
        String template,
        Tier tier,
        Resources resources,
        Map<String, String> metadata,
        Instant startedAt,
        Instant endAt,
        State state,
        String owner) {
    /** Lifecycle states visible to callers. Killed sandboxes are simply gone. */
    public enum State {
        RUNNING,
        PAUSED
    }
}
