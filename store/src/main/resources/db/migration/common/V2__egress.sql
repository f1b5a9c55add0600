-- Egress: a tenant's ceiling, and the audit of every egress decision.

-- A JSON array of rules ("*", "a.test", "*.a.test", "203.0.113.0/24"); NULL means the tenant
-- gets the operator's ceiling.
ALTER TABLE tenants ADD COLUMN egress_ceiling TEXT;

-- One row per decision. Kept after the sandbox ends, so that learn mode can propose an
-- allowlist from a finished run. seq orders rows written in the same millisecond.
CREATE TABLE egress_events (
    sandbox_id TEXT    NOT NULL,
    seq        BIGINT  NOT NULL,
    at         BIGINT  NOT NULL,
    protocol   TEXT    NOT NULL,
    name       TEXT,
    address    TEXT,
    port       INTEGER NOT NULL,
    allowed    BOOLEAN NOT NULL,
    reason     TEXT    NOT NULL,
    bytes_out  BIGINT  NOT NULL,
    bytes_in   BIGINT  NOT NULL
);

CREATE INDEX egress_events_sandbox ON egress_events (sandbox_id, at, seq);
