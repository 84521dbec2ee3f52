//! Bad input gets a clear 4xx with a stable code — never a 5xx, never a panic.

use crate::support::*;
use serde_json::{json, Value};

async fn code(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"]["code"].as_str().unwrap_or("<no code>").to_string(),
    )
}

#[tokio::test]
async fn bad_widget_input_is_refused_clearly() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let msgs = format!("/api/widget/v1/demo/conversations/{}/messages", v.conversation);

    let long = "x".repeat(4001);
    assert_eq!(
        code(app.say(&v, "long", &long).await).await,
        (413, "message_too_long".into())
    );
    assert_eq!(
        code(app.say(&v, "empty", "   ").await).await,
        (422, "empty_message".into())
    );
    let huge = "y".repeat(200_000);
    assert_eq!(
        code(app.say(&v, "huge", &huge).await).await,
        (413, "payload_too_large".into())
    );

    let malformed = app
        .http
        .post(app.url(&msgs))
        .header("x-visitor-token", &v.token)
        .header("content-type", "application/json")
        .body("{\"body\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(code(malformed).await, (400, "invalid_json".into()));
    let wrong_shape = app
        .http
        .post(app.url(&msgs))
        .header("x-visitor-token", &v.token)
        .json(&json!({ "body": 42 }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(wrong_shape).await, (422, "invalid_input".into()));
    let bad_client_id = app.say(&v, "has spaces in it", "hi").await;
    assert_eq!(code(bad_client_id).await, (422, "invalid_input".into()));

    let unknown = "/api/widget/v1/demo/conversations/01a1fd9a-2ca5-741f-a63f-72ed18bbc648/messages";
    let r = app
        .http
        .post(app.url(unknown))
        .header("x-visitor-token", &v.token)
        .json(&json!({ "body": "hi" }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(r).await, (404, "conversation_not_found".into()));
    let r = app
        .http
        .post(app.url("/api/widget/v1/demo/conversations/not-a-uuid/messages"))
        .header("x-visitor-token", &v.token)
        .json(&json!({ "body": "hi" }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(r).await, (404, "conversation_not_found".into()));
    let r = app
        .http
        .post(app.url(&msgs))
        .json(&json!({ "body": "no token" }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(r).await, (401, "unauthenticated".into()));
    let r = app
        .http
        .post(app.url("/api/widget/v1/nosuchshop/session"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(code(r).await, (404, "tenant_not_found".into()));
    let r = app
        .http
        .post(app.url("/api/widget/v1/demo/session"))
        .json(&json!({ "lang": "fr" }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(r).await, (422, "invalid_input".into()));

    // Over the socket: a rejected frame gets an error frame and the connection stays usable.
    let mut ws = app.widget_ws(&v, 0).await;
    ws.until("hello", |f| f["type"] == "hello").await;
    ws.send(json!({ "type": "message", "client_id": "big", "body": "z".repeat(4001) }))
        .await;
    let e = ws.until("error", |f| f["type"] == "error").await;
    assert_eq!(
        (e["code"].as_str(), e["client_id"].as_str()),
        (Some("message_too_long"), Some("big"))
    );
    ws.0.send(tokio_tungstenite::tungstenite::Message::Text("not json".into()))
        .await
        .unwrap();
    assert_eq!(
        ws.until("error", |f| f["type"] == "error").await["code"],
        "invalid_json"
    );
    ws.send(json!({ "type": "launch_rockets" })).await;
    assert_eq!(
        ws.until("error", |f| f["type"] == "error").await["code"],
        "invalid_input"
    );
    ws.send(json!({ "type": "ping" })).await;
    ws.until("pong", |f| f["type"] == "pong").await;
    app.stop().await;
}

use futures::SinkExt;

#[tokio::test]
async fn bad_agent_input_is_refused_clearly() {
    let app = TestApp::spawn().await;
    let r = app.http.get(app.url("/api/v1/conversations")).send().await.unwrap();
    assert_eq!(code(r).await, (401, "unauthenticated".into()));
    let r = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth("forged-token")
        .send()
        .await
        .unwrap();
    assert_eq!(code(r).await, (401, "unauthenticated".into()));
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "tenant": "demo", "email": "lin@maple.example", "password": "wrong" }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(r).await, (401, "invalid_credentials".into()));
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "tenant": "Not A Tenant", "email": "x", "password": "y" }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(r).await, (401, "invalid_credentials".into()));

    let agent = app.login("demo", "lin@maple.example").await;
    let (status, body) = app.agent_get(&agent, "/api/v1/conversations?view=everything").await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_input")));
    let (status, body) = app
        .agent_post(
            &agent,
            "/api/v1/conversations/01a1fd9a-2ca5-741f-a63f-72ed18bbc648/take",
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("conversation_not_found"))
    );
    let v = app.visitor(json!({ "lang": "en" })).await;
    // Not written to yet: only reserved for the visitor, nobody else sees it.
    let path = format!("/api/v1/conversations/{}/messages", v.conversation);
    let (status, body) = app.agent_post(&agent, &path, json!({ "body": "hello" })).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("conversation_not_found"))
    );
    app.ask(&v, "How long does delivery take?").await;
    let (status, body) = app.agent_post(&agent, &path, json!({ "body": "hello" })).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("invalid_transition")),
        "the AI owns it; take it first"
    );
    let (status, body) = app
        .agent_post(
            &agent,
            &format!("/api/v1/conversations/{}/notes", v.conversation),
            json!({ "body": "" }),
        )
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("empty_message")));
    let r = app.http.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(code(r).await, (404, "not_found".into()));
    // Sign-out ends the session.
    let r = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&agent.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, _) = app.agent_get(&agent, "/api/v1/me").await;
    assert_eq!(status, 401);
    app.stop().await;
}

/// One rule for what does not exist, wherever it is named (path or body): 404 with
/// `<what>_not_found`, a malformed id as much as an unknown one.
#[tokio::test]
async fn whatever_is_missing_is_a_404_named_for_it() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let unknown = "0191f3c4-0000-7000-8000-000000000000";
    for (path, body, want) in [
        (
            format!("/api/v1/candidates/{unknown}/reject"),
            json!({}),
            "candidate_not_found",
        ),
        (
            "/api/v1/candidates/nope/approve".to_string(),
            json!({}),
            "candidate_not_found",
        ),
        (
            format!("/api/v1/candidates/{unknown}/merge"),
            json!({ "article_id": unknown }),
            "candidate_not_found",
        ),
        (
            format!("/api/v1/articles/{unknown}/archive"),
            json!({}),
            "article_not_found",
        ),
        (
            "/api/v1/articles/nope/archive".to_string(),
            json!({}),
            "article_not_found",
        ),
    ] {
        let (status, answer) = app.agent_post(&zhao, &path, body).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (404, Some(want)), "{path}");
    }
    app.stop().await;
}
