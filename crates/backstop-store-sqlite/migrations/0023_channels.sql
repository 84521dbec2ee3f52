-- Channels (issue 21): the channel a conversation runs on and where on it the customer is
-- answered; a tenant's connections to the providers (one business account on one channel — a
-- WhatsApp number, a Page, a bot, a mailbox — belongs to one tenant), their secrets in a table of
-- their own (never read back by a list), and each customer's identities per channel.
ALTER TABLE conversations ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
ALTER TABLE conversations ADD COLUMN connection_id TEXT;
ALTER TABLE conversations ADD COLUMN contact TEXT;

CREATE TABLE channel_connections (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    channel TEXT NOT NULL,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX channel_connections_account ON channel_connections (channel, account);
CREATE INDEX channel_connections_tenant ON channel_connections (tenant_id, channel);

CREATE TABLE channel_secrets (
    connection_id TEXT PRIMARY KEY REFERENCES channel_connections(id) ON DELETE CASCADE,
    secrets TEXT NOT NULL
);

CREATE TABLE customer_identities (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    name TEXT,
    verified INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, channel, external_id)
);
CREATE INDEX customer_identities_customer ON customer_identities (tenant_id, customer_id);
