-- The escalation policy: every version an admin saved, per tenant (the highest is in force).
CREATE TABLE policies (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    version INTEGER NOT NULL,
    source TEXT NOT NULL, -- the policy's TOML, as the admin wrote it
    author TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, version)
);

-- Per conversation: the emotion trajectory (JSON array of the radar's readings per customer turn)
-- and what the policy remembers between turns (JSON).
ALTER TABLE conversations ADD COLUMN mood TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conversations ADD COLUMN policy_state TEXT NOT NULL DEFAULT '{}';
