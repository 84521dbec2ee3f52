-- Gap mining reads a tenant's AI decisions of some kinds over a period, across conversations.
CREATE INDEX events_kind_at ON events (tenant_id, kind, at);
