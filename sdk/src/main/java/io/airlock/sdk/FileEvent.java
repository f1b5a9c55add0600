package io.airlock.sdk;

/**
 * A change in a watched directory.
 *
 * <pre>{@code
 * sbx.files().watch("/home/user", e -> {
 *     if (e.type() == FileEvent.Type.CREATE) System.out.println("new: " + e.name());
 * });
 * }</pre>
 *
 * @param name the changed entry's name, relative to the watched directory
 * @param type what happened to it
 */
public record FileEvent(String name, Type type) {
    /** What happened to an entry. */
    public enum Type {
        CREATE,
        WRITE,
        REMOVE,
        RENAME,
        CHMOD,
        /** A kind this SDK does not know yet. */
        UNKNOWN
    }
}
