//! Tests of the event vocabulary: every kind's name round-trips, new payloads round-trip, and the
//! payloads written before the vocabulary was typed (version 0) still read, each by its kind.

use serde_json::json;
use time::macros::datetime;

use super::*;
use crate::assignment::{Strategy, Why};
use crate::conversation::Priority;
use crate::policy::{Policy, PolicyState};
use crate::routing::Signals;
use crate::sla::{Fallback, TicketReason};

fn trace() -> DecisionTrace {
    Policy::builtin().decide(&Signals::quiet(), &PolicyState::default())
}

fn ticket() -> Ticket {
    Ticket {
        reason: TicketReason::OutsideHours,
        promised_by: datetime!(2026-12-07 09:00 UTC),
    }
}

fn breach() -> Breach {
    Breach {
        number: 1,
        waited_secs: 130,
        priority: Priority::High,
        next: Fallback::AnyTeam,
    }
}

#[test]
fn every_kind_has_one_name() {
    for k in EventKind::ALL {
        assert_eq!(EventKind::parse(k.as_str()), Some(*k));
    }
    let mut names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), EventKind::ALL.len(), "no two kinds share a name");
    assert_eq!(EventKind::parse("ai_reply"), None);
}

#[test]
fn actors_read_back() {
    let agent = Actor::Agent(AgentId(uuid::Uuid::from_u128(7)));
    for a in [Actor::Customer, Actor::Ai, Actor::System, agent] {
        assert_eq!(Actor::parse(&a.label()), Some(a));
    }
    assert_eq!(Actor::parse("agent:nope"), None);
    assert_eq!(Actor::parse("robot"), None);
}

#[test]
fn new_payloads_round_trip_with_their_version() {
    let message = MessageId(uuid::Uuid::from_u128(9));
    let team = TeamId(uuid::Uuid::from_u128(3));
    let cases = [
        (EventKind::Resolve, EventData::None),
        (
            EventKind::AiAnswer,
            EventData::decision(&trace(), "where is my parcel?"),
        ),
        (
            EventKind::Assign,
            EventData::Assignment {
                why: Why::Skills {
                    language: true,
                    topic: false,
                },
                strategy: Strategy::Skills,
                any_team: true,
            },
        ),
        (
            EventKind::Copilot,
            EventData::Copilot {
                used: CopilotUse::Edited,
                message,
            },
        ),
        (
            EventKind::FirstReply,
            EventData::FirstReply {
                seconds: 42,
                target_secs: 120,
                met: true,
                breaches: 0,
                ticket: Some(ticket()),
            },
        ),
        (
            EventKind::Csat,
            EventData::Csat {
                rating: 2,
                comment: Some("太慢了".into()),
            },
        ),
        (
            EventKind::DraftRejected,
            EventData::DraftRejected { draft: "No.".into() },
        ),
        (EventKind::Ticket, EventData::Ticket { ticket: ticket() }),
        (
            EventKind::SlaBreach,
            EventData::SlaBreach {
                breach: breach(),
                target_secs: 120,
                team,
            },
        ),
    ];
    for (kind, data) in cases {
        let stored = data.encode();
        if data != EventData::None {
            assert!(stored.starts_with(r#"{"v":1,"type":""#), "{stored}");
        } else {
            assert_eq!(stored, "null");
        }
        assert_eq!(EventData::decode(kind, &stored).unwrap(), data, "{stored}");
    }
}

#[test]
fn payloads_from_before_the_versions_still_read() {
    // Each written exactly as the engine wrote it before the vocabulary was typed.
    let t = trace();
    let message = MessageId(uuid::Uuid::from_u128(9));
    let team = TeamId(uuid::Uuid::from_u128(3));
    let old = |v: serde_json::Value| v.to_string();
    let cases = [
        (
            EventKind::AiClarify,
            old(json!({ "trace": t, "question": "还没到" })),
            EventData::decision(&t, "还没到"),
        ),
        (
            EventKind::Handoff,
            old(json!({ "trace": t, "question": "I want a person" })),
            EventData::decision(&t, "I want a person"),
        ),
        (
            EventKind::Assign,
            old(json!({ "assignment": Why::Sticky, "strategy": Strategy::RoundRobin, "any_team": false })),
            EventData::Assignment {
                why: Why::Sticky,
                strategy: Strategy::RoundRobin,
                any_team: false,
            },
        ),
        (
            EventKind::Copilot,
            old(json!({ "use": "as_is", "message": message })),
            EventData::Copilot {
                used: CopilotUse::AsIs,
                message,
            },
        ),
        (
            EventKind::FirstReply,
            old(json!({ "seconds": 61, "target_secs": 60, "met": false, "breaches": 1, "ticket": null })),
            EventData::FirstReply {
                seconds: 61,
                target_secs: 60,
                met: false,
                breaches: 1,
                ticket: None,
            },
        ),
        (
            EventKind::Csat,
            old(json!({ "rating": 5, "comment": null })),
            EventData::Csat {
                rating: 5,
                comment: None,
            },
        ),
        (
            EventKind::DraftRejected,
            old(json!({ "draft": "Refunds take 5 days." })),
            EventData::DraftRejected {
                draft: "Refunds take 5 days.".into(),
            },
        ),
        (
            EventKind::Ticket,
            old(json!({ "ticket": ticket() })),
            EventData::Ticket { ticket: ticket() },
        ),
        (
            EventKind::SlaBreach,
            old(json!({ "breach": breach(), "target_secs": 120, "team": team })),
            EventData::SlaBreach {
                breach: breach(),
                target_secs: 120,
                team,
            },
        ),
        (EventKind::Take, "null".into(), EventData::None),
    ];
    for (kind, stored, want) in cases {
        assert_eq!(EventData::decode(kind, &stored).unwrap(), want, "{kind:?} {stored}");
    }
}

#[test]
fn a_trace_stored_before_the_policy_engine_still_reads() {
    // An `ai_answer` row of the first release: signals had five fields, no version, no question.
    let stored = r#"{"trace":{"decision":{"action":"answer"},"rule":"confident_answer","signals":{"explicit_request":false,"retrieval":{"kind":"confident","confidence":0.91},"failed_turns":0,"anger":0.1,"vip":false}}}"#;
    let EventData::Decision { trace, question } = EventData::decode(EventKind::AiAnswer, stored).unwrap() else {
        panic!("a decision");
    };
    assert_eq!(trace.rule, "confident_answer");
    assert_eq!(trace.policy_version, 0);
    assert_eq!(question, "");
}

#[test]
fn unreadable_payloads_are_errors_not_guesses() {
    let newer = r#"{"v":99,"type":"csat","rating":5,"comment":null}"#;
    assert!(EventData::decode(EventKind::Csat, newer).is_err());
    assert!(EventData::decode(EventKind::Csat, r#"{"stars":5}"#).is_err());
    assert!(EventData::decode(EventKind::Csat, "not json").is_err());
    let e = EventData::decode(EventKind::Copilot, r#"{"use":"maybe","message":"x"}"#).unwrap_err();
    assert_eq!(e.kind, "copilot");
}
