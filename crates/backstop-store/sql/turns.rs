//! The hot writes, written once: storing a customer message (idempotent on its client id, the
//! next sequence number taken from the conversation row) and applying a turn (state, events,
//! handled marks and messages), each on a connection the backend has already put in a
//! transaction.

use backstop_store::codec::*;
use backstop_store::*;

use crate::dialect::{self, Conn};

/// Inserts a message with the conversation's next sequence number.
pub(crate) async fn insert_message(conn: &mut Conn, m: &NewMessage) -> Result<MessageRecord> {
    let seq: Option<i64> = sqlx::query_scalar(&format!(
        "UPDATE conversations SET last_seq = last_seq + 1, last_message_at = $3, updated_at = {greatest}(updated_at, $3)
         WHERE tenant_id = $1 AND id = $2 RETURNING last_seq",
        greatest = dialect::GREATEST
    ))
    .bind(m.tenant.as_str())
    .bind(m.conversation.to_string())
    .bind(ts(m.created_at))
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let seq = seq.ok_or(StoreError::NotFound("conversation"))?;
    let (akind, aid, aname) = author_cols(&m.author);
    sqlx::query(&format!(
        "INSERT INTO messages ({MSG_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    ))
    .bind(m.tenant.as_str())
    .bind(m.id.to_string())
    .bind(m.conversation.to_string())
    .bind(seq)
    .bind(akind)
    .bind(aid)
    .bind(aname)
    .bind(m.kind.as_str())
    .bind(&m.body)
    .bind(&m.client_id)
    .bind(to_json(&m.citations))
    .bind(m.system.as_ref().map(to_json))
    .bind(m.handled as i64)
    .bind(ts(m.created_at))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(MessageRecord {
        id: m.id,
        tenant: m.tenant.clone(),
        conversation: m.conversation,
        seq,
        author: m.author.clone(),
        kind: m.kind,
        body: m.body.clone(),
        client_id: m.client_id.clone(),
        citations: m.citations.clone(),
        system: m.system.clone(),
        handled: m.handled,
        created_at: m.created_at,
    })
}

/// Stores a customer message unless one with its client id is there already (then that one is
/// returned, marked a duplicate).
pub(crate) async fn append_in(conn: &mut Conn, m: &NewMessage) -> Result<Appended> {
    // Lock the conversation first where the database can: a duplicate delivered to another node
    // at the same moment waits here, then finds the first copy below.
    dialect::lock_conversation_row(conn, &m.tenant, m.conversation).await?;
    if let Some(cid) = &m.client_id {
        let row = sqlx::query(&format!(
            "SELECT {MSG_COLS} FROM messages WHERE tenant_id = $1 AND conversation_id = $2 AND client_id = $3"
        ))
        .bind(m.tenant.as_str())
        .bind(m.conversation.to_string())
        .bind(cid)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
        if let Some(row) = row {
            return Ok(Appended {
                message: message(&row)?,
                duplicate: true,
            });
        }
    }
    let stored = insert_message(conn, m).await?;
    Ok(Appended {
        message: stored,
        duplicate: false,
    })
}

/// Applies a turn: the conversation's new state, its events, the handled marks (each message
/// handled once only) and the turn's messages. The caller commits.
pub(crate) async fn apply_turn_in(conn: &mut Conn, turn: &Turn) -> Result<Vec<MessageRecord>> {
    let c = &turn.conversation;
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
    .execute(&mut *conn)
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
        .bind(e.kind.as_str())
        .bind(e.actor.label())
        .bind(&e.reason)
        .bind(e.from_owner.as_ref().map(to_json))
        .bind(e.to_owner.as_ref().map(to_json))
        .bind(e.from_status.map(|s| s.as_str()))
        .bind(e.to_status.map(|s| s.as_str()))
        .bind(e.data.encode())
        .bind(ts(e.at))
        .execute(&mut *conn)
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
        .execute(&mut *conn)
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
        stored.push(insert_message(conn, m).await?);
    }
    Ok(stored)
}
