//! Rules before changes: the `[[action_rule]]` tables of a tenant's policy, judged before a
//! state-changing action runs (refunds up to an amount by the AI, above it by a person;
//! cancellation only before shipping). A rule names the actions it covers and conditions on the
//! values the action would run with — its parameters and the fields of its check (the order's
//! status, its total) — and says `allow`, `refuse` (with the words the customer is told) or
//! `handoff` (to a team, the action proposed in the packet).
//!
//! Rules are tried in order; the first whose conditions all hold decides; when none holds the
//! action may run (after the customer's confirmation). A condition on a value the action does not
//! have cannot be judged: the action then goes to a person, never runs on a guess.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Localized;
use crate::conversation::Priority;
use crate::routing::{HandoffReason, ServiceTier, TeamRole};

/// One `[[action_rule]]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRule {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The actions it covers (by name); none listed: every state-changing action.
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub when: ActionConditions,
    pub then: Verdict,
}

/// Conditions on the values an action would run with; every one given must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionConditions {
    /// Each named value is one of the listed ones (`{ status = ["shipped", "delivered"] }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is: Option<BTreeMap<String, Vec<String>>>,
    /// Each named value is none of the listed ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_not: Option<BTreeMap<String, Vec<String>>>,
    /// Each named value is a number above the given one (`{ amount = 500 }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<BTreeMap<String, f64>>,
    /// Each named value is a number of at most the given one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<BTreeMap<String, f64>>,
    /// The customer's identity was vouched for by the tenant's site (`true`) or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// What an action rule says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Verdict {
    /// The action runs once the customer confirms.
    Allow,
    /// The action does not run; the customer is told `message` (or a plain default).
    Refuse {
        #[serde(default, skip_serializing_if = "Localized::is_empty")]
        message: Localized,
    },
    /// A person decides: the conversation goes to `team` with the action proposed.
    Handoff {
        team: TeamRole,
        #[serde(default = "crate::policy::normal")]
        priority: Priority,
        #[serde(default)]
        tier: ServiceTier,
        #[serde(default = "crate::policy::policy_reason")]
        reason: HandoffReason,
    },
}

/// How an action was judged: the rule that decided (none: no rule held) and its verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionJudgement {
    pub rule: Option<String>,
    pub verdict: Verdict,
    /// A value a rule's condition named that the action does not have (then a person decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

/// The values an action would run with, and whether the customer is verified.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub values: &'a BTreeMap<String, Value>,
    pub verified: bool,
}

fn words(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Whether `when` holds for `facts`; `Err(name)` when it names a value that is not there (or a
/// number that is not a number).
fn holds(when: &ActionConditions, facts: &Facts) -> Result<bool, String> {
    let get = |name: &str| {
        facts
            .values
            .get(name)
            .filter(|v| !v.is_null())
            .ok_or_else(|| name.to_string())
    };
    let mut ok = true;
    if let Some(v) = when.verified {
        ok &= v == facts.verified;
    }
    for (name, list) in when.is.iter().flatten() {
        let w = words(get(name)?);
        ok &= list.iter().any(|l| l.eq_ignore_ascii_case(&w));
    }
    for (name, list) in when.is_not.iter().flatten() {
        let w = words(get(name)?);
        ok &= !list.iter().any(|l| l.eq_ignore_ascii_case(&w));
    }
    for (name, limit) in when.above.iter().flatten() {
        let n = number(get(name)?).ok_or_else(|| name.clone())?;
        ok &= n > *limit;
    }
    for (name, limit) in when.at_most.iter().flatten() {
        let n = number(get(name)?).ok_or_else(|| name.clone())?;
        ok &= n <= *limit;
    }
    Ok(ok)
}

/// Judges `action` by `rules` (see the module documentation).
pub fn judge(rules: &[ActionRule], action: &str, facts: &Facts) -> ActionJudgement {
    for r in rules {
        if !(r.actions.is_empty() || r.actions.iter().any(|a| a == action)) {
            continue;
        }
        match holds(&r.when, facts) {
            Ok(true) => {
                return ActionJudgement {
                    rule: Some(r.name.clone()),
                    verdict: r.then.clone(),
                    unknown: None,
                }
            }
            Ok(false) => {}
            Err(name) => {
                return ActionJudgement {
                    rule: Some(r.name.clone()),
                    verdict: Verdict::Handoff {
                        team: TeamRole::General,
                        priority: Priority::Normal,
                        tier: ServiceTier::L2,
                        reason: HandoffReason::Policy,
                    },
                    unknown: Some(name),
                }
            }
        }
    }
    ActionJudgement {
        rule: None,
        verdict: Verdict::Allow,
        unknown: None,
    }
}

/// Checks one rule; the message says what is wrong.
pub fn validate(r: &ActionRule) -> Result<(), String> {
    let w = &r.when;
    if r.actions.len() > 50 {
        return Err("at most 50 actions".into());
    }
    if let Some(a) = r.actions.iter().find(|a| !super::schema::is_name(a)) {
        return Err(format!("{a:?} is not an action's name"));
    }
    for (field, map) in [("is", &w.is), ("is_not", &w.is_not)] {
        for (name, list) in map.iter().flatten() {
            if list.is_empty() {
                return Err(format!("{field}.{name} is an empty list: it could never decide"));
            }
        }
        if map.as_ref().is_some_and(BTreeMap::is_empty) {
            return Err(format!("{field} names no value"));
        }
    }
    for (field, map) in [("above", &w.above), ("at_most", &w.at_most)] {
        for (name, v) in map.iter().flatten() {
            if !v.is_finite() {
                return Err(format!("{field}.{name} must be a number"));
            }
        }
        if map.as_ref().is_some_and(BTreeMap::is_empty) {
            return Err(format!("{field} names no value"));
        }
    }
    if let Verdict::Handoff { tier, .. } = r.then {
        if tier == ServiceTier::L1 {
            return Err("a hand-over goes to tier L2 or L3 (L1 is the AI)".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> Vec<ActionRule> {
        #[derive(Deserialize)]
        struct Doc {
            action_rule: Vec<ActionRule>,
        }
        let doc: Doc = toml::from_str(
            r#"
[[action_rule]]
name = "refund_limit"
actions = ["request_refund"]
when = { above = { amount = 500 } }
then = { action = "handoff", team = "general", priority = "high" }

[[action_rule]]
name = "before_shipping"
actions = ["cancel_order"]
when = { is_not = { status = ["paid"] } }
then = { action = "refuse", message = { en = "It has shipped.", zh = "已发货。" } }
"#,
        )
        .unwrap();
        doc.action_rule
    }

    fn facts(v: &Value) -> BTreeMap<String, Value> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    #[test]
    fn the_first_rule_that_holds_decides_and_none_allows() {
        let r = rules();
        let small = facts(&json!({"amount": 120, "status": "delivered"}));
        let j = judge(
            &r,
            "request_refund",
            &Facts {
                values: &small,
                verified: true,
            },
        );
        assert_eq!((j.rule, j.verdict), (None, Verdict::Allow));
        let big = facts(&json!({"amount": "2000"}));
        let j = judge(
            &r,
            "request_refund",
            &Facts {
                values: &big,
                verified: true,
            },
        );
        assert_eq!(j.rule.as_deref(), Some("refund_limit"));
        assert!(matches!(
            j.verdict,
            Verdict::Handoff {
                priority: Priority::High,
                ..
            }
        ));
        let shipped = facts(&json!({"status": "Shipped"}));
        let j = judge(
            &r,
            "cancel_order",
            &Facts {
                values: &shipped,
                verified: false,
            },
        );
        assert!(matches!(j.verdict, Verdict::Refuse { .. }), "{j:?}");
        let paid = facts(&json!({"status": "paid"}));
        assert_eq!(
            judge(
                &r,
                "cancel_order",
                &Facts {
                    values: &paid,
                    verified: false
                }
            )
            .verdict,
            Verdict::Allow
        );
    }

    #[test]
    fn a_value_the_action_lacks_goes_to_a_person_never_runs_on_a_guess() {
        let none = BTreeMap::new();
        let j = judge(
            &rules(),
            "cancel_order",
            &Facts {
                values: &none,
                verified: true,
            },
        );
        assert_eq!(j.unknown.as_deref(), Some("status"));
        assert!(matches!(j.verdict, Verdict::Handoff { .. }));
        let text = facts(&json!({"amount": "lots"}));
        let j = judge(
            &rules(),
            "request_refund",
            &Facts {
                values: &text,
                verified: true,
            },
        );
        assert_eq!(j.unknown.as_deref(), Some("amount"));
    }

    #[test]
    fn rules_that_could_never_decide_are_refused() {
        let mut r = rules().remove(1);
        r.when.is_not = Some(BTreeMap::from([("status".into(), vec![])]));
        assert!(validate(&r).unwrap_err().contains("empty list"));
        let mut r = rules().remove(0);
        r.actions = vec!["Refund Me".into()];
        assert!(validate(&r).is_err());
        assert!(validate(&rules()[0]).is_ok());
    }
}
