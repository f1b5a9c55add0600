package io.airlock.sdk;

/**
 * The kind of a filesystem entry.
 *
 * <pre>{@code
 * boolean dir = sbx.files().stat("/home/user").type() == EntryType.DIRECTORY;
 * }</pre>
 */
public enum EntryType {
    FILE,
    DIRECTORY,
    SYMLINK,
    /** A device, socket or FIFO. */
    OTHER
}
