package io.airlock.sdk;

import java.time.Instant;
import java.util.Map;

/**
 * A file, directory or link in a sandbox, as envd's {@code EntryInfo} describes it.
 *
 * <pre>{@code
 * EntryInfo e = sbx.files().stat("/home/user/a.txt");
 * System.out.println(e.permissions() + " " + e.owner() + " " + e.size());   // -rw-r--r-- user 5
 * }</pre>
 *
 * @param name its name
 * @param type file, directory, symlink or other
 * @param path its absolute path
 * @param size its size in bytes
 * @param mode its permission bits ({@code 0644})
 * @param permissions the permissions as {@code ls} prints them ({@code -rw-r--r--})
 * @param owner the owning user's name
 * @param group the owning group's name
 * @param modifiedTime when it was last modified; {@link Instant#EPOCH} when unknown
 * @param symlinkTarget where a symlink points; empty for anything else
 * @param metadata metadata attached when it was written
 */
public record EntryInfo(String name, EntryType type, String path, long size, int mode, String permissions, String owner,
        String group, Instant modifiedTime, String symlinkTarget, Map<String, String> metadata) {
    public EntryInfo {
        metadata = Map.copyOf(metadata);
    }
}
