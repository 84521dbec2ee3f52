-- Sentence embeddings of knowledge-base text, per tenant and model, keyed by a hash of (role, text):
-- a restart or a knowledge-base edit re-embeds only what changed.
CREATE TABLE embeddings (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    model TEXT NOT NULL,
    key TEXT NOT NULL,
    vector BLOB NOT NULL, -- little-endian f32
    PRIMARY KEY (tenant_id, model, key)
);

-- Labelled examples the tenant's intent classifier learns from, next to the knowledge base's own
-- sample questions (added by the AI trainer or imported from JSONL).
CREATE TABLE intent_examples (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    text TEXT NOT NULL,
    intent TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, text, intent)
);
