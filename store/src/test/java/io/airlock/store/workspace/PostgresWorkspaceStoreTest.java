package io.airlock.store.workspace;

import io.airlock.store.Store;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The workspace store contract on a real PostgreSQL 17 (zonky's embedded binaries), emptied per test. */
class PostgresWorkspaceStoreTest extends WorkspaceStoreContract {
    private static EmbeddedPostgres postgres;
    private static String url;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA airlock");
        }
        url = postgres.getJdbcUrl("postgres", "postgres") + "&currentSchema=airlock";
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @BeforeEach
    @Override
    void open() throws Exception {
        super.open();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET search_path TO airlock; DELETE FROM workspace_versions; DELETE FROM workspaces; DELETE FROM tenant_keys");
        }
    }

    @Override
    Store openStore() {
        return Store.open(url, clock);
    }
}
