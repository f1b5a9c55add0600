package io.airlock.runtime;

import io.airlock.core.EntryInfo;
import io.airlock.core.FileEvent;
import io.airlock.core.RuntimeFailureException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the fields of one frame's payload in order. A payload that is too short or names an
 * unknown enum value is a protocol violation by the agent and fails with
 * {@link RuntimeFailureException}; the connection treats that as fatal.
 */
final class AgentDecoder {
    private final AgentFrame frame;
    private final ByteBuffer buf;

    AgentDecoder(AgentFrame frame) {
        this.frame = frame;
        this.buf = ByteBuffer.wrap(frame.payload());
    }

    int u8() {
        need(1);
        return buf.get() & 0xFF;
    }

    long u32() {
        need(4);
        return buf.getInt() & 0xFFFF_FFFFL;
    }

    int i32() {
        need(4);
        return buf.getInt();
    }

    long i64() {
        need(8);
        return buf.getLong();
    }

    String str() {
        long len = u32();
        if (len > buf.remaining()) {
            throw malformed("string of " + len + " bytes at offset " + (buf.position() - 4) + " but only " + buf.remaining() + " remain");
        }
        String s = new String(frame.payload(), buf.position(), (int) len, StandardCharsets.UTF_8);
        buf.position(buf.position() + (int) len);
        return s;
    }

    Map<String, String> pairs() {
        long n = u32();
        // each pair needs at least two length prefixes, so a lying count cannot make us allocate
        if (n > buf.remaining() / 8) {
            throw malformed(n + " key/value pairs cannot fit in the " + buf.remaining() + " remaining bytes");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (long i = 0; i < n; i++) {
            map.put(str(), str());
        }
        return map;
    }

    /** An FS_ENTRY payload. */
    EntryInfo entry() {
        String name = str();
        String path = str();
        EntryInfo.Type type = switch (u8()) {
            case 1 -> EntryInfo.Type.FILE;
            case 2 -> EntryInfo.Type.DIRECTORY;
            case 3 -> EntryInfo.Type.SYMLINK;
            case 4 -> EntryInfo.Type.OTHER;
            default -> throw malformed("unknown entry type");
        };
        long size = i64();
        int mode = (int) u32();
        String owner = str();
        String group = str();
        long mtimeNs = i64();
        String target = str();
        Map<String, String> meta = pairs();
        Instant modified = Instant.ofEpochSecond(Math.floorDiv(mtimeNs, 1_000_000_000L), Math.floorMod(mtimeNs, 1_000_000_000L));
        return new EntryInfo(name, path, type, size, mode, owner, group, modified, target, meta);
    }

    /** An FS_EVENT payload. */
    FileEvent event() {
        FileEvent.Type type = switch (u8()) {
            case 1 -> FileEvent.Type.CREATE;
            case 2 -> FileEvent.Type.WRITE;
            case 3 -> FileEvent.Type.REMOVE;
            case 4 -> FileEvent.Type.RENAME;
            case 5 -> FileEvent.Type.CHMOD;
            default -> throw malformed("unknown event type");
        };
        return new FileEvent(type, str());
    }

    /** An ERROR payload. */
    AgentErrors.Error error() {
        return new AgentErrors.Error(i32(), str());
    }

    private void need(int n) {
        if (buf.remaining() < n) {
            throw malformed("needs " + n + " bytes at offset " + buf.position() + " but only " + buf.remaining() + " remain");
        }
    }

    private RuntimeFailureException malformed(String what) {
        return new RuntimeFailureException("malformed " + frame.typeName() + " frame from the agent on channel "
                + Integer.toUnsignedString(frame.chan()) + ": " + what);
    }
}
