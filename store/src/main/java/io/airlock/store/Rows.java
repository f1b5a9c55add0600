package io.airlock.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** Reading columns the way every table stores them. */
final class Rows {
    private Rows() {}

    /** An epoch-millisecond column as an instant, or null for SQL NULL. */
    static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }
}
