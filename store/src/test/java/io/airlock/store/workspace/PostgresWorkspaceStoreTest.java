package io.airlock.store.workspace;

import io.airlock.store.Store;
import io.airlock.store.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The workspace store contract on a real PostgreSQL ({@link TestPostgres}), emptied per test. */
class PostgresWorkspaceStoreTest extends WorkspaceStoreContract {
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
    void open() throws Exception {
        super.open();
        postgres.execute("DELETE FROM workspace_versions; DELETE FROM workspaces; DELETE FROM tenant_keys");
    }

    @Override
    Store openStore() {
        return Store.open(postgres.url(), clock);
    }
}
