package io.airlock.server.envd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.EntryInfo;

/**
 * {@code filesystem.EntryInfo} in proto3 JSON, with envd's conventions: {@code mode} holds the
 * permission bits (Go's {@code FileMode.Perm()}), {@code permissions} the text Go's
 * {@code FileMode.String()} prints (e.g. {@code drwxr-xr-x}, {@code Lrwxrwxrwx}), {@code size}
 * an int64 as a string.
 */
final class EntryJson {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    private EntryJson() {}

    static ObjectNode of(EntryInfo e) {
        ObjectNode o = ProtoJson.object();
        o.put("name", e.name());
        o.put("type", type(e.type()));
        o.put("path", e.path());
        o.put("size", Long.toString(e.size()));
        o.put("mode", e.mode() & 0777);
        o.put("permissions", permissions(e.mode()));
        o.put("owner", e.owner());
        o.put("group", e.group());
        if (e.modified() != null) {
            o.put("modifiedTime", ProtoJson.timestamp(e.modified()));
        }
        if (e.type() == EntryInfo.Type.SYMLINK) {
            o.put("symlinkTarget", e.symlinkTarget());
        }
        if (!e.metadata().isEmpty()) {
            ObjectNode m = o.putObject("metadata");
            e.metadata().forEach(m::put);
        }
        return o;
    }

    static String type(EntryInfo.Type t) {
        return switch (t) {
            case FILE -> "FILE_TYPE_FILE";
            case DIRECTORY -> "FILE_TYPE_DIRECTORY";
            case SYMLINK -> "FILE_TYPE_SYMLINK";
            case OTHER -> "FILE_TYPE_UNSPECIFIED";
        };
    }

    /** What Go's {@code os.FileMode.String()} prints for a Linux {@code st_mode}. */
    static String permissions(int mode) {
        StringBuilder b = new StringBuilder(12);
        int type = mode & S_IFMT;
        // Go writes its type and special bits in the order of "dalTLDpSugct?"
        if (type == S_IFDIR) {
            b.append('d');
        }
        if (type == S_IFLNK) {
            b.append('L');
        }
        if (type == S_IFBLK || type == S_IFCHR) {
            b.append('D');
        }
        if (type == S_IFIFO) {
            b.append('p');
        }
        if (type == S_IFSOCK) {
            b.append('S');
        }
        if ((mode & 04000) != 0) {
            b.append('u');
        }
        if ((mode & 02000) != 0) {
            b.append('g');
        }
        if (type == S_IFCHR) {
            b.append('c');
        }
        if ((mode & 01000) != 0) {
            b.append('t');
        }
        if (b.isEmpty()) {
            b.append('-');
        }
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            b.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return b.toString();
    }
}
