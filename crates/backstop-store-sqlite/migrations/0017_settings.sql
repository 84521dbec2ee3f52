-- What an admin sets outside the conversation path: the widget's settings (the core's
-- WidgetSettings as JSON) and the tenant's API keys, kept as the SHA-256 of the token.
CREATE TABLE widget_settings (
    tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants(id),
    settings TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    shown TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at);
