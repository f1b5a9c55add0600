package io.airlock.sdk;

import java.time.Instant;
import java.util.List;

/**
 * One version of a workspace.
 *
 * <pre>{@code
 * WorkspaceVersion v = client.workspaces().version("project", 3);
 * if (v.conflict()) {
 *     System.out.println("version 3 conflicted on " + v.conflicts() + "; the head kept the other side");
 * }
 * v.changes().forEach(c -> System.out.println(c.kind() + " " + c.path()));
 * }</pre>
 *
 * @param number 1, 2, 3… in commit order
 * @param parent the version it was committed against (0 for the first)
 * @param createdAt commit time
 * @param origin what made it: {@code sandbox:<id>}, {@code upload} or {@code restore:<n>}
 * @param conflict whether it is a branch kept beside the head because it conflicted
 * @param files files and links in it
 * @param bytes total size of its files
 * @param changes what changed against {@code parent}; {@code null} in {@link Workspaces#versions} listings
 * @param conflicts the paths it conflicted on; empty unless {@code conflict}
 */
public record WorkspaceVersion(int number, int parent, Instant createdAt, String origin, boolean conflict, int files, long bytes,
        List<WorkspaceChange> changes, List<String> conflicts) {
    public WorkspaceVersion {
        changes = changes == null ? null : List.copyOf(changes);
        conflicts = List.copyOf(conflicts);
    }
}
