//! Directory queries: tenants, teams, agents, sessions, customers, widget
//! visitors and knowledge-base articles.

use backstop_core::directory::{Agent, Customer, Team, Tenant};
use backstop_core::ids::{AgentId, CustomerId, TenantId};
use backstop_store::*;
use sqlx::Row;

use backstop_store::codec::{self, *};

use crate::Backend;

pub(crate) async fn create_tenant(store: &Backend, t: &Tenant) -> Result<()> {
    let r = sqlx::query("INSERT INTO tenants (id, name, widget_secret) VALUES ($1, $2, $3)")
        .bind(t.id.as_str())
        .bind(&t.name)
        .bind(&t.widget_secret)
        .execute(store.writer())
        .await;
    match r {
        Err(e) if unique_violation(&e) => Err(StoreError::Conflict("tenant")),
        r => r.map(|_| ()).map_err(db),
    }
}

pub(crate) async fn get_tenant(store: &Backend, id: &TenantId) -> Result<Option<Tenant>> {
    let row = sqlx::query("SELECT id, name, widget_secret FROM tenants WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(store.reader())
        .await
        .map_err(db)?;
    row.map(|r| {
        let id: String = r.try_get("id").map_err(db)?;
        Ok(Tenant {
            id: TenantId::parse(&id).map_err(|_| corrupt("tenant id"))?,
            name: r.try_get("name").map_err(db)?,
            widget_secret: r.try_get("widget_secret").map_err(db)?,
        })
    })
    .transpose()
}

pub(crate) async fn upsert_team(store: &Backend, t: &Team) -> Result<()> {
    sqlx::query(
        "INSERT INTO teams (tenant_id, id, name, names, role, strategy, hours, sla, languages)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, names = excluded.names, role = excluded.role,
           strategy = excluded.strategy, hours = excluded.hours, sla = excluded.sla, languages = excluded.languages",
    )
    .bind(t.tenant.as_str())
    .bind(t.id.to_string())
    .bind(&t.name)
    .bind(to_json(&t.names))
    .bind(t.role.as_str())
    .bind(t.strategy.as_str())
    .bind(to_json(&t.hours))
    .bind(to_json(&t.sla))
    .bind(to_json(&t.languages))
    .execute(store.writer())
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn list_teams(store: &Backend, tenant: &TenantId) -> Result<Vec<Team>> {
    let rows = sqlx::query(
        "SELECT tenant_id, id, name, names, role, strategy, hours, sla, languages FROM teams WHERE tenant_id = $1 ORDER BY name",
    )
    .bind(tenant.as_str())
    .fetch_all(store.reader())
    .await
    .map_err(db)?;
    rows.iter().map(codec::team).collect()
}

pub(crate) async fn upsert_agent(store: &Backend, a: &Agent, password_hash: &str) -> Result<()> {
    let r = sqlx::query(
        "INSERT INTO agents (tenant_id, id, name, email, email_lower, role, team_ids, password_hash, profile, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, email = excluded.email,
           email_lower = excluded.email_lower, role = excluded.role, team_ids = excluded.team_ids,
           password_hash = excluded.password_hash, profile = excluded.profile, active = excluded.active",
    )
    .bind(a.tenant.as_str())
    .bind(a.id.to_string())
    .bind(&a.name)
    .bind(&a.email)
    .bind(a.email.to_lowercase())
    .bind(a.role.as_str())
    .bind(to_json(&a.team_ids))
    .bind(password_hash)
    .bind(to_json(&a.profile))
    .bind(i64::from(a.active))
    .execute(store.writer())
    .await;
    match r {
        Err(e) if unique_violation(&e) => Err(StoreError::Conflict("agent e-mail")),
        r => r.map(|_| ()).map_err(db),
    }
}

pub(crate) async fn get_agent(store: &Backend, tenant: &TenantId, id: AgentId) -> Result<Option<Agent>> {
    let row = sqlx::query("SELECT * FROM agents WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(store.reader())
        .await
        .map_err(db)?;
    row.as_ref().map(agent).transpose()
}

/// Every agent of the tenant, by name.
pub(crate) async fn list_agents(store: &Backend, tenant: &TenantId) -> Result<Vec<Agent>> {
    let rows = sqlx::query("SELECT * FROM agents WHERE tenant_id = $1 ORDER BY name, id")
        .bind(tenant.as_str())
        .fetch_all(store.reader())
        .await
        .map_err(db)?;
    rows.iter().map(agent).collect()
}

pub(crate) async fn find_agent_by_email(
    store: &Backend,
    tenant: &TenantId,
    email: &str,
) -> Result<Option<AgentCredentials>> {
    let row = sqlx::query("SELECT * FROM agents WHERE tenant_id = $1 AND email_lower = $2")
        .bind(tenant.as_str())
        .bind(email.trim().to_lowercase())
        .fetch_optional(store.reader())
        .await
        .map_err(db)?;
    row.as_ref().map(codec::credentials).transpose()
}

pub(crate) async fn set_agent_password(store: &Backend, tenant: &TenantId, agent: AgentId, hash: &str) -> Result<()> {
    let r = sqlx::query(
        "UPDATE agents SET password_hash = $3, failed_logins = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(agent.to_string())
    .bind(hash)
    .execute(store.writer())
    .await
    .map_err(db)?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound("agent"));
    }
    Ok(())
}

pub(crate) async fn note_login_failure(store: &Backend, tenant: &TenantId, agent: AgentId) -> Result<u32> {
    let row = sqlx::query(
        "UPDATE agents SET failed_logins = failed_logins + 1 WHERE tenant_id = $1 AND id = $2 RETURNING failed_logins",
    )
    .bind(tenant.as_str())
    .bind(agent.to_string())
    .fetch_optional(store.writer())
    .await
    .map_err(db)?
    .ok_or(StoreError::NotFound("agent"))?;
    let n: i64 = row.try_get("failed_logins").map_err(db)?;
    u32::try_from(n).map_err(|_| corrupt("failed_logins"))
}

pub(crate) async fn set_login_lock(
    store: &Backend,
    tenant: &TenantId,
    agent: AgentId,
    until: Option<backstop_core::Timestamp>,
) -> Result<()> {
    sqlx::query("UPDATE agents SET locked_until = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(agent.to_string())
        .bind(until.map(ts))
        .execute(store.writer())
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn clear_login_failures(store: &Backend, tenant: &TenantId, agent: AgentId) -> Result<()> {
    sqlx::query(
        "UPDATE agents SET failed_logins = 0, locked_until = NULL
         WHERE tenant_id = $1 AND id = $2 AND (failed_logins != 0 OR locked_until IS NOT NULL)",
    )
    .bind(tenant.as_str())
    .bind(agent.to_string())
    .execute(store.writer())
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn set_widget_secret(store: &Backend, tenant: &TenantId, secret: &str) -> Result<()> {
    let r = sqlx::query("UPDATE tenants SET widget_secret = $2 WHERE id = $1")
        .bind(tenant.as_str())
        .bind(secret)
        .execute(store.writer())
        .await
        .map_err(db)?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound("tenant"));
    }
    Ok(())
}

pub(crate) async fn create_session(store: &Backend, s: &SessionRecord) -> Result<bool> {
    let r = sqlx::query(
        "INSERT INTO sessions (token_hash, tenant_id, agent_id, created_at, expires_at, last_seen_at)
         SELECT $1, $2, $3, $4, $5, $6
         WHERE NOT EXISTS (SELECT 1 FROM agents WHERE tenant_id = $2 AND id = $3
                             AND sessions_after IS NOT NULL AND sessions_after > $4)",
    )
    .bind(&s.token_hash)
    .bind(s.tenant.as_str())
    .bind(s.agent.to_string())
    .bind(ts(s.created_at))
    .bind(ts(s.expires_at))
    .bind(ts(s.last_seen_at))
    .execute(store.writer())
    .await
    .map_err(db)?;
    Ok(r.rows_affected() == 1)
}

pub(crate) async fn get_session(store: &Backend, token_hash: &str) -> Result<Option<SessionRecord>> {
    let row = sqlx::query(
        "SELECT s.* FROM sessions s LEFT JOIN agents a ON a.tenant_id = s.tenant_id AND a.id = s.agent_id
         WHERE s.token_hash = $1 AND (a.sessions_after IS NULL OR s.created_at >= a.sessions_after)",
    )
    .bind(token_hash)
    .fetch_optional(store.reader())
    .await
    .map_err(db)?;
    row.as_ref().map(codec::session).transpose()
}

pub(crate) async fn touch_session(store: &Backend, token_hash: &str, at: backstop_core::Timestamp) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(ts(at))
        .execute(store.writer())
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn delete_agent_sessions(
    store: &Backend,
    tenant: &TenantId,
    agent: AgentId,
    at: backstop_core::Timestamp,
) -> Result<u64> {
    let mut tx = store.writer().begin().await.map_err(db)?;
    sqlx::query("UPDATE agents SET sessions_after = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(agent.to_string())
        .bind(ts(at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let r = sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND agent_id = $2")
        .bind(tenant.as_str())
        .bind(agent.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(r.rows_affected())
}

pub(crate) async fn update_agent(store: &Backend, a: &Agent) -> Result<()> {
    let r = sqlx::query(
        "UPDATE agents SET name = $3, email = $4, email_lower = $5, role = $6, team_ids = $7, profile = $8, active = $9
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(a.tenant.as_str())
    .bind(a.id.to_string())
    .bind(&a.name)
    .bind(&a.email)
    .bind(a.email.to_lowercase())
    .bind(a.role.as_str())
    .bind(to_json(&a.team_ids))
    .bind(to_json(&a.profile))
    .bind(i64::from(a.active));
    let r = r.execute(store.writer()).await;
    match r {
        Err(e) if unique_violation(&e) => Err(StoreError::Conflict("agent e-mail")),
        Err(e) => Err(db(e)),
        Ok(done) if done.rows_affected() == 0 => Err(StoreError::NotFound("agent")),
        Ok(_) => Ok(()),
    }
}

pub(crate) async fn delete_session(store: &Backend, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(store.writer())
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn upsert_customer(store: &Backend, c: &Customer) -> Result<()> {
    sqlx::query(
        "INSERT INTO customers (tenant_id, id, name, email, email_lower, tags, lang, email_verified)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, email = excluded.email,
           email_lower = excluded.email_lower, tags = excluded.tags, lang = excluded.lang,
           email_verified = excluded.email_verified",
    )
    .bind(c.tenant.as_str())
    .bind(c.id.to_string())
    .bind(&c.name)
    .bind(&c.email)
    .bind(c.email.as_ref().map(|e| e.to_lowercase()))
    .bind(to_json(&c.tags))
    .bind(c.lang.map(|l| l.as_str()))
    .bind(i64::from(c.email_verified))
    .execute(store.writer())
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn get_customer(store: &Backend, tenant: &TenantId, id: CustomerId) -> Result<Option<Customer>> {
    let row = sqlx::query("SELECT * FROM customers WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(store.reader())
        .await
        .map_err(db)?;
    row.as_ref().map(customer).transpose()
}

pub(crate) async fn find_verified_customer(
    store: &Backend,
    tenant: &TenantId,
    email: &str,
) -> Result<Option<Customer>> {
    let row = sqlx::query(
        "SELECT * FROM customers WHERE tenant_id = $1 AND email_lower = $2 AND email_verified = 1 ORDER BY id LIMIT 1",
    )
    .bind(tenant.as_str())
    .bind(email.trim().to_lowercase())
    .fetch_optional(store.reader())
    .await
    .map_err(db)?;
    row.as_ref().map(customer).transpose()
}

pub(crate) async fn link_visitor(
    store: &Backend,
    tenant: &TenantId,
    token_hash: &str,
    customer: CustomerId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO visitors (tenant_id, token_hash, customer_id) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, token_hash) DO UPDATE SET customer_id = excluded.customer_id,
           pending_conversation = NULL",
    )
    .bind(tenant.as_str())
    .bind(token_hash)
    .bind(customer.to_string())
    .execute(store.writer())
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn find_visitor(
    store: &Backend,
    tenant: &TenantId,
    token_hash: &str,
) -> Result<Option<VisitorRecord>> {
    let row =
        sqlx::query("SELECT customer_id, pending_conversation FROM visitors WHERE tenant_id = $1 AND token_hash = $2")
            .bind(tenant.as_str())
            .bind(token_hash)
            .fetch_optional(store.reader())
            .await
            .map_err(db)?;
    row.as_ref().map(codec::visitor).transpose()
}

pub(crate) async fn reserve_visitor_conversation(
    store: &Backend,
    tenant: &TenantId,
    token_hash: &str,
    conversation: backstop_core::ids::ConversationId,
) -> Result<()> {
    let r = sqlx::query("UPDATE visitors SET pending_conversation = $3 WHERE tenant_id = $1 AND token_hash = $2")
        .bind(tenant.as_str())
        .bind(token_hash)
        .bind(conversation.to_string())
        .execute(store.writer())
        .await
        .map_err(db)?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound("visitor"));
    }
    Ok(())
}

pub(crate) async fn queued_count(store: &Backend, tenant: &TenantId) -> Result<u64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM conversations WHERE tenant_id = $1 AND owner_kind = 'queue' AND status = 'open'",
    )
    .bind(tenant.as_str())
    .fetch_one(store.reader())
    .await
    .map_err(db)?;
    Ok(n.max(0) as u64)
}
