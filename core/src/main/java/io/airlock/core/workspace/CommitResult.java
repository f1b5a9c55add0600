package io.airlock.core.workspace;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a commit did.
 *
 * @param outcome see {@link Outcome}
 * @param version the version written, or {@code null} if nothing changed
 * @param conflicts for {@link Outcome#CONFLICT}, the paths changed on both sides
 * @param treeVersion a version whose tree is exactly what was committed (the new head, the
 *     branch, or for a merge the committed tree's own version), or {@code null} if none was
 *     written; the next commit from the same directory is made against it
 */
public record CommitResult(Outcome outcome, @Nullable WorkspaceVersion version, List<String> conflicts, @Nullable Integer treeVersion) {
    public CommitResult {
        conflicts = List.copyOf(conflicts);
    }

    /** Nothing written: the tree matched. */
    public static CommitResult unchanged() {
        return new CommitResult(Outcome.UNCHANGED, null, List.of(), null);
    }

    /** A result whose tree version is the version written, unless it is a merge. */
    public CommitResult(Outcome outcome, @Nullable WorkspaceVersion version, List<String> conflicts) {
        this(outcome, version, conflicts, version == null || outcome == Outcome.MERGED ? null : version.number());
    }

    public enum Outcome {
        /** The directory matched its base: no version written. */
        UNCHANGED,
        /** The base was still the head: the new version is the head. */
        COMMITTED,
        /** The head had moved on, but the two sides changed different paths: merged into a new head. */
        MERGED,
        /** Both sides changed the same paths: kept as a branch version, the head is untouched. */
        CONFLICT
    }
}
