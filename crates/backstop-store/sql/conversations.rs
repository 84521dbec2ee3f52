//! Conversation rows: a new conversation with every column, and moving one to another channel.

use backstop_core::channel::Channel;
use backstop_core::ids::{ConversationId, TenantId};
use backstop_store::codec::*;
use backstop_store::*;

use crate::Backend;

/// Inserts a new conversation.
pub(crate) async fn create(store: &Backend, c: &ConversationRecord) -> Result<()> {
    let (kind, team, agent, prio, rank) = owner_cols(&c.owner);
    let (channel, connection, contact) = reach_cols(c);
    sqlx::query(&format!(
        "INSERT INTO conversations ({CONV_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"
    ))
    .bind(c.tenant.as_str())
    .bind(c.id.to_string())
    .bind(c.customer.to_string())
    .bind(kind)
    .bind(team)
    .bind(agent)
    .bind(prio)
    .bind(rank)
    .bind(c.status.as_str())
    .bind(c.lang.as_str())
    .bind(&c.topic)
    .bind(c.failed_turns as i64)
    .bind(c.handoff_reason.map(|r| r.as_str()))
    .bind(c.queued_at.map(ts))
    .bind(c.packet.as_ref().map(to_json))
    .bind(ts(c.created_at))
    .bind(ts(c.updated_at))
    .bind(c.last_message_at.map(ts))
    .bind(c.last_seq)
    .bind(to_json(&c.mood))
    .bind(to_json(&c.policy_state))
    .bind(c.csat.as_ref().map(to_json))
    .bind(c.sla.as_ref().map(to_json))
    .bind(sla_due(c))
    .bind(channel)
    .bind(connection)
    .bind(contact)
    .execute(store.writer())
    .await
    .map_err(|e| if unique_violation(&e) { StoreError::Conflict("conversation") } else { db(e) })?;
    Ok(())
}

/// Moves a conversation to `channel`, answered at `reach`; false when the tenant has no such
/// conversation.
pub(crate) async fn set_reach(
    store: &Backend,
    tenant: &TenantId,
    id: ConversationId,
    channel: Channel,
    reach: Option<&Reach>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE conversations SET channel = $3, connection_id = $4, contact = $5 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.to_string())
    .bind(channel.as_str())
    .bind(reach.map(|r| r.connection.to_string()))
    .bind(reach.map(|r| r.address.clone()))
    .execute(store.writer())
    .await
    .map_err(db)?;
    Ok(done.rows_affected() > 0)
}
