-- Tenants, their API keys, and the record of every sandbox.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Ids are opaque TEXT; times are epoch
-- milliseconds (BIGINT), which read the same on both. Rows are never deleted: revoking and
-- ending set a time.

CREATE TABLE tenants (
    id            TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    max_sandboxes INTEGER NOT NULL,
    admin         BOOLEAN NOT NULL,
    created_at    BIGINT  NOT NULL,
    revoked_at    BIGINT
);

-- A name belongs to one active tenant; a revoked tenant's name can be used again.
CREATE UNIQUE INDEX tenants_active_name ON tenants (name) WHERE revoked_at IS NULL;

CREATE TABLE api_keys (
    id           TEXT   NOT NULL PRIMARY KEY,
    tenant_id    TEXT   NOT NULL REFERENCES tenants (id),
    name         TEXT   NOT NULL,
    -- Hex SHA-256 of the whole key. The key itself is never stored.
    key_hash     TEXT   NOT NULL UNIQUE,
    -- The key's first characters ("e2b_" and 8 hex digits), for people to tell keys apart.
    prefix       TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

-- tenant_id is not a foreign key: a sandbox may have no tenant (empty owner).
CREATE TABLE sandboxes (
    id         TEXT   NOT NULL PRIMARY KEY,
    tenant_id  TEXT   NOT NULL,
    template   TEXT   NOT NULL,
    -- The caller's labels: a JSON object of strings.
    metadata   TEXT   NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at   BIGINT,
    end_reason TEXT
);

CREATE INDEX sandboxes_live ON sandboxes (tenant_id) WHERE ended_at IS NULL;
