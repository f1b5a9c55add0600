package io.airlock.core.workspace;

/**
 * A version checked out into a directory for one sandbox: what {@link Workspaces#commit} commits
 * against.
 *
 * @param workspaceId the workspace
 * @param tenant its tenant
 * @param name its name
 * @param base the version checked out
 * @param readWrite whether the sandbox may change it (a read-only checkout is never committed)
 */
public record Checkout(String workspaceId, String tenant, String name, int base, boolean readWrite) {}
