//! `SettingsStore` for this backend: the widget's settings (one row per tenant, replaced on save),
//! the billing plans (every version kept, by when it was saved) and the API keys (found by the
//! SHA-256 of their token).

use async_trait::async_trait;
use backstop_core::billing::Plan;
use backstop_core::ids::{AgentId, ApiKeyId, TenantId};
use backstop_core::widget::WidgetSettings;
use backstop_core::Timestamp;
use backstop_store::codec::*;
use backstop_store::*;

use crate::Backend;

const KEY_COLS: &str = "id, tenant_id, name, scopes, shown, created_by, created_at, last_used_at, revoked_at";

fn key(r: &impl Columns) -> Result<ApiKeyRecord> {
    Ok(ApiKeyRecord {
        id: ApiKeyId(uuid(r, "id")?),
        tenant: tenant(r)?,
        name: r.text("name")?,
        scopes: json(r, "scopes")?,
        shown: r.text("shown")?,
        created_by: AgentId(uuid(r, "created_by")?),
        created_at: from_ts(r.int("created_at")?)?,
        last_used_at: r.opt_int("last_used_at")?.map(from_ts).transpose()?,
        revoked_at: r.opt_int("revoked_at")?.map(from_ts).transpose()?,
    })
}

/// The newest plan the tenant saved before `before` (a timestamp as stored).
async fn plan_saved_before(store: &Backend, tenant: &TenantId, before: i64) -> Result<Option<Plan>> {
    let row = sqlx::query(
        "SELECT plan FROM plan_versions WHERE tenant_id = $1 AND saved_at < $2 ORDER BY saved_at DESC LIMIT 1",
    )
    .bind(tenant.as_str())
    .bind(before)
    .fetch_optional(store.reader())
    .await
    .map_err(db)?;
    row.map(|r| json(&r, "plan")).transpose()
}

#[async_trait]
impl SettingsStore for Backend {
    async fn get_widget_settings(&self, tenant: &TenantId) -> Result<Option<WidgetSettings>> {
        let row = sqlx::query("SELECT settings FROM widget_settings WHERE tenant_id = $1")
            .bind(tenant.as_str())
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
        row.map(|r| json(&r, "settings")).transpose()
    }

    async fn save_widget_settings(
        &self,
        tenant: &TenantId,
        settings: &WidgetSettings,
        author: &str,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO widget_settings (tenant_id, settings, updated_at, updated_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings,
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(tenant.as_str())
        .bind(to_json(settings))
        .bind(ts(at))
        .bind(author)
        .execute(self.writer())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn get_plan(&self, tenant: &TenantId) -> Result<Option<Plan>> {
        plan_saved_before(self, tenant, i64::MAX).await
    }

    async fn plan_in_effect(&self, tenant: &TenantId, before: Timestamp) -> Result<Option<Plan>> {
        plan_saved_before(self, tenant, ts(before)).await
    }

    async fn save_plan(&self, tenant: &TenantId, plan: &Plan, author: &str, at: Timestamp) -> Result<()> {
        // Two saves at one instant: the second is the version of that instant.
        sqlx::query(
            "INSERT INTO plan_versions (tenant_id, saved_at, plan, saved_by) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, saved_at) DO UPDATE SET plan = excluded.plan, saved_by = excluded.saved_by",
        )
        .bind(tenant.as_str())
        .bind(ts(at))
        .bind(to_json(plan))
        .bind(author)
        .execute(self.writer())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn create_api_key(&self, k: &ApiKeyRecord, token_hash: &str) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, name, scopes, token_hash, shown, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(k.id.to_string())
        .bind(k.tenant.as_str())
        .bind(&k.name)
        .bind(to_json(&k.scopes))
        .bind(token_hash)
        .bind(&k.shown)
        .bind(k.created_by.to_string())
        .bind(ts(k.created_at))
        .execute(self.writer())
        .await;
        match r {
            Err(e) if unique_violation(&e) => Err(StoreError::Conflict("api key")),
            r => r.map(|_| ()).map_err(db),
        }
    }

    async fn list_api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKeyRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {KEY_COLS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(tenant.as_str())
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        rows.iter().map(key).collect()
    }

    async fn find_api_key(&self, token_hash: &str) -> Result<Option<ApiKeyRecord>> {
        let row = sqlx::query(&format!("SELECT {KEY_COLS} FROM api_keys WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(self.reader())
            .await
            .map_err(db)?;
        row.as_ref().map(key).transpose()
    }

    async fn revoke_api_key(&self, tenant: &TenantId, id: ApiKeyId, at: Timestamp) -> Result<bool> {
        let r =
            sqlx::query("UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL")
                .bind(tenant.as_str())
                .bind(id.to_string())
                .bind(ts(at))
                .execute(self.writer())
                .await
                .map_err(db)?;
        Ok(r.rows_affected() == 1)
    }

    async fn touch_api_key(&self, id: ApiKeyId, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(ts(at))
            .execute(self.writer())
            .await
            .map_err(db)?;
        Ok(())
    }
}
