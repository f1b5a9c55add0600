package io.airlock.store;

import io.airlock.core.crypto.WrappedKey;
import io.airlock.core.crypto.WrappedKeyStore;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Wrapped tenant data keys in the {@code tenant_keys} table, base64 in a TEXT column on every vendor. */
final class SqlWrappedKeys implements WrappedKeyStore {
    private final Jdbi jdbi;
    private final InstantSource clock;

    SqlWrappedKeys(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    @Override
    public Optional<WrappedKey> find(String tenant) {
        return jdbi.withHandle(h -> h.createQuery("SELECT tenant_id, master_key_id, wrapped FROM tenant_keys WHERE tenant_id = :t")
                .bind("t", tenant)
                .map((rs, ctx) -> new WrappedKey(rs.getString(1), rs.getString(2), Base64.getDecoder().decode(rs.getString(3))))
                .findOne());
    }

    @Override
    public WrappedKey insertIfAbsent(WrappedKey key) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO tenant_keys (tenant_id, master_key_id, wrapped, created_at)"
                        + " VALUES (:t, :m, :w, :at) ON CONFLICT (tenant_id) DO NOTHING")
                .bind("t", key.tenant())
                .bind("m", key.masterKeyId())
                .bind("w", Base64.getEncoder().encodeToString(key.wrapped()))
                .bind("at", clock.millis())
                .execute());
        return find(key.tenant()).orElseThrow(() -> new IllegalStateException("tenant key for " + key.tenant() + " vanished after insert"));
    }

    @Override
    public List<WrappedKey> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT tenant_id, master_key_id, wrapped FROM tenant_keys ORDER BY tenant_id")
                .map((rs, ctx) -> new WrappedKey(rs.getString(1), rs.getString(2), Base64.getDecoder().decode(rs.getString(3))))
                .list());
    }

    @Override
    public boolean replace(String tenant, String expectedMasterKeyId, WrappedKey next) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE tenant_keys SET master_key_id = :m, wrapped = :w"
                        + " WHERE tenant_id = :t AND master_key_id = :old")
                .bind("m", next.masterKeyId())
                .bind("w", Base64.getEncoder().encodeToString(next.wrapped()))
                .bind("t", tenant)
                .bind("old", expectedMasterKeyId)
                .execute()) == 1;
    }
}
