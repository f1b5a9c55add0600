package io.airlock.core.workspace;

/**
 * One path that differs between two versions.
 *
 * @param path relative, {@code /}-separated, no {@code .} or {@code ..} components
 * @param kind added, modified or deleted
 * @param type what the path is in the newer version (or was, if deleted): file, dir or link
 * @param size the file's size in the newer version (in the older one if deleted); 0 for dirs and links
 */
public record Change(String path, Kind kind, EntryType type, long size) {
    public enum Kind { ADDED, MODIFIED, DELETED }

    public enum EntryType { FILE, DIR, LINK }
}
