package io.airlock.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What is known about an API key after it was issued: never the key itself.
 *
 * @param id {@code k_} followed by 20 base-32 characters; safe to show and log
 * @param tenantId the tenant it authenticates as
 * @param name a label for people
 * @param prefix the key's first 12 characters ({@code e2b_} and 8 hex digits), to tell keys apart
 * @param createdAt when it was issued
 * @param lastUsedAt when it last authenticated (recorded at most once a minute), or null if never
 * @param revokedAt when it was revoked (itself or with its tenant), or null while active
 */
public record ApiKey(
        String id,
        String tenantId,
        String name,
        String prefix,
        Instant createdAt,
        @Nullable Instant lastUsedAt,
        @Nullable Instant revokedAt) {

    /** Whether it has not been revoked. */
    public boolean active() {
        return revokedAt == null;
    }
}
