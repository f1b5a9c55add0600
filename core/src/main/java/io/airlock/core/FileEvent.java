package io.airlock.core;

/**
 * A change seen by a directory watch.
 *
 * @param type what happened
 * @param name the path relative to the watched directory
 */
public record FileEvent(Type type, String name) {
    /** Kinds of change, as E2B names them. */
    public enum Type {
        CREATE,
        WRITE,
        REMOVE,
        RENAME,
        CHMOD
    }
}
