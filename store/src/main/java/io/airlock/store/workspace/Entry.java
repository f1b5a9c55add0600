package io.airlock.store.workspace;

import io.airlock.core.workspace.Change.EntryType;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One path of a workspace tree, as the manifest records it.
 *
 * @param path relative, {@code /}-separated
 * @param type file, directory or symbolic link
 * @param mode permission bits, {@code 0777} at most (no setuid, setgid or sticky)
 * @param size a file's size; 0 for directories and links
 * @param blob a file's blob id; {@code null} otherwise
 * @param target a link's target, verbatim and never resolved; {@code null} otherwise
 */
record Entry(String path, EntryType type, int mode, long size, @Nullable String blob, @Nullable String target) {
    Entry {
        mode &= 0777;
        if ((type == EntryType.FILE) != (blob != null) || (type == EntryType.LINK) != (target != null) || size < 0
                || (type != EntryType.FILE && size != 0)) {
            throw new IllegalArgumentException("inconsistent entry for a " + type);
        }
    }

    static Entry dir(String path, int mode) {
        return new Entry(path, EntryType.DIR, mode, 0, null, null);
    }

    static Entry file(String path, int mode, long size, String blob) {
        return new Entry(path, EntryType.FILE, mode, size, blob, null);
    }

    static Entry link(String path, String target) {
        return new Entry(path, EntryType.LINK, 0777, 0, null, target);
    }

    /** Same content and metadata at (possibly) another path. */
    boolean sameAs(@Nullable Entry o) {
        return o != null && type == o.type && mode == o.mode && size == o.size && Objects.equals(blob, o.blob)
                && Objects.equals(target, o.target);
    }
}
