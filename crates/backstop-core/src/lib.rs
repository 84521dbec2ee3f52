//! Backstop's domain model: what a conversation is, who owns it, and how the AI decides to hand over.
//!
//! Layout:
//! - [`action`]: a tenant's actions on the merchant's systems, as data (definition, parameters,
//!   the one request they make, the response fields the AI may read).
//! - [`ids`]: typed identifiers; every record belongs to a [`ids::TenantId`].
//! - [`conversation`]: the ownership state machine (owner and status are separate).
//! - [`event`]: the conversation's event vocabulary (kinds and typed data, versioned), which
//!   gap mining, analytics, QA, metering and webhooks read.
//! - [`message`]: message bodies, authors, citations.
//! - [`channel`]: the channels a customer writes on, their limits and reply windows, and an
//!   answer cut and formatted for one.
//! - [`routing`]: the signals a decision reads and the decision with its trace.
//! - [`policy`]: the per-tenant escalation policy (TOML rules, precedence, hysteresis) that decides.
//! - [`emotion`]: a conversation's emotion trajectory and its inflection points.
//! - [`handoff`]: the handoff packet an agent sees on top of a handed-over conversation.
//! - [`directory`]: tenants, teams, agents, customers.
//! - [`kb`]: what a valid knowledge-base article is, and the kinds of change to one.
//! - [`learn`]: candidate entries drafted from human answers, and conflicting figures.
//! - [`csat`]: the customer's rating of a resolved conversation.
//! - [`analytics`]: what one conversation adds to the hourly rollups (sums, keyed counts,
//!   duration buckets) and the delta when its facts change.
//! - [`billing`]: plans (a fee, volumes included, graduated tiers, soft and hard limits) and the
//!   monthly statement of a usage.
//! - [`outcome`]: one outcome per conversation (AI resolved, assisted, human, abandoned), read
//!   from its events, shared by analytics and billing.
//! - [`assignment`]: which available agent takes a handed-over conversation, and queue order.
//! - [`sla`]: the clock from hand-over to first human reply, breaches and offline tickets.
//! - [`hours`]: a team's business hours in its time zone.
//! - [`password`]: the password policy (length, trimming, common and trivial passwords).
//! - [`permission`]: what each role may do (the matrix the engine's one check reads).
//! - [`widget`]: a tenant's widget settings (colour, greeting, languages, allowed origins).
//! - [`apikey`]: API keys (scoped, shown once, stored as a hash) and what each scope reaches.
//!
//! Architecture invariant: this crate does no I/O, starts no tasks and reads no clock; callers pass
//! the time in.

pub mod action;
pub mod analytics;
pub mod apikey;
pub mod assignment;
pub mod automation;
pub mod billing;
pub mod channel;
pub mod conversation;
pub mod csat;
pub mod directory;
pub mod emotion;
pub mod event;
pub mod generation;
pub mod guard;
pub mod handoff;
pub mod hours;
pub mod ids;
pub mod kb;
pub mod learn;
pub mod message;
pub mod outcome;
pub mod password;
pub mod permission;
pub mod policy;
pub mod routing;
pub mod sla;
pub mod widget;

pub use time::OffsetDateTime as Timestamp;

/// What is wrong with one field of a setting or form: the field's name as the API spells it and
/// the reason in words (pages show it beside the field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Collects [`FieldError`]s while a form is checked; `done` is `Ok` when there were none.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn bad(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Checks a required line of text: trimmed, not empty, at most `max` characters, no control
    /// characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        let v = value.trim();
        if v.is_empty() {
            self.bad(field, "is required");
        } else if v.chars().count() > max {
            self.bad(field, format!("is longer than {max} characters"));
        } else if v.chars().any(char::is_control) {
            self.bad(field, "cannot hold line breaks or control characters");
        }
    }

    pub fn done(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}
