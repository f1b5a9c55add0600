package io.airlock.core.workspace;

import java.time.Instant;

/**
 * A tenant's named workspace.
 *
 * @param id the workspace's id ({@code w_…}), unguessable
 * @param tenant the owning tenant
 * @param name unique within the tenant: letters, digits, {@code .}, {@code _} and {@code -}, 1–64, starting with a letter or digit
 * @param head the version new sandboxes see (0 for a new, empty workspace)
 * @param createdAt when it was created
 * @param files how many files and links the head version holds
 * @param bytes the total size of the head version's files
 */
public record Workspace(String id, String tenant, String name, int head, Instant createdAt, int files, long bytes) {}
