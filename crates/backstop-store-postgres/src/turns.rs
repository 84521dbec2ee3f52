//! Applying a turn (state, events, handled marks and messages in one transaction) and the key of a
//! conversation's advisory lock.

use backstop_core::ids::{ConversationId, TenantId};
use backstop_store::codec::*;
use backstop_store::*;

use crate::PgStore;

/// The advisory lock key of a conversation: its id's random low 64 bits, mixed with the tenant.
pub(crate) fn lock_key(tenant: &TenantId, conv: ConversationId) -> i64 {
    let low = u64::from_be_bytes(conv.0.as_bytes()[8..].try_into().expect("16-byte uuid"));
    let t = tenant.as_str().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (low ^ t) as i64
}

pub(crate) async fn apply_turn(store: &PgStore, turn: &Turn) -> Result<Vec<MessageRecord>> {
    let c = &turn.conversation;
    let mut tx = store.pool.begin().await.map_err(db)?;
    let (kind, team, agent, prio, rank) = owner_cols(&c.owner);
    let updated = sqlx::query(
        "UPDATE conversations SET owner_kind = $3, owner_team = $4, owner_agent = $5, priority = $6, priority_rank = $7,
           status = $8, lang = $9, topic = $10, failed_turns = $11, handoff_reason = $12, queued_at = $13,
           packet = $14, updated_at = $15, mood = $16, policy_state = $17, csat = $18,
           sla = $19, sla_due_at = $20
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(c.tenant.as_str())
    .bind(c.id.to_string())
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
    .bind(ts(c.updated_at))
    .bind(to_json(&c.mood))
    .bind(to_json(&c.policy_state))
    .bind(c.csat.as_ref().map(to_json))
    .bind(c.sla.as_ref().map(to_json))
    .bind(sla_due(c))
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound("conversation"));
    }
    for e in &turn.events {
        sqlx::query(
            "INSERT INTO events (tenant_id, conversation_id, kind, actor, reason, from_owner, to_owner, from_status, to_status, data, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(c.tenant.as_str())
        .bind(c.id.to_string())
        .bind(&e.kind)
        .bind(&e.actor)
        .bind(&e.reason)
        .bind(e.from_owner.as_ref().map(to_json))
        .bind(e.to_owner.as_ref().map(to_json))
        .bind(e.from_status.map(|s| s.as_str()))
        .bind(e.to_status.map(|s| s.as_str()))
        .bind(e.data.to_string())
        .bind(ts(e.at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    for id in &turn.handled {
        // Only a message no turn has handled yet: a second turn for the same message (a
        // worker that took over while the first was still running) fails as a whole here,
        // so no message is ever answered twice.
        let done = sqlx::query(
            "UPDATE messages SET handled = 1 WHERE tenant_id = $1 AND conversation_id = $2 AND id = $3 AND handled = 0",
        )
        .bind(c.tenant.as_str())
        .bind(c.id.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("message already handled"));
        }
    }
    let mut stored = Vec::with_capacity(turn.messages.len());
    for m in &turn.messages {
        if m.tenant != c.tenant || m.conversation != c.id {
            return Err(StoreError::NotFound("conversation"));
        }
        stored.push(PgStore::insert_message(&mut tx, m).await?);
    }
    tx.commit().await.map_err(db)?;
    Ok(stored)
}
