package io.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.store.Store;
import io.airlock.store.Tenant;
import io.airlock.testing.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real SQLite store; the background refresh runs when the test says so. */
class TenantQuotasTest {
    private final FakeClock clock = FakeClock.create();
    private final Queue<Runnable> refreshes = new ArrayDeque<>();
    private Store store;
    private Tenant tenant;
    private TenantQuotas quotas;

    @BeforeEach
    void open() throws Exception {
        store = Store.sqlite(Files.createTempDirectory("quotas").resolve("airlock.db"), clock);
        tenant = store.tenants().create("acme", 3, false);
        quotas = new TenantQuotas(store.tenants(), clock, refreshes::add);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    @Test
    void aStaleLimitIsServedOnceWhileItIsReadAgainInTheBackground() {
        assertThat(quotas.maxConcurrent(tenant.id())).isEqualTo(3);
        store.tenants().setMaxSandboxes(tenant.id(), 5);
        assertThat(quotas.maxConcurrent(tenant.id())).as("fresh: from memory").isEqualTo(3);
        assertThat(refreshes).isEmpty();

        clock.advance(TenantQuotas.TTL.plusSeconds(1));
        assertThat(quotas.maxConcurrent(tenant.id())).as("stale: served, not waited for").isEqualTo(3);
        assertThat(quotas.maxConcurrent(tenant.id())).isEqualTo(3);
        assertThat(refreshes).as("one refresh however many callers").hasSize(1);
        refreshes.poll().run();
        assertThat(quotas.maxConcurrent(tenant.id())).isEqualTo(5);
    }

    @Test
    void anIdleTenantsLimitIsReadBeforeUseAndARevokedTenantHasNone() {
        assertThat(quotas.maxConcurrent(tenant.id())).isEqualTo(3);
        store.tenants().setMaxSandboxes(tenant.id(), 1);
        clock.advance(TenantQuotas.STALE_LIMIT.plus(Duration.ofSeconds(1)));
        assertThat(quotas.maxConcurrent(tenant.id())).isEqualTo(1);
        store.tenants().revoke(tenant.id());
        clock.advance(TenantQuotas.STALE_LIMIT.plus(Duration.ofSeconds(1)));
        assertThat(quotas.maxConcurrent(tenant.id())).isZero();
        assertThat(quotas.maxConcurrent("t_unknown")).isZero();
    }
}
