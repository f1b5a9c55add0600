package io.airlock.runtime;

/**
 * One frame of the agent protocol ({@code docs/agent-protocol.md}): a type, a channel and a
 * payload whose layout depends on the type.
 *
 * @param type the frame type, one of the constants below
 * @param chan the channel; 0 for agent-wide frames
 * @param payload the payload bytes, never shared with a writer after construction
 */
record AgentFrame(int type, int chan, byte[] payload) {
    // host -> agent
    static final int SPAWN = 0x01;
    static final int STDIN = 0x02;
    static final int STDIN_CLOSE = 0x03;
    static final int SIGNAL = 0x04;
    static final int RESIZE = 0x05;
    static final int CREDIT = 0x06;
    static final int FS_READ = 0x10;
    static final int FS_WRITE = 0x11;
    static final int FS_WDATA = 0x12;
    static final int FS_WEND = 0x13;
    static final int FS_STAT = 0x14;
    static final int FS_LIST = 0x15;
    static final int FS_MKDIR = 0x16;
    static final int FS_MOVE = 0x17;
    static final int FS_REMOVE = 0x18;
    static final int FS_WATCH = 0x19;
    static final int FS_UNWATCH = 0x1A;
    static final int PING = 0x1F;

    // agent -> host
    static final int READY = 0x80;
    static final int SPAWNED = 0x81;
    static final int STDOUT = 0x82;
    static final int STDERR = 0x83;
    static final int PTY = 0x84;
    static final int EXIT = 0x85;
    static final int WCREDIT = 0x86;
    static final int ERROR = 0x8F;
    static final int FS_DATA = 0x90;
    static final int FS_END = 0x91;
    static final int FS_ENTRY = 0x93;
    static final int FS_EVENT = 0x94;
    static final int PONG = 0x9F;

    static final byte[] EMPTY = new byte[0];

    AgentFrame {
        if (type < 0 || type > 0xFF) {
            throw new IllegalArgumentException("frame type must fit in a byte, got " + type);
        }
    }

    static AgentFrame of(int type, int chan) {
        return new AgentFrame(type, chan, EMPTY);
    }

    /** A decoder positioned at the start of the payload. */
    AgentDecoder decoder() {
        return new AgentDecoder(this);
    }

    /** The protocol name of the type, for messages and logs. */
    String typeName() {
        return name(type);
    }

    static String name(int type) {
        return switch (type) {
            case SPAWN -> "SPAWN";
            case STDIN -> "STDIN";
            case STDIN_CLOSE -> "STDIN_CLOSE";
            case SIGNAL -> "SIGNAL";
            case RESIZE -> "RESIZE";
            case CREDIT -> "CREDIT";
            case FS_READ -> "FS_READ";
            case FS_WRITE -> "FS_WRITE";
            case FS_WDATA -> "FS_WDATA";
            case FS_WEND -> "FS_WEND";
            case FS_STAT -> "FS_STAT";
            case FS_LIST -> "FS_LIST";
            case FS_MKDIR -> "FS_MKDIR";
            case FS_MOVE -> "FS_MOVE";
            case FS_REMOVE -> "FS_REMOVE";
            case FS_WATCH -> "FS_WATCH";
            case FS_UNWATCH -> "FS_UNWATCH";
            case PING -> "PING";
            case READY -> "READY";
            case SPAWNED -> "SPAWNED";
            case STDOUT -> "STDOUT";
            case STDERR -> "STDERR";
            case PTY -> "PTY";
            case EXIT -> "EXIT";
            case WCREDIT -> "WCREDIT";
            case ERROR -> "ERROR";
            case FS_DATA -> "FS_DATA";
            case FS_END -> "FS_END";
            case FS_ENTRY -> "FS_ENTRY";
            case FS_EVENT -> "FS_EVENT";
            case PONG -> "PONG";
            default -> String.format("0x%02X", type);
        };
    }

    @Override
    public String toString() {
        return typeName() + "[chan=" + Integer.toUnsignedString(chan) + ", " + payload.length + " bytes]";
    }
}
