//! A tenant's actions, versioned per name, and each action's secret in a table of its own.

use backstop_core::ids::TenantId;
use backstop_core::Timestamp;
use backstop_store::*;

use backstop_store::codec::{self, *};

use crate::dialect;
use crate::Backend;

/// Saves the next version of `name` and its secret as `secret` says, in one transaction under the
/// tenant's lock (two admins saving at once get consecutive versions).
pub(crate) async fn save(
    store: &Backend,
    tenant: &TenantId,
    name: &str,
    spec: Option<&str>,
    secret: &KeyChange,
    author: &str,
    at: Timestamp,
) -> Result<ActionRecord> {
    let mut tx = store.writer().begin().await.map_err(db)?;
    dialect::lock_tenant(&mut tx, tenant).await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM actions WHERE tenant_id = $1 AND name = $2")
        .bind(tenant.as_str())
        .bind(name)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    let version = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO actions (tenant_id, name, version, spec, author, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant.as_str())
    .bind(name)
    .bind(version)
    .bind(spec)
    .bind(author)
    .bind(ts(at))
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            StoreError::Conflict("action version")
        } else {
            db(e)
        }
    })?;
    // A removed action keeps no secret.
    let secret = if spec.is_none() { &KeyChange::Clear } else { secret };
    match secret {
        KeyChange::Keep => {}
        KeyChange::Clear => {
            sqlx::query("DELETE FROM action_secrets WHERE tenant_id = $1 AND name = $2")
                .bind(tenant.as_str())
                .bind(name)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        KeyChange::Set(s) => {
            sqlx::query(
                "INSERT INTO action_secrets (tenant_id, name, secret) VALUES ($1, $2, $3)
                 ON CONFLICT (tenant_id, name) DO UPDATE SET secret = excluded.secret",
            )
            .bind(tenant.as_str())
            .bind(name)
            .bind(s.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
    }
    tx.commit().await.map_err(db)?;
    versions(store, tenant, name, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| corrupt("actions row vanished"))
}

const COLUMNS: &str = "a.tenant_id, a.name, a.version, a.spec, a.author, a.created_at, s.secret";

fn record(r: &impl Columns) -> Result<ActionRecord> {
    Ok(ActionRecord {
        tenant: codec::tenant(r)?,
        name: r.text("name")?,
        version: r.int("version")? as u32,
        spec: r.opt_text("spec")?,
        secret: r.opt_text("secret")?,
        author: r.text("author")?,
        created_at: from_ts(r.int("created_at")?)?,
    })
}

/// The newest `limit` versions of one action, newest first, with its secret.
pub(crate) async fn versions(store: &Backend, tenant: &TenantId, name: &str, limit: u32) -> Result<Vec<ActionRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM actions a
         LEFT JOIN action_secrets s ON s.tenant_id = a.tenant_id AND s.name = a.name
         WHERE a.tenant_id = $1 AND a.name = $2 ORDER BY a.version DESC LIMIT $3"
    ))
    .bind(tenant.as_str())
    .bind(name)
    .bind(i64::from(limit.min(10_000)))
    .fetch_all(store.reader())
    .await
    .map_err(db)?;
    rows.iter().map(record).collect()
}

/// Each action's newest version, removed ones left out, by name.
pub(crate) async fn current(store: &Backend, tenant: &TenantId) -> Result<Vec<ActionRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM actions a
         LEFT JOIN action_secrets s ON s.tenant_id = a.tenant_id AND s.name = a.name
         WHERE a.tenant_id = $1 AND a.spec IS NOT NULL
           AND a.version = (SELECT MAX(b.version) FROM actions b WHERE b.tenant_id = a.tenant_id AND b.name = a.name)
         ORDER BY a.name"
    ))
    .bind(tenant.as_str())
    .fetch_all(store.reader())
    .await
    .map_err(db)?;
    rows.iter().map(record).collect()
}
