-- Model tokens counted per model too (the ledger lists tokens by model); the months counted
-- before carry the model '' (not recorded): which of a tenant's models made those calls was not kept.
ALTER TABLE model_usage ADD COLUMN model TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE model_usage DROP CONSTRAINT model_usage_pkey;
ALTER TABLE model_usage ADD PRIMARY KEY (tenant_id, month, model);
