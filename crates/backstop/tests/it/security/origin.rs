//! Finding 4, same-site request forgery and socket hijacking: with a supervisor signed in (the
//! cookie), a page of another origin — even of the same site, where `SameSite=Lax` cookies are
//! sent — cannot change state or open the agents' socket; a form-encoded POST is refused even from
//! the right origin. (The browser test `origin.test.mjs` checks the same from a real page.)

use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::*;

/// A request as Chromium would send it from a page, with the session cookie.
fn from_page(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    origin: Option<&str>,
    fetch_site: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut r = app
        .http
        .request(method, app.url(path))
        .header("cookie", format!("backstop_session={token}"))
        .header("content-type", "application/json")
        .body("{}");
    if let Some(o) = origin {
        r = r.header("origin", o);
    }
    if let Some(s) = fetch_site {
        r = r.header("sec-fetch-site", s);
    }
    r
}

#[tokio::test]
async fn another_origin_of_the_same_site_cannot_change_state() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    app.ask(&v, "talk to a human").await;
    let take = format!("/api/v1/conversations/{}/take", v.conversation);
    let own = app.base.clone();
    // Same host, another port: another origin of the same site (as support.example.com and
    // shop.example.com are).
    let port: u16 = own.rsplit(':').next().unwrap().parse().unwrap();
    let sibling = format!("http://127.0.0.1:{}", if port == 1 { 2 } else { port - 1 });
    for (origin, site) in [
        (Some(sibling.as_str()), Some("same-site")),
        (Some("http://localhost.example"), Some("cross-site")),
        (Some("null"), Some("cross-site")),
        (None, Some("same-site")),
        (None, Some("cross-site")),
    ] {
        let r = from_page(&app, reqwest::Method::POST, &take, &zhao.token, origin, site)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden_origin")),
            "origin {origin:?}, fetch site {site:?}"
        );
    }
    for path in ["/api/v1/understanding/rebuild", "/api/v1/auth/logout-everywhere"] {
        let r = from_page(
            &app,
            reqwest::Method::POST,
            path,
            &zhao.token,
            Some(&sibling),
            Some("same-site"),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    // The conversation is still in the queue, and the session still works.
    let (_, d) = app
        .agent_get(&zhao, &format!("/api/v1/conversations/{}", v.conversation))
        .await;
    assert_eq!(d["conversation"]["owner"]["kind"], "queue");
    // From Backstop's own page it works.
    let r = from_page(
        &app,
        reqwest::Method::POST,
        &take,
        &zhao.token,
        Some(&own),
        Some("same-origin"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_form_post_is_refused_even_from_the_right_origin() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    for ct in [
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
    ] {
        let r = app
            .http
            .post(app.url("/api/v1/understanding/rebuild"))
            .header("cookie", format!("backstop_session={}", zhao.token))
            .header("origin", &app.base)
            .header("content-type", ct)
            .body("a=b")
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (415, Some("json_required")),
            "{ct}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_agents_socket_opens_only_from_backstops_own_pages() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let open = |origin: Option<String>| {
        let mut req = app.ws_url("/api/v1/ws?watch=1").into_client_request().unwrap();
        req.headers_mut()
            .insert("cookie", format!("backstop_session={}", zhao.token).parse().unwrap());
        if let Some(o) = origin {
            req.headers_mut().insert("origin", o.parse().unwrap());
        }
        tokio_tungstenite::connect_async(req)
    };
    let port: u16 = app.base.rsplit(':').next().unwrap().parse().unwrap();
    for origin in [
        format!("http://127.0.0.1:{}", port - 1),
        "https://evil.example".into(),
        "null".into(),
    ] {
        match open(Some(origin.clone())).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status(), 403, "{origin}")
            }
            other => panic!("the socket opened from {origin}: {:?}", other.map(|_| ())),
        }
    }
    assert!(open(Some(app.base.clone())).await.is_ok(), "from its own origin");
    assert!(open(None).await.is_ok(), "from a program (no Origin)");
    app.stop().await;
}
