//! The conversation's event vocabulary: every kind of event a conversation records, and the typed
//! facts each one carries. This is the spine later readers build on — gap mining today; analytics,
//! quality inspection, metering and outbound webhooks next — so it is written and read only
//! through these types, never as free-form JSON.
//!
//! An event is stored as its columns (kind, actor, reason, owner and status before and after,
//! time) plus [`EventData`] as JSON. New rows carry a version (`{"v":1,"type":…}`); rows written
//! before the vocabulary was typed have no version and are read by their kind
//! ([`EventData::decode`]), so a database keeps its history across the upgrade.

use serde::{Deserialize, Serialize};

use crate::assignment::{Strategy, Why};
use crate::conversation::{Actor, Owner, Status};
use crate::ids::{AgentId, MessageId, TeamId};
use crate::routing::DecisionTrace;
use crate::sla::{Breach, Ticket};
use crate::Timestamp;

/// The version new rows are written with.
pub const DATA_VERSION: u32 = 1;

macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// Every kind of event a conversation records.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum EventKind {
            $($(#[$doc])* $variant,)*
        }

        impl EventKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant,)*];

            /// The stored (and wire) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $name,)*
                }
            }

            pub fn parse(s: &str) -> Option<EventKind> {
                match s {
                    $($name => Some(EventKind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

kinds! {
    /// The AI (or the customer's button) handed the conversation to a team's queue.
    Handoff = "handoff",
    /// An agent took a queued or AI-owned conversation.
    Take = "take",
    /// The system gave a queued conversation to an agent.
    Assign = "assign",
    /// An agent passed the conversation to a colleague or another team.
    Transfer = "transfer",
    /// A missed first-reply target sent it back to the queue one priority higher.
    Escalate = "escalate",
    /// An agent gave the conversation back to the AI.
    HandBack = "hand_back",
    Resolve = "resolve",
    Reopen = "reopen",
    Snooze = "snooze",
    /// A customer message woke a snoozed conversation or reopened a resolved one.
    CustomerMessage = "customer_message",
    Close = "close",
    /// The AI answered a turn (the conversation stayed with it).
    AiAnswer = "ai_answer",
    /// The AI asked the customer to say more.
    AiClarify = "ai_clarify",
    /// The AI answered a greeting, thanks or goodbye.
    AiSmallTalk = "ai_small_talk",
    /// A reply's use of the copilot's suggestion.
    Copilot = "copilot",
    /// The first human reply after a hand-over (stops its clock).
    FirstReply = "first_reply",
    /// The customer rated the conversation.
    Csat = "csat",
    /// An agent rejected the AI's draft.
    DraftRejected = "draft_rejected",
    /// A hand-over nobody could take became a ticket with a promised reply time.
    Ticket = "ticket",
    /// A first-reply target was missed.
    SlaBreach = "sla_breach",
    /// A step of an action on the merchant's systems (asked, judged, confirmed, called …).
    Action = "action",
    /// An automation rule fired (which rule, on what, what it did).
    Automation = "automation",
    /// A person's public reply to the customer (analytics and the outcome read who answered).
    AgentReply = "agent_reply",
}

impl EventKind {
    /// Kinds that record a change of owner or status (the conversation machine's transitions).
    pub fn is_transition(self) -> bool {
        matches!(
            self,
            EventKind::Handoff
                | EventKind::Take
                | EventKind::Assign
                | EventKind::Transfer
                | EventKind::Escalate
                | EventKind::HandBack
                | EventKind::Resolve
                | EventKind::Reopen
                | EventKind::Snooze
                | EventKind::CustomerMessage
                | EventKind::Close
        )
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EventKind::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown event kind {s:?}")))
    }
}

/// One thing that happened to a conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub actor: Actor,
    /// Why, in words for people (the inbox's timeline shows it).
    pub reason: Option<String>,
    pub from_owner: Option<Owner>,
    pub to_owner: Option<Owner>,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub data: EventData,
    pub at: Timestamp,
}

impl Event {
    /// An event that changes neither owner nor status.
    pub fn note(kind: EventKind, actor: Actor, reason: Option<String>, data: EventData, at: Timestamp) -> Event {
        Event {
            kind,
            actor,
            reason,
            from_owner: None,
            to_owner: None,
            from_status: None,
            to_status: None,
            data,
            at,
        }
    }

    /// The event of an accepted transition of the conversation machine.
    pub fn transition(
        t: &crate::conversation::Transition,
        reason: Option<String>,
        data: EventData,
        at: Timestamp,
    ) -> Event {
        Event {
            kind: t.kind,
            actor: t.actor,
            reason,
            from_owner: Some(t.from.owner),
            to_owner: Some(t.to.owner),
            from_status: Some(t.from.status),
            to_status: Some(t.to.status),
            data,
            at,
        }
    }

    /// The customer text the AI decided on, for the events that record a decision.
    pub fn question(&self) -> Option<&str> {
        match &self.data {
            EventData::Decision { question, .. } => Some(question),
            _ => None,
        }
    }
}

/// How a reply used the copilot's suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopilotUse {
    AsIs,
    Edited,
    Ignored,
}

impl CopilotUse {
    pub fn as_str(self) -> &'static str {
        match self {
            CopilotUse::AsIs => "as_is",
            CopilotUse::Edited => "edited",
            CopilotUse::Ignored => "ignored",
        }
    }

    pub fn parse(s: &str) -> Option<CopilotUse> {
        [CopilotUse::AsIs, CopilotUse::Edited, CopilotUse::Ignored]
            .into_iter()
            .find(|u| u.as_str() == s)
    }

    /// As is when the sent text is the suggestion (whitespace aside), edited otherwise.
    pub fn of(sent: &str, suggested: &str) -> CopilotUse {
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        if squash(sent) == squash(suggested) {
            CopilotUse::AsIs
        } else {
            CopilotUse::Edited
        }
    }
}

/// The facts an event carries beyond its columns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventData {
    /// Nothing beyond the change itself.
    None,
    /// The AI's decision on a turn and the customer text it decided on (gap mining reads the
    /// question): on `ai_*` events and on the AI's `handoff`.
    Decision {
        trace: Box<DecisionTrace>,
        question: String,
    },
    /// Who was chosen for a queued conversation and how (`assign`).
    Assignment {
        why: Why,
        strategy: Strategy,
        /// Chosen among every team's agents after a missed first-reply target.
        any_team: bool,
    },
    /// How a reply used the copilot (`copilot`).
    Copilot { used: CopilotUse, message: MessageId },
    /// The first human reply after a hand-over (`first_reply`).
    FirstReply {
        seconds: i64,
        target_secs: u32,
        met: bool,
        breaches: u32,
        ticket: Option<Ticket>,
    },
    /// The customer's rating (`csat`).
    Csat { rating: u8, comment: Option<String> },
    /// The AI draft an agent rejected (`draft_rejected`).
    DraftRejected { draft: String },
    /// The ticket a hand-over became (`ticket`).
    Ticket { ticket: Ticket },
    /// A missed first-reply target (`sla_breach`).
    SlaBreach {
        breach: Breach,
        target_secs: u32,
        team: TeamId,
    },
    /// A step of an action (`action`).
    Action(Box<crate::action::dialogue::ActionEvent>),
    /// An automation rule's firing (`automation`).
    Automation(crate::automation::Firing),
    /// The reply a person sent (`agent_reply`).
    Reply { message: MessageId },
}

/// A stored payload that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("event data of a {kind} event: {detail}")]
pub struct DecodeError {
    pub kind: &'static str,
    pub detail: String,
}

#[derive(Serialize)]
struct StoredRef<'a> {
    v: u32,
    #[serde(flatten)]
    data: &'a EventData,
}

#[derive(Deserialize)]
struct Stored {
    v: u32,
    #[serde(flatten)]
    data: EventData,
}

impl EventData {
    /// The AI's decision on `question`.
    pub fn decision(trace: &DecisionTrace, question: &str) -> EventData {
        EventData::Decision {
            trace: Box::new(trace.clone()),
            question: question.into(),
        }
    }

    /// The stored form: `null` for [`EventData::None`], else the versioned, tagged object.
    pub fn encode(&self) -> String {
        match self {
            EventData::None => "null".into(),
            data => serde_json::to_string(&StoredRef { v: DATA_VERSION, data }).expect("event data serializes"),
        }
    }

    /// Reads a stored payload of an event of `kind`: a versioned one as it is, one from before
    /// the versions by the shape each kind was written with then.
    pub fn decode(kind: EventKind, raw: &str) -> Result<EventData, DecodeError> {
        let err = |detail: String| DecodeError {
            kind: kind.as_str(),
            detail,
        };
        let value: serde_json::Value = serde_json::from_str(raw).map_err(|e| err(e.to_string()))?;
        if value.is_null() {
            return Ok(EventData::None);
        }
        match value.get("v").and_then(serde_json::Value::as_u64) {
            Some(v) if v <= u64::from(DATA_VERSION) => {
                let stored: Stored = serde_json::from_value(value).map_err(|e| err(e.to_string()))?;
                debug_assert!(stored.v <= DATA_VERSION);
                Ok(stored.data)
            }
            Some(v) => Err(err(format!(
                "version {v} is newer than this build reads ({DATA_VERSION})"
            ))),
            None => legacy::decode(kind, value).map_err(|e| err(e.to_string())),
        }
    }
}

/// The payloads written before the vocabulary was typed (version 0): plain objects whose keys
/// depended on the kind.
mod legacy {
    use serde::Deserialize;
    use serde_json::Value;

    use super::*;

    #[derive(Deserialize)]
    struct Decision {
        trace: Box<DecisionTrace>,
        #[serde(default)]
        question: String,
    }

    #[derive(Deserialize)]
    struct Assignment {
        assignment: Why,
        strategy: Strategy,
        #[serde(default)]
        any_team: bool,
    }

    #[derive(Deserialize)]
    struct Copilot {
        #[serde(rename = "use")]
        used: CopilotUse,
        message: MessageId,
    }

    #[derive(Deserialize)]
    struct FirstReply {
        seconds: i64,
        target_secs: u32,
        met: bool,
        #[serde(default)]
        breaches: u32,
        #[serde(default)]
        ticket: Option<Ticket>,
    }

    #[derive(Deserialize)]
    struct Csat {
        rating: u8,
        #[serde(default)]
        comment: Option<String>,
    }

    #[derive(Deserialize)]
    struct DraftRejected {
        draft: String,
    }

    #[derive(Deserialize)]
    struct TicketData {
        ticket: Ticket,
    }

    #[derive(Deserialize)]
    struct SlaBreach {
        breach: Breach,
        target_secs: u32,
        team: TeamId,
    }

    pub(super) fn decode(kind: EventKind, v: Value) -> Result<EventData, serde_json::Error> {
        use serde_json::from_value as read;
        Ok(match kind {
            EventKind::AiAnswer | EventKind::AiClarify | EventKind::AiSmallTalk | EventKind::Handoff => {
                let d: Decision = read(v)?;
                EventData::Decision {
                    trace: d.trace,
                    question: d.question,
                }
            }
            EventKind::Assign => {
                let d: Assignment = read(v)?;
                EventData::Assignment {
                    why: d.assignment,
                    strategy: d.strategy,
                    any_team: d.any_team,
                }
            }
            EventKind::Copilot => {
                let d: Copilot = read(v)?;
                EventData::Copilot {
                    used: d.used,
                    message: d.message,
                }
            }
            EventKind::FirstReply => {
                let d: FirstReply = read(v)?;
                EventData::FirstReply {
                    seconds: d.seconds,
                    target_secs: d.target_secs,
                    met: d.met,
                    breaches: d.breaches,
                    ticket: d.ticket,
                }
            }
            EventKind::Csat => {
                let d: Csat = read(v)?;
                EventData::Csat {
                    rating: d.rating,
                    comment: d.comment,
                }
            }
            EventKind::DraftRejected => {
                let d: DraftRejected = read(v)?;
                EventData::DraftRejected { draft: d.draft }
            }
            EventKind::Ticket => {
                let d: TicketData = read(v)?;
                EventData::Ticket { ticket: d.ticket }
            }
            EventKind::SlaBreach => {
                let d: SlaBreach = read(v)?;
                EventData::SlaBreach {
                    breach: d.breach,
                    target_secs: d.target_secs,
                    team: d.team,
                }
            }
            // The other kinds were always written without data.
            _ => EventData::None,
        })
    }
}

impl Actor {
    /// Reads [`Actor::label`] back.
    pub fn parse(s: &str) -> Option<Actor> {
        match s {
            "customer" => Some(Actor::Customer),
            "ai" => Some(Actor::Ai),
            "system" => Some(Actor::System),
            _ => s
                .strip_prefix("agent:")
                .and_then(|id| id.parse().ok())
                .map(|id| Actor::Agent(AgentId(id))),
        }
    }
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
