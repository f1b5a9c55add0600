package io.airlock.core;

/** How many sandboxes an owner (tenant) may have alive at once. */
@FunctionalInterface
public interface SandboxQuotas {
    /** The most sandboxes {@code owner} may have alive at once; never negative. */
    int maxConcurrent(String owner);

    /** No limits. */
    static SandboxQuotas unlimited() {
        return owner -> Integer.MAX_VALUE;
    }
}
