//! A tenant's generative-model settings (one row, replaced on save; the key in a column of its
//! own so it never travels with the settings) and its token usage per calendar month.

use backstop_core::generation::{ModelSettings, ModelTokens, ModelUsage};
use backstop_core::ids::TenantId;
use backstop_core::Timestamp;
use backstop_store::codec::*;
use backstop_store::*;
use sqlx::Row;

use crate::Backend;

pub(crate) async fn get(store: &Backend, tenant: &TenantId) -> Result<Option<ModelRecord>> {
    let row = sqlx::query("SELECT settings, api_key, updated_at, updated_by FROM tenant_models WHERE tenant_id = $1")
        .bind(tenant.as_str())
        .fetch_optional(store.reader())
        .await
        .map_err(db)?;
    row.map(|r| {
        Ok(ModelRecord {
            settings: json(&r, "settings")?,
            api_key: r.try_get("api_key").map_err(db)?,
            updated_at: from_ts(r.try_get("updated_at").map_err(db)?)?,
            updated_by: r.try_get("updated_by").map_err(db)?,
        })
    })
    .transpose()
}

pub(crate) async fn save(
    store: &Backend,
    tenant: &TenantId,
    settings: &ModelSettings,
    key: &KeyChange,
    author: &str,
    at: Timestamp,
) -> Result<ModelRecord> {
    let (set_key, new_key) = match key {
        KeyChange::Keep => (false, None),
        KeyChange::Set(k) => (true, Some(k.as_str())),
        KeyChange::Clear => (true, None),
    };
    sqlx::query(
        "INSERT INTO tenant_models (tenant_id, settings, api_key, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings,
             api_key = CASE WHEN $6 THEN excluded.api_key ELSE tenant_models.api_key END,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(tenant.as_str())
    .bind(to_json(settings))
    .bind(new_key)
    .bind(ts(at))
    .bind(author)
    .bind(set_key)
    .execute(store.writer())
    .await
    .map_err(db)?;
    get(store, tenant)
        .await?
        .ok_or_else(|| corrupt("tenant_models row vanished"))
}

pub(crate) async fn add_usage(
    store: &Backend,
    tenant: &TenantId,
    month: &str,
    model: &str,
    prompt: u64,
    completion: u64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO model_usage (tenant_id, month, model, prompt_tokens, completion_tokens, calls) VALUES ($1, $2, $3, $4, $5, 1)
         ON CONFLICT (tenant_id, month, model) DO UPDATE SET prompt_tokens = model_usage.prompt_tokens + excluded.prompt_tokens,
             completion_tokens = model_usage.completion_tokens + excluded.completion_tokens,
             calls = model_usage.calls + 1",
    )
    .bind(tenant.as_str())
    .bind(month)
    .bind(model)
    .bind(prompt as i64)
    .bind(completion as i64)
    .execute(store.writer())
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn usage(store: &Backend, tenant: &TenantId, month: &str) -> Result<ModelUsage> {
    let rows = sqlx::query(
        "SELECT model, prompt_tokens, completion_tokens, calls FROM model_usage WHERE tenant_id = $1 AND month = $2",
    )
    .bind(tenant.as_str())
    .bind(month)
    .fetch_all(store.reader())
    .await
    .map_err(db)?;
    let by_model = rows
        .iter()
        .map(|r| {
            let get = |c: &str| -> Result<u64> { Ok(r.try_get::<i64, _>(c).map_err(db)?.max(0) as u64) };
            Ok(ModelTokens {
                model: r.try_get("model").map_err(db)?,
                prompt_tokens: get("prompt_tokens")?,
                completion_tokens: get("completion_tokens")?,
                calls: get("calls")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ModelUsage::of_models(month, by_model))
}
