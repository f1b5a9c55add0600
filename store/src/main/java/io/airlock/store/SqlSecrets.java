package io.airlock.store;

import io.airlock.core.secrets.SealedSecret;
import io.airlock.core.secrets.SecretInfo;
import io.airlock.core.secrets.SecretStore;
import io.airlock.core.secrets.SecretUse;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Sealed secrets in {@code secrets} (base64 TEXT on every vendor) and their uses in {@code secret_uses}. */
final class SqlSecrets implements SecretStore {
    private final Jdbi jdbi;
    private final InstantSource clock;
    private final AtomicLong seq;

    SqlSecrets(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.seq = new AtomicLong(clock.millis() * 1000);
    }

    @Override
    public SecretInfo put(String tenant, String name, byte[] sealed) {
        long now = clock.millis();
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO secrets (tenant_id, name, sealed, created_at, updated_at)"
                        + " VALUES (:t, :n, :s, :at, :at)"
                        + " ON CONFLICT (tenant_id, name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at")
                .bind("t", tenant)
                .bind("n", name)
                .bind("s", Base64.getEncoder().encodeToString(sealed))
                .bind("at", now)
                .execute());
        return find(tenant, name).map(SealedSecret::info)
                .orElseThrow(() -> new IllegalStateException("secret " + name + " of tenant " + tenant + " vanished after it was written"));
    }

    @Override
    public Optional<SealedSecret> find(String tenant, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT name, created_at, updated_at, sealed FROM secrets WHERE tenant_id = :t AND name = :n")
                .bind("t", tenant)
                .bind("n", name)
                .map((rs, ctx) -> new SealedSecret(info(rs), Base64.getDecoder().decode(rs.getString(4))))
                .findOne());
    }

    @Override
    public List<SecretInfo> list(String tenant) {
        return jdbi.withHandle(h -> h.createQuery("SELECT name, created_at, updated_at FROM secrets WHERE tenant_id = :t ORDER BY name")
                .bind("t", tenant)
                .map((rs, ctx) -> info(rs))
                .list());
    }

    @Override
    public boolean delete(String tenant, String name) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM secrets WHERE tenant_id = :t AND name = :n")
                .bind("t", tenant)
                .bind("n", name)
                .execute()) > 0;
    }

    @Override
    public void recordUses(List<SecretUse> uses) {
        jdbi.useHandle(h -> {
            PreparedBatch batch = h.prepareBatch("INSERT INTO secret_uses (tenant_id, name, sandbox_id, scope, actor, at, seq)"
                    + " VALUES (:t, :n, :s, :scope, :actor, :at, :seq)");
            for (SecretUse u : uses) {
                batch.bind("t", u.tenant()).bind("n", u.name()).bind("s", u.sandboxId()).bind("scope", u.scope().wire())
                        .bind("actor", u.actor()).bind("at", u.at().toEpochMilli()).bind("seq", seq.incrementAndGet()).add();
            }
            batch.execute();
        });
    }

    @Override
    public List<SecretUse> uses(String tenant, String name, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT tenant_id, name, sandbox_id, scope, actor, at FROM secret_uses"
                        + " WHERE tenant_id = :t AND name = :n ORDER BY at DESC, seq DESC LIMIT :limit")
                .bind("t", tenant)
                .bind("n", name)
                .bind("limit", limit)
                .map((rs, ctx) -> new SecretUse(rs.getString(1), rs.getString(2), rs.getString(3),
                        SecretUse.Scope.ofWire(rs.getString(4)), rs.getString(5), Instant.ofEpochMilli(rs.getLong(6))))
                .list());
    }

    private static SecretInfo info(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new SecretInfo(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), Instant.ofEpochMilli(rs.getLong(3)));
    }
}
