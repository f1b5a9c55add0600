package io.airlock.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL 17 server for store tests (zonky's embedded binaries; it drops to an
 * unprivileged user when run as root), with an empty {@code airlock} schema. Durability is not
 * under test, so fsync is off. Tests empty the tables they use between tests, which is much
 * quicker than a new database each.
 */
public final class TestPostgres implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private final String url;

    private TestPostgres(EmbeddedPostgres postgres, String url) {
        this.postgres = postgres;
        this.url = url;
    }

    public static TestPostgres start() throws IOException, SQLException {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA airlock");
        }
        return new TestPostgres(postgres, postgres.getJdbcUrl("postgres", "postgres") + "&currentSchema=airlock");
    }

    /** The JDBC URL of the {@code airlock} schema. */
    public String url() {
        return url;
    }

    /** Runs {@code sql} (several statements allowed) in the {@code airlock} schema. */
    public void execute(String sql) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET search_path TO airlock; " + sql);
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
