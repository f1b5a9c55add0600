package io.airlock.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.AirlockException;
import io.airlock.core.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store contract on SQLite files, plus what only SQLite has: WAL, file modes, bytes on disk. */
class SqliteStoreTest extends StoreContract {

    Path file() {
        return tmp.resolve("db/airlock.db");
    }

    @Override
    String jdbcUrl() {
        return "jdbc:sqlite:" + file() + "?busy_timeout=5000";
    }

    @Override
    Store open() {
        return Store.sqlite(file(), clock);
    }

    @Test
    void walMode_isOn() throws Exception {
        assertThat(query("PRAGMA journal_mode", rs -> rs.getString(1))).containsExactly("wal");
    }

    @Test
    void open_bareSqliteUrl_stillGetsWal() throws Exception {
        Path other = tmp.resolve("bare.db");
        try (Store bare = Store.open("jdbc:sqlite:" + other, clock)) {
            bare.tenants().create("a", 1, false);
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + other);
                var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
    }

    @Test
    void newDatabaseFile_isPrivate() throws Exception {
        tenants().create("a", 1, false); // makes sure the -wal file exists

        assertThat(mode(file())).isEqualTo("rw-------");
        assertThat(mode(file().getParent())).isEqualTo("rwx------");
        Path wal = Path.of(file() + "-wal");
        assertThat(wal).exists();
        assertThat(mode(wal)).isEqualTo("rw-------");
    }

    @Test
    void plaintextKeys_neverReachTheDisk() throws Exception {
        List<String> plaintexts = new ArrayList<>();
        plaintexts.add(tenants().ensureAdmin(tmp.resolve("admin.key")).orElseThrow());
        Tenant t = tenants().create("a", 1, false);
        for (int i = 0; i < 5; i++) {
            plaintexts.add(tenants().createKey(t.id(), "k" + i).plaintext());
        }
        plaintexts.forEach(tenants()::authenticate);

        String whileOpen = databaseBytes();
        store.close();
        String afterClose = databaseBytes();
        store = open();

        for (String onDisk : List.of(whileOpen, afterClose)) {
            assertThat(onDisk).contains(sha256Hex(plaintexts.get(1))); // the search can find what is there
            for (String key : plaintexts) {
                assertThat(onDisk).doesNotContain(key.substring(12)); // past the stored display prefix
            }
        }
    }

    @Test
    void open_otherDatabases_areRefusedByName_withoutEchoingParameters() {
        assertThatThrownBy(() -> Store.open("jdbc:mysql://db/airlock?password=hunter2"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.field()).isEqualTo("jdbcUrl");
                    assertThat(e.getMessage()).contains("jdbc:sqlite:").doesNotContain("hunter2");
                });
    }

    @Test
    void sqlite_uncreatableFile_saysWhich() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("plain-file"), "x");
        assertThatThrownBy(() -> Store.sqlite(notADirectory.resolve("airlock.db")))
                .isInstanceOf(AirlockException.class)
                .hasMessageContaining("plain-file");
    }

    private String databaseBytes() throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (var files = Files.list(file().getParent())) {
            for (Path f : files.toList()) {
                all.write(Files.readAllBytes(f));
            }
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
