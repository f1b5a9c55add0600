package io.airlock.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store contract on a real PostgreSQL ({@link TestPostgres}). The first open migrates an empty
 * schema; every test then starts from emptied tables.
 */
class PostgresStoreTest extends StoreContract {
    private static TestPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = TestPostgres.start();
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
        return postgres.url();
    }
}
