-- Candidate knowledge-base entries drafted from human answers (JSON, see backstop_core::learn),
-- with their status for the trainer's review queue.
CREATE TABLE candidates (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX candidates_status ON candidates (tenant_id, status, created_at);
