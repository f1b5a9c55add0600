package io.airlock.sdk;

/**
 * One path that differs between two versions of a workspace.
 *
 * <pre>{@code
 * for (WorkspaceChange c : client.workspaces().diff("project", 1, 2)) {
 *     System.out.println(c.kind() + " " + c.type() + " " + c.path() + " (" + c.size() + " bytes)");   // modified file src/app.py (812 bytes)
 * }
 * }</pre>
 *
 * @param path relative, {@code /}-separated
 * @param kind {@code added}, {@code modified} or {@code deleted}
 * @param type {@code file}, {@code dir} or {@code link}: what it is in the newer version (or was, if deleted)
 * @param size a file's size in the newer version (the older, if deleted); 0 for directories and links
 */
public record WorkspaceChange(String path, String kind, String type, long size) {}
