//! Conversations on the wire: messages, the agents' and the widget's view of a conversation, the
//! handoff packet, events, the copilot, SLA clocks and alerts.

use backstop_core::conversation::Owner;
use backstop_engine::conversations::views::ConversationDetail;
use backstop_engine::model::{ConversationView, WidgetState as EngineWidgetState};
use backstop_store::{EventRecord, MessageRecord};
use serde::Serialize;
use utoipa::ToSchema;

use super::{json_of, time};

/// A message of a conversation.
#[derive(Serialize, ToSchema)]
pub struct Message {
    #[schema(value_type = String, format = Uuid)]
    pub id: backstop_core::ids::MessageId,
    #[schema(value_type = String, format = Uuid)]
    pub conversation_id: backstop_core::ids::ConversationId,
    /// 1, 2, 3 … within the conversation.
    pub seq: i64,
    pub author: MessageAuthor,
    /// `text` (public) or `note` (agents only).
    #[schema(example = "text")]
    pub kind: String,
    pub body: String,
    /// The sender's idempotency key, if it gave one.
    pub client_id: Option<String>,
    /// The knowledge-base articles an AI answer came from.
    pub citations: Vec<Citation>,
    /// What a system message announces (each client words it in its own language).
    pub system: Option<SystemNote>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageAuthor {
    /// `customer`, `ai`, `agent` or `system`.
    #[schema(example = "ai")]
    pub kind: String,
    /// The agent's name (agents only).
    pub name: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub agent_id: Option<backstop_core::ids::AgentId>,
}

#[derive(Serialize, ToSchema)]
pub struct Citation {
    #[schema(value_type = String, format = Uuid)]
    pub article_id: backstop_core::ids::ArticleId,
    pub title: String,
    /// The whole article, when the message quotes only the passage(s) that answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SystemNote {
    /// `handoff`, `agent_joined`, `handed_back`, `resolved`, `reopened` or `ticket`.
    #[schema(example = "handoff")]
    pub code: String,
    pub team_name: Option<String>,
    pub agent_name: Option<String>,
}

fn system_code(c: backstop_core::message::SystemCode) -> &'static str {
    use backstop_core::message::SystemCode as C;
    match c {
        C::Handoff => "handoff",
        C::AgentJoined => "agent_joined",
        C::HandedBack => "handed_back",
        C::Resolved => "resolved",
        C::Reopened => "reopened",
        C::Ticket => "ticket",
    }
}

fn system(s: &backstop_core::message::SystemNote) -> SystemNote {
    SystemNote {
        code: system_code(s.code).to_owned(),
        team_name: s.team_name.clone(),
        agent_name: s.agent_name.clone(),
    }
}

pub fn message(m: &MessageRecord) -> Message {
    let (name, agent_id) = match &m.author {
        backstop_core::message::Author::Agent { id, name } => (Some(name.clone()), Some(*id)),
        _ => (None, None),
    };
    Message {
        id: m.id,
        conversation_id: m.conversation,
        seq: m.seq,
        author: MessageAuthor {
            kind: m.author.kind().to_owned(),
            name,
            agent_id,
        },
        kind: m.kind.as_str().to_owned(),
        body: m.body.clone(),
        client_id: m.client_id.clone(),
        citations: m
            .citations
            .iter()
            .map(|c| Citation {
                article_id: c.article_id,
                title: c.title.clone(),
                article: c.article.clone(),
            })
            .collect(),
        system: m.system.as_ref().map(system),
        created_at: time(m.created_at),
    }
}

/// What the widget shows about its conversation: who answers, the queue, a ticket.
#[derive(Serialize, ToSchema)]
pub struct WidgetState {
    /// `ai`, `queue` or `agent`.
    #[schema(example = "ai")]
    pub owner: String,
    pub agent_name: Option<String>,
    pub team_name: Option<String>,
    /// `open`, `snoozed`, `resolved` or `closed`.
    #[schema(example = "open")]
    pub status: String,
    pub queue_position: Option<u32>,
    /// The customer already rated it.
    pub rated: bool,
    /// Estimated seconds until a person takes it.
    pub eta_seconds: Option<u32>,
    /// Nobody can answer now: when a person will.
    pub ticket: Option<Ticket>,
}

pub fn widget_state(s: &EngineWidgetState) -> WidgetState {
    WidgetState {
        owner: s.owner.to_owned(),
        agent_name: s.agent_name.clone(),
        team_name: s.team_name.clone(),
        status: s.status.as_str().to_owned(),
        queue_position: s.queue_position,
        rated: s.rated,
        eta_seconds: s.eta_seconds,
        ticket: s.ticket.as_ref().map(ticket),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Ticket {
    /// Why it became a ticket: `closed` (out of hours) or `nobody_online`, …
    pub reason: String,
    #[schema(format = DateTime)]
    pub promised_by: String,
}

pub fn ticket(t: &backstop_core::sla::Ticket) -> Ticket {
    Ticket {
        reason: t.reason.as_str().to_owned(),
        promised_by: time(t.promised_by),
    }
}

/// A hand-over's first-reply clock.
#[derive(Serialize, ToSchema)]
pub struct Sla {
    #[schema(format = DateTime)]
    pub started_at: String,
    pub target_secs: u32,
    #[schema(format = DateTime)]
    pub due_at: Option<String>,
    pub breaches: u32,
    #[schema(format = DateTime)]
    pub first_reply_at: Option<String>,
    pub first_reply_secs: Option<i64>,
    pub met: Option<bool>,
    pub ticket: Option<Ticket>,
}

pub fn sla(c: &backstop_core::sla::SlaClock) -> Sla {
    Sla {
        started_at: time(c.started_at),
        target_secs: c.target_secs,
        due_at: c.due_at.map(time),
        breaches: c.breaches,
        first_reply_at: c.first_reply_at.map(time),
        first_reply_secs: c.first_reply_secs(),
        met: c.met(),
        ticket: c.ticket.as_ref().map(ticket),
    }
}

/// What supervisors are told when a first-reply target is missed.
#[derive(Serialize, ToSchema)]
pub struct Alert {
    #[schema(value_type = String, format = Uuid)]
    pub conversation_id: backstop_core::ids::ConversationId,
    #[schema(value_type = String, format = Uuid)]
    pub team_id: backstop_core::ids::TeamId,
    pub team_name: String,
    /// 1 for the first breach of this hand-over.
    pub breach: u32,
    pub waited_secs: i64,
    #[schema(example = "high")]
    pub priority: String,
    /// What happens next (the fallback ladder's step).
    pub next: Fallback,
    pub target_secs: u32,
    pub assigned_to: Option<String>,
    pub ticket: Option<Ticket>,
    #[schema(format = DateTime)]
    pub at: String,
}

/// The next step after a missed first-reply target.
#[derive(Serialize, ToSchema)]
pub struct Fallback {
    /// `team` (the team's available agents, passing over whoever let it wait), `any_team` (any
    /// online agent of the tenant), `ticket` (nobody reachable: a promised reply time) or `alert`
    /// (a ticket's promise passed: supervisors are alerted again).
    #[schema(example = "any_team")]
    pub kind: String,
    /// With `team`: how the team chooses (`manual`, `round_robin`, `least_loaded`, `skills`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
}

fn fallback(f: backstop_core::sla::Fallback) -> Fallback {
    use backstop_core::sla::Fallback as F;
    let (kind, strategy) = match f {
        F::Team { strategy } => ("team", Some(strategy.as_str().to_owned())),
        F::AnyTeam => ("any_team", None),
        F::Ticket => ("ticket", None),
        F::Alert => ("alert", None),
    };
    Fallback {
        kind: kind.to_owned(),
        strategy,
    }
}

pub fn alert(a: &backstop_engine::SlaAlert) -> Alert {
    Alert {
        conversation_id: a.conversation,
        team_id: a.team,
        team_name: a.team_name.clone(),
        breach: a.breach.number,
        waited_secs: a.breach.waited_secs,
        priority: a.breach.priority.as_str().to_owned(),
        next: fallback(a.breach.next),
        target_secs: a.target_secs,
        assigned_to: a.assigned_to.clone(),
        ticket: a.ticket.as_ref().map(ticket),
        at: time(a.at),
    }
}

/// A conversation as the inbox lists it.
#[derive(Serialize, ToSchema)]
pub struct Conversation {
    #[schema(value_type = String, format = Uuid)]
    pub id: backstop_core::ids::ConversationId,
    #[schema(example = "open")]
    pub status: String,
    #[schema(example = "en")]
    pub lang: String,
    /// The channel it runs on: `web`, `email`, `whatsapp`, `messenger`, `instagram`, `telegram`
    /// or `api`.
    #[schema(example = "whatsapp")]
    pub channel: String,
    pub customer: Option<Customer>,
    pub owner: ConversationOwner,
    /// Why the AI handed it over, if it did.
    pub handoff_reason: Option<String>,
    pub topic: Option<String>,
    pub last_message: Option<LastMessage>,
    /// Queued since (only while in a queue).
    #[schema(format = DateTime)]
    pub waiting_since: Option<String>,
    pub queue_position: Option<u32>,
    pub sla: Option<Sla>,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// The customer, as agents see them. An e-mail the visitor typed is kept but `email_verified` is
/// false: only the host site's signature (or an operator) verifies one.
#[derive(Serialize, ToSchema)]
pub struct Customer {
    #[schema(value_type = String, format = Uuid)]
    pub id: backstop_core::ids::CustomerId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub email_verified: bool,
    pub tags: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationOwner {
    /// `ai`, `queue` or `agent`.
    #[schema(example = "queue")]
    pub kind: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub team_id: Option<backstop_core::ids::TeamId>,
    pub team_name: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub agent_id: Option<backstop_core::ids::AgentId>,
    pub agent_name: Option<String>,
    /// `normal`, `high` or `urgent` (queued, or the hand-over's while a person has it).
    pub priority: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LastMessage {
    pub body: String,
    pub author_kind: String,
    pub system: Option<SystemNote>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

pub fn conversation(v: &ConversationView) -> Conversation {
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
    Conversation {
        id: r.id,
        status: r.status.as_str().to_owned(),
        lang: r.lang.as_str().to_owned(),
        channel: r.channel.as_str().to_owned(),
        customer: v.customer.as_ref().map(|c| Customer {
            id: c.id,
            name: c.name.clone(),
            email: c.email.clone(),
            email_verified: c.email_verified,
            tags: c.tags.clone(),
        }),
        owner: ConversationOwner {
            kind: r.owner.kind().to_owned(),
            team_id,
            team_name: v.team.as_ref().map(|t| t.name.clone()),
            agent_id,
            agent_name: v.agent.as_ref().map(|a| a.name.clone()),
            priority: priority.map(str::to_owned),
        },
        handoff_reason: r.handoff_reason.map(|h| h.as_str().to_owned()),
        topic: r.topic.clone(),
        last_message: v.last_message.as_ref().map(|m| LastMessage {
            body: m.body.clone(),
            author_kind: m.author.kind().to_owned(),
            system: m.system.as_ref().map(system),
            created_at: time(m.created_at),
        }),
        waiting_since: if r.owner.kind() == "queue" {
            r.queued_at.map(time)
        } else {
            None
        },
        queue_position: v.queue_position,
        sla: r.sla.as_ref().map(sla),
        updated_at: time(r.updated_at),
    }
}

/// The handoff packet shown on top of a handed-over conversation.
#[derive(Serialize, ToSchema)]
pub struct Packet {
    pub summary: String,
    pub topic: Option<String>,
    pub reason: String,
    pub reason_text: String,
    #[schema(value_type = String, format = Uuid)]
    pub team_id: backstop_core::ids::TeamId,
    pub team_name: String,
    pub priority: String,
    /// `standard` or `vip`: the customer's tier.
    #[schema(example = "vip")]
    pub tier: String,
    /// `zh` or `en`: the nearer of the two first-class languages (the fixed replies' language).
    pub language: String,
    /// The customer's language as an ISO 639-1 code (`fr`, `ja`, …), when known.
    #[schema(example = "fr")]
    pub language_code: Option<String>,
    /// Facts the customer gave (order numbers, e-mail, …).
    pub facts: Vec<Fact>,
    /// What the AI tried, with its sources.
    pub ai_attempts: Vec<AiAttempt>,
    pub anger: Anger,
    /// The rule that decided.
    pub rule: Option<String>,
    /// The decision's trace: signals, rule, alternatives, policy version.
    pub trace: serde_json::Value,
    pub service_tier: String,
    /// The emotion radar's reading of the turn that handed over (absent for older hand-overs).
    pub emotion: Option<Emotion>,
    pub mood: Vec<MoodPoint>,
    pub inflection: Option<String>,
    /// The AI's answer waiting for a person's approval (draft mode).
    pub draft: Option<String>,
    pub draft_source: Option<Citation>,
    /// The conversation summarised by the tenant's model after the hand-over (absent until it
    /// is written, without a model, or when the guard stopped it).
    pub ai_summary: Option<ModelSummary>,
    /// The action the customer asked for that a person must decide or run.
    pub action: Option<super::actions::Proposed>,
    /// Tags the automation rules gave the conversation.
    pub tags: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A summary written by the tenant's model.
#[derive(Serialize, ToSchema)]
pub struct ModelSummary {
    pub text: String,
    /// The model that wrote it.
    pub model: String,
    #[schema(format = DateTime)]
    pub written_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct Anger {
    pub score: f32,
    pub cues: Vec<String>,
}

/// A fact the customer gave, as the AI extracted it.
#[derive(Serialize, ToSchema)]
pub struct Fact {
    /// `order_number`, `email`, `phone` or `amount`.
    #[schema(example = "order_number")]
    pub kind: String,
    pub value: String,
}

fn fact(f: &backstop_core::handoff::Fact) -> Fact {
    use backstop_core::handoff::FactKind as K;
    Fact {
        kind: match f.kind {
            K::OrderNumber => "order_number",
            K::Email => "email",
            K::Phone => "phone",
            K::Amount => "amount",
        }
        .to_owned(),
        value: f.value.clone(),
    }
}

/// One thing the AI tried before handing over.
#[derive(Serialize, ToSchema)]
pub struct AiAttempt {
    /// The customer's question.
    pub question: String,
    /// The article it answered from, if any.
    pub answer_title: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub article_id: Option<backstop_core::ids::ArticleId>,
    /// Whether the answer cleared the bar to be sent.
    pub confident: bool,
}

/// Feelings read in a message, each 0–1.
#[derive(Serialize, ToSchema)]
pub struct Emotion {
    pub anger: f32,
    pub frustration: f32,
    pub anxiety: f32,
    pub sadness: f32,
    pub satisfaction: f32,
}

#[derive(Serialize, ToSchema)]
pub struct MoodPoint {
    pub turn: u32,
    pub anger: f32,
    pub frustration: f32,
    pub anxiety: f32,
    pub sadness: f32,
    pub satisfaction: f32,
    pub after_answer: bool,
    #[schema(format = DateTime)]
    pub at: String,
}

pub fn packet(p: &backstop_core::handoff::HandoffPacket) -> Packet {
    Packet {
        summary: p.summary.clone(),
        topic: p.topic.clone(),
        reason: p.reason.as_str().to_owned(),
        reason_text: p.reason_text.clone(),
        team_id: p.team_id,
        team_name: p.team_name.clone(),
        priority: p.priority.as_str().to_owned(),
        tier: match p.tier {
            backstop_core::handoff::Tier::Standard => "standard",
            backstop_core::handoff::Tier::Vip => "vip",
        }
        .to_owned(),
        language: p.language.as_str().to_owned(),
        language_code: p.language_code.clone(),
        facts: p.facts.iter().map(fact).collect(),
        ai_attempts: p
            .ai_attempts
            .iter()
            .map(|a| AiAttempt {
                question: a.question.clone(),
                answer_title: a.answer_title.clone(),
                article_id: a.article_id,
                confident: a.confident,
            })
            .collect(),
        anger: Anger {
            score: p.anger.score,
            cues: p.anger.cues.clone(),
        },
        rule: p.trace.as_ref().map(|t| t.rule.clone()),
        trace: json_of(&p.trace),
        service_tier: p.service_tier.as_str().to_owned(),
        emotion: p.emotion.as_ref().map(|e| Emotion {
            anger: e.anger,
            frustration: e.frustration,
            anxiety: e.anxiety,
            sadness: e.sadness,
            satisfaction: e.satisfaction,
        }),
        mood: p
            .mood
            .iter()
            .map(|m| MoodPoint {
                turn: m.turn,
                anger: m.scores.anger,
                frustration: m.scores.frustration,
                anxiety: m.scores.anxiety,
                sadness: m.scores.sadness,
                satisfaction: m.scores.satisfaction,
                after_answer: m.after_answer,
                at: time(m.at),
            })
            .collect(),
        inflection: p.inflection.map(|i| i.as_str().to_owned()),
        draft: p.draft.clone(),
        draft_source: p.draft_source.as_ref().map(|c| Citation {
            article_id: c.article_id,
            title: c.title.clone(),
            article: None,
        }),
        ai_summary: p.ai_summary.as_ref().map(|m| ModelSummary {
            text: m.text.clone(),
            model: m.model.clone(),
            written_at: time(m.written_at),
        }),
        action: p.action.as_ref().map(super::actions::proposed),
        tags: p.tags.clone(),
        created_at: time(p.created_at),
    }
}

/// One transition of a conversation, with who did it and why.
#[derive(Serialize, ToSchema)]
pub struct Event {
    #[schema(format = DateTime)]
    pub at: String,
    pub kind: String,
    pub reason: Option<String>,
    pub actor: String,
    pub from_owner: Option<String>,
    pub to_owner: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
}

pub fn event(e: &EventRecord) -> Event {
    Event {
        at: time(e.event.at),
        kind: e.event.kind.as_str().to_owned(),
        reason: e.event.reason.clone(),
        actor: e.event.actor.label(),
        from_owner: e.event.from_owner.map(|o| o.kind().to_owned()),
        to_owner: e.event.to_owner.map(|o| o.kind().to_owned()),
        from_status: e.event.from_status.map(|s| s.as_str().to_owned()),
        to_status: e.event.to_status.map(|s| s.as_str().to_owned()),
    }
}

/// A conversation opened in the inbox: with its messages, packet and events.
#[derive(Serialize, ToSchema)]
pub struct Detail {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    pub packet: Option<Packet>,
    pub events: Vec<Event>,
}

pub fn detail(d: &ConversationDetail) -> Detail {
    Detail {
        conversation: conversation(&d.view),
        messages: d.messages.iter().map(message).collect(),
        packet: d.view.record.packet.as_ref().map(packet),
        events: d.events.iter().map(event).collect(),
    }
}

/// `{"conversation": …}`: what an action on a conversation left.
#[derive(Serialize, ToSchema)]
pub struct ConversationOut {
    pub conversation: Conversation,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationList {
    pub conversations: Vec<Conversation>,
}

/// An agent's message (a reply or a note) as stored, and the conversation after it.
#[derive(Serialize, ToSchema)]
pub struct Replied {
    pub message: Option<Message>,
    pub conversation: Option<Conversation>,
}

/// Open conversations whose first-reply target was missed.
#[derive(Serialize, ToSchema)]
pub struct Alerts {
    pub alerts: Vec<Conversation>,
}
