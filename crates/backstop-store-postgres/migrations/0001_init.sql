-- Backstop's PostgreSQL schema: the same tables and columns as the SQLite backend's migrations
-- 0001-0009 taken together, so the one shared row codec reads both. Every table carries tenant_id;
-- times are Unix microseconds (UTC) in BIGINT; flags are 0/1 BIGINT; structures are JSON text.
-- Text sorts by code point (COLLATE "C"), as in SQLite, whatever the database's locale.

CREATE TABLE tenants (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    widget_secret TEXT NOT NULL
);

CREATE TABLE teams (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    id TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    names TEXT NOT NULL DEFAULT '{}',
    role TEXT NOT NULL,
    strategy TEXT NOT NULL DEFAULT 'manual',
    hours TEXT NOT NULL DEFAULT '{"timezone":"UTC","open":"always"}',
    sla TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE agents (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    id TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    email TEXT NOT NULL,
    email_lower TEXT COLLATE "C" NOT NULL,
    role TEXT NOT NULL,
    team_ids TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    profile TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email_lower)
);

CREATE TABLE sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL,
    agent_id TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE customers (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    id TEXT COLLATE "C" NOT NULL,
    name TEXT,
    email TEXT,
    email_lower TEXT COLLATE "C",
    tags TEXT NOT NULL,
    lang TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_email ON customers (tenant_id, email_lower);

CREATE TABLE visitors (
    tenant_id TEXT COLLATE "C" NOT NULL,
    token_hash TEXT COLLATE "C" NOT NULL,
    customer_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, token_hash)
);

CREATE TABLE conversations (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    id TEXT COLLATE "C" NOT NULL,
    customer_id TEXT COLLATE "C" NOT NULL,
    owner_kind TEXT COLLATE "C" NOT NULL,
    owner_team TEXT COLLATE "C",
    owner_agent TEXT COLLATE "C",
    priority TEXT,
    priority_rank BIGINT NOT NULL DEFAULT 0,
    status TEXT COLLATE "C" NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT,
    failed_turns BIGINT NOT NULL DEFAULT 0,
    handoff_reason TEXT,
    queued_at BIGINT,
    packet TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_message_at BIGINT,
    last_seq BIGINT NOT NULL DEFAULT 0,
    mood TEXT NOT NULL DEFAULT '[]',
    policy_state TEXT NOT NULL DEFAULT '{}',
    csat TEXT,
    sla TEXT,
    sla_due_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX conversations_customer ON conversations (tenant_id, customer_id, created_at);
CREATE INDEX conversations_owner ON conversations (tenant_id, owner_kind, status, updated_at);
CREATE INDEX conversations_sla_due ON conversations (sla_due_at) WHERE sla_due_at IS NOT NULL;

CREATE TABLE messages (
    tenant_id TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    conversation_id TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    author_kind TEXT COLLATE "C" NOT NULL,
    author_id TEXT,
    author_name TEXT,
    kind TEXT COLLATE "C" NOT NULL,
    body TEXT NOT NULL,
    client_id TEXT COLLATE "C",
    citations TEXT NOT NULL,
    system TEXT,
    handled BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, conversation_id, seq)
);
CREATE UNIQUE INDEX messages_client_id ON messages (tenant_id, conversation_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX messages_pending ON messages (handled, tenant_id, conversation_id) WHERE handled = 0;
CREATE INDEX messages_by_author ON messages (tenant_id, author_kind, kind, created_at);

CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id TEXT COLLATE "C" NOT NULL,
    conversation_id TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    from_owner TEXT,
    to_owner TEXT,
    from_status TEXT,
    to_status TEXT,
    data TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX events_conversation ON events (tenant_id, conversation_id, id);
CREATE INDEX events_kind_at ON events (tenant_id, kind, at);

CREATE TABLE articles (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    id TEXT COLLATE "C" NOT NULL,
    slug TEXT COLLATE "C" NOT NULL,
    lang TEXT COLLATE "C" NOT NULL,
    topic TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    questions TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    archived BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);

-- Every version of every article, with who made it and how.
CREATE TABLE article_versions (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    article_id TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    slug TEXT NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    questions TEXT NOT NULL,
    archived BIGINT NOT NULL,
    change TEXT NOT NULL,
    author TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, article_id, version)
);

-- Sentence embeddings of knowledge-base text, per tenant and model, keyed by a hash of (role, text).
CREATE TABLE embeddings (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    model TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    vector BYTEA NOT NULL, -- little-endian f32
    PRIMARY KEY (tenant_id, model, key)
);

CREATE TABLE intent_examples (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    id TEXT COLLATE "C" NOT NULL,
    text TEXT NOT NULL,
    intent TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, text, intent)
);

CREATE TABLE policies (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, version)
);

CREATE TABLE candidates (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    id TEXT COLLATE "C" NOT NULL,
    conversation_id TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX candidates_status ON candidates (tenant_id, status, created_at);
