//! Finding 7, anonymous endpoints: widget sessions are rate-limited per client address, messages
//! per visitor (REST and socket alike), and a session no longer creates a conversation: the first
//! message does.

use serde_json::json;

use super::{send, session};
use crate::support::*;

#[tokio::test]
async fn sessions_from_one_address_are_rate_limited() {
    let app = TestApp::spawn_guarded(|c| c.limits.widget_sessions_per_ip = 10).await;
    let mut statuses = Vec::new();
    let mut retry = None;
    for _ in 0..25 {
        let r = app
            .http
            .post(app.url("/api/widget/v1/demo/session"))
            .json(&json!({ "lang": "en" }))
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "rate_limited");
            statuses.push(429);
        } else {
            statuses.push(r.status().as_u16());
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15);
    assert!(retry.is_some(), "429 says when to retry");
    app.stop().await;
}

#[tokio::test]
async fn messages_of_one_visitor_are_rate_limited_over_rest_and_socket() {
    let app = TestApp::spawn_guarded(|c| c.limits.messages_per_visitor = 8).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let mut codes = Vec::new();
    for i in 0..12 {
        let (status, body) = send(&app, &v.token, &v.conversation, &format!("hello {i}")).await;
        codes.push((status, body["error"]["code"].as_str().map(str::to_owned)));
    }
    assert_eq!(codes.iter().filter(|(s, _)| *s == 201).count(), 8, "{codes:?}");
    assert!(codes[8..]
        .iter()
        .all(|(s, c)| *s == 429 && c.as_deref() == Some("rate_limited")));
    // Over the socket the same visitor is refused too, frame by frame, with when to retry.
    let mut ws = app.widget_ws(&v, 0).await;
    ws.until("hello", |f| f["type"] == "hello").await;
    ws.send(json!({ "type": "message", "client_id": "s1", "body": "still there?" }))
        .await;
    let refused = ws
        .until("a refusal", |f| f["type"] == "error" || f["type"] == "ack")
        .await;
    assert_eq!(
        (refused["type"].as_str(), refused["code"].as_str()),
        (Some("error"), Some("rate_limited")),
        "{refused}"
    );
    assert!(refused["retry_after"].as_u64().is_some_and(|s| s >= 1));
    // Another visitor is not affected.
    let w = app.visitor(json!({ "lang": "en" })).await;
    assert_eq!(send(&app, &w.token, &w.conversation, "hi").await.0, 201);
    app.stop().await;
}

#[tokio::test]
async fn a_session_creates_no_conversation_until_the_first_message() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    async fn count(app: &TestApp, zhao: &AgentClient) -> usize {
        let (_, all) = app.agent_get(zhao, "/api/v1/conversations?view=all&limit=500").await;
        all["conversations"].as_array().unwrap().len()
    }
    let before = count(&app, &zhao).await;
    let mut visitors = Vec::new();
    for _ in 0..20 {
        let (status, s) = session(&app, json!({ "lang": "en" })).await;
        assert_eq!(status, 200);
        visitors.push(s);
    }
    assert_eq!(count(&app, &zhao).await, before, "twenty sessions, no conversation");
    // Not merely hidden from the lists: not stored at all.
    for s in &visitors {
        let conv = s["conversation_id"].as_str().unwrap();
        let (status, _) = app.agent_get(&zhao, &format!("/api/v1/conversations/{conv}")).await;
        assert_eq!(status, 404, "a session's conversation exists only once written to");
    }
    // The visitor sees an empty conversation that the AI owns, and may write to it.
    let s = &visitors[0];
    let (token, conv) = (s["token"].as_str().unwrap(), s["conversation_id"].as_str().unwrap());
    let (status, list) = super::widget_messages(&app, token, conv).await;
    assert_eq!(status, 200);
    assert_eq!(list["messages"].as_array().unwrap().len(), 0);
    assert_eq!(list["state"]["owner"], "ai");
    // Another visitor cannot use it.
    let other = visitors[1]["token"].as_str().unwrap();
    assert_eq!(super::widget_messages(&app, other, conv).await.0, 404);
    assert_eq!(send(&app, other, conv, "mine now").await.0, 404);
    // The first message creates it.
    assert_eq!(send(&app, token, conv, "How long does delivery take?").await.0, 201);
    assert_eq!(count(&app, &zhao).await, before + 1);
    // Coming back keeps the same conversation.
    let (_, again) = session(&app, json!({ "token": token })).await;
    assert_eq!(again["conversation_id"].as_str(), Some(conv));
    app.stop().await;
}
