package io.airlock.core.workspace;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One committed version of a workspace.
 *
 * @param number 1, 2, 3… per workspace, in commit order
 * @param parent the version it was committed against (0 for the first)
 * @param createdAt commit time
 * @param origin what made it: {@code sandbox:<id>}, {@code upload}, {@code restore:<n>}
 * @param conflict whether it is a branch: a commit that conflicted with changes made since its
 *     parent, kept as is but not made the head; {@link #conflicts()} names the paths
 * @param files files and links in the version
 * @param bytes total size of its files
 * @param changes what changed against {@code parent}, or {@code null} when not loaded (listings)
 * @param conflicts paths changed both here and on the head since {@code parent}; empty unless a branch
 */
public record WorkspaceVersion(
        int number, int parent, Instant createdAt, String origin, boolean conflict, int files, long bytes,
        @Nullable List<Change> changes, List<String> conflicts) {}
