-- A tenant's names for its knowledge-base topics, per language ({"en": "Shipping", "zh": "物流配送"}):
-- what the AI says when it offers a topic and what every page shows for one. A topic nobody named
-- reads as its slug.
CREATE TABLE topics (
    tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
    slug TEXT COLLATE "C" NOT NULL,
    names TEXT NOT NULL,
    PRIMARY KEY (tenant_id, slug)
);
