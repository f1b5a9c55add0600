package io.airlock.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.AirlockException;
import io.airlock.core.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tenants and API keys in SQL, with an in-memory cache in front of key authentication. */
final class SqlTenants implements Tenants {
    private static final ObjectMapper CEILING_JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(SqlTenants.class);

    /** {@code lastUsedAt} is written at most this often per key. */
    static final long LAST_USED_RESOLUTION_MILLIS = 60_000;

    static final String ADMIN_NAME = "admin";
    static final int ADMIN_MAX_SANDBOXES = 100;

    private static final String TENANT_COLUMNS = "id, name, max_sandboxes, admin, created_at, revoked_at";
    private static final String KEY_COLUMNS = "id, tenant_id, name, prefix, created_at, last_used_at, revoked_at";

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final KeyCache cache = new KeyCache();

    SqlTenants(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    @Override
    public Tenant create(String name, int maxSandboxes, boolean admin) {
        Names.checkTenantName(name);
        checkMaxSandboxes(maxSandboxes);
        Tenant tenant = new Tenant(Secrets.id("t_"), name, maxSandboxes, admin, now(), null);
        checkNameFree(name);
        try {
            jdbi.useHandle(h -> insert(h, tenant));
        } catch (UnableToExecuteStatementException e) {
            checkNameFree(name); // lost a race for the name: say so
            throw e;
        }
        return tenant;
    }

    @Override
    public List<Tenant> list(boolean includeRevoked) {
        String where = includeRevoked ? "" : " WHERE revoked_at IS NULL";
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + TENANT_COLUMNS + " FROM tenants" + where + " ORDER BY created_at, id")
                .map((rs, ctx) -> tenant(rs))
                .list());
    }

    @Override
    public Optional<Tenant> find(String id) {
        return jdbi.withHandle(h -> find(h, id));
    }

    @Override
    public Optional<List<String>> egressCeiling(String tenantId) {
        Optional<Optional<String>> row = jdbi.withHandle(h -> h.createQuery("SELECT egress_ceiling FROM tenants WHERE id = ?")
                .bind(0, tenantId)
                .map((rs, ctx) -> Optional.ofNullable(rs.getString(1)))
                .findOne());
        return row.orElseThrow(() -> new NotFoundException("tenant", tenantId)).map(SqlTenants::rules);
    }

    @Override
    public void setEgressCeiling(String tenantId, @Nullable List<String> rules) {
        String json;
        try {
            json = rules == null ? null : CEILING_JSON.writeValueAsString(rules);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings always serializes", e);
        }
        int n = jdbi.withHandle(h -> h.createUpdate("UPDATE tenants SET egress_ceiling = ? WHERE id = ?")
                .bind(0, json)
                .bind(1, tenantId)
                .execute());
        if (n == 0) {
            throw new NotFoundException("tenant", tenantId);
        }
    }

    private static List<String> rules(String json) {
        try {
            return List.of(CEILING_JSON.readValue(json, String[].class));
        } catch (IOException e) {
            throw new AirlockException("tenant egress ceiling in the database is not a JSON array of strings: " + e.getMessage(), e);
        }
    }

    @Override
    public void revoke(String tenantId) {
        long now = clock.millis();
        boolean known = jdbi.inTransaction(h -> {
            Optional<Tenant> tenant = find(h, tenantId);
            if (tenant.isEmpty()) {
                return false;
            }
            if (!tenant.get().active()) {
                return true;
            }
            if (tenant.get().admin() && activeAdmins(h) == 1) {
                throw new InvalidRequestException(
                        "tenantId",
                        "tenant " + tenantId + " is the only active admin tenant;"
                                + " create another admin tenant before revoking it");
            }
            h.createUpdate("UPDATE tenants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                    .bind(0, now)
                    .bind(1, tenantId)
                    .execute();
            h.createUpdate("UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND revoked_at IS NULL")
                    .bind(0, now)
                    .bind(1, tenantId)
                    .execute();
            return true;
        });
        cache.invalidateTenant(tenantId);
        if (!known) {
            throw new NotFoundException("tenant", tenantId);
        }
    }

    @Override
    public Tenant setMaxSandboxes(String tenantId, int maxSandboxes) {
        checkMaxSandboxes(maxSandboxes);
        int updated = jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE tenants SET max_sandboxes = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(0, maxSandboxes)
                .bind(1, tenantId)
                .execute());
        cache.invalidateTenant(tenantId);
        Tenant tenant = find(tenantId).orElseThrow(() -> new NotFoundException("tenant", tenantId));
        if (updated == 0) {
            throw revoked(tenant, "its quota cannot change");
        }
        return tenant;
    }

    @Override
    public IssuedKey createKey(String tenantId, String name) {
        Names.checkKeyName(name);
        Tenant tenant = find(tenantId).orElseThrow(() -> new NotFoundException("tenant", tenantId));
        if (!tenant.active()) {
            throw revoked(tenant, "it cannot get new keys");
        }
        String key = Secrets.newKey();
        ApiKey info = new ApiKey(Secrets.id("k_"), tenantId, name, Secrets.displayPrefix(key), now(), null, null);
        jdbi.useHandle(h -> insertKey(h, info, Secrets.hash(key)));
        return new IssuedKey(info, key);
    }

    @Override
    public List<ApiKey> keys(String tenantId) {
        return jdbi.withHandle(h -> {
            if (find(h, tenantId).isEmpty()) {
                throw new NotFoundException("tenant", tenantId);
            }
            return h.createQuery("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id")
                    .bind(0, tenantId)
                    .map((rs, ctx) -> apiKey(rs))
                    .list();
        });
    }

    @Override
    public Optional<ApiKey> findKey(String keyId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE id = ?")
                .bind(0, keyId)
                .map((rs, ctx) -> apiKey(rs))
                .findOne());
    }

    @Override
    public void revokeKey(String keyId) {
        long now = clock.millis();
        int updated = jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(0, now)
                .bind(1, keyId)
                .execute());
        cache.invalidateKey(keyId);
        if (updated == 0 && findKey(keyId).isEmpty()) {
            throw new NotFoundException("API key", keyId);
        }
    }

    @Override
    public Optional<Tenant> authenticate(@Nullable String presentedKey) {
        return identify(presentedKey).map(KeyHolder::tenant);
    }

    @Override
    public Optional<KeyHolder> identify(@Nullable String presentedKey) {
        if (presentedKey == null || !Secrets.wellFormed(presentedKey)) {
            return Optional.empty();
        }
        String hash = Secrets.hash(presentedKey);
        long now = clock.millis();
        KeyCache.Entry entry = cache.get(hash, now);
        if (entry == null) {
            long generation = cache.generation();
            entry = load(hash, now);
            if (entry == null) {
                return Optional.empty();
            }
            cache.put(hash, entry, generation);
        }
        touch(entry, now);
        return Optional.of(new KeyHolder(entry.tenant(), entry.keyId()));
    }

    @Override
    public synchronized Optional<String> ensureAdmin(Path keyFile) {
        String key = Secrets.newKey();
        Optional<Tenant> created;
        try {
            created = createAdmin(keyFile, key);
        } catch (UncheckedIOException e) {
            throw new AirlockException(
                    "cannot write the admin API key to " + keyFile + " (" + e.getCause().getMessage()
                            + "); no admin tenant was created, fix the path or its permissions and start again",
                    e);
        }
        if (created.isEmpty()) {
            return Optional.empty();
        }
        log.info("created admin tenant {} ({}) and wrote its API key to {}",
                created.get().name(), created.get().id(), keyFile);
        return Optional.of(key);
    }

    private Optional<Tenant> createAdmin(Path keyFile, String key) {
        return jdbi.inTransaction(h -> {
            if (activeAdmins(h) > 0) {
                return Optional.<Tenant>empty();
            }
            // A tenant that is not an admin may already be called "admin"; never fail start-up on it.
            String name = activeNamed(h, ADMIN_NAME).isEmpty() ? ADMIN_NAME : ADMIN_NAME + "-" + Secrets.id("");
            Instant now = now();
            Tenant admin = new Tenant(Secrets.id("t_"), name, ADMIN_MAX_SANDBOXES, true, now, null);
            insert(h, admin);
            insertKey(h, new ApiKey(Secrets.id("k_"), admin.id(), "bootstrap", Secrets.displayPrefix(key), now, null, null),
                    Secrets.hash(key));
            // Written before the commit: if the file cannot be written, no admin exists whose key nobody has.
            try {
                PrivateFiles.writeAtomically(keyFile, key + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Optional.of(admin);
        });
    }

    /** Reads an active key's tenant from the database, or null if none matches. */
    private KeyCache.@Nullable Entry load(String hash, long now) {
        record Match(Tenant tenant, String keyId, String keyHash, long lastUsed) {}
        Optional<Match> match = jdbi.withHandle(h -> h.createQuery("""
                        SELECT k.id AS key_id, k.key_hash, k.last_used_at,
                               t.id, t.name, t.max_sandboxes, t.admin, t.created_at, t.revoked_at
                        FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                        WHERE k.key_hash = ? AND k.revoked_at IS NULL AND t.revoked_at IS NULL""")
                .bind(0, hash)
                .map((rs, ctx) -> new Match(
                        tenant(rs), rs.getString("key_id"), rs.getString("key_hash"), rs.getLong("last_used_at")))
                .findFirst());
        if (match.isEmpty() || !Secrets.sameHash(hash, match.get().keyHash())) {
            return null;
        }
        Match m = match.get();
        return new KeyCache.Entry(m.tenant(), m.keyId(), now + KeyCache.TTL_MILLIS, new AtomicLong(m.lastUsed()));
    }

    /** Records that the key was used, unless that was already recorded within the last minute. */
    private void touch(KeyCache.Entry entry, long now) {
        long last = entry.lastUsed().get();
        if (now - last < LAST_USED_RESOLUTION_MILLIS || !entry.lastUsed().compareAndSet(last, now)) {
            return;
        }
        try {
            jdbi.useHandle(h -> h.createUpdate("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
                    .bind(0, now)
                    .bind(1, entry.keyId())
                    .execute());
        } catch (JdbiException e) {
            // Bookkeeping only: a busy database must not turn a valid key away.
            log.warn("could not record use of API key {}: {}", entry.keyId(), e.getMessage());
        }
    }

    private void checkNameFree(String name) {
        if (jdbi.withHandle(h -> activeNamed(h, name)).isPresent()) {
            throw new InvalidRequestException(
                    "name", "a tenant named '" + name + "' already exists; pick another name or revoke that tenant first");
        }
    }

    private static void checkMaxSandboxes(int maxSandboxes) {
        if (maxSandboxes < 0 || maxSandboxes > MAX_SANDBOXES_LIMIT) {
            throw new InvalidRequestException(
                    "maxSandboxes", "is " + maxSandboxes + "; use 0 to " + MAX_SANDBOXES_LIMIT);
        }
    }

    private static InvalidRequestException revoked(Tenant tenant, String consequence) {
        return new InvalidRequestException(
                "tenantId", "tenant " + tenant.id() + " was revoked at " + tenant.revokedAt() + "; " + consequence);
    }

    private Instant now() {
        return Instant.ofEpochMilli(clock.millis());
    }

    private static Optional<Tenant> find(Handle h, String id) {
        return h.createQuery("SELECT " + TENANT_COLUMNS + " FROM tenants WHERE id = ?")
                .bind(0, id)
                .map((rs, ctx) -> tenant(rs))
                .findOne();
    }

    private static Optional<Tenant> activeNamed(Handle h, String name) {
        return h.createQuery("SELECT " + TENANT_COLUMNS + " FROM tenants WHERE name = ? AND revoked_at IS NULL")
                .bind(0, name)
                .map((rs, ctx) -> tenant(rs))
                .findOne();
    }

    private static int activeAdmins(Handle h) {
        return h.createQuery("SELECT COUNT(*) FROM tenants WHERE admin = ? AND revoked_at IS NULL")
                .bind(0, true)
                .mapTo(Integer.class)
                .one();
    }

    private static void insert(Handle h, Tenant t) {
        h.createUpdate("INSERT INTO tenants (" + TENANT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, NULL)")
                .bind(0, t.id())
                .bind(1, t.name())
                .bind(2, t.maxSandboxes())
                .bind(3, t.admin())
                .bind(4, t.createdAt().toEpochMilli())
                .execute();
    }

    private static void insertKey(Handle h, ApiKey k, String hash) {
        h.createUpdate("""
                        INSERT INTO api_keys (id, tenant_id, name, key_hash, prefix, created_at, last_used_at, revoked_at)
                        VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)""")
                .bind(0, k.id())
                .bind(1, k.tenantId())
                .bind(2, k.name())
                .bind(3, hash)
                .bind(4, k.prefix())
                .bind(5, k.createdAt().toEpochMilli())
                .execute();
    }

    private static Tenant tenant(ResultSet rs) throws SQLException {
        return new Tenant(
                rs.getString("id"),
                rs.getString("name"),
                rs.getInt("max_sandboxes"),
                rs.getBoolean("admin"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Rows.instant(rs, "revoked_at"));
    }

    private static ApiKey apiKey(ResultSet rs) throws SQLException {
        return new ApiKey(
                rs.getString("id"),
                rs.getString("tenant_id"),
                rs.getString("name"),
                rs.getString("prefix"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Rows.instant(rs, "last_used_at"),
                Rows.instant(rs, "revoked_at"));
    }
}
