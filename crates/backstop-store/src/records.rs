//! The records the store keeps, independent of any wire format.

use backstop_core::emotion::MoodPoint;
use backstop_core::policy::PolicyState;

use backstop_core::conversation::{Owner, Status};
use backstop_core::event::Event;
use backstop_core::handoff::HandoffPacket;
use backstop_core::ids::{AgentId, ArticleId, ConversationId, CustomerId, IntentExampleId, MessageId, TenantId};
use backstop_core::message::{Author, Citation, Lang, MessageKind, SystemNote};
use backstop_core::routing::HandoffReason;
use backstop_core::Timestamp;

#[derive(Clone, Debug, PartialEq)]
pub struct ConversationRecord {
    pub id: ConversationId,
    pub tenant: TenantId,
    pub customer: CustomerId,
    pub owner: Owner,
    pub status: Status,
    pub lang: Lang,
    pub topic: Option<String>,
    /// Turns in a row in which the AI found no confident answer.
    pub failed_turns: u32,
    pub handoff_reason: Option<HandoffReason>,
    /// When the conversation entered its current queue.
    pub queued_at: Option<Timestamp>,
    pub packet: Option<HandoffPacket>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_message_at: Option<Timestamp>,
    /// Sequence number of the last stored message (0 before any).
    pub last_seq: i64,
    /// The emotion radar's reading of each customer turn (the last 50).
    pub mood: Vec<MoodPoint>,
    /// What the escalation policy remembers between turns.
    pub policy_state: PolicyState,
    /// The customer's rating, once given.
    pub csat: Option<backstop_core::csat::Csat>,
    /// The clock of the latest hand-over (to the first human reply), with any offline ticket.
    pub sla: Option<backstop_core::sla::SlaClock>,
    /// The channel the conversation runs on now (an agent may move it to another).
    pub channel: backstop_core::channel::Channel,
    /// Where on that channel the customer is answered; `None` on the widget.
    pub reach: Option<Reach>,
}

/// Where a conversation's answers go on a provider's channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The tenant's connection they are sent through.
    pub connection: backstop_core::ids::ConnectionId,
    /// The customer's address on it: a WhatsApp id, a page-scoped id, a Telegram chat, an e-mail
    /// address.
    pub address: String,
}

impl ConversationRecord {
    /// A new conversation, owned by the AI and open, with no messages yet.
    pub fn new(id: ConversationId, tenant: TenantId, customer: CustomerId, lang: Lang, at: Timestamp) -> Self {
        ConversationRecord {
            id,
            tenant,
            customer,
            owner: Owner::Ai,
            status: Status::Open,
            lang,
            topic: None,
            failed_turns: 0,
            handoff_reason: None,
            queued_at: None,
            packet: None,
            created_at: at,
            updated_at: at,
            last_message_at: None,
            last_seq: 0,
            mood: Vec::new(),
            policy_state: PolicyState::default(),
            csat: None,
            sla: None,
            channel: backstop_core::channel::Channel::Web,
            reach: None,
        }
    }
}

/// Which conversations to list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConversationFilter {
    /// `ai`, `queue` or `agent`.
    pub owner_kind: Option<&'static str>,
    pub agent: Option<AgentId>,
    pub statuses: Vec<Status>,
    /// Only conversations with at least one message.
    pub with_messages: bool,
    pub limit: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewMessage {
    pub id: MessageId,
    pub tenant: TenantId,
    pub conversation: ConversationId,
    pub author: Author,
    pub kind: MessageKind,
    pub body: String,
    pub client_id: Option<String>,
    pub citations: Vec<Citation>,
    pub system: Option<SystemNote>,
    /// Customer messages start unhandled; the turn that answers them marks them handled.
    pub handled: bool,
    pub created_at: Timestamp,
}

impl NewMessage {
    /// A system line in `conv` at `at`: what happened (`note`) and its words (`body`, in the
    /// conversation's language). Handled: no turn answers it.
    pub fn system(conv: &ConversationRecord, note: SystemNote, body: String, at: Timestamp) -> NewMessage {
        NewMessage {
            id: MessageId::new_at(at),
            tenant: conv.tenant.clone(),
            conversation: conv.id,
            author: Author::System,
            kind: MessageKind::Text,
            body,
            client_id: None,
            citations: vec![],
            system: Some(note),
            handled: true,
            created_at: at,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MessageRecord {
    pub id: MessageId,
    pub tenant: TenantId,
    pub conversation: ConversationId,
    pub seq: i64,
    pub author: Author,
    pub kind: MessageKind,
    pub body: String,
    pub client_id: Option<String>,
    pub citations: Vec<Citation>,
    pub system: Option<SystemNote>,
    pub handled: bool,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Appended {
    pub message: MessageRecord,
    pub duplicate: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageQuery {
    /// Only messages with a larger sequence number.
    pub after_seq: i64,
    pub include_notes: bool,
    /// At most this many (the newest if `newest` is set), 0 = no limit.
    pub limit: u32,
    pub newest: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventRecord {
    pub id: i64,
    pub conversation: ConversationId,
    pub event: Event,
}

/// Everything one turn changes, applied atomically by [`crate::Store::apply_turn`].
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    pub conversation: ConversationRecord,
    pub events: Vec<Event>,
    pub messages: Vec<NewMessage>,
    pub handled: Vec<MessageId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArticleRecord {
    pub id: ArticleId,
    pub tenant: TenantId,
    pub slug: String,
    pub lang: Lang,
    pub topic: String,
    pub title: String,
    pub body: String,
    pub questions: Vec<String>,
    pub updated_at: Timestamp,
    /// 1 for a new article; each save adds one (set by the store).
    pub version: u32,
    /// Kept, with its history, but not used by the AI.
    pub archived: bool,
}

impl ArticleRecord {
    /// A new article (version 1, not archived) with the content of `draft`.
    pub fn from_draft(id: ArticleId, tenant: TenantId, draft: backstop_core::kb::ArticleDraft, at: Timestamp) -> Self {
        ArticleRecord {
            id,
            tenant,
            slug: draft.slug,
            lang: draft.lang,
            topic: draft.topic,
            title: draft.title,
            body: draft.body,
            questions: draft.questions,
            updated_at: at,
            version: 1,
            archived: false,
        }
    }

    /// This article with the content of `draft`, changed at `at` (id, version, archived kept).
    pub fn with_draft(self, draft: backstop_core::kb::ArticleDraft, at: Timestamp) -> Self {
        ArticleRecord {
            version: self.version,
            archived: self.archived,
            ..ArticleRecord::from_draft(self.id, self.tenant, draft, at)
        }
    }
}

/// One stored version of an article: its content then, how it changed and who changed it.
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleVersion {
    /// The content; `version` is this version's number, `updated_at` when it was saved.
    pub article: ArticleRecord,
    /// `create`, `update`, `archive`, `restore`, `revert` or `import`.
    pub change: String,
    /// The agent's e-mail, or `system` / `cli`.
    pub author: String,
}

/// A labelled example for a tenant's intent classifier.
#[derive(Clone, Debug, PartialEq)]
pub struct IntentExampleRecord {
    pub id: IntentExampleId,
    pub tenant: TenantId,
    pub text: String,
    /// An intent name (a knowledge-base slug, or any label the trainer uses); `oos` = out of scope.
    pub intent: String,
    /// Where it came from: `trainer`, `import`, …
    pub source: String,
    pub created_at: Timestamp,
}

/// One embedding to cache: `key` identifies the embedded text and its role.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbeddingRecord {
    pub key: String,
    pub vector: Vec<f32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    /// SHA-256 of the session token; the token itself is never stored.
    pub token_hash: String,
    pub tenant: TenantId,
    pub agent: AgentId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// When the session was last used (it ends after a while unused).
    pub last_seen_at: Timestamp,
}

/// What signing in needs to know of an agent.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentCredentials {
    pub agent: backstop_core::directory::Agent,
    pub password_hash: String,
    /// Failed sign-ins since the last success (or unlock).
    pub failed_logins: u32,
    /// Sign-ins are refused until then.
    pub locked_until: Option<Timestamp>,
}

/// A widget visitor: the customer their token belongs to, and the conversation reserved for them
/// (created when they first write).
#[derive(Clone, Debug, PartialEq)]
pub struct VisitorRecord {
    pub customer: CustomerId,
    pub pending_conversation: Option<ConversationId>,
}

/// A person's public reply to a customer, with the customer messages it answered (those since the
/// previous person's reply): what the copilot learns "past human answers" from.
#[derive(Clone, Debug, PartialEq)]
pub struct PastAnswer {
    pub conversation: ConversationId,
    pub message: MessageId,
    /// The customer's messages since the previous public agent reply, oldest first.
    pub questions: Vec<String>,
    pub answer: String,
    pub agent_name: String,
    /// The name the customer of that conversation gave, if any (to take out of the texts).
    pub customer_name: Option<String>,
    pub at: Timestamp,
}

/// One saved version of a tenant's escalation policy.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyRecord {
    pub tenant: TenantId,
    /// 1, 2, 3 … per tenant.
    pub version: u32,
    /// The TOML text as saved.
    pub source: String,
    /// Who saved it (an agent's e-mail, or "cli").
    pub author: String,
    pub created_at: Timestamp,
}

/// A tenant's generative-model settings as stored: the settings, the API key (never shown: only
/// its hint leaves the server) and who changed them last.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelRecord {
    pub settings: backstop_core::generation::ModelSettings,
    pub api_key: Option<String>,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

/// One version of a tenant's action: its definition (the JSON an admin saved; `None` when this
/// version removed the action), who saved it and when, and the action's secret, which is kept
/// apart from the versions and never leaves the server.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionRecord {
    pub tenant: TenantId,
    pub name: String,
    /// 1, 2, 3 … per action.
    pub version: u32,
    pub spec: Option<String>,
    pub secret: Option<String>,
    pub author: String,
    pub created_at: Timestamp,
}

/// What a save does to a stored key or secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyChange {
    Keep,
    Set(String),
    Clear,
}
