//! Conversions between domain values and SQLite columns (times as Unix microseconds, enums as
//! text, lists as JSON).

use backstop_core::conversation::{Owner, Priority, Status};
use backstop_core::ids::{AgentId, ConversationId, MessageId, TeamId, TenantId};
use backstop_core::message::{Author, Lang, MessageKind};
use backstop_core::Timestamp;
use backstop_store::{ConversationRecord, EventRecord, MessageRecord, NewEvent, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

pub fn ts(t: Timestamp) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

pub fn from_ts(v: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_unix_timestamp_nanos(v as i128 * 1_000).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn db(e: sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

pub fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub fn uuid(row: &SqliteRow, col: &str) -> Result<Uuid, StoreError> {
    let s: String = row.try_get(col).map_err(db)?;
    Uuid::parse_str(&s).map_err(|_| corrupt(col))
}

pub fn opt_uuid(row: &SqliteRow, col: &str) -> Result<Option<Uuid>, StoreError> {
    let s: Option<String> = row.try_get(col).map_err(db)?;
    s.map(|s| Uuid::parse_str(&s).map_err(|_| corrupt(col))).transpose()
}

pub fn json<T: serde::de::DeserializeOwned>(row: &SqliteRow, col: &str) -> Result<T, StoreError> {
    let s: String = row.try_get(col).map_err(db)?;
    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

pub fn opt_json<T: serde::de::DeserializeOwned>(row: &SqliteRow, col: &str) -> Result<Option<T>, StoreError> {
    let s: Option<String> = row.try_get(col).map_err(db)?;
    s.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}"))))
        .transpose()
}

pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serializing plain data cannot fail")
}

pub fn lang(s: &str) -> Result<Lang, StoreError> {
    Lang::parse(s).ok_or_else(|| corrupt("lang"))
}

pub fn tenant(row: &SqliteRow) -> Result<TenantId, StoreError> {
    let s: String = row.try_get("tenant_id").map_err(db)?;
    TenantId::parse(&s).map_err(|_| corrupt("tenant_id"))
}

/// Owner as (kind, team, agent, priority, priority rank).
pub fn owner_cols(o: &Owner) -> (&'static str, Option<String>, Option<String>, Option<&'static str>, i64) {
    match o {
        Owner::Ai => ("ai", None, None, None, 0),
        Owner::Queue { team, priority } => (
            "queue",
            Some(team.to_string()),
            None,
            Some(priority.as_str()),
            *priority as i64,
        ),
        Owner::Agent { agent } => ("agent", None, Some(agent.to_string()), None, 0),
    }
}

pub fn conversation(row: &SqliteRow) -> Result<ConversationRecord, StoreError> {
    let kind: String = row.try_get("owner_kind").map_err(db)?;
    let owner = match kind.as_str() {
        "ai" => Owner::Ai,
        "queue" => {
            let team = opt_uuid(row, "owner_team")?.ok_or_else(|| corrupt("owner_team"))?;
            let p: Option<String> = row.try_get("priority").map_err(db)?;
            let priority = p
                .as_deref()
                .and_then(Priority::parse)
                .ok_or_else(|| corrupt("priority"))?;
            Owner::Queue {
                team: TeamId(team),
                priority,
            }
        }
        "agent" => Owner::Agent {
            agent: AgentId(opt_uuid(row, "owner_agent")?.ok_or_else(|| corrupt("owner_agent"))?),
        },
        _ => return Err(corrupt("owner_kind")),
    };
    let status: String = row.try_get("status").map_err(db)?;
    let lang_s: String = row.try_get("lang").map_err(db)?;
    let reason: Option<String> = row.try_get("handoff_reason").map_err(db)?;
    let queued_at: Option<i64> = row.try_get("queued_at").map_err(db)?;
    let last_message_at: Option<i64> = row.try_get("last_message_at").map_err(db)?;
    let failed: i64 = row.try_get("failed_turns").map_err(db)?;
    Ok(ConversationRecord {
        id: ConversationId(uuid(row, "id")?),
        tenant: tenant(row)?,
        customer: backstop_core::ids::CustomerId(uuid(row, "customer_id")?),
        owner,
        status: Status::parse(&status).ok_or_else(|| corrupt("status"))?,
        lang: lang(&lang_s)?,
        topic: row.try_get("topic").map_err(db)?,
        failed_turns: failed.max(0) as u32,
        handoff_reason: reason
            .map(|r| backstop_core::routing::HandoffReason::parse(&r).ok_or_else(|| corrupt("handoff_reason")))
            .transpose()?,
        queued_at: queued_at.map(from_ts).transpose()?,
        packet: opt_json(row, "packet")?,
        created_at: from_ts(row.try_get("created_at").map_err(db)?)?,
        updated_at: from_ts(row.try_get("updated_at").map_err(db)?)?,
        last_message_at: last_message_at.map(from_ts).transpose()?,
        last_seq: row.try_get("last_seq").map_err(db)?,
        mood: opt_json(row, "mood")?.unwrap_or_default(),
        policy_state: opt_json(row, "policy_state")?.unwrap_or_default(),
        csat: opt_json(row, "csat")?,
        sla: opt_json(row, "sla")?,
    })
}

pub fn author_cols(a: &Author) -> (&'static str, Option<String>, Option<String>) {
    match a {
        Author::Agent { id, name } => ("agent", Some(id.to_string()), Some(name.clone())),
        other => (other.kind(), None, None),
    }
}

pub fn message(row: &SqliteRow) -> Result<MessageRecord, StoreError> {
    let kind: String = row.try_get("author_kind").map_err(db)?;
    let author = match kind.as_str() {
        "customer" => Author::Customer,
        "ai" => Author::Ai,
        "system" => Author::System,
        "agent" => Author::Agent {
            id: AgentId(opt_uuid(row, "author_id")?.ok_or_else(|| corrupt("author_id"))?),
            name: row
                .try_get::<Option<String>, _>("author_name")
                .map_err(db)?
                .unwrap_or_default(),
        },
        _ => return Err(corrupt("author_kind")),
    };
    let mkind: String = row.try_get("kind").map_err(db)?;
    let handled: i64 = row.try_get("handled").map_err(db)?;
    Ok(MessageRecord {
        id: MessageId(uuid(row, "id")?),
        tenant: tenant(row)?,
        conversation: ConversationId(uuid(row, "conversation_id")?),
        seq: row.try_get("seq").map_err(db)?,
        author,
        kind: MessageKind::parse(&mkind).ok_or_else(|| corrupt("kind"))?,
        body: row.try_get("body").map_err(db)?,
        client_id: row.try_get("client_id").map_err(db)?,
        citations: json(row, "citations")?,
        system: opt_json(row, "system")?,
        handled: handled != 0,
        created_at: from_ts(row.try_get("created_at").map_err(db)?)?,
    })
}

/// An `events` row.
pub fn event_row(r: &SqliteRow) -> Result<EventRecord, StoreError> {
    let from_status: Option<String> = r.try_get("from_status").map_err(db)?;
    let to_status: Option<String> = r.try_get("to_status").map_err(db)?;
    let data: String = r.try_get("data").map_err(db)?;
    Ok(EventRecord {
        id: r.try_get("id").map_err(db)?,
        conversation: ConversationId(uuid(r, "conversation_id")?),
        event: NewEvent {
            kind: r.try_get("kind").map_err(db)?,
            actor: r.try_get("actor").map_err(db)?,
            reason: r.try_get("reason").map_err(db)?,
            from_owner: opt_json(r, "from_owner")?,
            to_owner: opt_json(r, "to_owner")?,
            from_status: from_status.as_deref().and_then(Status::parse),
            to_status: to_status.as_deref().and_then(Status::parse),
            data: serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            at: from_ts(r.try_get("at").map_err(db)?)?,
        },
    })
}
