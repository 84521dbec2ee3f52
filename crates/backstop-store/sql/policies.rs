//! The escalation policy's saved versions.

use backstop_core::ids::TenantId;
use backstop_core::Timestamp;
use backstop_store::*;
use sqlx::Row;

use backstop_store::codec::{self, *};

use crate::dialect;
use crate::Backend;

/// Saves the next version. The version is read and written in one transaction under the tenant's
/// lock (see `dialect::lock_tenant`), so two admins saving at once get consecutive versions.
pub(crate) async fn save(
    store: &Backend,
    tenant: &TenantId,
    source: &str,
    author: &str,
    at: Timestamp,
) -> Result<PolicyRecord> {
    let mut tx = store.writer().begin().await.map_err(db)?;
    dialect::lock_tenant(&mut tx, tenant).await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM policies WHERE tenant_id = $1")
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let version = last.unwrap_or(0) + 1;
    sqlx::query("INSERT INTO policies (tenant_id, version, source, author, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(tenant.as_str())
        .bind(version)
        .bind(source)
        .bind(author)
        .bind(ts(at))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                StoreError::Conflict("policy version")
            } else {
                db(e)
            }
        })?;
    tx.commit().await.map_err(db)?;
    Ok(PolicyRecord {
        tenant: tenant.clone(),
        version: version as u32,
        source: source.to_owned(),
        author: author.to_owned(),
        created_at: at,
    })
}

/// The newest `limit` versions, newest first.
pub(crate) async fn list(store: &Backend, tenant: &TenantId, limit: u32) -> Result<Vec<PolicyRecord>> {
    let rows = sqlx::query(
        "SELECT tenant_id, version, source, author, created_at FROM policies WHERE tenant_id = $1
         ORDER BY version DESC LIMIT $2",
    )
    .bind(tenant.as_str())
    .bind(limit as i64)
    .fetch_all(store.reader())
    .await
    .map_err(db)?;
    rows.iter()
        .map(|r| {
            let version: i64 = r.try_get("version").map_err(db)?;
            Ok(PolicyRecord {
                tenant: codec::tenant(r)?,
                version: version as u32,
                source: r.try_get("source").map_err(db)?,
                author: r.try_get("author").map_err(db)?,
                created_at: from_ts(r.try_get("created_at").map_err(db)?)?,
            })
        })
        .collect()
}
