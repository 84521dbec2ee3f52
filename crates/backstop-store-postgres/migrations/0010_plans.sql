-- A tenant's billing plan (the core's billing::Plan as JSON): one row, replaced on save.
CREATE TABLE tenant_plans (
    tenant_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES tenants(id),
    plan TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
