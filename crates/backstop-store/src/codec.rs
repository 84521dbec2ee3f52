//! Conversions between domain values and SQL columns, shared by the SQL backends (times as Unix
//! microseconds, enums as text, lists and structures as JSON text, flags as 0/1 integers), so a
//! record reads back the same from SQLite and PostgreSQL.

use backstop_core::assignment::Strategy;
use backstop_core::conversation::{Actor, Owner, Priority, Status};
use backstop_core::directory::{Agent, AgentRole, Customer, Team};
use backstop_core::event::{Event, EventData, EventKind};
use backstop_core::ids::{AgentId, ConversationId, MessageId, TeamId, TenantId};
use backstop_core::ids::{ArticleId, CustomerId};
use backstop_core::message::{Author, Lang, MessageKind};
use backstop_core::routing::TeamRole;
use backstop_core::Timestamp;
use sqlx::Row;
use uuid::Uuid;

use crate::{ArticleRecord, ConversationRecord, EventRecord, MessageRecord, StoreError};

/// The conversation columns, in the order the backends insert them.
pub const CONV_COLS: &str = "tenant_id, id, customer_id, owner_kind, owner_team, owner_agent, priority, priority_rank, status, lang, topic, failed_turns, handoff_reason, queued_at, packet, created_at, updated_at, last_message_at, last_seq, mood, policy_state, csat, sla, sla_due_at, channel, connection_id, contact";
/// The message columns, in the order the backends insert them.
pub const MSG_COLS: &str = "tenant_id, id, conversation_id, seq, author_kind, author_id, author_name, kind, body, client_id, citations, system, handled, created_at";

/// A result row of either SQL backend: text and 64-bit integer columns read by name.
pub trait Columns {
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;
}

impl<R> Columns for R
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.try_get(col).map_err(db)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.try_get(col).map_err(db)
    }
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.try_get(col).map_err(db)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(col).map_err(db)
    }
}

/// Whether the error is a unique-constraint violation (a duplicate key).
pub fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// The next SLA deadline to sweep for, if the clock is watching one.
pub fn sla_due(c: &ConversationRecord) -> Option<i64> {
    c.sla.as_ref().and_then(|s| s.due_at).map(ts)
}

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

pub fn uuid(row: &impl Columns, col: &str) -> Result<Uuid, StoreError> {
    let s = row.text(col)?;
    Uuid::parse_str(&s).map_err(|_| corrupt(col))
}

pub fn opt_uuid(row: &impl Columns, col: &str) -> Result<Option<Uuid>, StoreError> {
    let s = row.opt_text(col)?;
    s.map(|s| Uuid::parse_str(&s).map_err(|_| corrupt(col))).transpose()
}

pub fn json<T: serde::de::DeserializeOwned>(row: &impl Columns, col: &str) -> Result<T, StoreError> {
    let s = row.text(col)?;
    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

pub fn opt_json<T: serde::de::DeserializeOwned>(row: &impl Columns, col: &str) -> Result<Option<T>, StoreError> {
    let s = row.opt_text(col)?;
    s.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{col}: {e}"))))
        .transpose()
}

pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serializing plain data cannot fail")
}

pub fn lang(s: &str) -> Result<Lang, StoreError> {
    Lang::parse(s).ok_or_else(|| corrupt("lang"))
}

pub fn tenant(row: &impl Columns) -> Result<TenantId, StoreError> {
    let s = row.text("tenant_id")?;
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

pub fn conversation(row: &impl Columns) -> Result<ConversationRecord, StoreError> {
    let kind = row.text("owner_kind")?;
    let owner = match kind.as_str() {
        "ai" => Owner::Ai,
        "queue" => {
            let team = opt_uuid(row, "owner_team")?.ok_or_else(|| corrupt("owner_team"))?;
            let p = row.opt_text("priority")?;
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
    let status = row.text("status")?;
    let lang_s = row.text("lang")?;
    let reason = row.opt_text("handoff_reason")?;
    let queued_at = row.opt_int("queued_at")?;
    let last_message_at = row.opt_int("last_message_at")?;
    let failed = row.int("failed_turns")?;
    Ok(ConversationRecord {
        id: ConversationId(uuid(row, "id")?),
        tenant: tenant(row)?,
        customer: backstop_core::ids::CustomerId(uuid(row, "customer_id")?),
        owner,
        status: Status::parse(&status).ok_or_else(|| corrupt("status"))?,
        lang: lang(&lang_s)?,
        topic: row.opt_text("topic")?,
        failed_turns: failed.max(0) as u32,
        handoff_reason: reason
            .map(|r| backstop_core::routing::HandoffReason::parse(&r).ok_or_else(|| corrupt("handoff_reason")))
            .transpose()?,
        queued_at: queued_at.map(from_ts).transpose()?,
        packet: opt_json(row, "packet")?,
        created_at: from_ts(row.int("created_at")?)?,
        updated_at: from_ts(row.int("updated_at")?)?,
        last_message_at: last_message_at.map(from_ts).transpose()?,
        last_seq: row.int("last_seq")?,
        mood: opt_json(row, "mood")?.unwrap_or_default(),
        policy_state: opt_json(row, "policy_state")?.unwrap_or_default(),
        csat: opt_json(row, "csat")?,
        sla: opt_json(row, "sla")?,
        channel: {
            let c = row.text("channel")?;
            backstop_core::channel::Channel::parse(&c).ok_or_else(|| corrupt("channel"))?
        },
        reach: match (opt_uuid(row, "connection_id")?, row.opt_text("contact")?) {
            (Some(connection), Some(address)) => Some(crate::Reach {
                connection: backstop_core::ids::ConnectionId(connection),
                address,
            }),
            _ => None,
        },
    })
}

/// The channel columns of a conversation row: its channel, connection and contact address.
pub fn reach_cols(c: &ConversationRecord) -> (&'static str, Option<String>, Option<String>) {
    (
        c.channel.as_str(),
        c.reach.as_ref().map(|r| r.connection.to_string()),
        c.reach.as_ref().map(|r| r.address.clone()),
    )
}

pub fn author_cols(a: &Author) -> (&'static str, Option<String>, Option<String>) {
    match a {
        Author::Agent { id, name } => ("agent", Some(id.to_string()), Some(name.clone())),
        other => (other.kind(), None, None),
    }
}

pub fn message(row: &impl Columns) -> Result<MessageRecord, StoreError> {
    let kind = row.text("author_kind")?;
    let author = match kind.as_str() {
        "customer" => Author::Customer,
        "ai" => Author::Ai,
        "system" => Author::System,
        "agent" => Author::Agent {
            id: AgentId(opt_uuid(row, "author_id")?.ok_or_else(|| corrupt("author_id"))?),
            name: row.opt_text("author_name")?.unwrap_or_default(),
        },
        _ => return Err(corrupt("author_kind")),
    };
    let mkind = row.text("kind")?;
    let handled = row.int("handled")?;
    Ok(MessageRecord {
        id: MessageId(uuid(row, "id")?),
        tenant: tenant(row)?,
        conversation: ConversationId(uuid(row, "conversation_id")?),
        seq: row.int("seq")?,
        author,
        kind: MessageKind::parse(&mkind).ok_or_else(|| corrupt("kind"))?,
        body: row.text("body")?,
        client_id: row.opt_text("client_id")?,
        citations: json(row, "citations")?,
        system: opt_json(row, "system")?,
        handled: handled != 0,
        created_at: from_ts(row.int("created_at")?)?,
    })
}

/// An `events` row.
pub fn event_row(r: &impl Columns) -> Result<EventRecord, StoreError> {
    let from_status = r.opt_text("from_status")?;
    let to_status = r.opt_text("to_status")?;
    let kind = r.text("kind")?;
    let kind = EventKind::parse(&kind).ok_or_else(|| corrupt(&format!("event kind {kind:?}")))?;
    let actor = r.text("actor")?;
    let data = r.text("data")?;
    Ok(EventRecord {
        id: r.int("id")?,
        conversation: ConversationId(uuid(r, "conversation_id")?),
        event: Event {
            kind,
            actor: Actor::parse(&actor).ok_or_else(|| corrupt(&format!("event actor {actor:?}")))?,
            reason: r.opt_text("reason")?,
            from_owner: opt_json(r, "from_owner")?,
            to_owner: opt_json(r, "to_owner")?,
            from_status: from_status.as_deref().and_then(Status::parse),
            to_status: to_status.as_deref().and_then(Status::parse),
            data: EventData::decode(kind, &data).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            at: from_ts(r.int("at")?)?,
        },
    })
}

pub fn customer(row: &impl Columns) -> Result<Customer, StoreError> {
    let lang_s = row.opt_text("lang")?;
    Ok(Customer {
        id: CustomerId(uuid(row, "id")?),
        tenant: tenant(row)?,
        name: row.opt_text("name")?,
        email: row.opt_text("email")?,
        email_verified: row.int("email_verified")? != 0,
        tags: json(row, "tags")?,
        lang: lang_s.as_deref().map(lang).transpose()?,
    })
}

pub fn agent(row: &impl Columns) -> Result<Agent, StoreError> {
    let role = row.text("role")?;
    Ok(Agent {
        id: AgentId(uuid(row, "id")?),
        tenant: tenant(row)?,
        name: row.text("name")?,
        email: row.text("email")?,
        role: AgentRole::parse(&role).ok_or_else(|| corrupt("role"))?,
        team_ids: json(row, "team_ids")?,
        profile: json(row, "profile")?,
        active: row.int("active")? != 0,
    })
}

/// An `agents` row with what signing in needs.
pub fn credentials(row: &impl Columns) -> Result<crate::AgentCredentials, StoreError> {
    Ok(crate::AgentCredentials {
        agent: agent(row)?,
        password_hash: row.text("password_hash")?,
        failed_logins: u32::try_from(row.int("failed_logins")?).map_err(|_| corrupt("failed_logins"))?,
        locked_until: row.opt_int("locked_until")?.map(from_ts).transpose()?,
    })
}

pub fn session(r: &impl Columns) -> Result<crate::SessionRecord, StoreError> {
    Ok(crate::SessionRecord {
        token_hash: r.text("token_hash")?,
        tenant: tenant(r)?,
        agent: AgentId(uuid(r, "agent_id")?),
        created_at: from_ts(r.int("created_at")?)?,
        expires_at: from_ts(r.int("expires_at")?)?,
        last_seen_at: from_ts(r.int("last_seen_at")?)?,
    })
}

pub fn visitor(r: &impl Columns) -> Result<crate::VisitorRecord, StoreError> {
    Ok(crate::VisitorRecord {
        customer: CustomerId(uuid(r, "customer_id")?),
        pending_conversation: opt_uuid(r, "pending_conversation")?.map(ConversationId),
    })
}

pub fn team(r: &impl Columns) -> Result<Team, StoreError> {
    let role = r.text("role")?;
    let strategy = r.text("strategy")?;
    Ok(Team {
        id: TeamId(uuid(r, "id")?),
        tenant: tenant(r)?,
        name: r.text("name")?,
        names: json(r, "names")?,
        role: TeamRole::parse(&role).ok_or_else(|| corrupt("team role"))?,
        strategy: Strategy::parse(&strategy).ok_or_else(|| corrupt("team strategy"))?,
        hours: json(r, "hours")?,
        sla: json(r, "sla")?,
        languages: json(r, "languages")?,
    })
}

/// An `articles` row, or an `article_versions` row (id in `article_id`, time in `at`).
pub fn article(r: &impl Columns, id_col: &str, at_col: &str) -> Result<ArticleRecord, StoreError> {
    Ok(ArticleRecord {
        id: ArticleId(uuid(r, id_col)?),
        tenant: tenant(r)?,
        slug: r.text("slug")?,
        lang: lang(&r.text("lang")?)?,
        topic: r.text("topic")?,
        title: r.text("title")?,
        body: r.text("body")?,
        questions: json(r, "questions")?,
        updated_at: from_ts(r.int(at_col)?)?,
        version: r.int("version")? as u32,
        archived: r.int("archived")? != 0,
    })
}

/// An embedding as little-endian `f32` bytes.
pub fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub fn from_blob(b: &[u8]) -> Result<Vec<f32>, StoreError> {
    if !b.len().is_multiple_of(4) {
        return Err(StoreError::Corrupt(format!("an embedding of {} bytes", b.len())));
    }
    Ok(b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}
