package io.airlock.store;

import io.airlock.core.crypto.WrappedKeyStore;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.egress.EgressAudit;
import io.airlock.core.secrets.SecretStore;
import io.airlock.core.workspace.WorkspaceLimits;
import io.airlock.core.workspace.Workspaces;
import io.airlock.store.workspace.WorkspaceStore;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.airlock.core.AirlockException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/** The store over one JDBC database: a small connection pool, migrated by Flyway on open. */
final class DbStore implements Store {
    private static final String MIGRATIONS = "db/migration/";

    private final HikariDataSource pool;
    private final Tenants tenants;
    private final SandboxRecords sandboxes;
    private final SqlEgressAudit egress;
    private final SqlWrappedKeys wrappedKeys;
    private final SqlSecrets secrets;
    private final Jdbi jdbi;
    private final InstantSource clock;

    private DbStore(HikariDataSource pool, Tenants tenants, SandboxRecords sandboxes, SqlEgressAudit egress,
            SqlWrappedKeys wrappedKeys, SqlSecrets secrets, Jdbi jdbi, InstantSource clock) {
        this.secrets = secrets;
        this.wrappedKeys = wrappedKeys;
        this.jdbi = jdbi;
        this.clock = clock;
        this.pool = pool;
        this.tenants = tenants;
        this.sandboxes = sandboxes;
        this.egress = egress;
    }

    static Store open(String jdbcUrl, InstantSource clock) {
        Vendor vendor = Vendor.of(jdbcUrl);
        HikariDataSource pool = pool(jdbcUrl, vendor);
        try {
            migrate(pool, vendor);
        } catch (RuntimeException e) {
            pool.close();
            throw new AirlockException(
                    "cannot migrate the database at " + Vendor.redact(jdbcUrl) + ": " + e.getMessage(), e);
        }
        Jdbi jdbi = Jdbi.create(pool);
        return new DbStore(pool, new SqlTenants(jdbi, clock), new SqlSandboxRecords(jdbi), new SqlEgressAudit(jdbi, clock),
                new SqlWrappedKeys(jdbi, clock), new SqlSecrets(jdbi, clock), jdbi, clock);
    }

    /** A SQLite URL for {@code file}, created 0600 (parents 0700) if missing. */
    static String sqliteUrl(Path file) {
        try {
            PrivateFiles.createIfMissing(file);
        } catch (IOException e) {
            throw new AirlockException("cannot create the database file " + file + ": " + e.getMessage(), e);
        }
        return "jdbc:sqlite:" + file.toAbsolutePath() + "?journal_mode=WAL&busy_timeout=5000&foreign_keys=on";
    }

    private static HikariDataSource pool(String jdbcUrl, Vendor vendor) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("airlock-store");
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(vendor.poolSize());
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        vendor.driverProperties(jdbcUrl).forEach(config::addDataSourceProperty);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new AirlockException(
                    "cannot open the database at " + Vendor.redact(jdbcUrl) + ": " + cause.getMessage(), e);
        }
    }

    /**
     * Applies the portable migrations and the vendor's own. Plain Flyway does not expand a
     * {@code {vendor}} placeholder, so the vendor folder is named here, and only if it exists:
     * a vendor that needs no statements of its own has no folder.
     */
    private static void migrate(HikariDataSource pool, Vendor vendor) {
        List<String> locations = new ArrayList<>();
        locations.add("classpath:" + MIGRATIONS + "common");
        String own = MIGRATIONS + vendor.folder();
        if (DbStore.class.getClassLoader().getResource(own) != null) {
            locations.add("classpath:" + own);
        }
        Flyway.configure(DbStore.class.getClassLoader())
                .dataSource(pool)
                .locations(locations.toArray(String[]::new))
                .load()
                .migrate();
    }

    @Override
    public Tenants tenants() {
        return tenants;
    }

    @Override
    public SandboxRecords sandboxes() {
        return sandboxes;
    }

    @Override
    public WrappedKeyStore wrappedKeys() {
        return wrappedKeys;
    }

    @Override
    public SecretStore secrets() {
        return secrets;
    }

    @Override
    public EgressAudit egress() {
        return egress;
    }

    @Override
    public Workspaces workspaces(DataKeys dataKeys, Path root, WorkspaceLimits limits) {
        return WorkspaceStore.open(jdbi, root, dataKeys, limits, clock);
    }

    @Override
    public void close() {
        egress.close(); // writes what is queued while the pool is still open
        pool.close();
    }
}
