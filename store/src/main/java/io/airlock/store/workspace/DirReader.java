package io.airlock.store.workspace;

import io.airlock.core.workspace.WorkspaceLimitException;
import io.airlock.core.workspace.WorkspaceLimits;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a hostile directory (one a sandbox wrote) into a tree, storing file content as blobs.
 *
 * <p>Every child is reached relative to its parent's open directory handle ({@link
 * SecureDirectoryStream}: {@code fstatat}/{@code openat} with {@code O_NOFOLLOW}), never by a
 * resolved path, so a symlink anywhere in the tree is never followed: symlinks are recorded as
 * links, directories are entered only if they are directories (not links to them), and only
 * regular files are opened. FIFOs, sockets and devices are skipped and counted.
 *
 * <p>Race assumption: no process writes the directory while it is read (the sandbox is dead or
 * frozen). Even so, a file that changes between its hashing and its sealing is refused (see
 * {@link Blobs#put}), and the walk never leaves the directory: the worst a racing writer can do
 * is make the commit fail.
 */
final class DirReader {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Blobs blobs;
    private final Blobs.Keys keys;
    private final WorkspaceLimits limits;
    private final List<Entry> entries = new ArrayList<>();
    private long bytes;
    private int skipped;

    private final Blobs.Batch batch;

    private DirReader(Blobs blobs, Blobs.Keys keys, WorkspaceLimits limits, Blobs.Batch batch) {
        this.batch = batch;
        this.blobs = blobs;
        this.keys = keys;
        this.limits = limits;
    }

    record Result(Tree tree, int skipped) {}

    /** Reads {@code dir}; file content goes into {@code batch}, which the caller commits or aborts. */
    static Result read(Path dir, Blobs blobs, Blobs.Keys keys, WorkspaceLimits limits, Blobs.Batch batch) throws IOException {
        // The top directory is the caller's (a mount point the sandbox cannot replace); check that
        // it is a directory and not a link before opening it.
        if (!Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW).isDirectory()) {
            throw new IOException(dir + " is not a directory");
        }
        DirReader r = new DirReader(blobs, keys, limits, batch);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            if (!(ds instanceof SecureDirectoryStream<Path> sds)) {
                throw new UnsupportedOperationException("this platform has no SecureDirectoryStream; workspaces need Linux");
            }
            r.walk(sds, "", 1);
        }
        return new Result(Tree.of(r.entries), r.skipped);
    }

    private void walk(SecureDirectoryStream<Path> dir, String prefix, int depth) throws IOException {
        List<Path> children = new ArrayList<>();
        for (Path child : dir) {
            children.add(child);
        }
        children.sort(null);
        for (Path child : children) {
            Path name = child.getFileName(); // relative: every operation below is relative to dir's handle
            if (name.toString().indexOf('\uFFFD') >= 0) {
                skipped++; // not valid UTF-8: it could not be stored under its own name, so it is left out
                continue;
            }
            String path = prefix.isEmpty() ? name.toString() : prefix + "/" + name;
            String problem = Tree.pathProblem(path);
            if (problem != null) {
                throw new WorkspaceLimitException("cannot commit '" + path + "': " + problem);
            }
            PosixFileAttributes a = dir.getFileAttributeView(name, PosixFileAttributeView.class, NOFOLLOW).readAttributes();
            if (a.isSymbolicLink()) {
                count(path);
                // There is no readlinkat in Java. readlink(2) on the full path does not follow its last
                // component, and every earlier component is a directory this walk opened with
                // O_NOFOLLOW; with no process running in the sandbox (see the class comment) none of
                // them can have been swapped for a link since.
                String target = Files.readSymbolicLink(child).toString();
                String bad = Tree.targetProblem(target);
                if (bad != null) {
                    throw new WorkspaceLimitException("cannot commit '" + path + "': " + bad);
                }
                entries.add(Entry.link(path, target));
            } else if (a.isDirectory()) {
                count(path);
                if (depth >= Tree.MAX_DEPTH) {
                    throw new WorkspaceLimitException("cannot commit '" + path + "': directories nested deeper than " + Tree.MAX_DEPTH);
                }
                entries.add(Entry.dir(path, mode(a.permissions())));
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, NOFOLLOW)) {
                    walk(sub, path, depth + 1);
                }
            } else if (a.isRegularFile()) {
                count(path);
                long left = limits.maxBytes() - bytes;
                if (a.size() > left) {
                    throw tooLarge(bytes + a.size());
                }
                Blobs.Stored s;
                try {
                    s = blobs.put(keys, Blobs.Kind.BLOB, () -> Channels.newInputStream(
                            dir.newByteChannel(name, Set.of(StandardOpenOption.READ, NOFOLLOW))), left, batch);
                } catch (WorkspaceLimitException e) {
                    throw tooLarge(limits.maxBytes() + 1);
                }
                bytes += s.size();
                entries.add(Entry.file(path, mode(a.permissions()), s.size(), s.id()));
            } else {
                skipped++; // FIFO, socket or device: never opened
            }
        }
    }

    private long pathBytes;

    private void count(String path) {
        pathBytes += path.length() + 64; // the entry's share of the manifest, roughly
        if (pathBytes > Tree.MAX_TREE_PATH_BYTES) {
            throw new WorkspaceLimitException("too many or too long paths: the tree's paths pass " + (Tree.MAX_TREE_PATH_BYTES >> 20)
                    + " MiB; shorten or remove some");
        }
        if (entries.size() + 1 > limits.maxEntries()) {
            throw new WorkspaceLimitException("too many entries: more than the workspace limit of " + limits.maxEntries()
                    + " files, directories and links");
        }
    }

    private WorkspaceLimitException tooLarge(long seen) {
        return new WorkspaceLimitException("too large: at least " + seen + " bytes of files, more than the workspace limit of "
                + limits.maxBytes() + " bytes");
    }

    static int mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 1 << (8 - p.ordinal());
        }
        return m;
    }
}
