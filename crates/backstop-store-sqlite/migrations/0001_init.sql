-- Backstop's initial schema. Every table carries tenant_id; times are Unix microseconds (UTC).

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    widget_secret TEXT NOT NULL
);

CREATE TABLE teams (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '{}',
    role TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE agents (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    role TEXT NOT NULL,
    team_ids TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email_lower)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE customers (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    name TEXT,
    email TEXT,
    email_lower TEXT,
    tags TEXT NOT NULL,
    lang TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_email ON customers (tenant_id, email_lower);

CREATE TABLE visitors (
    tenant_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, token_hash)
);

CREATE TABLE conversations (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner_team TEXT,
    owner_agent TEXT,
    priority TEXT,
    priority_rank INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT,
    failed_turns INTEGER NOT NULL DEFAULT 0,
    handoff_reason TEXT,
    queued_at INTEGER,
    packet TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_message_at INTEGER,
    last_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX conversations_customer ON conversations (tenant_id, customer_id, created_at);
CREATE INDEX conversations_owner ON conversations (tenant_id, owner_kind, status, updated_at);

CREATE TABLE messages (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    author_kind TEXT NOT NULL,
    author_id TEXT,
    author_name TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    client_id TEXT,
    citations TEXT NOT NULL,
    system TEXT,
    handled INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, conversation_id, seq)
);
CREATE UNIQUE INDEX messages_client_id ON messages (tenant_id, conversation_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX messages_pending ON messages (handled, tenant_id, conversation_id) WHERE handled = 0;

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    from_owner TEXT,
    to_owner TEXT,
    from_status TEXT,
    to_status TEXT,
    data TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX events_conversation ON events (tenant_id, conversation_id, id);

CREATE TABLE articles (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    slug TEXT NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    questions TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
