package io.airlock.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files only their owner can read: created with the right mode, never widened first. */
final class PrivateFiles {
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {}

    /** Creates {@code file} empty with mode 0600 (and missing parents 0700) unless it exists. */
    static void createIfMissing(Path file) throws IOException {
        createParents(file);
        if (Files.exists(file)) {
            return;
        }
        try {
            Files.createFile(file, attribute(file, OWNER_FILE));
        } catch (FileAlreadyExistsException raced) {
            // Someone else created it in between: fine, it exists now.
        }
    }

    /**
     * Replaces {@code file} with {@code content}, atomically, mode 0600: written to a 0600
     * temporary file in the same directory, then moved over it.
     */
    static void writeAtomically(Path file, String content) throws IOException {
        createParents(file);
        Path dir = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attribute(dir, OWNER_FILE));
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void createParents(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent, attribute(parent, OWNER_DIR));
        }
    }

    private static FileAttribute<?>[] attribute(Path near, Set<PosixFilePermission> mode) {
        Path probe = near.toAbsolutePath().getRoot();
        boolean posix = probe != null && probe.getFileSystem().supportedFileAttributeViews().contains("posix");
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)} : new FileAttribute<?>[0];
    }
}
