-- Model tokens counted per model too (the ledger lists tokens by model). SQLite cannot change a
-- primary key, so the table is rebuilt; the months counted before carry the model '' (not
-- recorded): which of a tenant's models made those calls was not kept.
CREATE TABLE model_usage_by_model (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    month TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    calls INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month, model)
);
INSERT INTO model_usage_by_model (tenant_id, month, model, prompt_tokens, completion_tokens, calls)
    SELECT tenant_id, month, '', prompt_tokens, completion_tokens, calls FROM model_usage;
DROP TABLE model_usage;
ALTER TABLE model_usage_by_model RENAME TO model_usage;
