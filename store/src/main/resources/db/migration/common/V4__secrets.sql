-- The secrets vault: each tenant's named values, sealed (AES-256-GCM) under the tenant's data
-- key and bound to (tenant, name); the plaintext never reaches the database.
CREATE TABLE secrets (
    tenant_id  TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    -- base64 of nonce || ciphertext || tag
    sealed     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- One row per use: which sandbox got which secret, for the whole sandbox or one command, and
-- who asked. Kept after the secret and the sandbox are gone. seq orders rows of one millisecond.
CREATE TABLE secret_uses (
    tenant_id  TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    sandbox_id TEXT   NOT NULL,
    scope      TEXT   NOT NULL,
    actor      TEXT   NOT NULL,
    at         BIGINT NOT NULL,
    seq        BIGINT NOT NULL
);

CREATE INDEX secret_uses_name ON secret_uses (tenant_id, name, at, seq);
