//! `ChannelStore` for this backend: connections (one per channel and business account across
//! all tenants; secrets in `channel_secrets`), customer identities per channel (a first sighting
//! stores the customer and the identity in one transaction), and moving a conversation to another
//! channel.

use async_trait::async_trait;
use backstop_core::channel::Channel;
use backstop_core::directory::Customer;
use backstop_core::ids::{ConnectionId, ConversationId, CustomerId, TenantId};
use backstop_core::Timestamp;
use backstop_store::codec::*;
use backstop_store::*;

use crate::Backend;

const CONN_COLS: &str = "id, tenant_id, channel, account, name, settings, enabled, created_at, updated_at";
const IDENTITY_COLS: &str = "tenant_id, channel, external_id, customer_id, name, verified, created_at, last_seen_at";

fn channel_of(r: &impl Columns) -> Result<Channel> {
    Channel::parse(&r.text("channel")?).ok_or_else(|| corrupt("channel"))
}

fn connection(r: &impl Columns) -> Result<ConnectionRecord> {
    Ok(ConnectionRecord {
        id: ConnectionId(uuid(r, "id")?),
        tenant: tenant(r)?,
        channel: channel_of(r)?,
        account: r.text("account")?,
        name: r.text("name")?,
        settings: json(r, "settings")?,
        enabled: r.int("enabled")? != 0,
        created_at: from_ts(r.int("created_at")?)?,
        updated_at: from_ts(r.int("updated_at")?)?,
    })
}

fn identity(r: &impl Columns) -> Result<IdentityRecord> {
    Ok(IdentityRecord {
        tenant: tenant(r)?,
        channel: channel_of(r)?,
        external_id: r.text("external_id")?,
        customer: CustomerId(uuid(r, "customer_id")?),
        name: r.opt_text("name")?,
        verified: r.int("verified")? != 0,
        created_at: from_ts(r.int("created_at")?)?,
        last_seen_at: from_ts(r.int("last_seen_at")?)?,
    })
}

#[async_trait]
impl ChannelStore for Backend {
    async fn save_connection(&self, c: &ConnectionRecord, secrets: Option<&Secrets>) -> Result<()> {
        let mut tx = self.writer().begin().await.map_err(db)?;
        // A connection keeps its tenant: an id of another tenant's connection is refused.
        let owner: Option<String> = sqlx::query_scalar("SELECT tenant_id FROM channel_connections WHERE id = $1")
            .bind(c.id.to_string())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        if owner.is_some_and(|t| t != c.tenant.as_str()) {
            return Err(StoreError::Conflict("connection"));
        }
        sqlx::query(&format!(
            "INSERT INTO channel_connections ({CONN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, account = excluded.account,
               name = excluded.name, settings = excluded.settings, enabled = excluded.enabled,
               updated_at = excluded.updated_at"
        ))
        .bind(c.id.to_string())
        .bind(c.tenant.as_str())
        .bind(c.channel.as_str())
        .bind(&c.account)
        .bind(&c.name)
        .bind(to_json(&c.settings))
        .bind(i64::from(c.enabled))
        .bind(ts(c.created_at))
        .bind(ts(c.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                StoreError::Conflict("connection")
            } else {
                db(e)
            }
        })?;
        if let Some(secrets) = secrets {
            sqlx::query(
                "INSERT INTO channel_secrets (connection_id, secrets) VALUES ($1, $2)
                 ON CONFLICT (connection_id) DO UPDATE SET secrets = excluded.secrets",
            )
            .bind(c.id.to_string())
            .bind(to_json(secrets))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn list_connections(&self, tenant: &TenantId) -> Result<Vec<ConnectionRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {CONN_COLS} FROM channel_connections WHERE tenant_id = $1 ORDER BY channel, name, id"
        ))
        .bind(tenant.as_str())
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        rows.iter().map(connection).collect()
    }

    async fn get_connection(&self, tenant: &TenantId, id: ConnectionId) -> Result<Option<ConnectionRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {CONN_COLS} FROM channel_connections WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(self.reader())
        .await
        .map_err(db)?;
        row.as_ref().map(connection).transpose()
    }

    async fn connection_for_account(
        &self,
        channel: Channel,
        account: &str,
    ) -> Result<Option<(ConnectionRecord, Secrets)>> {
        let row = sqlx::query(&format!(
            "SELECT {CONN_COLS} FROM channel_connections WHERE channel = $1 AND account = $2"
        ))
        .bind(channel.as_str())
        .bind(account)
        .fetch_optional(self.reader())
        .await
        .map_err(db)?;
        let Some(conn) = row.as_ref().map(connection).transpose()? else {
            return Ok(None);
        };
        let secrets = self
            .connection_secrets(&conn.tenant, conn.id)
            .await?
            .unwrap_or_default();
        Ok(Some((conn, secrets)))
    }

    async fn connection_secrets(&self, tenant: &TenantId, id: ConnectionId) -> Result<Option<Secrets>> {
        let row = sqlx::query(
            "SELECT s.secrets FROM channel_secrets s JOIN channel_connections c ON c.id = s.connection_id
             WHERE c.tenant_id = $1 AND c.id = $2",
        )
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(self.reader())
        .await
        .map_err(db)?;
        row.map(|r| json(&r, "secrets")).transpose()
    }

    async fn delete_connection(&self, tenant: &TenantId, id: ConnectionId) -> Result<bool> {
        let mut tx = self.writer().begin().await.map_err(db)?;
        let gone = sqlx::query("DELETE FROM channel_connections WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        if gone > 0 {
            sqlx::query("DELETE FROM channel_secrets WHERE connection_id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(gone > 0)
    }

    async fn resolve_identity(
        &self,
        tenant: &TenantId,
        channel: Channel,
        external_id: &str,
        name: Option<&str>,
        new: &Customer,
        at: Timestamp,
    ) -> Result<(IdentityRecord, bool)> {
        let mut tx = self.writer().begin().await.map_err(db)?;
        let created = sqlx::query(&format!(
            "INSERT INTO customer_identities ({IDENTITY_COLS}) VALUES ($1, $2, $3, $4, $5, 0, $6, $6)
             ON CONFLICT (tenant_id, channel, external_id) DO NOTHING"
        ))
        .bind(tenant.as_str())
        .bind(channel.as_str())
        .bind(external_id)
        .bind(new.id.to_string())
        .bind(name)
        .bind(ts(at))
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            > 0;
        if created {
            sqlx::query(
                "INSERT INTO customers (tenant_id, id, name, email, email_lower, tags, lang, email_verified)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(tenant.as_str())
            .bind(new.id.to_string())
            .bind(&new.name)
            .bind(&new.email)
            .bind(new.email.as_ref().map(|e| e.to_lowercase()))
            .bind(to_json(&new.tags))
            .bind(new.lang.map(|l| l.as_str()))
            .bind(i64::from(new.email_verified))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        } else {
            sqlx::query(
                "UPDATE customer_identities SET last_seen_at = $4, name = COALESCE($5, name)
                 WHERE tenant_id = $1 AND channel = $2 AND external_id = $3",
            )
            .bind(tenant.as_str())
            .bind(channel.as_str())
            .bind(external_id)
            .bind(ts(at))
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        let row = sqlx::query(&format!(
            "SELECT {IDENTITY_COLS} FROM customer_identities WHERE tenant_id = $1 AND channel = $2 AND external_id = $3"
        ))
        .bind(tenant.as_str())
        .bind(channel.as_str())
        .bind(external_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let found = identity(&row)?;
        tx.commit().await.map_err(db)?;
        Ok((found, created))
    }

    async fn link_identity(
        &self,
        tenant: &TenantId,
        channel: Channel,
        external_id: &str,
        customer: CustomerId,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO customer_identities ({IDENTITY_COLS}) VALUES ($1, $2, $3, $4, NULL, 1, $5, $5)
             ON CONFLICT (tenant_id, channel, external_id) DO UPDATE SET customer_id = excluded.customer_id,
               verified = 1, last_seen_at = excluded.last_seen_at"
        ))
        .bind(tenant.as_str())
        .bind(channel.as_str())
        .bind(external_id)
        .bind(customer.to_string())
        .bind(ts(at))
        .execute(self.writer())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn identities_of(&self, tenant: &TenantId, customer: CustomerId) -> Result<Vec<IdentityRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {IDENTITY_COLS} FROM customer_identities WHERE tenant_id = $1 AND customer_id = $2
             ORDER BY channel, external_id"
        ))
        .bind(tenant.as_str())
        .bind(customer.to_string())
        .fetch_all(self.reader())
        .await
        .map_err(db)?;
        rows.iter().map(identity).collect()
    }

    async fn set_conversation_reach(
        &self,
        tenant: &TenantId,
        conversation: ConversationId,
        channel: Channel,
        reach: Option<&Reach>,
    ) -> Result<bool> {
        super::conversations::set_reach(self, tenant, conversation, channel, reach).await
    }
}
