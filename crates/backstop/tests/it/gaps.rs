//! Gap mining and replay on fixed questions: what the AI could not answer is grouped by meaning;
//! publishing an article closes its gap and shows the topic's hand-overs before and after; a
//! draft article is replayed against the stored conversations before it ships.

use serde_json::{json, Value};

use crate::support::TestApp;

const PICKUP: [&str; 3] = [
    "Can I pick up my order myself at your Shanghai warehouse?",
    "Is self pickup from the warehouse in Shanghai possible?",
    "I'd like to collect my parcel in person at the Shanghai warehouse, can I?",
];
const STUDENTS: [&str; 2] = [
    "Do you offer a student discount?",
    "Is there any discount for university students?",
];

async fn gaps(app: &TestApp, who: &crate::support::AgentClient) -> Value {
    let (status, report) = app.agent_get(who, "/api/v1/gaps?days=30").await;
    assert_eq!(status, 200, "{report}");
    report
}

fn gap_with<'a>(report: &'a Value, question: &str) -> Option<&'a Value> {
    report["gaps"].as_array().unwrap().iter().find(|g| {
        g["examples"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["question"] == question)
    })
}

#[tokio::test]
async fn unanswered_questions_are_grouped_and_a_published_article_closes_its_gap() {
    let app = TestApp::spawn().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let lin = app.login("demo", "lin@maple.example").await;
    for q in PICKUP.iter().chain(&STUDENTS) {
        let v = app.visitor(json!({ "lang": "en" })).await;
        let reply = app.ask(&v, q).await;
        assert!(
            reply["citations"].as_array().is_none_or(|c| c.is_empty()),
            "{q}: {reply}"
        );
        app.clock.advance(time::Duration::minutes(10));
    }
    // One the knowledge base answers, and a bare request for a person: neither is a gap.
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert_eq!(
        app.ask(&v, "How long does shipping take?").await["author"]["kind"],
        "ai"
    );
    let v = app.visitor(json!({ "lang": "en" })).await;
    app.ask(&v, "talk to a human").await;

    assert_eq!(
        app.agent_get(&lin, "/api/v1/gaps").await.0,
        403,
        "agents do not mine gaps"
    );
    let report = gaps(&app, &zhao).await;
    let pickup = gap_with(&report, PICKUP[0]).unwrap_or_else(|| panic!("{report:#}"));
    let students = gap_with(&report, STUDENTS[0]).unwrap_or_else(|| panic!("{report:#}"));
    assert_ne!(pickup, students, "two needs, two gaps: {report:#}");
    assert_eq!(pickup["volume"], 3, "{pickup:#}");
    assert_eq!(pickup["conversations"], 3);
    assert_eq!(students["volume"], 2, "{students:#}");
    assert_eq!(report["open"], 5, "{report:#}");
    assert!(gap_with(&report, "How long does shipping take?").is_none());
    assert!(gap_with(&report, "talk to a human").is_none());
    let examples: Vec<&str> = pickup["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["question"].as_str().unwrap())
        .collect();
    for q in PICKUP {
        assert!(examples.contains(&q), "{examples:?}");
    }
    assert_eq!(pickup["trend"]["direction"], "new");
    assert_eq!(pickup["daily"].as_array().unwrap().len(), 30);
    assert_eq!(pickup["daily"][29], 3, "asked today");
    assert!(!pickup["nearest"].as_array().unwrap().is_empty(), "{pickup:#}");

    // Replay before publishing: the draft answers the pickup conversations, nothing else changes.
    let draft = json!({
        "slug": "warehouse-pickup", "lang": "en", "topic": "pickup",
        "title": "Collecting an order yourself at the Shanghai warehouse",
        "body": "Yes: you can pick up your order in person at our Shanghai warehouse, 88 Jiangning Road, weekdays 10:00-17:00. Choose self pickup at checkout and bring your order number.",
        "questions": ["Can I pick up my order at the warehouse?", "self pickup in Shanghai", "collect my parcel in person"],
    });
    let (status, replay) = app
        .agent_post(&zhao, "/api/v1/replay", json!({ "articles": [draft.clone()] }))
        .await;
    assert_eq!(status, 200, "{replay}");
    assert_eq!(replay["conversations"], 7, "{replay:#}");
    assert_eq!(
        replay["draft"]["answered"].as_u64().unwrap(),
        replay["current"]["answered"].as_u64().unwrap() + 3,
        "{replay:#}"
    );
    let changed: Vec<&str> = replay["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["opening"].as_str().unwrap())
        .collect();
    assert_eq!(changed.len(), 3, "{replay:#}");
    for q in PICKUP {
        assert!(changed.contains(&q), "{changed:?}");
    }
    assert_eq!(replay["changed"][0]["draft"]["kind"], "answered");
    let (status, e) = app.agent_post(&zhao, "/api/v1/replay", json!({})).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("invalid_input")),
        "{e}"
    );
    let (status, e) = app
        .agent_post(&zhao, "/api/v1/replay", json!({ "policy": "[[rule]]\nbogus = 1" }))
        .await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(
        app.agent_post(&lin, "/api/v1/replay", json!({ "articles": [draft.clone()] }))
            .await
            .0,
        403
    );

    // Published: the gap closes; the topic's questions before it were all handed over or
    // unanswered, after it the AI answers.
    app.clock.advance(time::Duration::hours(1));
    let (status, created) = app.agent_post(&zhao, "/api/v1/articles", draft).await;
    assert_eq!(status, 201, "{created}");
    app.clock.advance(time::Duration::hours(1));
    let v = app.visitor(json!({ "lang": "en" })).await;
    let reply = app
        .ask(&v, "Could I come and pick up my parcel at the Shanghai warehouse?")
        .await;
    assert_eq!(reply["citations"][0]["article_id"], created["article"]["id"], "{reply}");

    let report = gaps(&app, &zhao).await;
    assert!(gap_with(&report, PICKUP[0]).is_none(), "closed: {report:#}");
    assert_eq!(gap_with(&report, STUDENTS[0]).unwrap()["volume"], 2);
    assert_eq!(report["covered_since"], 3, "{report:#}");
    let topic = report["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["topic"] == "pickup")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(topic["before"]["questions"], 3, "{topic:#}");
    assert_eq!(
        topic["before"]["escalated"].as_u64().unwrap() + topic["before"]["unanswered"].as_u64().unwrap(),
        3
    );
    assert_eq!(
        topic["after"],
        json!({ "questions": 1, "escalated": 0, "unanswered": 0 })
    );
    app.stop().await;
}
