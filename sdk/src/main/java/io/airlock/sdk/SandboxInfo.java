package io.airlock.sdk;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the server knows about a sandbox: {@code GET /sandboxes/{id}} and list items.
 *
 * <pre>{@code
 * SandboxInfo info = sbx.info();
 * Duration left = Duration.between(Instant.now(), info.endAt());
 * }</pre>
 *
 * @param sandboxId the sandbox's id
 * @param templateId the template it started from
 * @param metadata its labels
 * @param state running or paused
 * @param startedAt when it started
 * @param endAt when it will be killed unless its timeout is changed
 * @param cpuCount CPUs it may use
 * @param memoryMB memory it may use, in MiB
 * @param diskSizeMB its disk size, in MiB
 * @param allowOut its outbound allowlist (empty in list items, which do not carry network rules)
 * @param denyOut its outbound denylist (empty in list items)
 */
public record SandboxInfo(String sandboxId, String templateId, Map<String, String> metadata, SandboxState state,
        Instant startedAt, Instant endAt, int cpuCount, long memoryMB, long diskSizeMB, List<String> allowOut,
        List<String> denyOut) {
    public SandboxInfo {
        metadata = Map.copyOf(metadata);
        allowOut = List.copyOf(allowOut);
        denyOut = List.copyOf(denyOut);
    }
}
