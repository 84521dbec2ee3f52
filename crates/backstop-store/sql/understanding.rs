//! Understanding data: cached embeddings and intent examples.

use std::collections::HashMap;

use backstop_core::ids::{IntentExampleId, TenantId};
use backstop_store::*;
use sqlx::Row;

use crate::Backend;
use backstop_store::codec::{self, *};

/// Keys looked up per query (well under either database's bound-parameter limit).
const CHUNK: usize = 500;

pub(crate) async fn get_embeddings(
    store: &Backend,
    tenant: &TenantId,
    model: &str,
    keys: &[String],
) -> Result<HashMap<String, Vec<f32>>> {
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT key, vector FROM embeddings WHERE tenant_id = $1 AND model = $2 AND key IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(tenant.as_str()).bind(model);
        for k in chunk {
            q = q.bind(k);
        }
        for r in q.fetch_all(store.reader()).await.map_err(db)? {
            let blob: Vec<u8> = r.try_get("vector").map_err(db)?;
            out.insert(r.try_get("key").map_err(db)?, from_blob(&blob)?);
        }
    }
    Ok(out)
}

pub(crate) async fn put_embeddings(
    store: &Backend,
    tenant: &TenantId,
    model: &str,
    items: &[EmbeddingRecord],
) -> Result<()> {
    // Keys in one order, so two nodes caching overlapping sets cannot deadlock.
    let mut items: Vec<&EmbeddingRecord> = items.iter().collect();
    items.sort_by(|a, b| a.key.cmp(&b.key));
    let mut tx = store.writer().begin().await.map_err(db)?;
    for e in items {
        sqlx::query(
            "INSERT INTO embeddings (tenant_id, model, key, vector) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, model, key) DO UPDATE SET vector = excluded.vector",
        )
        .bind(tenant.as_str())
        .bind(model)
        .bind(&e.key)
        .bind(to_blob(&e.vector))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(())
}

pub(crate) async fn add_intent_examples(store: &Backend, examples: &[IntentExampleRecord]) -> Result<usize> {
    let mut tx = store.writer().begin().await.map_err(db)?;
    let mut added = 0;
    for e in examples {
        let done = sqlx::query(
            "INSERT INTO intent_examples (tenant_id, id, text, intent, source, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(e.tenant.as_str())
        .bind(e.id.to_string())
        .bind(&e.text)
        .bind(&e.intent)
        .bind(&e.source)
        .bind(ts(e.created_at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        added += done.rows_affected() as usize;
    }
    tx.commit().await.map_err(db)?;
    Ok(added)
}

pub(crate) async fn list_intent_examples(store: &Backend, tenant: &TenantId) -> Result<Vec<IntentExampleRecord>> {
    let rows = sqlx::query("SELECT * FROM intent_examples WHERE tenant_id = $1 ORDER BY id")
        .bind(tenant.as_str())
        .fetch_all(store.reader())
        .await
        .map_err(db)?;
    rows.iter()
        .map(|r| {
            Ok(IntentExampleRecord {
                id: IntentExampleId(codec::uuid(r, "id")?),
                tenant: codec::tenant(r)?,
                text: r.try_get("text").map_err(db)?,
                intent: r.try_get("intent").map_err(db)?,
                source: r.try_get("source").map_err(db)?,
                created_at: from_ts(r.try_get("created_at").map_err(db)?)?,
            })
        })
        .collect()
}
