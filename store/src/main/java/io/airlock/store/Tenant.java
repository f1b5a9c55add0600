package io.airlock.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A tenant: owns sandboxes and API keys, and has a quota.
 *
 * @param id unguessable id, {@code t_} followed by 20 base-32 characters
 * @param name unique among active tenants
 * @param maxSandboxes how many sandboxes it may have alive at once
 * @param admin whether its keys may manage tenants
 * @param createdAt when it was created (millisecond precision)
 * @param revokedAt when it was revoked, or null while active
 */
public record Tenant(
        String id, String name, int maxSandboxes, boolean admin, Instant createdAt, @Nullable Instant revokedAt) {

    /** Whether it has not been revoked. */
    public boolean active() {
        return revokedAt == null;
    }
}
