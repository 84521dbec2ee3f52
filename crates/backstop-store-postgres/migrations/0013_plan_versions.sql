-- Every plan a tenant saved, kept (the core's billing::Plan as JSON): a month is priced by the plan
-- in effect when it ended, so a plan saved later does not reprice a month already billed. The one
-- plan each tenant had becomes its first version.
CREATE TABLE plan_versions (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    saved_at BIGINT NOT NULL,
    plan TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, saved_at)
);
INSERT INTO plan_versions (tenant_id, saved_at, plan, saved_by)
    SELECT tenant_id, updated_at, plan, updated_by FROM tenant_plans;
DROP TABLE tenant_plans;
