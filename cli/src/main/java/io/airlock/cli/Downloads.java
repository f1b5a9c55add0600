package io.airlock.cli;

import io.airlock.sdk.EntryInfo;
import io.airlock.sdk.EntryType;
import io.airlock.sdk.SandboxFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Copies a directory tree out of a sandbox. Everything in it came from sandboxed code, so it is
 * treated as hostile: only regular files and directories are taken (links and special files are
 * skipped with a note), every name is checked to stay one plain component, and nothing is
 * written through a link that already exists on this side.
 */
final class Downloads {
    private static final int MAX_ENTRIES = 100_000;

    private final SandboxFiles files;
    private final PrintWriter notes;
    private int count;

    Downloads(SandboxFiles files, PrintWriter notes) {
        this.files = files;
        this.notes = notes;
    }

    /** Copies the tree at {@code remote} into {@code local} (created if missing). */
    void copyTree(String remote, Path local) throws IOException {
        Files.createDirectories(local);
        if (Files.isSymbolicLink(local)) {
            throw new CliException(local + " is a symbolic link; give a real directory to --out");
        }
        for (EntryInfo e : files.list(remote)) {
            if (++count > MAX_ENTRIES) {
                throw new CliException("more than " + MAX_ENTRIES + " entries under " + remote + "; stopped downloading");
            }
            String name = e.name();
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.indexOf('\0') >= 0) {
                notes.println("airlock: skipped an entry with an unusable name under " + remote);
                continue;
            }
            Path target = local.resolve(name);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && Files.isSymbolicLink(target)) {
                notes.println("airlock: skipped " + target + ": a symbolic link is in the way");
                continue;
            }
            String child = remote + "/" + name;
            if (e.type() == EntryType.DIRECTORY) {
                copyTree(child, target);
            } else if (e.type() == EntryType.FILE) {
                try (InputStream in = files.readStream(child)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                notes.println("airlock: skipped " + child + ": not a regular file or directory");
            }
        }
    }
}
