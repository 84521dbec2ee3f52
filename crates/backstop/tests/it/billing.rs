//! Billing through the live server: an admin saves a plan (bad fields named first), conversations
//! are played (an AI resolution the customer confirmed, a human-resolved one, one still waiting),
//! and the month's statement — JSON and CSV — prices what the rollups counted and lists messages by
//! channel; supervisors read it,
//! agents do not, an API key with the reports scope does.

use std::time::Duration;

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn the_months_statement_prices_the_conversations_by_the_plan() {
    let app = TestApp::spawn_with(Scratch::new(), |c| {
        c.models.embeddings = false;
        c.analytics.sweep_secs = 1;
    })
    .await;
    let chen = app.login("demo", "chen@maple.example").await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let lin = app.login("demo", "lin@maple.example").await;

    // No plan yet: the usage is listed, nothing charged.
    let (status, s) = app.agent_get(&chen, "/api/v1/billing/statement").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        (s["has_plan"].as_bool(), s["statement"]["total"].as_u64()),
        (Some(false), Some(0))
    );

    let (status, body) = app
        .agent_put(
            &chen,
            "/api/v1/billing/plan",
            json!({"name": "Growth", "currency": "cny", "monthly_fee": 1000, "pricing": [
                {"item": "ai_resolution", "tiers": [{"up_to": 10, "price": 100}, {"up_to": 5, "price": 80}]}
            ]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["currency", "pricing.0.tiers.1.up_to"], "{body}");
    let (status, body) = app
        .agent_put(
            &chen,
            "/api/v1/billing/plan",
            json!({"name": "Growth", "currency": "CNY", "pricing": [{"item": "gold"}]}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_input")),
        "{body}"
    );
    let plan = json!({"name": "Growth", "currency": "CNY", "monthly_fee": 1000, "pricing": [
        {"item": "ai_resolution", "tiers": [{"up_to": 10, "price": 100}, {"price": 80}]},
        {"item": "human_resolved", "tiers": [{"price": 500}]},
        {"item": "messages", "included": 100, "tiers": [{"price": 1}]}
    ]});
    let (status, saved) = app.agent_put(&chen, "/api/v1/billing/plan", plan).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        app.agent_put(&zhao, "/api/v1/billing/plan", json!({})).await.0,
        403,
        "supervisors read, admins set"
    );

    // An AI resolution the customer confirmed; a person's; one still waiting for a person.
    let ai = app.visitor(json!({ "lang": "en" })).await;
    assert_eq!(
        app.ask(&ai, "How long does delivery take?").await["author"]["kind"],
        "ai"
    );
    let r = app
        .http
        .post(app.url(&format!("/api/widget/v1/demo/conversations/{}/solved", ai.conversation)))
        .header("x-visitor-token", &ai.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let human = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&human, "get me a human").await));
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", human.conversation);
    assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);
    assert_eq!(
        app.agent_post(&lin, &path("messages"), json!({"body": "Done: refunded."}))
            .await
            .0,
        201
    );
    assert_eq!(app.agent_post(&lin, &path("resolve"), json!({})).await.0, 200);
    let waiting = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&waiting, "talk to a human").await));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let s = loop {
        let (status, s) = app.agent_get(&zhao, "/api/v1/billing/statement").await;
        assert_eq!(status, 200, "{s}");
        if s["usage"]["ai_resolution"] == 1 && s["usage"]["human_resolved"] == 1 && s["usage"]["messages"] == 3 {
            break s;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the usage never got there: {s:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let lines: Vec<(String, u64)> = s["statement"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["item"].as_str().unwrap().to_owned(), l["amount"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        lines,
        [
            ("ai_resolution".to_string(), 100),
            ("human_resolved".into(), 500),
            ("messages".into(), 0),
            ("assisted".into(), 0),
            ("model_tokens".into(), 0),
            ("action_calls".into(), 0)
        ],
        "the priced items, then those the plan leaves out, uncharged: {s:#}"
    );
    assert_eq!(s["statement"]["total"], 1000 + 100 + 500);
    assert_eq!(
        s["breakdown"]["messages"],
        json!({ "web": 3 }),
        "the ledger lists messages by channel: {s:#}"
    );
    assert_eq!(
        s["provisional"], 3,
        "none of the three is final within the settlement window"
    );

    let csv = app
        .http
        .get(app.url("/api/v1/billing/statement/export"))
        .bearer_auth(&zhao.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains(",ai_resolution,,1,0,1,1,1.00,1,1.00,CNY\n"), "{csv}");
    assert!(csv.contains(",messages,channel:web,3,,,,,,,CNY\n"), "{csv}");
    assert!(csv.contains(",total,,,,,,,,16.00,CNY\n"), "{csv}");

    // A month before the plan: its usage, uncharged. A month written wrongly: named.
    let (_, before) = app.agent_get(&zhao, "/api/v1/billing/statement?month=2020-01").await;
    assert_eq!(
        (
            before["has_plan"].as_bool(),
            before["statement"]["total"].as_u64(),
            before["usage"]["ai_resolution"].as_u64()
        ),
        (Some(false), Some(0), Some(0)),
        "a plan does not price the months before it: {before:#}"
    );
    let (status, _) = app.agent_get(&zhao, "/api/v1/billing/statement?month=2026-13").await;
    assert_eq!(status, 422);

    assert_eq!(
        app.agent_get(&lin, "/api/v1/billing/statement").await.0,
        403,
        "agents see no billing"
    );
    let (_, key) = app
        .agent_post(
            &chen,
            "/api/v1/api-keys",
            json!({"name": "finance", "scopes": ["reports"]}),
        )
        .await;
    let finance = AgentClient {
        token: key["token"].as_str().unwrap().to_owned(),
    };
    assert_eq!(app.agent_get(&finance, "/api/v1/billing/statement").await.0, 200);
    assert_eq!(app.agent_put(&finance, "/api/v1/billing/plan", json!({})).await.0, 403);

    // A month later, a dearer plan: it prices the new month; the month over keeps its own.
    let month = s["month"].as_str().unwrap().to_owned();
    app.clock.advance(time::Duration::days(32));
    // (Sessions do not last a month: sign in again.)
    let chen = app.login("demo", "chen@maple.example").await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let dearer = json!({"name": "Scale", "currency": "CNY", "monthly_fee": 5000, "pricing": []});
    assert_eq!(app.agent_put(&chen, "/api/v1/billing/plan", dearer).await.0, 200);
    let (_, past) = app
        .agent_get(&zhao, &format!("/api/v1/billing/statement?month={month}"))
        .await;
    assert_eq!(
        (past["statement"]["plan"].as_str(), past["statement"]["total"].as_u64()),
        (Some("Growth"), Some(1000 + 100 + 500)),
        "a month over is not repriced by a later plan: {past:#}"
    );
    let (_, now) = app.agent_get(&zhao, "/api/v1/billing/statement").await;
    assert_eq!(
        (
            now["statement"]["plan"].as_str(),
            now["statement"]["monthly_fee"].as_u64()
        ),
        (Some("Scale"), Some(5000)),
        "{now:#}"
    );
    app.stop().await;
}
