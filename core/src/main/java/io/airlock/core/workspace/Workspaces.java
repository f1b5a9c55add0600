package io.airlock.core.workspace;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Tenants' workspaces. Every method takes the tenant and a workspace name, so one tenant can never
 * name another's workspace: an unknown name and another tenant's name fail alike with {@link
 * WorkspaceNotFoundException}. Thread-safe; commits to one workspace are serialised.
 */
public interface Workspaces {
    /** @throws io.airlock.core.InvalidRequestException for a bad name, or one the tenant already uses */
    Workspace create(String tenant, String name);

    List<Workspace> list(String tenant);

    Workspace get(String tenant, String name);

    /** Deletes the workspace, every version and its stored content. */
    void delete(String tenant, String name);

    /** Versions, newest first, without change sets. */
    List<WorkspaceVersion> versions(String tenant, String name);

    /**
     * One version with its change set against its parent.
     *
     * @throws WorkspaceNotFoundException if there is no such version
     */
    WorkspaceVersion version(String tenant, String name, int number);

    /** What changed from version {@code from} to version {@code to} (either may be 0, the empty tree). */
    List<Change> diff(String tenant, String name, int from, int to);

    /** Commits version {@code number}'s tree as a new head version ({@code origin = restore:<n>}). */
    CommitResult restore(String tenant, String name, int number);

    /** Writes version {@code number} (0 = head) as a gzipped tar: regular files, directories and symlinks. */
    void exportArchive(String tenant, String name, int number, OutputStream out);

    /**
     * Replaces the head's tree with an archive's (tar, tar.gz or zip, detected from its first bytes)
     * as a new version ({@code origin = upload}). Refuses, naming the entry, absolute paths, {@code
     * ..}, hard links, devices and FIFOs, and anything beyond the limits.
     */
    CommitResult importArchive(String tenant, String name, InputStream archive);

    /**
     * Writes version {@code version} ({@code null} = head; 0 = the empty tree) into {@code target},
     * an empty directory nothing else writes to, with files owned by {@code uid}:{@code gid}:
     * directories, then files, then symlinks, each created exclusively and never through a link.
     * Conflict (branch) versions can be checked out too; the checkout's base is then that version.
     */
    Checkout checkout(String tenant, String name, @Nullable Integer version, boolean readWrite, Path target, int uid, int gid);

    /**
     * Commits what {@code dir} holds now against the checkout's base. {@code dir} is hostile:
     * only regular files, directories and symlinks (kept as links, never followed) are taken, and
     * it is read only through file descriptors relative to it. The caller guarantees that no
     * sandbox process runs while this reads (the sandbox is dead or frozen). FIFOs, sockets and
     * devices are skipped (and logged, counted). A read-only checkout is never committed: the
     * result is {@link CommitResult.Outcome#UNCHANGED} and {@code dir} is not read.
     *
     * @param origin recorded on the version, e.g. {@code sandbox:<id>}
     * @throws WorkspaceLimitException if the tree is beyond the limits (nothing is committed)
     * @throws WorkspaceNotFoundException if the workspace was deleted since the checkout
     */
    CommitResult commit(Checkout checkout, Path dir, String origin);
}
