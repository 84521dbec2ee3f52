-- A tenant's actions on the merchant's systems: every version an admin saved, per action name
-- (the highest is in force; a version without a definition removed the action), and each
-- action's secret apart from its versions (never shown, never copied into a version).
CREATE TABLE actions (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    name TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    spec TEXT,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name, version)
);

CREATE TABLE action_secrets (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    name TEXT COLLATE "C" NOT NULL,
    secret TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
