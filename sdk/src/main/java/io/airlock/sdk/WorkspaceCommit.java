package io.airlock.sdk;

import java.util.List;

/**
 * What an upload or restore did to a workspace.
 *
 * <pre>{@code
 * WorkspaceCommit c = client.workspaces().upload("project", Path.of("project.zip"));
 * if (c.version() != null) {
 *     System.out.println(c.outcome() + " as version " + c.version().number());   // committed as version 4
 * }
 * }</pre>
 *
 * @param outcome {@code unchanged} (nothing to commit), {@code committed}, {@code merged} or
 *     {@code conflict} (kept as a branch; the head is untouched)
 * @param version the version written, or {@code null} if unchanged
 * @param conflicts for a conflict, the paths changed on both sides
 */
public record WorkspaceCommit(String outcome, WorkspaceVersion version, List<String> conflicts) {
    public WorkspaceCommit {
        conflicts = List.copyOf(conflicts);
    }
}
