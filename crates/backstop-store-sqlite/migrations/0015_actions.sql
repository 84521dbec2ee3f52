-- A tenant's actions on the merchant's systems: every version an admin saved, per action name
-- (the highest is in force; a version without a definition removed the action), and each
-- action's secret apart from its versions (never shown, never copied into a version).
CREATE TABLE actions (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    spec TEXT, -- the definition's JSON; NULL: removed in this version
    author TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name, version)
);

CREATE TABLE action_secrets (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
