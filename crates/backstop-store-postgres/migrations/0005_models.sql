-- A tenant's generative model: its settings as JSON (the core's ModelSettings), the API key apart
-- (only its last characters are ever shown), who changed them last; and the tokens it used per
-- calendar month, for the monthly budget.
CREATE TABLE tenant_models (
    tenant_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES tenants(id),
    settings TEXT NOT NULL,
    api_key TEXT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE model_usage (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    month TEXT COLLATE "C" NOT NULL,
    prompt_tokens BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    calls BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month)
);
