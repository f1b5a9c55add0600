package io.airlock.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Live-plus-starting sandboxes per owner, reserved before a start so a burst cannot overshoot a quota. */
final class OwnerCounts {
    private final ConcurrentMap<String, Integer> counts = new ConcurrentHashMap<>();
    private final SandboxQuotas quotas;

    OwnerCounts(SandboxQuotas quotas) {
        this.quotas = quotas;
    }

    /** Takes one slot for {@code owner}, atomically. @throws QuotaExceededException if none is left */
    void reserve(String owner) {
        if (owner.isEmpty()) {
            return;
        }
        int limit = quotas.maxConcurrent(owner);
        counts.compute(owner, (o, n) -> {
            int current = n == null ? 0 : n;
            if (current >= limit) {
                throw new QuotaExceededException(owner, limit);
            }
            return current + 1;
        });
    }

    /** Gives a slot back. */
    void release(String owner) {
        if (!owner.isEmpty()) {
            counts.computeIfPresent(owner, (o, n) -> n <= 1 ? null : n - 1);
        }
    }

    int count(String owner) {
        return counts.getOrDefault(owner, 0);
    }
}
