-- Each tenant's data key, wrapped (AES-256-GCM) by the master key named by master_key_id.
-- The plaintext key exists only in the server's memory.
CREATE TABLE tenant_keys (
    tenant_id     TEXT   NOT NULL PRIMARY KEY,
    master_key_id TEXT   NOT NULL,
    wrapped       TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);
