package io.airlock.core;

import java.time.Instant;
import java.util.Map;

/**
 * A file system entry inside a sandbox.
 *
 * @param name last path component
 * @param path absolute path
 * @param type file, directory, symlink or other
 * @param size size in bytes
 * @param mode full {@code st_mode} (type and permission bits)
 * @param owner owning user name (or uid as text)
 * @param group owning group name (or gid as text)
 * @param modified last modification time
 * @param symlinkTarget the link's target for symlinks, else empty
 * @param metadata user metadata stored with the file
 */
public record EntryInfo(
        String name,
        String path,
        Type type,
        long size,
        int mode,
        String owner,
        String group,
        Instant modified,
        String symlinkTarget,
        Map<String, String> metadata) {
    public EntryInfo {
        metadata = Map.copyOf(metadata);
    }

    /** The permission bits, e.g. {@code 0644}. */
    public int permissions() {
        return mode & 07777;
    }

    /** Kinds of entries. */
    public enum Type {
        FILE,
        DIRECTORY,
        SYMLINK,
        OTHER
    }
}
