package io.airlock.sdk;

/**
 * A running directory watch; closing it ends the watch. Idempotent and thread-safe.
 *
 * <pre>{@code
 * try (WatchHandle w = sbx.files().watch("/home/user", e -> System.out.println(e))) {
 *     sbx.files().write("/home/user/new.txt", "x");
 * }
 * }</pre>
 */
public interface WatchHandle extends AutoCloseable {
    /** Ends the watch; no events are delivered after it returns. */
    @Override
    void close();
}
