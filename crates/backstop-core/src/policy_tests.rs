//! Tests of the policy engine: parsing errors, precedence, hysteresis, each signal, and the
//! built-in policy's behaviour.

use super::*;
use crate::emotion::EmotionScores;

fn quiet() -> Signals {
    Signals::quiet()
}

fn confident(c: f32) -> Signals {
    Signals {
        retrieval: Retrieval::Confident { confidence: c },
        ..quiet()
    }
}

fn angry(anger: f32) -> Signals {
    Signals {
        anger,
        emotion: EmotionScores {
            anger,
            ..EmotionScores::default()
        },
        ..confident(0.9)
    }
}

fn builtin(s: &Signals) -> DecisionTrace {
    Policy::builtin().decide(s, &PolicyState::default())
}

fn handoff(reason: HandoffReason, role: TeamRole, priority: Priority, tier: ServiceTier) -> Decision {
    Decision::Handoff {
        reason,
        role,
        priority,
        tier,
    }
}

#[test]
fn the_builtin_policy_parses_and_round_trips_its_rules() {
    let p = Policy::builtin();
    assert!(p.rules.len() >= 10);
    assert_eq!(p.version, 0);
    assert_eq!(p.settings, Settings::default());
}

#[test]
fn syntax_errors_name_line_and_column() {
    let text = "[[rule]]\nname = \"x\"\nthen = { action = \"answer\" \n";
    match Policy::parse(text).unwrap_err() {
        PolicyError::Syntax { line, .. } => assert!(line >= 3, "line {line}"),
        e => panic!("{e:?}"),
    }
    let unknown = "[[rule]]\nname = \"x\"\nwhen = { angr_at_least = 0.5 }\nthen = { action = \"answer\" }\n";
    let e = Policy::parse(unknown).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("line 3") && msg.contains("angr_at_least"), "{msg}");
    let bad_action = "[[rule]]\nname = \"x\"\nthen = { action = \"escalate\" }\n";
    assert!(Policy::parse(bad_action).unwrap_err().to_string().contains("escalate"));
    let bad_team = "[[rule]]\nname = \"x\"\nthen = { action = \"handoff\", team = \"sales\" }\n";
    assert!(Policy::parse(bad_team).unwrap_err().to_string().contains("sales"));
}

#[test]
fn rules_that_make_no_sense_are_refused() {
    let rule = |when: &str, then: &str| format!("[[rule]]\nname = \"r\"\nwhen = {{ {when} }}\nthen = {{ {then} }}\n");
    let answer = "action = \"answer\"";
    for (text, expect) in [
        (
            rule("anger_at_least = 1.5", answer),
            "anger_at_least must be between 0 and 1",
        ),
        (rule("intent_in = []", answer), "intent_in is an empty list"),
        (
            rule("confidence_at_least = 0.7, confidence_below = 0.5", answer),
            "confidence_at_least must be below",
        ),
        (rule("refund_above = -3", answer), "refund_above must be"),
        (
            rule(
                "anger_at_least = 0.5",
                "action = \"handoff\", team = \"general\", tier = \"L1\"",
            ),
            "tier L2 or L3",
        ),
        (
            rule("sensitive = [\"legal\"], refund_above = 10", answer),
            "leaves out \"refund\"",
        ),
    ] {
        let e = Policy::parse(&text).unwrap_err().to_string();
        assert!(e.contains(expect), "{text}\n→ {e}");
        assert!(e.starts_with("rule \"r\""), "{e}");
    }
    let twice = format!("{}{}", rule("", answer), rule("", answer));
    assert!(Policy::parse(&twice).unwrap_err().to_string().contains("two rules"));
    assert!(Policy::parse("").unwrap_err().to_string().contains("at least one"));
    let spaces = "[[rule]]\nname = \"has space\"\nthen = { action = \"answer\" }\n";
    assert!(Policy::parse(spaces).unwrap_err().to_string().contains("a name is"));
    let hyst = "[settings]\nhysteresis = 0.9\n[[rule]]\nname = \"r\"\nthen = { action = \"answer\" }\n";
    assert!(Policy::parse(hyst).unwrap_err().to_string().contains("hysteresis"));
}

#[test]
fn the_first_matching_rule_decides_and_the_others_are_alternatives() {
    let p = Policy::parse(
        r#"
[[rule]]
name = "angry"
when = { anger_at_least = 0.5 }
then = { action = "handoff", team = "escalation", priority = "high", reason = "anger" }
[[rule]]
name = "answer_it"
when = { answer = ["confident"] }
then = { action = "answer" }
[[rule]]
name = "otherwise"
then = { action = "clarify" }
"#,
    )
    .unwrap();
    let t = p.decide(&angry(0.7), &PolicyState::default());
    assert_eq!(t.rule, "angry");
    let rules: Vec<&str> = t.alternatives.iter().map(|a| a.rule.as_str()).collect();
    assert_eq!(rules, ["answer_it", "otherwise"]);
    assert_eq!(t.alternatives[0].decision, Decision::Answer);
    let calm = p.decide(&angry(0.2), &PolicyState::default());
    assert_eq!((calm.rule.as_str(), calm.decision), ("answer_it", Decision::Answer));
    // "answer" without a confident article clarifies; no rule at all clarifies too.
    assert_eq!(p.decide(&quiet(), &PolicyState::default()).rule, "otherwise");
    let only =
        Policy::parse("[[rule]]\nname = \"a\"\nwhen = { vip = true }\nthen = { action = \"answer\" }\n").unwrap();
    let t = only.decide(&quiet(), &PolicyState::default());
    assert_eq!((t.rule.as_str(), t.decision), ("no_rule_matched", Decision::Clarify));
}

#[test]
fn hysteresis_holds_a_fired_rule_and_cools_down_after_a_hand_back() {
    let p = Policy::parse(
        r#"
[settings]
hysteresis = 0.1
handback_cooldown_turns = 2
[[rule]]
name = "frustrated_draft"
when = { frustration_at_least = 0.5 }
then = { action = "draft", team = "general" }
[[rule]]
name = "angry"
when = { anger_at_least = 0.6 }
then = { action = "handoff", team = "escalation", reason = "anger" }
[[rule]]
name = "rest"
then = { action = "answer" }
"#,
    )
    .unwrap();
    let frustrated = |f: f32| Signals {
        emotion: EmotionScores {
            frustration: f,
            ..EmotionScores::default()
        },
        ..confident(0.9)
    };
    let fresh = PolicyState::default();
    assert_eq!(p.decide(&frustrated(0.45), &fresh).rule, "rest");
    let t = p.decide(&frustrated(0.55), &fresh);
    assert_eq!(t.rule, "frustrated_draft");
    // Latched: 0.45 still counts while the rule held last turn; 0.39 lets go.
    let latched = p.next_state(&fresh, &t);
    assert_eq!(p.decide(&frustrated(0.45), &latched).rule, "frustrated_draft");
    assert_eq!(p.decide(&frustrated(0.39), &latched).rule, "rest");
    // After a hand back, a hand-over needs 0.7 (not 0.65) for two turns, then 0.6 again.
    let back = PolicyState {
        last_rule: None,
        turns_since_handback: Some(0),
        action: None,
        automation: Default::default(),
    };
    let t = p.decide(&angry(0.65), &back);
    assert_eq!(t.rule, "rest");
    assert_eq!(p.decide(&angry(0.75), &back).rule, "angry");
    let next = p.next_state(&back, &t);
    assert_eq!(next.turns_since_handback, Some(1));
    let after = p.next_state(&next, &t);
    assert_eq!(after.turns_since_handback, None);
    assert_eq!(p.decide(&angry(0.65), &after).rule, "angry");
    // With no cool-down, a hand-back raises nothing.
    let mut none = p.clone();
    none.settings.handback_cooldown_turns = 0;
    assert_eq!(none.decide(&angry(0.65), &back).rule, "angry");
}

/// Each condition, on its own, decides between two otherwise identical turns.
#[test]
fn each_signal_can_decide() {
    type Tweak = fn(&mut Signals);
    let cases: Vec<(&str, Tweak)> = vec![
        ("explicit_request = true", |s| s.explicit_request = true),
        ("vip = true", |s| s.vip = true),
        ("customer_value_at_least = 1000", |s| s.customer_value = Some(2500.0)),
        ("answer = [\"none\"]", |s| s.retrieval = Retrieval::NoMatch),
        ("confidence_below = 0.5", |s| {
            s.retrieval = Retrieval::Weak { confidence: 0.3 }
        }),
        ("intent_in = [\"refunds\"]", |s| s.intent = Some("refunds".into())),
        ("out_of_scope = true", |s| s.scope = Scope::OutOfScope),
        ("anger_at_least = 0.5", |s| s.emotion.anger = 0.7),
        ("frustration_at_least = 0.5", |s| s.emotion.frustration = 0.7),
        ("anxiety_at_least = 0.5", |s| s.emotion.anxiety = 0.7),
        ("sadness_at_least = 0.5", |s| s.emotion.sadness = 0.7),
        ("satisfaction_below = 0.5", |s| s.emotion.satisfaction = 0.1),
        ("anger_rise_at_least = 0.3", |s| s.anger_rise = 0.4),
        ("inflection = [\"rising\"]", |s| s.inflection = Some(Inflection::Rising)),
        ("turn_at_least = 5", |s| s.turn = 6),
        ("failed_turns_at_least = 2", |s| s.failed_turns = 2),
        ("threat = true", |s| s.threat = true),
        ("profanity = true", |s| s.profanity = true),
        ("sensitive = [\"legal\"]", |s| s.sensitive = vec![Sensitive::Legal]),
        ("refund_above = 500", |s| {
            s.sensitive = vec![Sensitive::Refund];
            s.amount = Some(900.0);
        }),
        ("channel_in = [\"email\"]", |s| s.channel = "email".into()),
        ("business_hours = false", |s| s.business_hours = false),
        ("agents_available = false", |s| s.agents_available = Some(0)),
    ];
    for (when, tweak) in cases {
        let p = Policy::parse(&format!(
            "[[rule]]\nname = \"it\"\nwhen = {{ {when} }}\nthen = {{ action = \"handoff\", team = \"general\" }}\n[[rule]]\nname = \"rest\"\nthen = {{ action = \"answer\" }}\n"
        ))
        .unwrap_or_else(|e| panic!("{when}: {e}"));
        let mut base = Signals {
            retrieval: Retrieval::Confident { confidence: 0.9 },
            emotion: EmotionScores {
                satisfaction: 0.8,
                ..EmotionScores::default()
            },
            ..quiet()
        };
        let state = PolicyState::default();
        assert_eq!(p.decide(&base, &state).rule, "rest", "{when} held on the quiet turn");
        tweak(&mut base);
        assert_eq!(p.decide(&base, &state).rule, "it", "{when} did not hold");
    }
}

#[test]
fn builtin_answers_confidently_and_clarifies_once_then_hands_off() {
    assert_eq!(builtin(&confident(0.9)).decision, Decision::Answer);
    assert_eq!(builtin(&confident(0.9)).rule, "confident_answer");
    let t = builtin(&quiet());
    assert_eq!((t.decision, t.rule.as_str()), (Decision::Clarify, "clarify_once"));
    let again = Signals {
        failed_turns: 1,
        retrieval: Retrieval::Weak { confidence: 0.2 },
        ..quiet()
    };
    assert_eq!(
        builtin(&again).decision,
        handoff(
            HandoffReason::NoAnswer,
            TeamRole::General,
            Priority::Normal,
            ServiceTier::L2
        )
    );
}

#[test]
fn builtin_sends_requests_anger_threats_and_vips_to_people() {
    let asked = Signals {
        explicit_request: true,
        ..confident(0.9)
    };
    assert_eq!(
        builtin(&asked).decision,
        handoff(
            HandoffReason::CustomerRequest,
            TeamRole::General,
            Priority::Normal,
            ServiceTier::L2
        )
    );
    let vip_asked = Signals { vip: true, ..asked };
    assert_eq!(
        builtin(&vip_asked).decision,
        handoff(
            HandoffReason::CustomerRequest,
            TeamRole::Escalation,
            Priority::Urgent,
            ServiceTier::L3
        )
    );
    assert_eq!(builtin(&angry(0.55)).decision, Decision::Answer);
    let t = builtin(&angry(0.7));
    assert_eq!(t.rule, "anger_above_threshold");
    assert_eq!(
        t.decision,
        handoff(
            HandoffReason::Anger,
            TeamRole::Escalation,
            Priority::High,
            ServiceTier::L2
        )
    );
    // A VIP's anger is urgent.
    let vip_angry = Signals {
        vip: true,
        ..angry(0.7)
    };
    assert!(matches!(
        builtin(&vip_angry).decision,
        Decision::Handoff {
            priority: Priority::Urgent,
            ..
        }
    ));
    let threat = Signals {
        threat: true,
        ..confident(0.9)
    };
    assert_eq!(
        builtin(&threat).decision,
        handoff(
            HandoffReason::Complaint,
            TeamRole::Escalation,
            Priority::High,
            ServiceTier::L3
        )
    );
    let vip = Signals {
        vip: true,
        ..confident(0.9)
    };
    assert_eq!(
        builtin(&vip).decision,
        handoff(
            HandoffReason::Vip,
            TeamRole::Escalation,
            Priority::Urgent,
            ServiceTier::L3
        )
    );
    let rising = Signals {
        inflection: Some(Inflection::Rising),
        ..angry(0.4)
    };
    assert_eq!(builtin(&rising).rule, "anger_inflection");
    let refund = Signals {
        sensitive: vec![Sensitive::Refund],
        amount: Some(1200.0),
        ..confident(0.9)
    };
    assert_eq!(builtin(&refund).rule, "large_refund");
    let small = Signals {
        amount: Some(30.0),
        ..refund
    };
    assert_eq!(builtin(&small).decision, Decision::Answer);
}

#[test]
fn builtin_out_of_scope_vetoes_a_weakly_confident_answer() {
    let oos = Signals {
        scope: Scope::OutOfScope,
        ..confident(0.55)
    };
    let t = builtin(&oos);
    assert_eq!(
        (t.decision, t.rule.as_str()),
        (Decision::Clarify, "out_of_scope_clarify")
    );
    let again = Signals {
        failed_turns: 1,
        ..oos.clone()
    };
    assert_eq!(
        builtin(&again).decision,
        handoff(
            HandoffReason::OutOfScope,
            TeamRole::General,
            Priority::Normal,
            ServiceTier::L2
        )
    );
    let strong = Signals {
        scope: Scope::OutOfScope,
        ..confident(0.6)
    };
    assert_eq!(builtin(&strong).decision, Decision::Answer);
    let in_scope = Signals {
        scope: Scope::InScope,
        ..oos
    };
    assert_eq!(builtin(&in_scope).decision, Decision::Answer);
}

#[test]
fn no_policy_refuses_a_person_to_someone_who_asks() {
    let p = Policy::parse("[[rule]]\nname = \"always_answer\"\nthen = { action = \"answer\" }\n").unwrap();
    let asked = Signals {
        explicit_request: true,
        vip: true,
        ..confident(0.9)
    };
    let t = p.decide(&asked, &PolicyState::default());
    assert_eq!(t.rule, GUARANTEE);
    assert_eq!(
        t.decision,
        handoff(
            HandoffReason::CustomerRequest,
            TeamRole::General,
            Priority::Urgent,
            ServiceTier::L2
        )
    );
    assert_eq!(t.alternatives[0].rule, "always_answer");
    assert_eq!(p.decide(&confident(0.9), &PolicyState::default()).rule, "always_answer");
}

#[test]
fn reasons_round_trip() {
    for r in HandoffReason::ALL {
        assert_eq!(HandoffReason::parse(r.as_str()), Some(r));
    }
    assert_eq!(HandoffReason::parse("bored"), None);
    for s in Sensitive::ALL {
        assert_eq!(Sensitive::parse(s.as_str()), Some(s));
    }
}

/// A trace stored before the policy engine (no tier, alternatives, version or new signals) still
/// reads, with defaults. (TOML stands in for the store's JSON: the same serde shape.)
#[test]
fn traces_stored_before_the_policy_engine_still_read() {
    let old = r#"
rule = "anger_above_threshold"
[decision]
action = "handoff"
reason = "anger"
role = "escalation"
priority = "high"
[signals]
explicit_request = false
failed_turns = 0
anger = 0.8
vip = false
[signals.retrieval]
kind = "no_match"
"#;
    let t: DecisionTrace = toml::from_str(old).expect("an old trace reads");
    assert_eq!(t.policy_version, 0);
    assert!(t.alternatives.is_empty());
    assert!(matches!(
        t.decision,
        Decision::Handoff {
            tier: ServiceTier::L2,
            ..
        }
    ));
    assert_eq!((t.signals.channel.as_str(), t.signals.business_hours), ("web", true));
}

#[test]
fn a_hand_over_carries_every_rule_that_holds() {
    // Angry and asking for a person: the anger rule's priority and team, both reasons, the
    // request first (more specific than anger).
    let s = Signals {
        explicit_request: true,
        ..angry(0.8)
    };
    let t = builtin(&s);
    assert_eq!(
        t.decision,
        handoff(
            HandoffReason::CustomerRequest,
            TeamRole::Escalation,
            Priority::High,
            ServiceTier::L2
        )
    );
    assert_eq!(t.reasons, [HandoffReason::CustomerRequest, HandoffReason::Anger]);
    assert_eq!(t.rule, "anger_above_threshold");
    assert!(t.alternatives.iter().any(|a| a.rule == "explicit_request"));
    // A large refund from an angry customer is a refund matter first, labelled as such.
    let s = Signals {
        sensitive: vec![Sensitive::Refund],
        amount: Some(15_000.0),
        ..angry(0.8)
    };
    let t = builtin(&s);
    match t.decision {
        Decision::Handoff { reason, priority, .. } => {
            assert_eq!(reason, HandoffReason::Sensitive);
            assert_eq!(priority, Priority::High);
        }
        d => panic!("{d:?}"),
    }
    assert_eq!(t.reasons, [HandoffReason::Sensitive, HandoffReason::Anger]);
    // A safety incident outranks everything: urgent, specialists.
    let s = Signals {
        sensitive: vec![Sensitive::Safety],
        explicit_request: true,
        ..angry(0.9)
    };
    let t = builtin(&s);
    assert!(matches!(
        t.decision,
        Decision::Handoff {
            priority: Priority::Urgent,
            tier: ServiceTier::L3,
            role: TeamRole::Escalation,
            ..
        }
    ));
    // An answer is not merged with anything.
    assert!(builtin(&confident(0.9)).reasons.is_empty());
}

#[test]
fn account_trouble_and_large_amounts_hand_over_whatever_the_answer() {
    for (kind, priority) in [
        (Sensitive::Security, Priority::Urgent),
        (Sensitive::Billing, Priority::High),
        (Sensitive::AccountAction, Priority::Normal),
    ] {
        let s = Signals {
            sensitive: vec![kind],
            ..confident(0.95)
        };
        match builtin(&s).decision {
            Decision::Handoff { priority: p, .. } => assert_eq!(p, priority, "{kind:?}"),
            d => panic!("{kind:?}: {d:?}"),
        }
    }
    let big = Signals {
        amount: Some(80_000.0),
        ..confident(0.95)
    };
    assert!(matches!(builtin(&big).decision, Decision::Handoff { .. }));
    let small = Signals {
        amount: Some(120.0),
        ..confident(0.95)
    };
    assert_eq!(builtin(&small).decision, Decision::Answer);
    let e = Policy::parse("[[rule]]\nname = \"x\"\nwhen = { amount_above = -1 }\nthen = { action = \"answer\" }\n");
    assert!(e.unwrap_err().to_string().contains("amount_above"));
}
