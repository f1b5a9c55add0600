package io.airlock.store;

import io.airlock.core.crypto.WrappedKeyStore;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.egress.EgressAudit;
import io.airlock.core.workspace.WorkspaceLimits;
import io.airlock.core.workspace.Workspaces;

import java.nio.file.Path;
import java.time.InstantSource;

/**
 * Airlock's database: tenants and API keys ({@link #tenants()}) and sandbox records ({@link
 * #sandboxes()}). Opening a store migrates its schema to the current version first; opening an
 * up-to-date store again changes nothing.
 *
 * <p>Thread-safe. Close it once, at shutdown, to release the connection pool.
 *
 * <p>Example: {@code try (Store store = Store.sqlite(Path.of("/var/lib/airlock/airlock.db")))
 * { ... }}
 */
public interface Store extends AutoCloseable {

    /**
     * Opens (creating if needed) the SQLite database {@code file} in WAL mode, with the system
     * clock. See {@link #sqlite(Path, InstantSource)}.
     */
    static Store sqlite(Path file) {
        return sqlite(file, InstantSource.system());
    }

    /**
     * Opens (creating if needed) the SQLite database {@code file} in WAL mode. Missing parent
     * directories are created with mode 0700 and a new database file with mode 0600 (SQLite
     * gives its {@code -wal} and {@code -shm} files the same mode); an existing file keeps the
     * mode it has.
     *
     * @param clock the source of every timestamp the store writes
     * @throws io.airlock.core.AirlockException if the file cannot be created, opened or migrated
     */
    static Store sqlite(Path file, InstantSource clock) {
        return DbStore.open(DbStore.sqliteUrl(file), clock);
    }

    /** Opens the database at {@code jdbcUrl} with the system clock. See {@link #open(String, InstantSource)}. */
    static Store open(String jdbcUrl) {
        return open(jdbcUrl, InstantSource.system());
    }

    /**
     * Opens the database at {@code jdbcUrl}: {@code jdbc:sqlite:<file>} or {@code
     * jdbc:postgresql://host:port/db?user=...}. For SQLite, WAL mode, a 5 s busy timeout, foreign
     * keys and immediate write transactions are switched on unless the URL says otherwise; the
     * file's mode is left to the caller (prefer {@link #sqlite(Path, InstantSource)}).
     *
     * @param clock the source of every timestamp the store writes
     * @throws io.airlock.core.InvalidRequestException if the URL names neither database
     * @throws io.airlock.core.AirlockException if the database cannot be reached or migrated
     */
    static Store open(String jdbcUrl, InstantSource clock) {
        return DbStore.open(jdbcUrl, clock);
    }

    /** Tenants, their API keys, and authentication by key. */
    Tenants tenants();

    /** The durable record of sandboxes: who started what, and when each ended. */
    SandboxRecords sandboxes();

    /** Tenants' data keys, wrapped by the master key ({@link io.airlock.core.crypto.DataKeys}). */
    WrappedKeyStore wrappedKeys();

    /** Tenants' sealed secrets and the audit of their uses ({@link io.airlock.core.secrets.Vault}). */
    io.airlock.core.secrets.SecretStore secrets();

    /** Every egress decision, kept after its sandbox ends. */
    EgressAudit egress();

    /**
     * Tenants' workspaces: rows in this database, sealed content under {@code root} (created
     * 0700). Call once per server; it removes what a crash left under {@code root} first.
     *
     * @param dataKeys the tenants' data keys the content is sealed under
     * @param limits limits on each version
     */
    Workspaces workspaces(DataKeys dataKeys, Path root, WorkspaceLimits limits);

    /** Closes the connection pool. The store cannot be used afterwards. */
    @Override
    void close();
}
