package io.airlock.store.workspace;

import io.airlock.store.Store;
import java.nio.file.Path;
import java.util.List;

/** The workspace store contract on SQLite; the database file is searched for plaintext too. */
class SqliteWorkspaceStoreTest extends WorkspaceStoreContract {
    Path db() {
        return tmp.resolve("db/airlock.db");
    }

    @Override
    Store openStore() {
        return Store.sqlite(db(), clock);
    }

    @Override
    List<Path> databaseFiles() {
        return java.util.stream.Stream.of(db(), Path.of(db() + "-wal"), Path.of(db() + "-shm"))
                .filter(java.nio.file.Files::exists).toList();
    }
}
