package io.airlock.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The durable record of one sandbox.
 *
 * @param id the sandbox id
 * @param tenantId the tenant that owns it, or empty for none
 * @param template the template it was started from
 * @param metadata the caller's labels (copied, unmodifiable)
 * @param startedAt when it started (stored to the millisecond)
 * @param endedAt when it ended, or null while live
 * @param endReason why it ended (e.g. {@code killed}, {@code timeout}), or null while live
 */
public record SandboxRecord(
        String id,
        String tenantId,
        String template,
        Map<String, String> metadata,
        Instant startedAt,
        @Nullable Instant endedAt,
        @Nullable String endReason) {

    public SandboxRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(template, "template");
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** A live sandbox's record. */
    public static SandboxRecord live(
            String id, String tenantId, String template, Map<String, String> metadata, Instant startedAt) {
        return new SandboxRecord(id, tenantId, template, metadata, startedAt, null, null);
    }

    /** Whether it has not ended yet. */
    public boolean isLive() {
        return endedAt == null;
    }
}
