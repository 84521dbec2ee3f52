//! The escalation policy engine: a tenant's rules, as data, deciding for each customer turn
//! whether the AI answers, clarifies, drafts for a person's approval, or hands over — to which
//! team, at which priority and service tier, and why.
//!
//! A policy is TOML ([`DEFAULT_POLICY`] is the built-in one and the reference for the format).
//! Rules are tried in order; the first whose conditions all hold decides, and the later ones that
//! also held are kept in the trace as alternatives. Parsing and validation reject anything unclear
//! with the line, the rule and the reason.
//!
//! One thing no policy can change: a customer who asks for a person is handed over (if the rules
//! would answer, the trace says so under [`GUARANTEE`]).
//!
//! Hysteresis keeps a conversation from flapping: while the rule that decided the previous turn
//! still matches, its emotion thresholds are lowered by `settings.hysteresis` (a customer who was
//! angry enough stays so until clearly calmer); for a few turns after a person hands the
//! conversation back to the AI, the emotion thresholds of hand-over rules are raised by the same
//! margin (the AI is not handed the conversation only to give it straight back).

use serde::{Deserialize, Serialize};

use crate::action::dialogue::PendingAction;
use crate::action::rules::ActionRule;
use crate::automation::{AutomationRule, Memory, MAX_AUTOMATIONS};
use crate::conversation::Priority;
use crate::emotion::Inflection;
use crate::routing::{
    Alternative, Decision, DecisionTrace, HandoffReason, Retrieval, Scope, Sensitive, ServiceTier, Signals, TeamRole,
};

/// The built-in policy: what a tenant gets until an admin saves their own.
pub const DEFAULT_POLICY: &str = include_str!("default-policy.toml");
/// The rule name in a trace when a request for a person overrode the tenant's rules.
pub const GUARANTEE: &str = "explicit_request_guarantee";
/// A policy may hold at most this many rules.
pub const MAX_RULES: usize = 200;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    /// The text is not valid TOML, or a field is unknown or of the wrong type.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// Well-formed, but a rule makes no sense.
    #[error("rule {rule:?}: {message}")]
    Rule { rule: String, message: String },
    /// An automation rule makes no sense; `line` is its table's.
    #[error("line {line}, automation {rule:?}: {message}")]
    Automation { line: usize, rule: String, message: String },
    #[error("{0}")]
    Policy(String),
}

/// Policy-wide knobs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The margin of the hysteresis on emotion thresholds (see the module documentation).
    pub hysteresis: f32,
    /// How many customer turns after a hand back the raised thresholds last.
    pub handback_cooldown_turns: u32,
    /// A VIP's hand-over is raised to at least this priority.
    pub vip_priority: Priority,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            hysteresis: 0.1,
            handback_cooldown_turns: 2,
            vip_priority: Priority::Urgent,
        }
    }
}

/// What retrieval found, as a condition names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    Confident,
    Weak,
    None,
}

/// A rule's conditions; every one given must hold (an empty `when` always holds).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    pub explicit_request: Option<bool>,
    pub vip: Option<bool>,
    pub customer_value_at_least: Option<f64>,
    /// What retrieval found: any of these.
    pub answer: Option<Vec<AnswerKind>>,
    pub confidence_at_least: Option<f32>,
    pub confidence_below: Option<f32>,
    /// The intent (knowledge-base topic) is one of these.
    pub intent_in: Option<Vec<String>>,
    pub out_of_scope: Option<bool>,
    pub anger_at_least: Option<f32>,
    pub frustration_at_least: Option<f32>,
    pub anxiety_at_least: Option<f32>,
    pub sadness_at_least: Option<f32>,
    pub satisfaction_below: Option<f32>,
    pub anger_rise_at_least: Option<f32>,
    /// The conversation is at one of these inflection points.
    pub inflection: Option<Vec<Inflection>>,
    pub turn_at_least: Option<u32>,
    pub failed_turns_at_least: Option<u32>,
    pub threat: Option<bool>,
    pub profanity: Option<bool>,
    /// Any of these sensitive topics came up.
    pub sensitive: Option<Vec<Sensitive>>,
    /// A refund was asked for, of more than this amount.
    pub refund_above: Option<f64>,
    /// The customer mentioned an amount of money larger than this (an order, a product, a
    /// refund — whatever it is for).
    pub amount_above: Option<f64>,
    pub channel_in: Option<Vec<String>>,
    pub business_hours: Option<bool>,
    /// At least one agent is available (`true`) or none is (`false`).
    pub agents_available: Option<bool>,
    /// One of the tenant's actions does what the customer asks (or one is under way).
    pub action_available: Option<bool>,
}

/// What a rule does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// The AI answers (or, with nothing confident to send, asks one clarifying question).
    Answer,
    Clarify,
    Handoff {
        team: TeamRole,
        #[serde(default = "normal")]
        priority: Priority,
        #[serde(default)]
        tier: ServiceTier,
        #[serde(default = "policy_reason")]
        reason: HandoffReason,
    },
    /// The AI runs the tenant's action for what the customer asks (`action_available`), within
    /// the `[[action_rule]]` tables and with the customer's confirmation before any change.
    Act,
    /// The AI drafts its answer; a person of `team` approves, edits or rejects it.
    Draft {
        team: TeamRole,
        #[serde(default = "normal")]
        priority: Priority,
    },
}

pub(crate) fn normal() -> Priority {
    Priority::Normal
}

pub(crate) fn policy_reason() -> HandoffReason {
    HandoffReason::Policy
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub when: Conditions,
    pub then: Action,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    settings: Settings,
    #[serde(default, rename = "rule")]
    rules: Vec<Rule>,
    #[serde(default, rename = "action_rule")]
    action_rules: Vec<ActionRule>,
    #[serde(default, rename = "automation")]
    automations: Vec<toml::Spanned<AutomationRule>>,
}

/// A parsed, validated policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub settings: Settings,
    pub rules: Vec<Rule>,
    /// The rules judged before a state-changing action runs (see [`crate::action::rules`]).
    pub action_rules: Vec<ActionRule>,
    /// What happens around the AI's answers (see [`crate::automation`]).
    pub automations: Vec<AutomationRule>,
    /// The tenant's version number (0: the built-in default).
    pub version: u32,
}

/// What the policy remembers between turns of one conversation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyState {
    /// The rule that decided the previous customer turn.
    #[serde(default)]
    pub last_rule: Option<String>,
    /// Customer turns since a person handed the conversation back, while the cool-down lasts.
    #[serde(default)]
    pub turns_since_handback: Option<u32>,
    /// The action under way: what it still needs from the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<PendingAction>,
    /// What the automation rules did and remember (see [`crate::automation::Memory`]).
    #[serde(default, skip_serializing_if = "Memory::is_empty")]
    pub automation: Memory,
}

impl Policy {
    /// The built-in policy.
    pub fn builtin() -> Policy {
        Policy::parse(DEFAULT_POLICY).expect("the built-in policy is valid")
    }

    /// Parses and validates a policy's TOML text.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let doc: Document = toml::from_str(text).map_err(|e| syntax(text, &e))?;
        let automations = doc
            .automations
            .into_iter()
            .map(|s| {
                let line = line_of(text, s.span().start);
                let mut rule = s.into_inner();
                rule.line = line;
                rule
            })
            .collect();
        let policy = Policy {
            settings: doc.settings,
            rules: doc.rules,
            action_rules: doc.action_rules,
            automations,
            version: 0,
        };
        policy.validate()?;
        Ok(policy)
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let s = &self.settings;
        if !(0.0..=0.5).contains(&s.hysteresis) {
            return Err(PolicyError::Policy(
                "settings.hysteresis must be between 0 and 0.5".into(),
            ));
        }
        if s.handback_cooldown_turns > 20 {
            return Err(PolicyError::Policy(
                "settings.handback_cooldown_turns must be at most 20".into(),
            ));
        }
        if self.rules.is_empty() {
            return Err(PolicyError::Policy("a policy needs at least one [[rule]]".into()));
        }
        if self.rules.len() > MAX_RULES {
            return Err(PolicyError::Policy(format!("a policy has at most {MAX_RULES} rules")));
        }
        let mut names = std::collections::HashSet::new();
        for r in &self.rules {
            let bad = |message: String| PolicyError::Rule {
                rule: r.name.clone(),
                message,
            };
            let name_ok = !r.name.is_empty()
                && r.name.len() <= 64
                && r.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !name_ok {
                return Err(bad("a name is 1–64 letters, digits, '_' or '-'".into()));
            }
            if !names.insert(r.name.as_str()) {
                return Err(bad("two rules have this name".into()));
            }
            let w = &r.when;
            for (field, v) in [
                ("confidence_at_least", w.confidence_at_least),
                ("confidence_below", w.confidence_below),
                ("anger_at_least", w.anger_at_least),
                ("frustration_at_least", w.frustration_at_least),
                ("anxiety_at_least", w.anxiety_at_least),
                ("sadness_at_least", w.sadness_at_least),
                ("satisfaction_below", w.satisfaction_below),
                ("anger_rise_at_least", w.anger_rise_at_least),
            ] {
                if let Some(v) = v {
                    if !(0.0..=1.0).contains(&v) {
                        return Err(bad(format!("{field} must be between 0 and 1, not {v}")));
                    }
                }
            }
            for (field, v) in [
                ("customer_value_at_least", w.customer_value_at_least),
                ("refund_above", w.refund_above),
                ("amount_above", w.amount_above),
            ] {
                if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
                    return Err(bad(format!("{field} must be a number of at least 0")));
                }
            }
            for (field, list) in [
                ("intent_in", w.intent_in.as_ref().map(Vec::len)),
                ("channel_in", w.channel_in.as_ref().map(Vec::len)),
                ("answer", w.answer.as_ref().map(Vec::len)),
                ("inflection", w.inflection.as_ref().map(Vec::len)),
                ("sensitive", w.sensitive.as_ref().map(Vec::len)),
            ] {
                if list == Some(0) {
                    return Err(bad(format!("{field} is an empty list: it could never hold")));
                }
            }
            if let (Some(lo), Some(hi)) = (w.confidence_at_least, w.confidence_below) {
                if lo >= hi {
                    return Err(bad("confidence_at_least must be below confidence_below".into()));
                }
            }
            if w.refund_above.is_some() && w.sensitive.as_ref().is_some_and(|s| !s.contains(&Sensitive::Refund)) {
                return Err(bad(
                    "refund_above with a sensitive list that leaves out \"refund\"".into()
                ));
            }
            if let Action::Handoff { team, .. } | Action::Draft { team, .. } = r.then {
                if team == TeamRole::Routed {
                    return Err(bad(
                        "a hand-over goes to the general or escalation team; a routed team is reached by an [[automation]] rule's assign_team".into(),
                    ));
                }
            }
            if let Action::Handoff { tier, .. } = r.then {
                if tier == ServiceTier::L1 {
                    return Err(bad("a hand-over goes to tier L2 or L3 (L1 is the AI)".into()));
                }
            }
        }
        if self.action_rules.len() > MAX_RULES {
            return Err(PolicyError::Policy(format!(
                "a policy has at most {MAX_RULES} action rules"
            )));
        }
        let mut names = std::collections::HashSet::new();
        for r in &self.action_rules {
            let bad = |message: String| PolicyError::Rule {
                rule: r.name.clone(),
                message,
            };
            if !crate::action::schema::is_name(&r.name) {
                return Err(bad(
                    "an action rule's name is a lower-case letter, then letters, digits or _".into(),
                ));
            }
            if !names.insert(r.name.as_str()) {
                return Err(bad("two action rules have this name".into()));
            }
            crate::action::rules::validate(r).map_err(bad)?;
        }
        if self.automations.len() > MAX_AUTOMATIONS {
            return Err(PolicyError::Policy(format!(
                "a policy has at most {MAX_AUTOMATIONS} automation rules"
            )));
        }
        let mut names = std::collections::HashSet::new();
        for r in &self.automations {
            let bad = |message: String| PolicyError::Automation {
                line: r.line,
                rule: r.name.clone(),
                message,
            };
            crate::automation::validate(r).map_err(bad)?;
            if !names.insert(r.name.as_str()) {
                return Err(bad("two automation rules have this name".into()));
            }
        }
        Ok(())
    }

    /// Judges a state-changing action by the `[[action_rule]]` tables (see
    /// [`crate::action::rules::judge`]).
    pub fn judge_action(
        &self,
        action: &str,
        facts: &crate::action::rules::Facts,
    ) -> crate::action::rules::ActionJudgement {
        crate::action::rules::judge(&self.action_rules, action, facts)
    }

    /// Decides one customer turn.
    ///
    /// The first rule that holds decides whether the AI answers, clarifies, drafts or hands over.
    /// A hand-over then reflects every hand-over rule that holds too: the highest priority and
    /// tier among them, the team of the most urgent one (ties: the most specific reason, then
    /// policy order), and all their reasons, most specific first.
    pub fn decide(&self, s: &Signals, state: &PolicyState) -> DecisionTrace {
        let mut matched = self.rules.iter().filter(|r| self.holds(r, s, state));
        let (decision, rule) = match matched.next() {
            Some(r) => (self.decision(&r.then, s), r.name.clone()),
            None => (Decision::Clarify, "no_rule_matched".to_owned()),
        };
        let mut alternatives: Vec<Alternative> = matched
            .map(|r| Alternative {
                rule: r.name.clone(),
                decision: self.decision(&r.then, s),
            })
            .collect();
        // A customer who asks for a person gets one, whatever the rules say.
        let (decision, rule) = match decision {
            Decision::Answer | Decision::Clarify | Decision::Act if s.explicit_request => {
                alternatives.insert(0, Alternative { rule, decision });
                let asked = Action::Handoff {
                    team: TeamRole::General,
                    priority: Priority::Normal,
                    tier: ServiceTier::L2,
                    reason: HandoffReason::CustomerRequest,
                };
                (self.decision(&asked, s), GUARANTEE.to_owned())
            }
            d => (d, rule),
        };
        let (decision, rule, alternatives, reasons) = merge(decision, rule, alternatives);
        DecisionTrace {
            decision,
            rule,
            signals: s.clone(),
            alternatives,
            policy_version: self.version,
            reasons,
            generation: None,
            pick: None,
        }
    }

    /// The state to remember after `trace` decided a turn.
    pub fn next_state(&self, state: &PolicyState, trace: &DecisionTrace) -> PolicyState {
        let cooling = state
            .turns_since_handback
            .map(|t| t + 1)
            .filter(|t| *t < self.settings.handback_cooldown_turns);
        PolicyState {
            last_rule: Some(trace.rule.clone()),
            turns_since_handback: cooling,
            action: state.action.clone(),
            automation: state.automation.clone(),
        }
    }

    fn decision(&self, action: &Action, s: &Signals) -> Decision {
        let raise = |p: Priority| if s.vip { p.max(self.settings.vip_priority) } else { p };
        match *action {
            Action::Answer => match s.retrieval {
                Retrieval::Confident { .. } => Decision::Answer,
                _ => Decision::Clarify,
            },
            Action::Clarify => Decision::Clarify,
            // Only when an action is there to run: a rule without `action_available` clarifies.
            Action::Act if s.action.is_some() => Decision::Act,
            Action::Act => Decision::Clarify,
            Action::Handoff {
                team,
                priority,
                tier,
                reason,
            } => Decision::Handoff {
                reason,
                role: team,
                priority: raise(priority),
                tier,
            },
            Action::Draft { team, priority } => Decision::Draft {
                role: team,
                priority: raise(priority),
            },
        }
    }

    /// The hysteresis shift of `rule`'s emotion thresholds for this turn.
    fn shift(&self, rule: &Rule, state: &PolicyState) -> f32 {
        let h = self.settings.hysteresis;
        if state.last_rule.as_deref() == Some(rule.name.as_str()) {
            -h
        } else if state
            .turns_since_handback
            .is_some_and(|t| t < self.settings.handback_cooldown_turns)
            && matches!(rule.then, Action::Handoff { .. })
        {
            h
        } else {
            0.0
        }
    }

    fn holds(&self, rule: &Rule, s: &Signals, state: &PolicyState) -> bool {
        let w = &rule.when;
        let d = self.shift(rule, state);
        let is = |want: Option<bool>, have: bool| want.is_none_or(|v| v == have);
        let at_least = |t: Option<f32>, v: f32| t.is_none_or(|t| v >= t + d);
        let confidence = match s.retrieval {
            Retrieval::Confident { confidence } | Retrieval::Weak { confidence } => confidence,
            Retrieval::NoMatch => 0.0,
        };
        let kind = match s.retrieval {
            Retrieval::Confident { .. } => AnswerKind::Confident,
            Retrieval::Weak { .. } => AnswerKind::Weak,
            Retrieval::NoMatch => AnswerKind::None,
        };
        is(w.explicit_request, s.explicit_request)
            && is(w.vip, s.vip)
            && w.customer_value_at_least
                .is_none_or(|t| s.customer_value.is_some_and(|v| v >= t))
            && w.answer.as_ref().is_none_or(|k| k.contains(&kind))
            && w.confidence_at_least.is_none_or(|t| confidence >= t)
            && w.confidence_below.is_none_or(|t| confidence < t)
            && w.intent_in
                .as_ref()
                .is_none_or(|l| s.intent.as_ref().is_some_and(|i| l.contains(i)))
            && is(w.out_of_scope, s.scope == Scope::OutOfScope)
            && at_least(w.anger_at_least, s.emotion.anger.max(s.anger))
            && at_least(w.frustration_at_least, s.emotion.frustration)
            && at_least(w.anxiety_at_least, s.emotion.anxiety)
            && at_least(w.sadness_at_least, s.emotion.sadness)
            && w.satisfaction_below.is_none_or(|t| s.emotion.satisfaction < t - d)
            && at_least(w.anger_rise_at_least, s.anger_rise)
            && w.inflection
                .as_ref()
                .is_none_or(|l| s.inflection.is_some_and(|i| l.contains(&i)))
            && w.turn_at_least.is_none_or(|t| s.turn >= t)
            && w.failed_turns_at_least.is_none_or(|t| s.failed_turns >= t)
            && is(w.threat, s.threat)
            && is(w.profanity, s.profanity)
            && w.sensitive
                .as_ref()
                .is_none_or(|l| l.iter().any(|x| s.sensitive.contains(x)))
            && w.refund_above.is_none_or(|limit| {
                s.sensitive.contains(&Sensitive::Refund) && s.amount.is_some_and(|a| a > limit)
            })
            && w.amount_above.is_none_or(|limit| s.amount.is_some_and(|a| a > limit))
            && w.channel_in.as_ref().is_none_or(|l| l.contains(&s.channel))
            && is(w.business_hours, s.business_hours)
            // Unknown availability counts as available: the queue still takes the conversation.
            && w.agents_available
                .is_none_or(|want| (s.agents_available.unwrap_or(1) > 0) == want)
            && is(w.action_available, s.action.is_some())
    }
}

/// A hand-over decision combined with the other hand-over rules that held (see
/// [`Policy::decide`]); any other decision is returned as it is.
fn merge(
    decision: Decision,
    rule: String,
    alternatives: Vec<Alternative>,
) -> (Decision, String, Vec<Alternative>, Vec<HandoffReason>) {
    let Decision::Handoff { .. } = decision else {
        return (decision, rule, alternatives, Vec::new());
    };
    // Every hand-over that held, in policy order (the deciding one first).
    let mut all: Vec<Alternative> = Vec::with_capacity(alternatives.len() + 1);
    all.push(Alternative { rule, decision });
    all.extend(alternatives);
    let handoffs: Vec<(usize, HandoffReason, TeamRole, Priority, ServiceTier)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match a.decision {
            Decision::Handoff {
                reason,
                role,
                priority,
                tier,
            } => Some((i, reason, role, priority, tier)),
            _ => None,
        })
        .collect();
    let primary = handoffs
        .iter()
        .min_by_key(|(i, reason, _, priority, _)| (std::cmp::Reverse(*priority), reason.specificity(), *i))
        .copied()
        .expect("the deciding hand-over is among them");
    let mut reasons: Vec<HandoffReason> = Vec::new();
    let mut by_specificity: Vec<&(usize, HandoffReason, TeamRole, Priority, ServiceTier)> = handoffs.iter().collect();
    by_specificity.sort_by_key(|(i, reason, ..)| (reason.specificity(), *i));
    for (_, reason, ..) in by_specificity {
        if !reasons.contains(reason) {
            reasons.push(*reason);
        }
    }
    let tier = handoffs.iter().map(|h| h.4).max().unwrap_or(primary.4);
    let decision = Decision::Handoff {
        reason: reasons[0],
        role: primary.2,
        priority: primary.3,
        tier,
    };
    let rule = all[primary.0].rule.clone();
    let alternatives = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != primary.0)
        .map(|(_, a)| a)
        .collect();
    (decision, rule, alternatives, reasons)
}

/// The 1-based line of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Turns a TOML error into line and column (1-based) and the parser's message.
fn syntax(text: &str, e: &toml::de::Error) -> PolicyError {
    let (line, column) = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = line_of(text, span.start);
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column)
        }
        None => (0, 0),
    };
    PolicyError::Syntax {
        line,
        column,
        message: e.message().to_owned(),
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
