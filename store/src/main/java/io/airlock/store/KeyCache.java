package io.airlock.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Recently authenticated keys, by hash, so a request does not cost a database read. Entries
 * live {@link #TTL_MILLIS}; invalidation removes them at once.
 *
 * <p>A load that raced an invalidation must not put a stale entry back: loaders take the
 * {@link #generation()} before reading the database, and {@link #put} drops the entry if an
 * invalidation happened since.
 */
final class KeyCache {
    static final long TTL_MILLIS = 30_000;
    /** Past this many entries the cache starts over rather than grow without bound. */
    static final int MAX_ENTRIES = 10_000;

    /** An authenticated key; {@code lastUsed} is the last {@code last_used_at} written, in epoch ms. */
    record Entry(Tenant tenant, String keyId, long expiresAt, AtomicLong lastUsed) {}

    private final Map<String, Entry> byHash = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();

    @Nullable
    Entry get(String hash, long now) {
        Entry entry = byHash.get(hash);
        if (entry != null && entry.expiresAt() <= now) {
            byHash.remove(hash, entry);
            return null;
        }
        return entry;
    }

    long generation() {
        return generation.get();
    }

    void put(String hash, Entry entry, long loadedAtGeneration) {
        if (byHash.size() >= MAX_ENTRIES) {
            byHash.clear();
        }
        byHash.put(hash, entry);
        if (generation.get() != loadedAtGeneration) {
            byHash.remove(hash, entry);
        }
    }

    void invalidateTenant(String tenantId) {
        invalidate(e -> e.tenant().id().equals(tenantId));
    }

    void invalidateKey(String keyId) {
        invalidate(e -> e.keyId().equals(keyId));
    }

    private void invalidate(Predicate<Entry> which) {
        generation.incrementAndGet();
        byHash.values().removeIf(which);
    }
}
