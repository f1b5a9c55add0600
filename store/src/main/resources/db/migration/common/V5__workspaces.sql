-- Tenants' named workspaces and their versions. File names and paths are content: they live
-- only in sealed (AES-256-GCM) manifests on disk and in the sealed changes/conflicts columns
-- (base64), never in plaintext here.
CREATE TABLE workspaces (
    id         TEXT    NOT NULL PRIMARY KEY,
    tenant_id  TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    head       INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE workspace_versions (
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    parent       INTEGER NOT NULL,
    created_at   BIGINT  NOT NULL,
    origin       TEXT    NOT NULL,
    conflict     BOOLEAN NOT NULL,
    files        INTEGER NOT NULL,
    bytes        BIGINT  NOT NULL,
    manifest     TEXT    NOT NULL, -- id of the sealed manifest blob
    changes      TEXT    NOT NULL, -- sealed change set against parent, base64
    conflicts    TEXT,             -- sealed conflicting paths, base64; NULL unless conflict
    PRIMARY KEY (workspace_id, number)
);
