//! Whole conversations written at once — the record, its messages (numbered from 1) and its
//! events — many per transaction with multi-row inserts: how a generated history (the demo's
//! weeks of past conversations, the analytics benchmark's million) is stored. Live traffic never
//! comes this way.

use backstop_store::codec::*;
use backstop_store::*;

use crate::dialect;
use crate::Backend;

type Db = <dialect::Conn as sqlx::Connection>::Database;

/// Rows per multi-row insert (well under both databases' limits on bound values).
const ROWS: usize = 200;

pub(crate) async fn import(store: &Backend, items: &[ImportedConversation]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut tx = store.writer().begin().await.map_err(db)?;
    for chunk in items.chunks(ROWS) {
        let mut q = sqlx::QueryBuilder::<Db>::new(format!("INSERT INTO conversations ({CONV_COLS}) "));
        q.push_values(chunk, |mut b, item| {
            let c = &item.record;
            let (kind, team, agent, prio, rank) = owner_cols(&c.owner);
            b.push_bind(c.tenant.as_str().to_string())
                .push_bind(c.id.to_string())
                .push_bind(c.customer.to_string())
                .push_bind(kind)
                .push_bind(team)
                .push_bind(agent)
                .push_bind(prio)
                .push_bind(rank)
                .push_bind(c.status.as_str())
                .push_bind(c.lang.as_str())
                .push_bind(c.topic.clone())
                .push_bind(c.failed_turns as i64)
                .push_bind(c.handoff_reason.map(|r| r.as_str()))
                .push_bind(c.queued_at.map(ts))
                .push_bind(c.packet.as_ref().map(to_json))
                .push_bind(ts(c.created_at))
                .push_bind(ts(c.updated_at))
                .push_bind(c.last_message_at.map(ts))
                .push_bind(item.messages.len() as i64)
                .push_bind(to_json(&c.mood))
                .push_bind(to_json(&c.policy_state))
                .push_bind(c.csat.as_ref().map(to_json))
                .push_bind(c.sla.as_ref().map(to_json))
                .push_bind(sla_due(c));
            let (channel, connection, contact) = reach_cols(c);
            b.push_bind(channel).push_bind(connection).push_bind(contact);
        });
        q.build().execute(&mut *tx).await.map_err(db)?;
    }
    let messages: Vec<(i64, &NewMessage)> = items
        .iter()
        .flat_map(|i| i.messages.iter().enumerate().map(|(n, m)| (n as i64 + 1, m)))
        .collect();
    for chunk in messages.chunks(ROWS) {
        let mut q = sqlx::QueryBuilder::<Db>::new(format!("INSERT INTO messages ({MSG_COLS}) "));
        q.push_values(chunk, |mut b, (seq, m)| {
            let (akind, aid, aname) = author_cols(&m.author);
            b.push_bind(m.tenant.as_str().to_string())
                .push_bind(m.id.to_string())
                .push_bind(m.conversation.to_string())
                .push_bind(*seq)
                .push_bind(akind)
                .push_bind(aid)
                .push_bind(aname)
                .push_bind(m.kind.as_str())
                .push_bind(m.body.clone())
                .push_bind(m.client_id.clone())
                .push_bind(to_json(&m.citations))
                .push_bind(m.system.as_ref().map(to_json))
                .push_bind(m.handled as i64)
                .push_bind(ts(m.created_at));
        });
        q.build().execute(&mut *tx).await.map_err(db)?;
    }
    let events: Vec<(&ImportedConversation, &backstop_core::event::Event)> = items
        .iter()
        .flat_map(|i| i.events.iter().map(move |e| (i, e)))
        .collect();
    for chunk in events.chunks(ROWS) {
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO events (tenant_id, conversation_id, kind, actor, reason, from_owner, to_owner, from_status, to_status, data, at) ",
        );
        q.push_values(chunk, |mut b, (i, e)| {
            b.push_bind(i.record.tenant.as_str().to_string())
                .push_bind(i.record.id.to_string())
                .push_bind(e.kind.as_str())
                .push_bind(e.actor.label())
                .push_bind(e.reason.clone())
                .push_bind(e.from_owner.as_ref().map(to_json))
                .push_bind(e.to_owner.as_ref().map(to_json))
                .push_bind(e.from_status.map(|s| s.as_str()))
                .push_bind(e.to_status.map(|s| s.as_str()))
                .push_bind(e.data.encode())
                .push_bind(ts(e.at));
        });
        q.build().execute(&mut *tx).await.map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(())
}
