//! One outcome per conversation, read from its event log: the rule analytics and billing share.
//!
//! [`Facts`] folds a conversation's events, in order, into what the rule and the reports need
//! (who spoke, when a person first answered, the hand-over's reason, the rating, the model's
//! tokens …). [`Facts::settle`] then says the conversation's [`Outcome`] at a moment:
//!
//! - **AI resolved** — no person answered the customer, the conversation is with the AI, and the
//!   AI's last real turn was an answer (an article, a written answer or an action's result, not a
//!   clarifying question) — or the customer confirmed it by resolving it themselves after an
//!   answer of the AI; it counts once the conversation is resolved or closed, or nothing has
//!   happened in it for the settlement window.
//! - **Assisted** — a person answered, and the AI answered the customer too (the AI helped, a
//!   person finished).
//! - **Human resolved** — a person answered and the AI answered nothing.
//! - **Abandoned** — nobody resolved it: handed over but no person answered, or the AI's last real
//!   turn was not an answer (or there was none), when it was resolved or closed or fell quiet.
//!
//! An outcome is **final** once nothing has happened in the conversation for the window — nothing
//! by the customer, the AI or a person: the system's own clocks (a missed target, an escalation,
//! a ticket) do not count — (a reopen or a new question within it changes the facts, so an AI resolution is taken back by
//! the next customer message that a person ends up answering). Before that, a conversation that
//! is resolved or closed — or that the customer confirmed — has a provisional outcome, and one
//! still going has none. The window is the tenant's (`SettleRule`).

use serde::{Deserialize, Serialize};

use crate::conversation::{Actor, Owner, Status};
use crate::event::{CopilotUse, Event, EventData, EventKind};
use crate::ids::{AgentId, TeamId};
use crate::routing::{Decision, HandoffReason};
use crate::Timestamp;

/// What became of a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    AiResolved,
    Assisted,
    HumanResolved,
    Abandoned,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::AiResolved,
        Outcome::Assisted,
        Outcome::HumanResolved,
        Outcome::Abandoned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::AiResolved => "ai_resolved",
            Outcome::Assisted => "assisted",
            Outcome::HumanResolved => "human_resolved",
            Outcome::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// How long a conversation must be quiet before its outcome is final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleRule {
    pub window_secs: u32,
}

impl SettleRule {
    /// One day: long enough for a customer to come back with "it didn't work".
    pub const DEFAULT_WINDOW_SECS: u32 = 24 * 3600;
    /// Windows from five minutes to thirty days.
    pub const MIN_WINDOW_SECS: u32 = 300;
    pub const MAX_WINDOW_SECS: u32 = 30 * 24 * 3600;

    pub fn new(window_secs: u32) -> Result<SettleRule, String> {
        if (Self::MIN_WINDOW_SECS..=Self::MAX_WINDOW_SECS).contains(&window_secs) {
            Ok(SettleRule { window_secs })
        } else {
            Err(format!(
                "the settlement window must be between {} s and {} s",
                Self::MIN_WINDOW_SECS,
                Self::MAX_WINDOW_SECS
            ))
        }
    }
}

impl Default for SettleRule {
    fn default() -> Self {
        SettleRule {
            window_secs: Self::DEFAULT_WINDOW_SECS,
        }
    }
}

/// A conversation's outcome at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settlement {
    /// None while the conversation is still going.
    pub outcome: Option<Outcome>,
    /// The outcome can no longer change (quiet for the whole window).
    pub is_final: bool,
    /// When it becomes final if nothing else happens.
    pub final_at: Timestamp,
    /// The customer confirmed the AI's resolution.
    pub confirmed: bool,
}

/// What the event log says about a conversation, folded in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    pub started_at: Timestamp,
    /// The newest event of the customer, the AI or a person (or the start): the settlement
    /// window runs from here.
    pub last_activity: Timestamp,
    pub status: Status,
    pub owner: Owner,
    /// The first answer of anyone — the AI's turn (an answer, a question, small talk or the
    /// hand-over's notice) or a person's reply.
    pub first_response_at: Option<Timestamp>,
    /// Customer turns the AI read (every decision event).
    pub customer_turns: u32,
    pub ai_answers: u32,
    pub ai_clarifications: u32,
    /// The AI's last turn that was neither small talk nor a hand-over answered the customer.
    pub ai_last_answered: bool,
    pub handoffs: u32,
    pub first_handoff_at: Option<Timestamp>,
    /// The first hand-over's reason.
    pub handoff_reason: Option<HandoffReason>,
    /// The team of the latest hand-over, transfer or escalation.
    pub team: Option<TeamId>,
    /// Public replies by people.
    pub person_replies: u32,
    pub first_person_reply_at: Option<Timestamp>,
    /// The person who answered last.
    pub agent: Option<AgentId>,
    /// The first reply after a hand-over met its target (none: no clock ended).
    pub sla_met: Option<bool>,
    pub sla_breaches: u32,
    pub ticket: bool,
    /// The current resolution (a reopen or customer message clears it) and who made it.
    pub resolved_at: Option<Timestamp>,
    pub resolved_by: Option<Actor>,
    pub reopens: u32,
    pub csat: Option<u8>,
    /// Replies by how they used the copilot: as is, edited, ignored.
    pub copilot: [u32; 3],
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub model_calls: u32,
    /// The strongest anger the radar read in a customer turn, 0–100.
    pub peak_anger: u8,
    /// The feeling the radar read most strongly in any customer turn (none below its 0.5 "yes").
    pub mood: Option<&'static str>,
    mood_score: f32,
    /// Turns that were an inflection of the customer's mood (anger rising, a drop after an answer).
    pub inflections: u32,
    /// The channel the customer wrote on (from the AI's signals; `web` before any turn).
    pub channel: Option<String>,
    /// Actions the AI ran against the merchant (each call).
    pub action_calls: u32,
}

impl Facts {
    /// The facts of a conversation that started at `started_at` with no events yet.
    pub fn new(started_at: Timestamp) -> Facts {
        Facts {
            started_at,
            last_activity: started_at,
            first_response_at: None,
            status: Status::Open,
            owner: Owner::Ai,
            customer_turns: 0,
            ai_answers: 0,
            ai_clarifications: 0,
            ai_last_answered: false,
            handoffs: 0,
            first_handoff_at: None,
            handoff_reason: None,
            team: None,
            person_replies: 0,
            first_person_reply_at: None,
            agent: None,
            sla_met: None,
            sla_breaches: 0,
            ticket: false,
            resolved_at: None,
            resolved_by: None,
            reopens: 0,
            csat: None,
            copilot: [0; 3],
            prompt_tokens: 0,
            completion_tokens: 0,
            model_calls: 0,
            peak_anger: 0,
            mood: None,
            mood_score: 0.0,
            inflections: 0,
            channel: None,
            action_calls: 0,
        }
    }

    /// Folds the events, oldest first.
    pub fn of<'a>(started_at: Timestamp, events: impl IntoIterator<Item = &'a Event>) -> Facts {
        let mut f = Facts::new(started_at);
        for e in events {
            f.add(e);
        }
        f
    }

    /// Adds one event (events come in the order they were recorded).
    pub fn add(&mut self, e: &Event) {
        // The system's own clocks (a missed target, an escalation, a ticket, an automatic
        // assignment) are not activity: a conversation nobody answers still falls quiet.
        if e.actor != Actor::System {
            self.last_activity = self.last_activity.max(e.at);
        }
        if let Some(owner) = e.to_owner {
            self.owner = owner;
            if let Owner::Queue { team, .. } = owner {
                self.team = Some(team);
            }
        }
        if let Some(status) = e.to_status {
            if matches!(status, Status::Open | Status::Snoozed) && self.status == Status::Resolved {
                self.reopens += 1;
                self.resolved_at = None;
                self.resolved_by = None;
            }
            self.status = status;
        }
        if let EventData::Decision { trace, .. } = &e.data {
            self.customer_turns += 1;
            self.first_response_at.get_or_insert(e.at);
            let e = &trace.signals.emotion;
            self.peak_anger = self.peak_anger.max((e.anger.clamp(0.0, 1.0) * 100.0).round() as u8);
            for (name, score) in [
                ("anger", e.anger),
                ("frustration", e.frustration),
                ("anxiety", e.anxiety),
                ("sadness", e.sadness),
                ("satisfaction", e.satisfaction),
            ] {
                if score >= 0.5 && score > self.mood_score {
                    self.mood = Some(name);
                    self.mood_score = score;
                }
            }
            if trace.signals.inflection.is_some() {
                self.inflections += 1;
            }
            if self.channel.is_none() && !trace.signals.channel.is_empty() {
                self.channel = Some(trace.signals.channel.clone());
            }
            if let Some(g) = &trace.generation {
                for a in &g.attempts {
                    self.model_calls += 1;
                    self.prompt_tokens += u64::from(a.prompt_tokens);
                    self.completion_tokens += u64::from(a.completion_tokens);
                }
            }
            if let Some(p) = &trace.pick {
                self.model_calls += 1;
                self.prompt_tokens += u64::from(p.prompt_tokens);
                self.completion_tokens += u64::from(p.completion_tokens);
            }
        }
        match (e.kind, &e.data) {
            (EventKind::AiAnswer, _) => {
                self.ai_answers += 1;
                self.ai_last_answered = true;
            }
            (EventKind::AiClarify, _) => {
                self.ai_clarifications += 1;
                self.ai_last_answered = false;
            }
            (EventKind::Handoff, data) => {
                self.handoffs += 1;
                self.ai_last_answered = false;
                if self.first_handoff_at.is_none() {
                    self.first_handoff_at = Some(e.at);
                    self.handoff_reason = match data {
                        EventData::Decision { trace, .. } => match trace.decision {
                            Decision::Handoff { reason, .. } => Some(reason),
                            _ => None,
                        },
                        _ => None,
                    }
                    .or_else(|| e.reason.as_deref().and_then(HandoffReason::parse));
                }
            }
            (EventKind::AgentReply, _) => {
                self.person_replies += 1;
                self.first_person_reply_at.get_or_insert(e.at);
                self.first_response_at.get_or_insert(e.at);
                if let Actor::Agent(a) = e.actor {
                    self.agent = Some(a);
                }
            }
            // Logs from before agent replies were events: the first reply after a hand-over.
            (EventKind::FirstReply, EventData::FirstReply { met, .. }) => {
                self.sla_met = Some(*met);
                if self.first_person_reply_at.is_none() {
                    self.person_replies += 1;
                    self.first_person_reply_at = Some(e.at);
                    self.first_response_at.get_or_insert(e.at);
                    if let Actor::Agent(a) = e.actor {
                        self.agent = Some(a);
                    }
                }
            }
            (EventKind::SlaBreach, _) => {
                self.sla_breaches += 1;
                if self.first_person_reply_at.is_none() {
                    self.sla_met = Some(false);
                }
            }
            (EventKind::Ticket, _) => self.ticket = true,
            (EventKind::Resolve, _) => {
                self.resolved_at = Some(e.at);
                self.resolved_by = Some(e.actor);
            }
            (EventKind::Csat, EventData::Csat { rating, .. }) => self.csat = Some(*rating),
            (EventKind::Copilot, EventData::Copilot { used, .. }) => {
                let i = match used {
                    CopilotUse::AsIs => 0,
                    CopilotUse::Edited => 1,
                    CopilotUse::Ignored => 2,
                };
                self.copilot[i] += 1;
            }
            (EventKind::Action, EventData::Action(a)) => {
                if matches!(a.step, crate::action::dialogue::Step::Called { .. }) {
                    self.action_calls += 1;
                }
            }
            _ => {}
        }
    }

    /// A person answered the customer.
    pub fn person_answered(&self) -> bool {
        self.person_replies > 0
    }

    /// The customer confirmed the AI's answer by resolving the conversation themselves (after
    /// the AI answered something, and with no person in it).
    pub fn confirmed_by_customer(&self) -> bool {
        matches!(self.status, Status::Resolved | Status::Closed)
            && self.resolved_by == Some(Actor::Customer)
            && self.ai_answers > 0
            && !self.person_answered()
    }

    /// The outcome at `now` under `rule` (see the module's documentation).
    pub fn settle(&self, rule: SettleRule, now: Timestamp) -> Settlement {
        let final_at = self.final_at(rule);
        let quiet = now >= final_at;
        let ended = matches!(self.status, Status::Resolved | Status::Closed);
        let confirmed = self.confirmed_by_customer();
        let outcome = if !(quiet || ended) {
            None
        } else if self.person_answered() {
            Some(if self.ai_answers > 0 {
                Outcome::Assisted
            } else {
                Outcome::HumanResolved
            })
        } else if confirmed || (self.owner == Owner::Ai && self.ai_last_answered) {
            Some(Outcome::AiResolved)
        } else {
            Some(Outcome::Abandoned)
        };
        Settlement {
            outcome,
            is_final: quiet,
            final_at,
            confirmed,
        }
    }

    /// When the outcome becomes final if nothing else happens.
    pub fn final_at(&self, rule: SettleRule) -> Timestamp {
        self.last_activity + time::Duration::seconds(i64::from(rule.window_secs))
    }

    /// Milliseconds from the start to the first person's reply.
    pub fn time_to_person_ms(&self) -> Option<i64> {
        let from = self.first_handoff_at.unwrap_or(self.started_at);
        self.first_person_reply_at
            .map(|at| (at - from).whole_milliseconds() as i64)
    }
}

#[cfg(test)]
#[path = "outcome_tests.rs"]
mod tests;
