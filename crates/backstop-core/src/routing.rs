//! The routing decision: given what understanding found in a customer turn, does the AI answer,
//! ask one clarifying question, or hand over — and to which team, how urgently, and why.
//!
//! These are the types; [`crate::policy`] holds the per-tenant rules that turn [`Signals`] into a
//! [`DecisionTrace`].

use serde::{Deserialize, Serialize};

use crate::conversation::Priority;
use crate::emotion::{EmotionScores, Inflection};

/// Why a conversation left the AI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person (button or words).
    CustomerRequest,
    /// The AI found no confident answer twice in a row.
    NoAnswer,
    /// The customer is angry or frustrated.
    Anger,
    /// The customer is tagged VIP: humans serve them.
    Vip,
    /// The question is outside what the AI knows (the intent classifier's out-of-scope decision).
    OutOfScope,
    /// A threat to complain publicly, to a regulator or in court.
    Complaint,
    /// A sensitive topic the tenant keeps for people (legal, a refund above a limit …).
    Sensitive,
    /// The AI drafted an answer that a person must approve.
    Review,
    /// A tenant rule that names no more specific reason.
    Policy,
    /// The pre-send guard stopped the AI's answer and no safe answer was left to send.
    Guard,
    /// An action on the merchant's systems failed or was refused, or its rules want a person.
    ActionFailed,
}

impl HandoffReason {
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffReason::CustomerRequest => "customer_request",
            HandoffReason::NoAnswer => "no_answer",
            HandoffReason::Anger => "anger",
            HandoffReason::Vip => "vip",
            HandoffReason::OutOfScope => "out_of_scope",
            HandoffReason::Complaint => "complaint",
            HandoffReason::Sensitive => "sensitive",
            HandoffReason::Review => "review",
            HandoffReason::Policy => "policy",
            HandoffReason::Guard => "guard",
            HandoffReason::ActionFailed => "action_failed",
        }
    }

    pub const ALL: [HandoffReason; 11] = [
        Self::CustomerRequest,
        Self::NoAnswer,
        Self::Anger,
        Self::Vip,
        Self::OutOfScope,
        Self::Complaint,
        Self::Sensitive,
        Self::Review,
        Self::Policy,
        Self::Guard,
        Self::ActionFailed,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// How specific a reason is (0 the most): when several hold, the most specific is the
    /// hand-over's reason and the others are listed after it. A sensitive matter or a complaint
    /// says more about what the person must do than "the customer asked" or "angry".
    pub fn specificity(self) -> u8 {
        match self {
            HandoffReason::Sensitive => 0,
            HandoffReason::Complaint => 1,
            HandoffReason::CustomerRequest => 2,
            HandoffReason::Vip => 3,
            HandoffReason::Anger => 4,
            HandoffReason::OutOfScope => 5,
            HandoffReason::NoAnswer => 6,
            HandoffReason::Review => 7,
            HandoffReason::Policy => 8,
            HandoffReason::Guard => 9,
            HandoffReason::ActionFailed => 1,
        }
    }
}

/// Which kind of team should take a handoff; each tenant maps roles to its own teams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// General support: ordinary questions the AI could not settle.
    General,
    /// Complaints & VIP: angry customers, high-value customers.
    Escalation,
    /// Reached only by name — an automation rule's `assign_team` (buying intent to sales) or a
    /// person's transfer — never by the policy's hand-overs.
    Routed,
}

impl TeamRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::General => "general",
            TeamRole::Escalation => "escalation",
            TeamRole::Routed => "routed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "general" => Some(TeamRole::General),
            "escalation" => Some(TeamRole::Escalation),
            "routed" => Some(TeamRole::Routed),
            _ => None,
        }
    }
}

/// What retrieval found for the customer's turn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Retrieval {
    /// An article answers the question with enough confidence to send it.
    Confident {
        confidence: f32,
    },
    /// Something matched, but not well enough to send.
    Weak {
        confidence: f32,
    },
    NoMatch,
}

/// Whether the question is within what the AI knows, by the tenant's intent classifier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// No classifier ran (no embedding model, or too few intents to train one).
    #[default]
    Unknown,
    InScope,
    OutOfScope,
}

/// A topic the tenant may keep for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitive {
    /// Lawyers, courts, legal action.
    Legal,
    /// Money back (compared with a rule's `refund_above` using [`Signals::amount`]).
    Refund,
    /// A formal complaint, to the company or a regulator.
    Complaint,
    /// A product-safety incident: smoke, fire, shocks, an injury or damage to property.
    Safety,
    /// An account's security: stolen or hacked, a login, a change or an order the customer did
    /// not make.
    Security,
    /// A billing dispute: a charge taken twice or not recognised, a refund missing past its time.
    Billing,
    /// The customer asks for something to be done on their account or order (merge, cancel,
    /// change, file it for me): staff with access, or an AI action, not an article.
    AccountAction,
}

impl Sensitive {
    pub const ALL: [Sensitive; 7] = [
        Sensitive::Legal,
        Sensitive::Refund,
        Sensitive::Complaint,
        Sensitive::Safety,
        Sensitive::Security,
        Sensitive::Billing,
        Sensitive::AccountAction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sensitive::Legal => "legal",
            Sensitive::Refund => "refund",
            Sensitive::Complaint => "complaint",
            Sensitive::Safety => "safety",
            Sensitive::Security => "security",
            Sensitive::Billing => "billing",
            Sensitive::AccountAction => "account_action",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Everything the decision looks at for one customer turn. Fields after `scope` came with the
/// policy engine; traces stored before it read them as their defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// The customer asked for a person.
    pub explicit_request: bool,
    pub retrieval: Retrieval,
    /// Clarifying questions the AI already asked in a row without then finding an answer.
    pub failed_turns: u32,
    /// The radar's anger score in [0, 1] (0.5: the radar's "angry").
    pub anger: f32,
    pub vip: bool,
    #[serde(default)]
    pub scope: Scope,
    /// The radar's five scores for this turn.
    #[serde(default)]
    pub emotion: EmotionScores,
    /// How much anger rose over the conversation's recent turns (see [`crate::emotion`]).
    #[serde(default)]
    pub anger_rise: f32,
    #[serde(default)]
    pub inflection: Option<Inflection>,
    /// The customer's turn number in this conversation, from 1.
    #[serde(default)]
    pub turn: u32,
    /// The intent (knowledge-base topic) understanding found, when it found one.
    #[serde(default)]
    pub intent: Option<String>,
    /// A threat to complain publicly, to a regulator or in court.
    #[serde(default)]
    pub threat: bool,
    #[serde(default)]
    pub profanity: bool,
    #[serde(default)]
    pub sensitive: Vec<Sensitive>,
    /// The largest amount of money the customer mentioned (see `amount_above`, `refund_above`).
    #[serde(default)]
    pub amount: Option<f64>,
    /// The customer's value to the tenant (e.g. lifetime spend), when the tenant records it.
    #[serde(default)]
    pub customer_value: Option<f64>,
    #[serde(default = "default_channel")]
    pub channel: String,
    #[serde(default = "yes")]
    pub business_hours: bool,
    /// Agents online with room for one more conversation; `None` when unknown.
    #[serde(default)]
    pub agents_available: Option<u32>,
    /// The common shop topic the question asks about when the knowledge base does not cover it
    /// (gift cards, price protection …): the closest article is then not an answer, so
    /// `retrieval` is at most weak and `scope` out of scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncovered: Option<String>,
    /// The tenant's action that does what the customer asks, or the one under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

fn default_channel() -> String {
    "web".into()
}

fn yes() -> bool {
    true
}

impl Signals {
    /// Signals with nothing remarkable in them: no answer found, calm, first turn.
    pub fn quiet() -> Signals {
        Signals {
            explicit_request: false,
            retrieval: Retrieval::NoMatch,
            failed_turns: 0,
            anger: 0.0,
            vip: false,
            scope: Scope::Unknown,
            emotion: EmotionScores::default(),
            anger_rise: 0.0,
            inflection: None,
            turn: 1,
            intent: None,
            threat: false,
            profanity: false,
            sensitive: Vec::new(),
            amount: None,
            customer_value: None,
            channel: default_channel(),
            business_hours: true,
            agents_available: None,
            uncovered: None,
            action: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    Answer,
    Clarify,
    /// The AI runs the action named in the signals (`Signals::action`).
    Act,
    Handoff {
        reason: HandoffReason,
        role: TeamRole,
        priority: Priority,
        #[serde(default)]
        tier: ServiceTier,
    },
    /// The AI drafts its answer, and a person of the team approves, edits or rejects it.
    Draft {
        role: TeamRole,
        priority: Priority,
    },
}

/// Who serves a conversation: L1 the AI alone, L2 a person helped by the AI (copilot), L3 a
/// specialist person alone (VIP, legal, large complaints).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ServiceTier {
    L1,
    #[default]
    L2,
    L3,
}

impl ServiceTier {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceTier::L1 => "L1",
            ServiceTier::L2 => "L2",
            ServiceTier::L3 => "L3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "L1" | "l1" => Some(ServiceTier::L1),
            "L2" | "l2" => Some(ServiceTier::L2),
            "L3" | "l3" => Some(ServiceTier::L3),
            _ => None,
        }
    }
}

/// Another rule whose conditions held too, but which came later in the policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    pub rule: String,
    pub decision: Decision,
}

/// A decision with the rule that produced it, stored for explanation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionTrace {
    pub decision: Decision,
    pub rule: String,
    pub signals: Signals,
    /// Rules that also matched, in policy order (what would have happened without `rule`).
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// The tenant's policy version that decided (0: the built-in default).
    #[serde(default)]
    pub policy_version: u32,
    /// For a hand-over: the reasons of every hand-over rule that held, most specific first (the
    /// first is the decision's own).
    #[serde(default)]
    pub reasons: Vec<HandoffReason>,
    /// What the tenant's generative model did with an answer decision: each call, the guard's
    /// verdict and findings, and how it ended (absent when no model wrote).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<crate::generation::Generation>,
    /// How the tenant's model chose the turn's action by tool calling (absent when it was not
    /// asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pick: Option<crate::generation::ActionPick>,
}
