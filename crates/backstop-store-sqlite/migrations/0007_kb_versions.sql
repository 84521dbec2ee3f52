-- Knowledge-base management: every article carries its version number and whether it is archived
-- (kept, but not used by the AI); every version of every article is kept, with who made it and how.
ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
CREATE TABLE article_versions (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    article_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    slug TEXT NOT NULL,
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    questions TEXT NOT NULL,
    archived INTEGER NOT NULL,
    change TEXT NOT NULL,
    author TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, article_id, version)
);
-- Articles stored before versions existed become their own version 1.
INSERT INTO article_versions (tenant_id, article_id, version, slug, lang, topic, title, body, questions, archived, change, author, at)
SELECT tenant_id, id, 1, slug, lang, topic, title, body, questions, 0, 'import', 'system', updated_at FROM articles;
