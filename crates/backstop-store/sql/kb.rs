//! Knowledge-base articles and their versions (saving an article writes the article and its next
//! version in one transaction), the names of their topics, and candidate entries drafted from
//! human answers.

use backstop_core::ids::{ArticleId, CandidateId, TenantId};
use backstop_core::kb::TopicNames;
use backstop_core::learn::{Candidate, CandidateStatus};
use backstop_store::{ArticleRecord, ArticleVersion, Result, StoreError};
use sqlx::Row;

use crate::dialect::{self, Conn};
use crate::Backend;
use backstop_store::codec::{article, db, json, to_json, ts};

pub(crate) async fn save_article(
    store: &Backend,
    a: &ArticleRecord,
    change: &str,
    author: &str,
) -> Result<ArticleRecord> {
    let mut tx = store.writer().begin().await.map_err(db)?;
    dialect::lock_tenant(&mut tx, &a.tenant).await?;
    let saved = save_in(&mut tx, a, change, author).await?;
    tx.commit().await.map_err(db)?;
    Ok(saved)
}

/// Saves many articles in one transaction (an import): all or none.
pub(crate) async fn save_articles(
    store: &Backend,
    articles: &[ArticleRecord],
    change: &str,
    author: &str,
) -> Result<Vec<ArticleRecord>> {
    let mut tx = store.writer().begin().await.map_err(db)?;
    // Tenants in one order, so two imports at once cannot deadlock.
    let mut tenants: Vec<&TenantId> = articles.iter().map(|a| &a.tenant).collect();
    tenants.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    tenants.dedup();
    for t in tenants {
        dialect::lock_tenant(&mut tx, t).await?;
    }
    let mut saved = Vec::with_capacity(articles.len());
    for a in articles {
        saved.push(save_in(&mut tx, a, change, author).await?);
    }
    tx.commit().await.map_err(db)?;
    Ok(saved)
}

async fn save_in(conn: &mut Conn, a: &ArticleRecord, change: &str, author: &str) -> Result<ArticleRecord> {
    let current: Option<i64> = sqlx::query_scalar("SELECT version FROM articles WHERE tenant_id = $1 AND id = $2")
        .bind(a.tenant.as_str())
        .bind(a.id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let version = current.map_or(1, |v| v + 1);
    sqlx::query(
        "INSERT INTO articles (tenant_id, id, slug, lang, topic, title, body, questions, updated_at, version, archived)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (tenant_id, id) DO UPDATE SET slug = excluded.slug, lang = excluded.lang, topic = excluded.topic,
           title = excluded.title, body = excluded.body, questions = excluded.questions, updated_at = excluded.updated_at,
           version = excluded.version, archived = excluded.archived",
    )
    .bind(a.tenant.as_str())
    .bind(a.id.to_string())
    .bind(&a.slug)
    .bind(a.lang.as_str())
    .bind(&a.topic)
    .bind(&a.title)
    .bind(&a.body)
    .bind(to_json(&a.questions))
    .bind(ts(a.updated_at))
    .bind(version)
    .bind(a.archived as i64)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query(
        "INSERT INTO article_versions (tenant_id, article_id, version, slug, lang, topic, title, body, questions, archived, change, author, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(a.tenant.as_str())
    .bind(a.id.to_string())
    .bind(version)
    .bind(&a.slug)
    .bind(a.lang.as_str())
    .bind(&a.topic)
    .bind(&a.title)
    .bind(&a.body)
    .bind(to_json(&a.questions))
    .bind(a.archived as i64)
    .bind(change)
    .bind(author)
    .bind(ts(a.updated_at))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(ArticleRecord {
        version: version as u32,
        ..a.clone()
    })
}

pub(crate) async fn list_articles(store: &Backend, tenant: &TenantId) -> Result<Vec<ArticleRecord>> {
    let rows = sqlx::query("SELECT * FROM articles WHERE tenant_id = $1 ORDER BY slug, lang")
        .bind(tenant.as_str())
        .fetch_all(store.reader())
        .await
        .map_err(db)?;
    rows.iter().map(|r| article(r, "id", "updated_at")).collect()
}

pub(crate) async fn list_topics(store: &Backend, tenant: &TenantId) -> Result<Vec<TopicNames>> {
    let rows = sqlx::query("SELECT slug, names FROM topics WHERE tenant_id = $1 ORDER BY slug")
        .bind(tenant.as_str())
        .fetch_all(store.reader())
        .await
        .map_err(db)?;
    rows.iter()
        .map(|r| {
            Ok(TopicNames {
                slug: r.try_get("slug").map_err(db)?,
                names: json(r, "names")?,
            })
        })
        .collect()
}

pub(crate) async fn save_topic(store: &Backend, tenant: &TenantId, t: &TopicNames) -> Result<()> {
    let q = if t.names.is_empty() {
        sqlx::query("DELETE FROM topics WHERE tenant_id = $1 AND slug = $2")
            .bind(tenant.as_str())
            .bind(&t.slug)
    } else {
        sqlx::query(
            "INSERT INTO topics (tenant_id, slug, names) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id, slug) DO UPDATE SET names = excluded.names",
        )
        .bind(tenant.as_str())
        .bind(&t.slug)
        .bind(to_json(&t.names))
    };
    q.execute(store.writer()).await.map_err(db)?;
    Ok(())
}

pub(crate) async fn get_article(store: &Backend, tenant: &TenantId, id: ArticleId) -> Result<Option<ArticleRecord>> {
    let row = sqlx::query("SELECT * FROM articles WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(store.reader())
        .await
        .map_err(db)?;
    row.map(|r| article(&r, "id", "updated_at")).transpose()
}

pub(crate) async fn article_versions(store: &Backend, tenant: &TenantId, id: ArticleId) -> Result<Vec<ArticleVersion>> {
    let rows =
        sqlx::query("SELECT * FROM article_versions WHERE tenant_id = $1 AND article_id = $2 ORDER BY version DESC")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .fetch_all(store.reader())
            .await
            .map_err(db)?;
    rows.iter()
        .map(|r| {
            Ok(ArticleVersion {
                article: article(r, "article_id", "at")?,
                change: r.try_get("change").map_err(db)?,
                author: r.try_get("author").map_err(db)?,
            })
        })
        .collect::<Result<Vec<_>>>()
        .map_err(|e: StoreError| e)
}

pub(crate) async fn put_candidate(store: &Backend, tenant: &TenantId, c: &Candidate) -> Result<()> {
    sqlx::query(
        "INSERT INTO candidates (tenant_id, id, conversation_id, status, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, id) DO UPDATE SET status = excluded.status, data = excluded.data",
    )
    .bind(tenant.as_str())
    .bind(c.id.to_string())
    .bind(c.conversation.to_string())
    .bind(c.status.as_str())
    .bind(to_json(c))
    .bind(ts(c.created_at))
    .execute(store.writer())
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn list_candidates(
    store: &Backend,
    tenant: &TenantId,
    status: Option<CandidateStatus>,
    limit: u32,
) -> Result<Vec<Candidate>> {
    let rows = sqlx::query(
        "SELECT data FROM candidates WHERE tenant_id = $1 AND ($2 IS NULL OR status = $2)
         ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(tenant.as_str())
    .bind(status.map(|s| s.as_str()))
    .bind(limit as i64)
    .fetch_all(store.reader())
    .await
    .map_err(db)?;
    rows.iter().map(|r| json(r, "data")).collect()
}

pub(crate) async fn get_candidate(store: &Backend, tenant: &TenantId, id: CandidateId) -> Result<Option<Candidate>> {
    let row = sqlx::query("SELECT data FROM candidates WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(store.reader())
        .await
        .map_err(db)?;
    row.map(|r| json(&r, "data")).transpose()
}
