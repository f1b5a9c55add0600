package io.airlock.store.workspace;

import io.airlock.core.workspace.Change.EntryType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a tree into an empty directory for a checkout: directories first, then files, then
 * symlinks last (so no file is ever written through a link), every file created exclusively.
 * Directory modes are applied at the end, deepest first, so a read-only directory still gets its
 * content. The target is trusted (made by the caller, nothing else writes it yet).
 */
final class DirWriter {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private DirWriter() {}

    static void write(Tree tree, Path target, Blobs blobs, Blobs.Keys keys, int uid, int gid) throws IOException {
        if (!Files.isDirectory(target, NOFOLLOW)) {
            throw new IOException("checkout target " + target + " is not a directory");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
            if (ds.iterator().hasNext()) {
                throw new IOException("checkout target " + target + " is not empty");
            }
        }
        List<Entry> dirs = new ArrayList<>();
        for (Entry e : tree.entries()) {
            if (e.type() == EntryType.DIR) {
                Path p = target.resolve(e.path());
                Files.createDirectory(p);
                dirs.add(e);
            }
        }
        for (Entry e : tree.entries()) {
            if (e.type() == EntryType.FILE) {
                Path p = target.resolve(e.path());
                try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW);
                        InputStream in = blobs.open(keys, Blobs.Kind.BLOB, e.blob())) {
                    in.transferTo(out);
                } catch (IOException ex) {
                    throw Blobs.rethrow(ex);
                }
                Files.setPosixFilePermissions(p, permissions(e.mode()));
                own(p, uid, gid);
            }
        }
        for (Entry e : tree.entries()) {
            if (e.type() == EntryType.LINK) {
                Path p = target.resolve(e.path());
                Files.createSymbolicLink(p, p.getFileSystem().getPath(e.target()));
                own(p, uid, gid);
            }
        }
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Path p = target.resolve(dirs.get(i).path());
            Files.setPosixFilePermissions(p, permissions(dirs.get(i).mode()));
            own(p, uid, gid);
        }
    }

    /** lchown, only where the owner differs (so an unprivileged server can check out as itself). */
    private static void own(Path p, int uid, int gid) throws IOException {
        if (!Integer.valueOf(uid).equals(Files.getAttribute(p, "unix:uid", NOFOLLOW))) {
            Files.setAttribute(p, "unix:uid", uid, NOFOLLOW);
        }
        if (!Integer.valueOf(gid).equals(Files.getAttribute(p, "unix:gid", NOFOLLOW))) {
            Files.setAttribute(p, "unix:gid", gid, NOFOLLOW);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                out.add(p);
            }
        }
        return out;
    }
}
