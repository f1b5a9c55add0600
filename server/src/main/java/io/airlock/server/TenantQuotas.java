package io.airlock.server;

import io.airlock.core.SandboxQuotas;
import io.airlock.store.Tenant;
import io.airlock.store.Tenants;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each tenant's concurrency limit, from the store, remembered for a few seconds so a create does
 * not wait for a database read. A revoked or unknown tenant may have none.
 */
final class TenantQuotas implements SandboxQuotas {
    static final Duration TTL = Duration.ofSeconds(5);

    private record Cached(int max, Instant until) {}

    private final Tenants tenants;
    private final InstantSource clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    TenantQuotas(Tenants tenants, InstantSource clock) {
        this.tenants = tenants;
        this.clock = clock;
    }

    @Override
    public int maxConcurrent(String owner) {
        Instant now = clock.instant();
        Cached c = cache.get(owner);
        if (c == null || now.isAfter(c.until())) {
            int max = tenants.find(owner).filter(Tenant::active).map(Tenant::maxSandboxes).orElse(0);
            c = new Cached(max, now.plus(TTL));
            cache.put(owner, c);
        }
        return c.max();
    }
}
