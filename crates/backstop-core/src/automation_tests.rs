//! Tests of automation rules: parsing with lines, validation, conditions, pages, memory.

use super::*;
use crate::policy::{Policy, PolicyError, DEFAULT_POLICY};

const RULES: &str = r#"
[[automation]]
name = "greet_pricing_zh"
on = "conversation_started"
when = { language = ["zh"], page = ["/pricing"] }
then = { greet = { en = "Hello! Questions about our plans?", zh = "您好！想了解我们的价格方案吗？" } }

[[automation]]
name = "buying_to_sales"
on = "message"
when = { intent = ["bulk-orders", "sales"] }
then = { assign_team = "Sales", tag = ["lead"], priority = "high" }

[[automation]]
name = "close_idle"
on = "idle"
when = { idle_minutes = 30 }
then = { close = { en = "We'll close this chat now.", zh = "我们先结束本次会话。" } }
"#;

fn policy(extra: &str) -> Result<Policy, PolicyError> {
    Policy::parse(&format!("{DEFAULT_POLICY}\n{extra}"))
}

fn facts<'a>(trigger: Trigger, language: &'a str, page: Option<&'a str>, intents: &'a [String]) -> Facts<'a> {
    Facts {
        trigger,
        language,
        channel: "web",
        page,
        intents,
        customer_tags: &[],
        customer_value: None,
        business_hours: true,
        idle_minutes: None,
        rating: None,
        handoff_reason: None,
    }
}

#[test]
fn rules_parse_with_the_line_of_their_table() {
    let p = policy(RULES).unwrap();
    let base = DEFAULT_POLICY.lines().count() + 1;
    assert_eq!(p.automations.len(), 3);
    let lines: Vec<usize> = p.automations.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![base + 2, base + 8, base + 14], "{lines:?}");
    assert_eq!(p.automations[1].then.assign_team.as_deref(), Some("Sales"));
}

#[test]
fn an_invalid_rule_is_refused_with_its_line() {
    let bad = "\n[[automation]]\nname = \"greet\"\non = \"message\"\nthen = { }\n";
    let e = policy(bad).unwrap_err();
    let line = DEFAULT_POLICY.lines().count() + 3;
    assert!(
        matches!(&e, PolicyError::Automation { line: l, rule, .. } if *l == line && rule == "greet"),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with(&format!("line {line}, automation \"greet\": then does nothing")),
        "{e}"
    );
    // An unknown field or trigger is a syntax error at its own line.
    let e = policy("\n[[automation]]\nname = \"x\"\non = \"visit\"\nthen = { tag = [\"a\"] }\n").unwrap_err();
    assert!(
        matches!(e, PolicyError::Syntax { line, .. } if line == DEFAULT_POLICY.lines().count() + 5),
        "{e:?}"
    );
    let e =
        policy("\n[[automation]]\nname = \"x\"\non = \"message\"\nthen = { tag = [\"a\"], colour = 1 }\n").unwrap_err();
    assert!(matches!(e, PolicyError::Syntax { .. }), "{e:?}");
}

#[test]
fn validation_names_what_is_wrong() {
    let cases = [
        ("on = \"idle\"\nthen = { tag = [\"a\"] }", "needs when.idle_minutes"),
        (
            "on = \"message\"\nwhen = { idle_minutes = 5 }\nthen = { tag = [\"a\"] }",
            "only for on = \"idle\"",
        ),
        (
            "on = \"message\"\nwhen = { language = [] }\nthen = { tag = [\"a\"] }",
            "empty list",
        ),
        (
            "on = \"message\"\nwhen = { language = [\"chinese\"] }\nthen = { tag = [\"a\"] }",
            "ISO 639-1",
        ),
        (
            "on = \"message\"\nwhen = { page = [\"pricing\"] }\nthen = { tag = [\"a\"] }",
            "starts with /",
        ),
        ("on = \"message\"\nthen = { tag = [\"a b\"] }", "then.tag"),
        (
            "on = \"message\"\nthen = { greet = { zh = \"你好\" } }",
            "needs an English text",
        ),
        (
            "on = \"message\"\nthen = { close = { en = \"bye\" } }",
            "only for on = \"idle\"",
        ),
        ("on = \"resolved\"\nthen = { assign_team = \"Sales\" }", "settled"),
        (
            "on = \"rated\"\nwhen = { rating_at_most = 9 }\nthen = { note = \"x\" }",
            "1 to 5",
        ),
        (
            "on = \"resolved\"\nwhen = { intent = [\"x\"] }\nthen = { note = \"x\" }",
            "intent is known only",
        ),
    ];
    for (body, want) in cases {
        let e = policy(&format!("\n[[automation]]\nname = \"r\"\n{body}\n")).unwrap_err();
        assert!(e.to_string().contains(want), "{body:?}: {e}");
    }
    let twice = "\n[[automation]]\nname = \"r\"\non = \"message\"\nthen = { tag = [\"a\"] }\n".repeat(2);
    assert!(policy(&twice).unwrap_err().to_string().contains("two automation rules"));
}

#[test]
fn a_policy_hand_over_cannot_go_to_a_routed_team() {
    let text = DEFAULT_POLICY.replacen("team = \"escalation\"", "team = \"routed\"", 1);
    assert_ne!(text, DEFAULT_POLICY);
    let e = Policy::parse(&text).unwrap_err();
    assert!(e.to_string().contains("routed team"), "{e}");
}

#[test]
fn conditions_hold_only_together() {
    let p = policy(RULES).unwrap();
    let none: Vec<String> = vec![];
    let m = Memory::default();
    let started = |lang, page| {
        due(
            &p.automations,
            &facts(Trigger::ConversationStarted, lang, page, &none),
            &m,
        )
        .iter()
        .map(|r| r.name.clone())
        .collect::<Vec<_>>()
    };
    assert_eq!(started("zh", Some("/pricing")), vec!["greet_pricing_zh"]);
    assert_eq!(started("zh", Some("/Pricing/teams?x=1")), vec!["greet_pricing_zh"]);
    assert!(started("en", Some("/pricing")).is_empty());
    assert!(started("zh", Some("/pricing-old")).is_empty());
    assert!(started("zh", None).is_empty());
    let sales = vec!["bulk-orders".to_string()];
    let fired = due(&p.automations, &facts(Trigger::Message, "en", None, &sales), &m);
    assert_eq!(fired.len(), 1);
    let other = vec!["track-package".to_string()];
    assert!(due(&p.automations, &facts(Trigger::Message, "en", None, &other), &m).is_empty());
}

#[test]
fn a_rule_fires_once_unless_it_repeats() {
    let mut p = policy(RULES).unwrap();
    let sales = vec!["sales".to_string()];
    let mut m = Memory::default();
    let f = facts(Trigger::Message, "zh", None, &sales);
    let rule = due(&p.automations, &f, &m)[0].clone();
    m.record(&rule);
    assert_eq!(m.team.as_deref(), Some("Sales"));
    assert_eq!(m.priority, Some(Priority::High));
    assert_eq!(m.tags, vec!["lead"]);
    assert!(due(&p.automations, &f, &m).is_empty());
    p.automations[1].repeat = true;
    assert_eq!(due(&p.automations, &f, &m).len(), 1);
    m.record(&rule);
    assert_eq!(m.tags, vec!["lead"], "a tag is kept once");
}

#[test]
fn idle_and_ratings_compare_with_their_thresholds() {
    let p = policy(RULES).unwrap();
    let m = Memory::default();
    let mut f = facts(Trigger::Idle, "en", None, &[]);
    f.idle_minutes = Some(29);
    assert!(due(&p.automations, &f, &m).is_empty());
    f.idle_minutes = Some(30);
    assert_eq!(due(&p.automations, &f, &m)[0].name, "close_idle");
}

#[test]
fn pages_are_read_from_addresses() {
    assert_eq!(
        page_path("https://shop.example/pricing?plan=pro#faq").as_deref(),
        Some("/pricing?plan=pro")
    );
    assert_eq!(page_path("https://shop.example").as_deref(), Some("/"));
    assert_eq!(page_path("/zh/pricing").as_deref(), Some("/zh/pricing"));
    assert_eq!(page_path("javascript:alert(1)"), None);
    assert_eq!(page_path("/a\nb"), None);
    assert_eq!(page_path(&format!("/{}", "a".repeat(900))).map(|p| p.len()), Some(500));
    assert!(page_matches("/*/pricing*", "/zh/pricing?x"));
    assert!(page_matches("*pricing", "/en/pricing"));
    assert!(!page_matches("/*/pricing", "/pricing"));
    assert!(page_matches("/pricing/", "/pricing"));
}

#[test]
fn memory_round_trips_and_old_states_read() {
    let mut m = Memory {
        page: Some("/pricing".into()),
        ..Memory::default()
    };
    m.started = true;
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<Memory>(&json).unwrap(), m);
    let state: crate::policy::PolicyState = serde_json::from_str(r#"{"last_rule":null}"#).unwrap();
    assert!(state.automation.is_empty());
    assert!(!serde_json::to_string(&state).unwrap().contains("automation"));
}

#[test]
fn a_rule_runs_an_action_only_in_the_ais_turn() {
    let ok = "\n[[automation]]\nname = \"returns_page_refund\"\non = \"message\"\nwhen = { page = [\"/returns*\"] }\nthen = { run_action = \"request_refund\" }\n";
    let p = policy(ok).unwrap();
    assert_eq!(p.automations[0].then.run_action.as_deref(), Some("request_refund"));
    for (on, extra, want) in [
        ("resolved", "", "only for on = \"conversation_started\" or \"message\""),
        ("handoff", "", "only for on = \"conversation_started\" or \"message\""),
        ("message", "Refund Now", "not an action's name"),
    ] {
        let name = if extra.is_empty() { "request_refund" } else { extra };
        let bad = format!("\n[[automation]]\nname = \"r\"\non = \"{on}\"\nthen = {{ run_action = \"{name}\" }}\n");
        match policy(&bad) {
            Err(PolicyError::Automation { message, .. }) => assert!(message.contains(want), "{message}"),
            other => panic!("{on}: {other:?}"),
        }
    }
}
