package io.airlock.core;

/**
 * A piece of a process's output.
 *
 * @param kind which stream it came from, or END
 * @param data the bytes (empty for END)
 */
public record OutputChunk(Kind kind, byte[] data) {
    public static final OutputChunk END = new OutputChunk(Kind.END, new byte[0]);

    /** Where a chunk came from. */
    public enum Kind {
        STDOUT,
        STDERR,
        PTY,
        END
    }
}
