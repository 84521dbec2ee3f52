//! Customer satisfaction: a resolved conversation is rated once it is resolved (not before);
//! low ratings are flagged for supervisors; "not satisfied, get me a person" reopens it to a human.

use serde_json::{json, Value};

use crate::support::{handed_over, TestApp, Visitor};

async fn rate(app: &TestApp, v: &Visitor, body: Value) -> (u16, Value) {
    let r = app
        .http
        .post(app.url(&format!("/api/widget/v1/demo/conversations/{}/rating", v.conversation)))
        .header("x-visitor-token", &v.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_resolved_conversation_is_rated_and_low_ratings_are_flagged() {
    let app = TestApp::spawn_lexical().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&v, "get me a human").await));
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
    assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);

    // Not before it is resolved.
    let (status, body) = rate(&app, &v, json!({ "rating": 5 })).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("invalid_transition")),
        "{body}"
    );
    assert_eq!(app.agent_post(&lin, &path("resolve"), json!({})).await.0, 200);
    let (_, state) = app.transcript(&v).await;
    assert_eq!(
        (state["status"].as_str(), state["rated"].as_bool()),
        (Some("resolved"), Some(false))
    );

    let (status, _) = rate(&app, &v, json!({ "rating": 9 })).await;
    assert_eq!(status, 422);
    let (status, body) = rate(&app, &v, json!({ "rating": 2, "comment": "Took three days to answer" })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"]["rated"], true);
    assert_eq!(body["state"]["status"], "resolved", "a rating alone does not reopen");

    let (status, list) = app.agent_get(&zhao, "/api/v1/ratings").await;
    assert_eq!(status, 200);
    assert_eq!(list["ratings"][0]["conversation_id"], v.conversation.as_str());
    assert_eq!(list["ratings"][0]["flagged"], true);
    assert_eq!(list["ratings"][0]["comment"], "Took three days to answer");
    assert_eq!(app.agent_get(&lin, "/api/v1/ratings").await.0, 403);
    let (_, d) = app.agent_get(&zhao, path("").trim_end_matches('/')).await;
    assert!(d["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "csat" && e["reason"] == "rated 2/5: flagged for review"));
    app.stop().await;
}

#[tokio::test]
async fn not_satisfied_get_me_a_person_reopens_to_a_human() {
    let app = TestApp::spawn_lexical().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    // The AI answered; an agent closed the matter.
    assert_eq!(
        app.ask(&v, "How long does delivery take?").await["author"]["kind"],
        "ai"
    );
    let path = format!("/api/v1/conversations/{}/resolve", v.conversation);
    assert_eq!(app.agent_post(&lin, &path, json!({})).await.0, 200);

    let (status, body) = rate(&app, &v, json!({ "rating": 1, "person": true })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"]["status"], "open");
    assert_eq!(body["state"]["owner"], "queue", "a person, not the AI: {body}");
    let (msgs, _) = app.transcript(&v).await;
    assert!(msgs.iter().any(handed_over));
    app.stop().await;
}
