//! Finding 6, headers and limits: pages carry a Content-Security-Policy without inline script and
//! cannot be framed; every response says `nosniff` and a same-origin referrer policy; API answers
//! are not cached; the agents' socket refuses frames over 64 KiB as the widget's does; a bad query
//! string gets the API's error shape; `limit`s are clamped; hidden direction and control
//! characters never reach a stored message.

use futures::SinkExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

#[tokio::test]
async fn pages_and_the_api_carry_the_security_headers() {
    let app = TestApp::spawn_lexical().await;
    for page in [
        "/login",
        "/inbox",
        "/policy",
        "/actions",
        "/supervisor",
        "/knowledge",
        "/demo/store",
    ] {
        let r = app.http.get(app.url(page)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{page}");
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{page}: {csp}");
        let script = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert!(
            script.contains("'self'") && !script.contains("unsafe-inline"),
            "{page}: {script}"
        );
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY", "{page}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{page}");
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin", "{page}");
        // No inline script at all in the page (the policy would block it).
        let html = r.text().await.unwrap();
        for (i, tag) in html.match_indices("<script").map(|(i, _)| (i, &html[i..])) {
            let end = tag.find('>').unwrap();
            assert!(tag[..end].contains("src="), "{page}: inline script at {i}");
        }
        assert!(
            !html.contains(" onclick=") && !html.contains(" onsubmit="),
            "{page}: inline handler"
        );
    }
    let r = app.http.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers().get("cache-control").unwrap(), "no-store");
    assert_eq!(r.headers().get("x-content-type-options").unwrap(), "nosniff");
    app.stop().await;
}

#[tokio::test]
async fn the_agents_socket_refuses_huge_frames() {
    let app = TestApp::spawn_lexical().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let mut ws = app.inbox_socket(&lin).await;
    let big = "x".repeat(15 * 1024 * 1024);
    // The server closes the socket rather than reading 15 MiB into memory.
    let sent = ws.0.send(Message::Text(big.into())).await;
    let mut closed = sent.is_err();
    if !closed {
        let deadline = tokio::time::Instant::now() + WAIT;
        while tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(std::time::Duration::from_secs(1), futures::StreamExt::next(&mut ws.0)).await {
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => {
                    closed = true;
                    break;
                }
                _ => {}
            }
        }
    }
    assert!(closed, "a 15 MiB frame closed the socket");
    app.stop().await;
}

#[tokio::test]
async fn bad_query_strings_get_the_api_error_shape_and_limits_are_clamped() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    for path in [
        "/api/v1/conversations?limit=lots",
        "/api/v1/ratings?at_most=-1",
        "/api/v1/ratings?limit=99999999999999999999",
        "/api/v1/gaps?days=abc",
        "/api/v1/candidates?status=nope",
        "/api/v1/articles/not-an-id/diff?from=a&to=b",
    ] {
        let r = app
            .http
            .get(app.url(path))
            .bearer_auth(&zhao.token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!((400..500).contains(&status), "{path}: {status}");
        assert!(ct.is_some_and(|c| c.starts_with("application/json")), "{path}");
        assert_eq!(body["error"]["code"], "invalid_input", "{path}: {body}");
    }
    // The largest numbers are taken as the largest allowed, not as an instruction to read it all.
    for path in [
        "/api/v1/conversations?view=all&limit=4294967295",
        "/api/v1/ratings?limit=4294967295",
        "/api/v1/gaps?days=4294967295",
    ] {
        let (status, body) = app.agent_get(&zhao, path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    // A wrong method gets the same shape.
    let r = app
        .http
        .delete(app.url("/api/v1/me"))
        .bearer_auth(&zhao.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    app.stop().await;
}

#[tokio::test]
async fn direction_overrides_and_control_characters_never_reach_a_message() {
    let app = TestApp::spawn_lexical().await;
    let v = app.visitor(json!({ "lang": "en", "name": "Eve\u{202E}nimda" })).await;
    let sent: Value = app
        .say(&v, "c1", "refund \u{202E}txt.exe\u{202C} now\u{0007}\u{200F}\u{2066}!")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sent["message"]["body"], "refund txt.exe now!");
    let zhao = app.login("demo", "zhao@maple.example").await;
    let (_, d) = app
        .agent_get(&zhao, &format!("/api/v1/conversations/{}", v.conversation))
        .await;
    assert_eq!(d["conversation"]["customer"]["name"], "Evenimda");
    // An agent's reply is cleaned the same way.
    app.ask(&v, "talk to a human").await;
    let path = format!("/api/v1/conversations/{}", v.conversation);
    assert_eq!(app.agent_post(&zhao, &format!("{path}/take"), json!({})).await.0, 200);
    let (status, m) = app
        .agent_post(
            &zhao,
            &format!("{path}/messages"),
            json!({ "body": "ok\u{202D} done\u{0000}" }),
        )
        .await;
    assert_eq!((status, m["message"]["body"].as_str()), (201, Some("ok done")));
    app.stop().await;
}
