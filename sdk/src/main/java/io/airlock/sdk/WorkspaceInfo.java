package io.airlock.sdk;

import java.time.Instant;

/**
 * A workspace as {@link Workspaces#get} and {@link Workspaces#list} show it.
 *
 * <pre>{@code
 * WorkspaceInfo w = client.workspaces().get("project");
 * System.out.println(w.name() + " at version " + w.head() + ": " + w.files() + " files, " + w.bytes() + " bytes");
 * }</pre>
 *
 * @param name its name
 * @param head the version new sandboxes see (0: empty)
 * @param createdAt when it was created
 * @param files files and links in the head version
 * @param bytes total size of the head version's files
 */
public record WorkspaceInfo(String name, int head, Instant createdAt, int files, long bytes) {}
