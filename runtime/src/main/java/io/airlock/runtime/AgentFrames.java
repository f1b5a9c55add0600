package io.airlock.runtime;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The framing of the agent protocol: {@code len:u32 | type:u8 | chan:u32 | payload}, big-endian,
 * where {@code len} counts type, channel and payload.
 */
final class AgentFrames {
    /** The largest frame either side may send, header included. */
    static final int MAX_FRAME = 1 << 20;

    /** The largest payload of any frame. */
    static final int MAX_PAYLOAD = MAX_FRAME - 5;

    /** The largest payload of a data frame (STDIN, FS_WDATA, STDOUT, FS_DATA, ...). */
    static final int MAX_DATA = 64 * 1024;

    /** The per-channel credit window, in both directions. */
    static final int WINDOW = 256 * 1024;

    private static final int HEADER = 5;

    private AgentFrames() {}

    /** The frame as written on the wire, in one array so it can be written whole. */
    static byte[] encode(AgentFrame frame) {
        int len = HEADER + frame.payload().length;
        if (len > MAX_FRAME) {
            throw new IllegalArgumentException(
                    frame.typeName() + " frame of " + len + " bytes exceeds the protocol limit of " + MAX_FRAME);
        }
        return ByteBuffer.allocate(4 + len)
                .putInt(len)
                .put((byte) frame.type())
                .putInt(frame.chan())
                .put(frame.payload())
                .array();
    }

    /**
     * Reads the next frame.
     *
     * @return empty at a clean end of stream (between frames)
     * @throws EOFException if the stream ends inside a frame
     * @throws IOException if the stream fails or the length is outside {@code 5..MAX_FRAME}
     */
    static Optional<AgentFrame> read(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return Optional.empty();
        }
        int len = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        if (len < HEADER || len > MAX_FRAME) {
            throw new IOException("malformed frame: length " + Integer.toUnsignedString(len) + " outside " + HEADER + ".." + MAX_FRAME);
        }
        int type = in.readUnsignedByte();
        int chan = in.readInt();
        byte[] payload = new byte[len - HEADER];
        in.readFully(payload);
        return Optional.of(new AgentFrame(type, chan, payload));
    }
}
