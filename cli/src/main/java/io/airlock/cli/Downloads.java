package io.airlock.cli;

import io.airlock.sdk.EntryInfo;
import io.airlock.sdk.EntryType;
import io.airlock.sdk.SandboxFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies a directory tree out of a sandbox. Everything in it came from sandboxed code, so it is
 * treated as hostile:
 * <ul>
 *   <li>only regular files and directories are taken; links and special files are skipped with
 *       a note (names printed with control characters escaped);
 *   <li>every name must be one plain path component;
 *   <li>nothing already on this side is overwritten or merged into: the destination must be new
 *       or an empty directory, directories are created one by one ({@code mkdir}, which fails on
 *       anything in the way) and files with {@code O_CREAT|O_EXCL|O_NOFOLLOW};
 *   <li>at most {@code maxBytes} in all and {@link #MAX_ENTRIES} entries: a file that keeps
 *       growing, or a sparse 1 TB one, stops the copy, and the partial file is removed.
 * </ul>
 */
final class Downloads {
    static final int MAX_ENTRIES = 100_000;
    static final long DEFAULT_MAX_BYTES = 1L << 30;

    private final SandboxFiles files;
    private final PrintWriter notes;
    private final long maxBytes;
    private int count;
    private long bytes;

    Downloads(SandboxFiles files, PrintWriter notes, long maxBytes) {
        this.files = files;
        this.notes = notes;
        this.maxBytes = maxBytes;
    }

    /** Copies the tree at {@code remote} into {@code local}, which must not exist or be an empty directory. */
    void copyTree(String remote, Path local) throws IOException {
        if (Files.isSymbolicLink(local)) {
            throw new CliException(local + " is a symbolic link; give a real directory");
        }
        if (Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS)) {
                throw new CliException(local + " exists and is not a directory");
            }
            try (var entries = Files.list(local)) {
                if (entries.findAny().isPresent()) {
                    throw new CliException(local + " is not empty; files from a sandbox never overwrite or merge into existing ones. "
                            + "Give a new or empty directory");
                }
            }
        } else {
            Files.createDirectories(local.toAbsolutePath().getParent());
            Files.createDirectory(local);
        }
        copyInto(remote, local);
    }

    /** Copies one remote file to {@code target}, which must not exist yet. */
    void copyFile(String remote, Path target) throws IOException {
        write(remote, target);
    }

    private void copyInto(String remote, Path local) throws IOException {
        for (EntryInfo e : files.list(remote)) {
            if (++count > MAX_ENTRIES) {
                throw new CliException("more than " + MAX_ENTRIES + " entries under " + Safe.text(remote) + "; stopped downloading");
            }
            String name = e.name();
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.indexOf('\0') >= 0) {
                notes.println("airlock: skipped an entry with an unusable name under " + Safe.text(remote));
                continue;
            }
            Path target = local.resolve(name);
            String child = remote + "/" + name;
            if (e.type() == EntryType.DIRECTORY) {
                Files.createDirectory(target);
                copyInto(child, target);
            } else if (e.type() == EntryType.FILE) {
                write(child, target);
            } else {
                notes.println("airlock: skipped " + Safe.text(child) + ": not a regular file or directory");
            }
        }
    }

    private void write(String remote, Path target) throws IOException {
        OutputStream out;
        try {
            out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(target + " already exists; files from a sandbox never overwrite existing ones");
        }
        boolean done = false;
        try (out; InputStream in = files.readStream(remote)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                bytes += n;
                if (bytes > maxBytes) {
                    throw new CliException("the files under download passed " + maxBytes + " bytes at " + Safe.text(remote)
                            + "; stopped (raise --max-bytes to allow more)");
                }
                out.write(buf, 0, n);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(target); // ours, created above: no half files are left
            }
        }
    }
}
