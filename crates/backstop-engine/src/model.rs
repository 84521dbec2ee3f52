//! The read models every room passes around and the hub carries live: a conversation as an inbox
//! list shows it ([`ConversationView`]), as the customer's widget shows it ([`WidgetState`]), and a
//! missed first-reply target as supervisors are told ([`SlaAlert`]). Plain data at the bottom of the
//! engine, so the hub (plumbing) carries what the conversations room builds without depending on it.

use backstop_core::conversation::Status;
use backstop_core::directory::{Agent, Customer, Team};
use backstop_core::ids::{ConversationId, TeamId};
use backstop_core::sla::{Breach, Ticket};
use backstop_core::Timestamp;
use backstop_store::{ConversationRecord, MessageRecord};

/// A conversation with the names and numbers an inbox list needs.
#[derive(Clone, Debug)]
pub struct ConversationView {
    pub record: ConversationRecord,
    pub customer: Option<Customer>,
    pub team: Option<Team>,
    pub agent: Option<Agent>,
    pub last_message: Option<MessageRecord>,
    pub queue_position: Option<u32>,
}

/// What the customer's widget shows about who is answering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WidgetState {
    pub owner: &'static str,
    pub agent_name: Option<String>,
    pub team_name: Option<String>,
    pub status: Status,
    pub queue_position: Option<u32>,
    /// The customer already rated this conversation.
    pub rated: bool,
    /// Estimated seconds until a person takes it (queue position × the team's recent waits).
    pub eta_seconds: Option<u32>,
    /// Nobody can answer now: when a person will.
    pub ticket: Option<backstop_core::sla::Ticket>,
}

impl WidgetState {
    /// A conversation reserved for a visitor who has not written yet: the AI answers, nothing else.
    pub fn unstarted() -> Self {
        WidgetState {
            owner: "ai",
            agent_name: None,
            team_name: None,
            status: Status::Open,
            queue_position: None,
            rated: false,
            eta_seconds: None,
            ticket: None,
        }
    }
}

impl ConversationView {
    pub fn widget_state(&self) -> WidgetState {
        WidgetState {
            owner: self.record.owner.kind(),
            agent_name: self.agent.as_ref().map(|a| a.name.clone()),
            team_name: self.team.as_ref().map(|t| t.display_name(self.record.lang).to_string()),
            status: self.record.status,
            queue_position: self.queue_position,
            rated: self.record.csat.is_some(),
            eta_seconds: None,
            ticket: self
                .record
                .sla
                .as_ref()
                .filter(|c| c.first_reply_at.is_none())
                .and_then(|c| c.ticket),
        }
    }
}

/// What supervisors are told when a first-reply target is missed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SlaAlert {
    pub conversation: ConversationId,
    pub team: TeamId,
    pub team_name: String,
    pub breach: Breach,
    pub target_secs: u32,
    /// Who took it when the fallback found someone.
    pub assigned_to: Option<String>,
    /// The promised time, when it became (or was) an offline ticket.
    pub ticket: Option<Ticket>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: Timestamp,
}

/// An AI answer as it is being written, for the widget and the inbox to show live: the part the
/// guard has passed so far (empty: the AI is typing). The stored message that follows replaces
/// it; `withdrawn` says nothing more of it will show and what was shown will not be sent as it is
/// (the guard stopped the rest, or the model failed) — another message follows or the
/// conversation is handed over. Never stored: what the customer keeps is the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Writing {
    pub tenant: backstop_core::ids::TenantId,
    pub conversation: ConversationId,
    pub text: String,
    pub withdrawn: bool,
}
