package io.airlock.server;

import io.airlock.core.SandboxQuotas;
import io.airlock.store.Tenant;
import io.airlock.store.Tenants;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Each tenant's concurrency limit, from the store, remembered so a create does not wait for a
 * database read. A value older than {@link #TTL} is still used once while a fresh one is read in
 * the background (refresh-ahead), so a busy tenant never waits for the store and a changed limit
 * applies within a few seconds; a value older than {@link #STALE_LIMIT} (an idle tenant) is read
 * again before it is used. A revoked or unknown tenant has none.
 */
final class TenantQuotas implements SandboxQuotas {
    static final Duration TTL = Duration.ofSeconds(5);
    static final Duration STALE_LIMIT = Duration.ofSeconds(60);

    private record Cached(int max, Instant readAt) {}

    private final Tenants tenants;
    private final InstantSource clock;
    private final Executor refresher;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    TenantQuotas(Tenants tenants, InstantSource clock) {
        this(tenants, clock, r -> Thread.ofVirtual().name("tenant-quota-refresh").start(r));
    }

    TenantQuotas(Tenants tenants, InstantSource clock, Executor refresher) {
        this.tenants = tenants;
        this.clock = clock;
        this.refresher = refresher;
    }

    @Override
    public int maxConcurrent(String owner) {
        Instant now = clock.instant();
        Cached c = cache.get(owner);
        if (c == null || now.isAfter(c.readAt().plus(STALE_LIMIT))) {
            return read(owner).max();
        }
        if (now.isAfter(c.readAt().plus(TTL)) && refreshing.add(owner)) {
            refresher.execute(() -> {
                try {
                    read(owner);
                } finally {
                    refreshing.remove(owner);
                }
            });
        }
        return c.max();
    }

    private Cached read(String owner) {
        Instant at = clock.instant();
        int max = tenants.find(owner).filter(Tenant::active).map(Tenant::maxSandboxes).orElse(0);
        Cached c = new Cached(max, at);
        cache.put(owner, c);
        return c;
    }
}
