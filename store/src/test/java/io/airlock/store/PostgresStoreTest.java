package io.airlock.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store contract on a real PostgreSQL 17 server (zonky's embedded binaries; it drops to an
 * unprivileged user when run as root). The first open migrates an empty schema; every test
 * then starts from emptied tables, which is much quicker than a new database each.
 */
class PostgresStoreTest extends StoreContract {
    private static EmbeddedPostgres postgres;
    private static String url;

    @BeforeAll
    static void startPostgres() throws Exception {
        // Durability is not under test here.
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
    void openStore() throws Exception {
        super.openStore();
        execute("DELETE FROM api_keys; DELETE FROM tenants; DELETE FROM sandboxes; DELETE FROM tenant_keys; DELETE FROM secrets;"
                + " DELETE FROM secret_uses");
    }

    @Override
    String jdbcUrl() {
        return url;
    }
}
