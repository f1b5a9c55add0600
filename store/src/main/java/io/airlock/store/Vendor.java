package io.airlock.store;

import io.airlock.core.InvalidRequestException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The databases the store runs on, told apart by JDBC URL. Each names its migration folder. */
enum Vendor {
    SQLITE("sqlite", 4, Map.of(
            // Defaults for any SQLite URL that does not set them itself.
            "journal_mode", "WAL",
            "busy_timeout", "5000",
            "foreign_keys", "true",
            // BEGIN IMMEDIATE: a write transaction takes the write lock up front, so it waits
            // out busy_timeout instead of failing with SQLITE_BUSY when it upgrades a read lock.
            "transaction_mode", "IMMEDIATE")),
    POSTGRESQL("postgresql", 10, Map.of());

    private final String folder;
    private final int poolSize;
    private final Map<String, String> driverDefaults;

    Vendor(String folder, int poolSize, Map<String, String> driverDefaults) {
        this.folder = folder;
        this.poolSize = poolSize;
        this.driverDefaults = driverDefaults;
    }

    /** The vendor of {@code jdbcUrl}. @throws InvalidRequestException naming {@code jdbcUrl} */
    static Vendor of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new InvalidRequestException(
                "jdbcUrl",
                "'" + redact(jdbcUrl) + "' is not a database Airlock can use;"
                        + " use jdbc:sqlite:<file> or jdbc:postgresql://<host>:<port>/<database>");
    }

    /** Its migration folder under {@code db/migration/}. */
    String folder() {
        return folder;
    }

    /**
     * Connections to pool. SQLite has a single writer, and its driver is JNI (each call pins a
     * carrier thread), so it gets only a few.
     */
    int poolSize() {
        return poolSize;
    }

    /**
     * Driver properties for {@code jdbcUrl}: the vendor's defaults, less those the URL sets
     * itself (sqlite-jdbc lets properties override URL parameters, so they must be left out).
     */
    Map<String, String> driverProperties(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        Set<String> inUrl = q < 0
                ? Set.of()
                : Arrays.stream(jdbcUrl.substring(q + 1).split("&"))
                        .map(param -> param.split("=", 2)[0])
                        .collect(Collectors.toSet());
        Map<String, String> properties = new HashMap<>(driverDefaults);
        properties.keySet().removeAll(inUrl);
        return properties;
    }

    /** The URL without its parameters, which may hold a password: fit for messages and logs. */
    static String redact(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q) + "?…";
    }
}
