//! Directory queries of the SQLite store: tenants, teams, agents, sessions, customers, widget
//! visitors and knowledge-base articles.

use backstop_core::directory::{Agent, Customer, Team, Tenant};
use backstop_core::ids::{AgentId, CustomerId, TenantId};
use backstop_store::*;
use sqlx::Row;

use backstop_store::codec::{self, *};

use crate::SqliteStore;

pub(crate) async fn create_tenant(store: &SqliteStore, t: &Tenant) -> Result<()> {
    let r = sqlx::query("INSERT INTO tenants (id, name, widget_secret) VALUES (?1, ?2, ?3)")
        .bind(t.id.as_str())
        .bind(&t.name)
        .bind(&t.widget_secret)
        .execute(&store.writer)
        .await;
    match r {
        Err(e) if unique_violation(&e) => Err(StoreError::Conflict("tenant")),
        r => r.map(|_| ()).map_err(db),
    }
}

pub(crate) async fn get_tenant(store: &SqliteStore, id: &TenantId) -> Result<Option<Tenant>> {
    let row = sqlx::query("SELECT id, name, widget_secret FROM tenants WHERE id = ?1")
        .bind(id.as_str())
        .fetch_optional(&store.reader)
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

pub(crate) async fn upsert_team(store: &SqliteStore, t: &Team) -> Result<()> {
    sqlx::query(
        "INSERT INTO teams (tenant_id, id, name, names, role, strategy, hours, sla) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, names = excluded.names, role = excluded.role,
           strategy = excluded.strategy, hours = excluded.hours, sla = excluded.sla",
    )
    .bind(t.tenant.as_str())
    .bind(t.id.to_string())
    .bind(&t.name)
    .bind(to_json(&t.names))
    .bind(t.role.as_str())
    .bind(t.strategy.as_str())
    .bind(to_json(&t.hours))
    .bind(to_json(&t.sla))
    .execute(&store.writer)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn list_teams(store: &SqliteStore, tenant: &TenantId) -> Result<Vec<Team>> {
    let rows = sqlx::query(
        "SELECT tenant_id, id, name, names, role, strategy, hours, sla FROM teams WHERE tenant_id = ?1 ORDER BY name",
    )
    .bind(tenant.as_str())
    .fetch_all(&store.reader)
    .await
    .map_err(db)?;
    rows.iter().map(codec::team).collect()
}

pub(crate) async fn upsert_agent(store: &SqliteStore, a: &Agent, password_hash: &str) -> Result<()> {
    let r = sqlx::query(
        "INSERT INTO agents (tenant_id, id, name, email, email_lower, role, team_ids, password_hash, profile)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, email = excluded.email,
           email_lower = excluded.email_lower, role = excluded.role, team_ids = excluded.team_ids,
           password_hash = excluded.password_hash, profile = excluded.profile",
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
    .execute(&store.writer)
    .await;
    match r {
        Err(e) if unique_violation(&e) => Err(StoreError::Conflict("agent e-mail")),
        r => r.map(|_| ()).map_err(db),
    }
}

pub(crate) async fn get_agent(store: &SqliteStore, tenant: &TenantId, id: AgentId) -> Result<Option<Agent>> {
    let row = sqlx::query("SELECT * FROM agents WHERE tenant_id = ?1 AND id = ?2")
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(&store.reader)
        .await
        .map_err(db)?;
    row.as_ref().map(agent).transpose()
}

/// Every agent of the tenant, by name.
pub(crate) async fn list_agents(store: &SqliteStore, tenant: &TenantId) -> Result<Vec<Agent>> {
    let rows = sqlx::query("SELECT * FROM agents WHERE tenant_id = ?1 ORDER BY name, id")
        .bind(tenant.as_str())
        .fetch_all(&store.reader)
        .await
        .map_err(db)?;
    rows.iter().map(agent).collect()
}

pub(crate) async fn find_agent_by_email(
    store: &SqliteStore,
    tenant: &TenantId,
    email: &str,
) -> Result<Option<(Agent, String)>> {
    let row = sqlx::query("SELECT * FROM agents WHERE tenant_id = ?1 AND email_lower = ?2")
        .bind(tenant.as_str())
        .bind(email.trim().to_lowercase())
        .fetch_optional(&store.reader)
        .await
        .map_err(db)?;
    row.map(|r| Ok((agent(&r)?, r.try_get("password_hash").map_err(db)?)))
        .transpose()
}

pub(crate) async fn create_session(store: &SqliteStore, s: &SessionRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, tenant_id, agent_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(&s.token_hash)
    .bind(s.tenant.as_str())
    .bind(s.agent.to_string())
    .bind(ts(s.created_at))
    .bind(ts(s.expires_at))
    .execute(&store.writer)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn get_session(store: &SqliteStore, token_hash: &str) -> Result<Option<SessionRecord>> {
    let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = ?1")
        .bind(token_hash)
        .fetch_optional(&store.reader)
        .await
        .map_err(db)?;
    row.map(|r| {
        Ok(SessionRecord {
            token_hash: r.try_get("token_hash").map_err(db)?,
            tenant: codec::tenant(&r)?,
            agent: AgentId(codec::uuid(&r, "agent_id")?),
            created_at: from_ts(r.try_get("created_at").map_err(db)?)?,
            expires_at: from_ts(r.try_get("expires_at").map_err(db)?)?,
        })
    })
    .transpose()
}

pub(crate) async fn delete_session(store: &SqliteStore, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?1")
        .bind(token_hash)
        .execute(&store.writer)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn upsert_customer(store: &SqliteStore, c: &Customer) -> Result<()> {
    sqlx::query(
        "INSERT INTO customers (tenant_id, id, name, email, email_lower, tags, lang) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, email = excluded.email,
           email_lower = excluded.email_lower, tags = excluded.tags, lang = excluded.lang",
    )
    .bind(c.tenant.as_str())
    .bind(c.id.to_string())
    .bind(&c.name)
    .bind(&c.email)
    .bind(c.email.as_ref().map(|e| e.to_lowercase()))
    .bind(to_json(&c.tags))
    .bind(c.lang.map(|l| l.as_str()))
    .execute(&store.writer)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn get_customer(store: &SqliteStore, tenant: &TenantId, id: CustomerId) -> Result<Option<Customer>> {
    let row = sqlx::query("SELECT * FROM customers WHERE tenant_id = ?1 AND id = ?2")
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(&store.reader)
        .await
        .map_err(db)?;
    row.as_ref().map(customer).transpose()
}

pub(crate) async fn find_customer_by_email(
    store: &SqliteStore,
    tenant: &TenantId,
    email: &str,
) -> Result<Option<Customer>> {
    let row = sqlx::query("SELECT * FROM customers WHERE tenant_id = ?1 AND email_lower = ?2 ORDER BY id LIMIT 1")
        .bind(tenant.as_str())
        .bind(email.trim().to_lowercase())
        .fetch_optional(&store.reader)
        .await
        .map_err(db)?;
    row.as_ref().map(customer).transpose()
}

pub(crate) async fn link_visitor(
    store: &SqliteStore,
    tenant: &TenantId,
    token_hash: &str,
    customer: CustomerId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO visitors (tenant_id, token_hash, customer_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (tenant_id, token_hash) DO UPDATE SET customer_id = excluded.customer_id",
    )
    .bind(tenant.as_str())
    .bind(token_hash)
    .bind(customer.to_string())
    .execute(&store.writer)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn find_visitor(
    store: &SqliteStore,
    tenant: &TenantId,
    token_hash: &str,
) -> Result<Option<CustomerId>> {
    let row = sqlx::query("SELECT customer_id FROM visitors WHERE tenant_id = ?1 AND token_hash = ?2")
        .bind(tenant.as_str())
        .bind(token_hash)
        .fetch_optional(&store.reader)
        .await
        .map_err(db)?;
    row.map(|r| Ok(CustomerId(codec::uuid(&r, "customer_id")?))).transpose()
}
