//! The routing decision: given what understanding found in a customer turn, does the AI answer,
//! ask one clarifying question, or hand over — and to which team, how urgently, and why.
//!
//! The decision is pure: signals in, [`Decision`] out, with the rule that fired kept as a trace.
//! (The declarative per-tenant policy engine of a later issue replaces [`Policy`]'s fixed rules.)

use serde::{Deserialize, Serialize};

use crate::conversation::Priority;

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
}

impl HandoffReason {
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffReason::CustomerRequest => "customer_request",
            HandoffReason::NoAnswer => "no_answer",
            HandoffReason::Anger => "anger",
            HandoffReason::Vip => "vip",
            HandoffReason::OutOfScope => "out_of_scope",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::CustomerRequest,
            Self::NoAnswer,
            Self::Anger,
            Self::Vip,
            Self::OutOfScope,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
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
}

impl TeamRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::General => "general",
            TeamRole::Escalation => "escalation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "general" => Some(TeamRole::General),
            "escalation" => Some(TeamRole::Escalation),
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

/// Everything the decision looks at for one customer turn.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// The customer asked for a person.
    pub explicit_request: bool,
    pub retrieval: Retrieval,
    /// Clarifying questions the AI already asked in a row without then finding an answer.
    pub failed_turns: u32,
    /// Anger/frustration score in [0, 1].
    pub anger: f32,
    pub vip: bool,
    #[serde(default)]
    pub scope: Scope,
}

/// The fixed rules of the foundation, with their knobs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Anger at or above this hands the conversation to the escalation team.
    pub anger_threshold: f32,
    /// How many clarifying questions the AI may ask before it hands off.
    pub max_clarifications: u32,
    /// VIP customers go straight to a human.
    pub vip_to_human: bool,
    /// An out-of-scope question is answered only when retrieval is at least this confident.
    pub out_of_scope_override: f32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            anger_threshold: 0.6,
            max_clarifications: 1,
            vip_to_human: true,
            out_of_scope_override: 0.6,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    Answer,
    Clarify,
    Handoff {
        reason: HandoffReason,
        role: TeamRole,
        priority: Priority,
    },
}

/// A decision with the rule that produced it, stored for explanation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionTrace {
    pub decision: Decision,
    pub rule: String,
    pub signals: Signals,
}

impl Policy {
    pub fn decide(&self, s: &Signals) -> DecisionTrace {
        let (decision, rule) = self.rule(s);
        DecisionTrace {
            decision,
            rule: rule.to_owned(),
            signals: *s,
        }
    }

    fn rule(&self, s: &Signals) -> (Decision, &'static str) {
        let vip_priority = if s.vip { Priority::Urgent } else { Priority::High };
        if s.explicit_request {
            let (role, priority) = if s.vip {
                (TeamRole::Escalation, Priority::Urgent)
            } else {
                (TeamRole::General, Priority::Normal)
            };
            return (
                Decision::Handoff {
                    reason: HandoffReason::CustomerRequest,
                    role,
                    priority,
                },
                "explicit_request",
            );
        }
        if s.anger >= self.anger_threshold {
            let d = Decision::Handoff {
                reason: HandoffReason::Anger,
                role: TeamRole::Escalation,
                priority: vip_priority,
            };
            return (d, "anger_above_threshold");
        }
        if s.vip && self.vip_to_human {
            let d = Decision::Handoff {
                reason: HandoffReason::Vip,
                role: TeamRole::Escalation,
                priority: Priority::Urgent,
            };
            return (d, "vip_to_human");
        }
        let out_of_scope = s.scope == Scope::OutOfScope;
        match s.retrieval {
            Retrieval::Confident { confidence } if !out_of_scope || confidence >= self.out_of_scope_override => {
                (Decision::Answer, "confident_answer")
            }
            _ if s.failed_turns >= self.max_clarifications => {
                let (reason, rule) = if out_of_scope {
                    (HandoffReason::OutOfScope, "out_of_scope_after_clarifying")
                } else {
                    (HandoffReason::NoAnswer, "no_answer_after_clarifying")
                };
                let d = Decision::Handoff {
                    reason,
                    role: TeamRole::General,
                    priority: Priority::Normal,
                };
                (d, rule)
            }
            _ if out_of_scope => (Decision::Clarify, "out_of_scope_clarify"),
            _ => (Decision::Clarify, "clarify_once"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals() -> Signals {
        Signals {
            explicit_request: false,
            retrieval: Retrieval::Confident { confidence: 0.9 },
            failed_turns: 0,
            anger: 0.0,
            vip: false,
            scope: Scope::Unknown,
        }
    }

    #[test]
    fn confident_answers_are_sent() {
        let t = Policy::default().decide(&signals());
        assert_eq!(t.decision, Decision::Answer);
        assert_eq!(t.rule, "confident_answer");
    }

    #[test]
    fn clarify_once_then_hand_off() {
        let p = Policy::default();
        let mut s = Signals {
            retrieval: Retrieval::NoMatch,
            ..signals()
        };
        assert_eq!(p.decide(&s).decision, Decision::Clarify);
        s.failed_turns = 1;
        s.retrieval = Retrieval::Weak { confidence: 0.2 };
        assert_eq!(
            p.decide(&s).decision,
            Decision::Handoff {
                reason: HandoffReason::NoAnswer,
                role: TeamRole::General,
                priority: Priority::Normal
            }
        );
    }

    #[test]
    fn explicit_request_beats_a_confident_answer() {
        let s = Signals {
            explicit_request: true,
            ..signals()
        };
        let d = Policy::default().decide(&s).decision;
        assert_eq!(
            d,
            Decision::Handoff {
                reason: HandoffReason::CustomerRequest,
                role: TeamRole::General,
                priority: Priority::Normal
            }
        );
        let vip = Signals {
            explicit_request: true,
            vip: true,
            ..signals()
        };
        assert!(matches!(
            Policy::default().decide(&vip).decision,
            Decision::Handoff {
                role: TeamRole::Escalation,
                priority: Priority::Urgent,
                ..
            }
        ));
    }

    #[test]
    fn anger_goes_to_escalation() {
        let p = Policy::default();
        let calm = Signals {
            anger: 0.59,
            ..signals()
        };
        assert_eq!(p.decide(&calm).decision, Decision::Answer);
        let angry = Signals {
            anger: 0.6,
            ..signals()
        };
        assert_eq!(
            p.decide(&angry).decision,
            Decision::Handoff {
                reason: HandoffReason::Anger,
                role: TeamRole::Escalation,
                priority: Priority::High
            }
        );
    }

    #[test]
    fn vip_goes_to_a_human_unless_the_policy_says_otherwise() {
        let s = Signals { vip: true, ..signals() };
        assert_eq!(
            Policy::default().decide(&s).decision,
            Decision::Handoff {
                reason: HandoffReason::Vip,
                role: TeamRole::Escalation,
                priority: Priority::Urgent
            }
        );
        let relaxed = Policy {
            vip_to_human: false,
            ..Policy::default()
        };
        assert_eq!(relaxed.decide(&s).decision, Decision::Answer);
    }

    #[test]
    fn out_of_scope_vetoes_a_weakly_confident_answer() {
        let p = Policy::default();
        let oos = Signals {
            retrieval: Retrieval::Confident { confidence: 0.55 },
            scope: Scope::OutOfScope,
            ..signals()
        };
        let t = p.decide(&oos);
        assert_eq!(
            (t.decision, t.rule.as_str()),
            (Decision::Clarify, "out_of_scope_clarify")
        );
        let again = Signals { failed_turns: 1, ..oos };
        assert_eq!(
            p.decide(&again).decision,
            Decision::Handoff {
                reason: HandoffReason::OutOfScope,
                role: TeamRole::General,
                priority: Priority::Normal
            }
        );
        // A near-verbatim match is answered whatever the classifier says; in scope, 0.55 is enough.
        let strong = Signals {
            retrieval: Retrieval::Confident { confidence: 0.6 },
            ..oos
        };
        assert_eq!(p.decide(&strong).decision, Decision::Answer);
        let in_scope = Signals {
            scope: Scope::InScope,
            ..oos
        };
        assert_eq!(p.decide(&in_scope).decision, Decision::Answer);
    }

    #[test]
    fn reasons_round_trip() {
        for r in [
            HandoffReason::CustomerRequest,
            HandoffReason::NoAnswer,
            HandoffReason::Anger,
            HandoffReason::Vip,
            HandoffReason::OutOfScope,
        ] {
            assert_eq!(HandoffReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(HandoffReason::parse("bored"), None);
    }
}
