package io.airlock.core.workspace;

/**
 * Limits on one workspace version; a commit or upload beyond them is refused whole.
 *
 * @param maxBytes total size of its files
 * @param maxEntries files, directories and links together
 */
public record WorkspaceLimits(long maxBytes, int maxEntries) {
    /** 1 GiB and 100,000 entries. */
    public static WorkspaceLimits standard() {
        return new WorkspaceLimits(1L << 30, 100_000);
    }
}
