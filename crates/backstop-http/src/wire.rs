//! JSON shapes of the API (see docs/PROTOCOL.md). Domain and store types are turned into JSON here
//! and nowhere else.

use backstop_core::conversation::Owner;
use backstop_core::directory::Agent;
use backstop_core::Timestamp;
use backstop_engine::views::{ConversationDetail, ConversationView, WidgetState};
use backstop_store::{EventRecord, MessageRecord};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

pub fn time(t: Timestamp) -> Value {
    t.format(&Rfc3339).map(Value::String).unwrap_or(Value::Null)
}

pub fn message(m: &MessageRecord) -> Value {
    let (name, agent_id) = match &m.author {
        backstop_core::message::Author::Agent { id, name } => {
            (Value::String(name.clone()), Value::String(id.to_string()))
        }
        _ => (Value::Null, Value::Null),
    };
    json!({
        "id": m.id,
        "conversation_id": m.conversation,
        "seq": m.seq,
        "author": { "kind": m.author.kind(), "name": name, "agent_id": agent_id },
        "kind": m.kind.as_str(),
        "body": m.body,
        "client_id": m.client_id,
        "citations": m.citations.iter().map(|c| json!({ "article_id": c.article_id, "title": c.title })).collect::<Vec<_>>(),
        "system": m.system.as_ref().map(|s| json!({ "code": s.code, "team_name": s.team_name, "agent_name": s.agent_name })),
        "created_at": time(m.created_at),
    })
}

pub fn widget_state(s: &WidgetState) -> Value {
    json!({
        "owner": s.owner,
        "agent_name": s.agent_name,
        "team_name": s.team_name,
        "status": s.status.as_str(),
        "queue_position": s.queue_position,
        "rated": s.rated,
        "eta_seconds": s.eta_seconds,
        "ticket": s.ticket.as_ref().map(ticket),
    })
}

/// A team with its assignment strategy, business hours (and whether it is open at `now`) and
/// service targets.
pub fn team(t: &backstop_core::directory::Team, now: Timestamp) -> Value {
    json!({
        "id": t.id,
        "name": t.name,
        "role": t.role.as_str(),
        "strategy": t.strategy.as_str(),
        "hours": { "timezone": t.hours.timezone(), "open": t.hours.spec(), "open_now": t.hours.is_open(now) },
        "sla": {
            "vip_secs": t.sla.vip_secs,
            "standard_secs": t.sla.standard_secs,
            "ticket_reply_mins": t.sla.ticket_reply_mins,
        },
    })
}

/// A copilot suggestion with its source: an article, or a colleague's past answer.
pub fn suggestion(x: &backstop_engine::copilot::Suggestion) -> Value {
    use backstop_engine::copilot::Source;
    let source = match &x.source {
        Source::Article(id) => json!({ "kind": "article", "article_id": id }),
        Source::PastAnswer {
            conversation,
            agent_name,
            at,
        } => {
            json!({ "kind": "past_answer", "conversation_id": conversation, "agent_name": agent_name, "at": time(*at) })
        }
    };
    let article_id = match &x.source {
        Source::Article(id) => Some(*id),
        Source::PastAnswer { .. } => None,
    };
    json!({
        "article_id": article_id,
        "title": x.title,
        "text": x.text,
        "confidence": x.confidence,
        "source": source,
    })
}

/// A knowledge-base article.
pub fn article(a: &backstop_store::ArticleRecord) -> Value {
    json!({
        "id": a.id,
        "slug": a.slug,
        "lang": a.lang.as_str(),
        "topic": a.topic,
        "title": a.title,
        "body": a.body,
        "questions": a.questions,
        "version": a.version,
        "archived": a.archived,
        "updated_at": time(a.updated_at),
    })
}

/// A candidate knowledge-base entry drafted from a person's answer, with its provenance.
pub fn candidate(c: &backstop_core::learn::Candidate) -> Value {
    json!({
        "id": c.id,
        "conversation_id": c.conversation,
        "lang": c.lang.as_str(),
        "topic": c.topic,
        "question": c.question,
        "answer": c.answer,
        "agent_name": c.agent_name,
        "near": c.near.as_ref().map(|n| json!({ "article_id": n.article, "title": n.title, "confidence": n.confidence })),
        "conflict": c.conflict,
        "status": c.status.as_str(),
        "decided_by": c.decided_by,
        "decided_at": c.decided_at.map(time),
        "article_id": c.article,
        "created_at": time(c.created_at),
    })
}

/// One stored version of an article: its content then, how it changed and by whom.
pub fn article_version(v: &backstop_store::ArticleVersion) -> Value {
    let mut j = article(&v.article);
    j["change"] = json!(v.change);
    j["author"] = json!(v.author);
    j
}

pub fn ticket(t: &backstop_core::sla::Ticket) -> Value {
    json!({ "reason": t.reason.as_str(), "promised_by": time(t.promised_by) })
}

/// A hand-over's first-reply clock.
pub fn sla(c: &backstop_core::sla::SlaClock) -> Value {
    json!({
        "started_at": time(c.started_at),
        "target_secs": c.target_secs,
        "due_at": c.due_at.map(time),
        "breaches": c.breaches,
        "first_reply_at": c.first_reply_at.map(time),
        "first_reply_secs": c.first_reply_secs(),
        "met": c.met(),
        "ticket": c.ticket.as_ref().map(ticket),
    })
}

/// What supervisors are told when a first-reply target is missed.
pub fn alert(a: &backstop_engine::SlaAlert) -> Value {
    json!({
        "conversation_id": a.conversation,
        "team_id": a.team,
        "team_name": a.team_name,
        "breach": a.breach.number,
        "waited_secs": a.breach.waited_secs,
        "priority": a.breach.priority.as_str(),
        "next": a.breach.next,
        "target_secs": a.target_secs,
        "assigned_to": a.assigned_to,
        "ticket": a.ticket.as_ref().map(ticket),
        "at": time(a.at),
    })
}

pub fn conversation(v: &ConversationView) -> Value {
    let r = &v.record;
    let (team_id, priority) = match r.owner {
        Owner::Queue { team, priority } => (Some(team), Some(priority.as_str())),
        // With a person: the hand-over's priority (raised by missed first-reply targets).
        Owner::Agent { .. } => (None, r.packet.as_ref().map(|p| p.priority.as_str())),
        Owner::Ai => (None, None),
    };
    let agent_id = match r.owner {
        Owner::Agent { agent } => Some(agent),
        _ => None,
    };
    json!({
        "id": r.id,
        "status": r.status.as_str(),
        "lang": r.lang.as_str(),
        "customer": v.customer.as_ref().map(|c| json!({ "id": c.id, "name": c.name, "email": c.email, "email_verified": c.email_verified, "tags": c.tags })),
        "owner": {
            "kind": r.owner.kind(),
            "team_id": team_id,
            "team_name": v.team.as_ref().map(|t| t.name.clone()),
            "agent_id": agent_id,
            "agent_name": v.agent.as_ref().map(|a| a.name.clone()),
            "priority": priority,
        },
        "handoff_reason": r.handoff_reason.map(|h| h.as_str()),
        "topic": r.topic,
        "last_message": v.last_message.as_ref().map(|m| json!({
            "body": m.body,
            "author_kind": m.author.kind(),
            "system": m.system.as_ref().map(|s| json!({ "code": s.code, "team_name": s.team_name, "agent_name": s.agent_name })),
            "created_at": time(m.created_at),
        })),
        "waiting_since": if r.owner.kind() == "queue" { r.queued_at.map(time) } else { None },
        "queue_position": v.queue_position,
        "sla": r.sla.as_ref().map(sla),
        "updated_at": time(r.updated_at),
    })
}

pub fn packet(p: &backstop_core::handoff::HandoffPacket) -> Value {
    json!({
        "summary": p.summary,
        "topic": p.topic,
        "reason": p.reason.as_str(),
        "reason_text": p.reason_text,
        "team_id": p.team_id,
        "team_name": p.team_name,
        "priority": p.priority.as_str(),
        "tier": p.tier,
        "language": p.language.as_str(),
        "facts": p.facts,
        "ai_attempts": p.ai_attempts,
        "anger": { "score": p.anger.score, "cues": p.anger.cues },
        "rule": p.trace.as_ref().map(|t| t.rule.clone()),
        "trace": p.trace,
        "service_tier": p.service_tier.as_str(),
        "emotion": p.emotion,
        "mood": p.mood.iter().map(|m| json!({
            "turn": m.turn,
            "anger": m.scores.anger,
            "frustration": m.scores.frustration,
            "anxiety": m.scores.anxiety,
            "sadness": m.scores.sadness,
            "satisfaction": m.scores.satisfaction,
            "after_answer": m.after_answer,
            "at": time(m.at),
        })).collect::<Vec<_>>(),
        "inflection": p.inflection.map(|i| i.as_str()),
        "draft": p.draft,
        "draft_source": p.draft_source.as_ref().map(|c| json!({ "article_id": c.article_id, "title": c.title })),
        "created_at": time(p.created_at),
    })
}

pub fn event(e: &EventRecord) -> Value {
    json!({
        "at": time(e.event.at),
        "kind": e.event.kind,
        "reason": e.event.reason,
        "actor": e.event.actor,
        "from_owner": e.event.from_owner.map(|o| o.kind()),
        "to_owner": e.event.to_owner.map(|o| o.kind()),
        "from_status": e.event.from_status.map(|s| s.as_str()),
        "to_status": e.event.to_status.map(|s| s.as_str()),
    })
}

pub fn detail(d: &ConversationDetail) -> Value {
    json!({
        "conversation": conversation(&d.view),
        "messages": d.messages.iter().map(message).collect::<Vec<_>>(),
        "packet": d.view.record.packet.as_ref().map(packet),
        "events": d.events.iter().map(event).collect::<Vec<_>>(),
    })
}

pub fn agent(a: &Agent) -> Value {
    json!({ "id": a.id, "name": a.name, "email": a.email, "role": a.role.as_str(), "team_ids": a.team_ids, "active": a.active })
}

/// An agent with presence, capacity, skills and load (supervisor view).
pub fn agent_status(a: &backstop_engine::presence::AgentStatus) -> Value {
    let p = &a.agent.profile;
    json!({
        "agent": agent(&a.agent),
        "presence": a.presence,
        "active": a.active,
        "capacity": p.capacity,
        "languages": p.languages.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        "topics": p.topics,
    })
}

/// What rebuilding a tenant's understanding did.
pub fn kb_report(r: &backstop_engine::KbReport) -> Value {
    json!({
        "articles": r.articles,
        "vectors": r.vectors,
        "embedded": r.embedded,
        "intents": r.intents,
        "examples": r.examples,
        "threshold": r.threshold,
        "seconds": r.seconds,
    })
}

/// The policy in force: its version (0 = the built-in default), its TOML, and each rule in order
/// as the inbox shows it.
pub fn policy(version: u32, source: &str, p: &backstop_core::policy::Policy) -> Value {
    let rules: Vec<Value> = p
        .rules
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "description": r.description,
                "when": without_nulls(serde_json::to_value(&r.when).unwrap_or(Value::Null)),
                "then": r.then,
            })
        })
        .collect();
    json!({
        "version": version,
        "default": version == 0,
        "source": source,
        "settings": p.settings,
        "rules": rules,
    })
}

/// An object without its null members (conditions not given).
fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}
