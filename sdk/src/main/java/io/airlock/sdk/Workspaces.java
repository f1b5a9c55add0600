package io.airlock.sdk;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * This key's tenant's workspaces ({@code /v1/workspaces}): named, versioned, encrypted file trees
 * that outlive sandboxes. Mount one into a sandbox with {@link SandboxSpec.Builder#workspace(String,
 * boolean)}; every commit that changes it is a new version.
 *
 * <pre>{@code
 * Workspaces ws = client.workspaces();
 * ws.create("project");
 * ws.upload("project", Path.of("project.tar.gz"));              // tar, tar.gz or zip
 * for (WorkspaceVersion v : ws.versions("project")) {
 *     System.out.println(v.number() + " " + v.origin() + " " + v.files() + " files");
 * }
 * ws.download("project", 0, Path.of("head.tar.gz"));            // 0 = the head
 * }</pre>
 */
public interface Workspaces {
    /**
     * Creates an empty workspace (version 0).
     *
     * @param name 1 to 64 letters, digits, {@code .}, {@code _} or {@code -}, starting with a letter or digit; unique
     *     within the tenant
     * @throws InvalidRequestException for a bad name or one already in use
     */
    WorkspaceInfo create(String name);

    /** Every workspace of the tenant, by name. */
    List<WorkspaceInfo> list();

    /** @throws NotFoundException if the tenant has no workspace of that name */
    WorkspaceInfo get(String name);

    /** Deletes the workspace, every version and its stored content. */
    void delete(String name);

    /** Versions, newest first, without their change sets. */
    List<WorkspaceVersion> versions(String name);

    /** One version with its change set against its parent. */
    WorkspaceVersion version(String name, int number);

    /** What changed from version {@code from} to version {@code to} (0 is the empty tree). */
    List<WorkspaceChange> diff(String name, int from, int to);

    /** Makes version {@code number}'s tree the head again, as a new version. */
    WorkspaceCommit restore(String name, int number);

    /** Writes version {@code version} (0 = the head) as a gzipped tar into {@code out} (left open). */
    void download(String name, int version, OutputStream out);

    /** Writes version {@code version} (0 = the head) as a gzipped tar to {@code file}, replacing it. */
    void download(String name, int version, Path file);

    /**
     * Replaces the head's tree with an archive's (tar, tar.gz or zip) as a new version. The stream
     * is read to its end but not closed.
     *
     * @throws InvalidRequestException naming the entry, for absolute paths, {@code ..}, hard
     *     links, devices, FIFOs or an entry under a symlink
     */
    WorkspaceCommit upload(String name, InputStream archive);

    /** {@link #upload(String, InputStream)} from a file. */
    WorkspaceCommit upload(String name, Path archive);
}
