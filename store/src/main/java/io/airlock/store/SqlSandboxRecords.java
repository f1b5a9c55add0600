package io.airlock.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.airlock.core.InvalidRequestException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** Sandbox records in SQL; metadata is a JSON object in a text column. */
final class SqlSandboxRecords implements SandboxRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {};
    private static final String COLUMNS = "id, tenant_id, template, metadata, started_at, ended_at, end_reason";

    private final Jdbi jdbi;

    SqlSandboxRecords(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void created(SandboxRecord r) {
        String metadata = toJson(r.metadata());
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO sandboxes (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")
                    .bind(0, r.id())
                    .bind(1, r.tenantId())
                    .bind(2, r.template())
                    .bind(3, metadata)
                    .bind(4, r.startedAt().toEpochMilli())
                    .bind(5, r.endedAt() == null ? null : r.endedAt().toEpochMilli())
                    .bind(6, r.endReason())
                    .execute());
        } catch (UnableToExecuteStatementException e) {
            if (find(r.id()).isPresent()) {
                throw new InvalidRequestException("id", "a sandbox record with id " + r.id() + " already exists");
            }
            throw e;
        }
    }

    @Override
    public void ended(String id, Instant at, String reason) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE sandboxes SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL")
                .bind(0, at.toEpochMilli())
                .bind(1, reason)
                .bind(2, id)
                .execute());
    }

    @Override
    public Optional<SandboxRecord> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM sandboxes WHERE id = ?")
                .bind(0, id)
                .map((rs, ctx) -> record(rs))
                .findOne());
    }

    @Override
    public List<SandboxRecord> live() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM sandboxes WHERE ended_at IS NULL ORDER BY started_at, id")
                .map((rs, ctx) -> record(rs))
                .list());
    }

    @Override
    public int endAllLive(Instant at, String reason) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE sandboxes SET ended_at = ?, end_reason = ? WHERE ended_at IS NULL")
                .bind(0, at.toEpochMilli())
                .bind(1, reason)
                .execute());
    }

    @Override
    public int countLive(String tenantId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM sandboxes WHERE tenant_id = ? AND ended_at IS NULL")
                .bind(0, tenantId)
                .mapTo(Integer.class)
                .one());
    }

    private static SandboxRecord record(ResultSet rs) throws SQLException {
        return new SandboxRecord(
                rs.getString("id"),
                rs.getString("tenant_id"),
                rs.getString("template"),
                fromJson(rs.getString("metadata")),
                Instant.ofEpochMilli(rs.getLong("started_at")),
                Rows.instant(rs, "ended_at"),
                rs.getString("end_reason"));
    }

    private static String toJson(Map<String, String> metadata) {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serialises", e);
        }
    }

    private static Map<String, String> fromJson(String json) {
        try {
            return JSON.readValue(json, METADATA);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("sandbox metadata in the database is not a JSON object of strings: " + e.getMessage(), e);
        }
    }
}
