//! The admin's console through the API: teams added and changed (with every bad field named),
//! agents added (with a password made for them that signs in) and edited, the widget's settings
//! (its look read by the widget, its allowed sites enforced, the language it offers), API keys
//! (the token shown once, acting within its scopes, refused once revoked), and none of it open to
//! agents.

use serde_json::{json, Value};

use crate::support::*;

fn fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|a| a.iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_admin_adds_and_changes_teams_with_each_bad_field_named() {
    let app = TestApp::spawn_lexical().await;
    let admin = app.login("demo", "chen@maple.example").await;
    let (status, team) = app
        .agent_post(
            &admin,
            "/api/v1/teams",
            json!({
                "name": " Night shift ", "names": {"zh": "夜班"}, "role": "general", "strategy": "least_loaded",
                "hours": {"timezone": "Asia/Shanghai", "open": "mon-fri 18:00-24:00"},
                "sla": {"vip_secs": 20, "standard_secs": 90, "ticket_reply_mins": 60},
                "languages": ["ZH", "en"]
            }),
        )
        .await;
    assert_eq!(status, 201, "{team}");
    assert_eq!(team["name"], "Night shift");
    assert_eq!(team["names"]["zh"], "夜班");
    assert_eq!(team["hours"]["open"], "mon-fri 18:00-24:00");
    assert_eq!(team["sla"]["vip_secs"], 20);
    assert_eq!(team["languages"], json!(["zh", "en"]));
    let id = team["id"].as_str().unwrap().to_owned();

    let (status, body) = app
        .agent_post(
            &admin,
            "/api/v1/teams",
            json!({"name": "night SHIFT", "hours": {"timezone": "Moon/Base", "open": "mon 18:00-09:00"},
                   "sla": {"vip_secs": 600}, "languages": ["French"]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_input");
    assert_eq!(
        fields(&body),
        ["hours.timezone", "languages", "sla.vip_secs", "name"],
        "{body}"
    );

    let (status, changed) = app
        .agent_put(&admin, &format!("/api/v1/teams/{id}"), json!({"sla": {"vip_secs": 15}}))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (
            changed["sla"]["vip_secs"].as_u64(),
            changed["sla"]["standard_secs"].as_u64()
        ),
        (Some(15), Some(90)),
        "what the body leaves out stays"
    );
    assert_eq!(changed["strategy"], "least_loaded");
    let (status, _) = app
        .agent_put(&admin, "/api/v1/teams/0191a7c2-0000-7000-8000-000000000000", json!({}))
        .await;
    assert_eq!(status, 404);

    let lin = app.login("demo", "lin@maple.example").await;
    let (status, _) = app.agent_post(&lin, "/api/v1/teams", json!({"name": "Mine"})).await;
    assert_eq!(status, 403, "agents do not set up teams");
    let (status, list) = app.agent_get(&lin, "/api/v1/teams").await;
    assert_eq!(status, 200);
    assert!(list["teams"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "Night shift"));
    app.stop().await;
}

#[tokio::test]
async fn an_admin_adds_an_agent_who_signs_in_with_the_password_made_once() {
    let app = TestApp::spawn_lexical().await;
    let admin = app.login("demo", "chen@maple.example").await;
    let (_, teams) = app.agent_get(&admin, "/api/v1/teams").await;
    let general = teams["teams"][0]["id"].as_str().unwrap().to_owned();
    let (status, made) = app
        .agent_post(
            &admin,
            "/api/v1/agents",
            json!({"name": "Mia Park", "email": "mia@maple.example", "teams": [general], "capacity": 3,
                   "languages": ["ko", "en"], "topics": ["Refunds"]}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let password = made["password"].as_str().expect("a password made for her").to_owned();
    assert_eq!(made["agent"]["role"], "agent");
    let mia = app.login_with("demo", "mia@maple.example", &password).await;
    let (_, me) = app.agent_get(&mia, "/api/v1/me").await;
    assert_eq!(me["agent"]["name"], "Mia Park", "{me}");

    let (status, body) = app
        .agent_post(
            &admin,
            "/api/v1/agents",
            json!({"name": " ", "email": "MIA@maple.example", "capacity": 0, "password": "short"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["name", "email", "capacity", "password"], "{body}");
    let (status, body) = app
        .agent_post(
            &admin,
            "/api/v1/agents",
            json!({"name": "Kai", "email": "kai@maple.example", "password": "plum-Orbit-94x"}),
        )
        .await;
    assert_eq!(
        (status, body["password"].clone()),
        (201, Value::Null),
        "given: not echoed"
    );

    let id = made["agent"]["id"].as_str().unwrap();
    let (status, edited) = app
        .agent_put(
            &admin,
            &format!("/api/v1/agents/{id}"),
            json!({"capacity": 7, "topics": []}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    let (_, roster) = app.agent_get(&admin, "/api/v1/agents").await;
    let row = roster["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"]["email"] == "mia@maple.example")
        .unwrap()
        .clone();
    assert_eq!(
        (
            row["capacity"].as_u64(),
            row["languages"].clone(),
            row["topics"].clone()
        ),
        (Some(7), json!(["ko", "en"]), json!([]))
    );
    let (status, _) = app
        .agent_post(&admin, &format!("/api/v1/agents/{id}/deactivate"), json!({}))
        .await;
    assert_eq!(status, 200);
    let (_, me) = app.agent_get(&mia, "/api/v1/me").await;
    assert!(
        me.is_null() || me["error"]["code"] == "unauthenticated",
        "deactivated: signed out"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_widget_reads_its_look_and_only_allowed_sites_embed_it() {
    let app = TestApp::spawn_lexical().await;
    let admin = app.login("demo", "chen@maple.example").await;
    let (status, w) = app.agent_get(&admin, "/api/v1/widget").await;
    assert_eq!(status, 200);
    assert_eq!(w["color"], "#3452db");
    assert!(w["snippet"].as_str().unwrap().contains("data-tenant=\"demo\""), "{w}");

    let (status, body) = app
        .agent_put(
            &admin,
            "/api/v1/widget",
            json!({"color": "teal", "origins": ["shop.example"], "greeting": {"en": "x".repeat(301)}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["color", "greeting.en", "origins"], "{body}");
    let (status, w) = app
        .agent_put(
            &admin,
            "/api/v1/widget",
            json!({"color": "#0F766E", "corner": "left", "greeting": {"zh": "您好，枫叶商城客服"},
                   "languages": ["zh"], "origins": ["https://shop.example/"]}),
        )
        .await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(
        (w["color"].as_str(), w["origins"][0].as_str()),
        (Some("#0f766e"), Some("https://shop.example"))
    );
    assert!(w["snippet"].as_str().unwrap().contains("data-lang=\"zh\""));

    let look: Value = app
        .http
        .get(app.url("/api/widget/v1/demo/look"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (look["color"].as_str(), look["corner"].as_str()),
        (Some("#0f766e"), Some("left"))
    );
    assert_eq!(look["greeting"]["zh"], "您好，枫叶商城客服");
    let r = app
        .http
        .get(app.url("/api/widget/v1/nobody/look"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    let session = |origin: &'static str| {
        let req = app
            .http
            .post(app.url("/api/widget/v1/demo/session"))
            .header("origin", origin)
            .json(&json!({"lang": "en"}));
        async move { req.send().await.unwrap() }
    };
    let r = session("https://evil.example").await;
    assert_eq!(r.status(), 403, "a site the tenant did not allow");
    let r = session("https://shop.example").await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["lang"], "zh", "English is not offered: the visitor gets Chinese");

    let lin = app.login("demo", "lin@maple.example").await;
    assert_eq!(app.agent_get(&lin, "/api/v1/widget").await.0, 403);
    assert_eq!(
        app.agent_put(&lin, "/api/v1/widget", json!({"color": "#000000"}))
            .await
            .0,
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn an_api_key_acts_within_its_scopes_until_revoked() {
    let app = TestApp::spawn_lexical().await;
    let admin = app.login("demo", "chen@maple.example").await;
    let (status, body) = app
        .agent_post(&admin, "/api/v1/api-keys", json!({"name": " ", "scopes": []}))
        .await;
    assert_eq!(
        (status, fields(&body)),
        (422, vec!["name".to_string(), "scopes".into()])
    );
    let (status, body) = app
        .agent_post(
            &admin,
            "/api/v1/api-keys",
            json!({"name": "BI export", "scopes": ["everything"]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, made) = app
        .agent_post(
            &admin,
            "/api/v1/api-keys",
            json!({"name": "BI export", "scopes": ["reports"]}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let token = made["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("bsk_") && token.len() == 52);
    let key = AgentClient { token: token.clone() };

    let (_, list) = app.agent_get(&admin, "/api/v1/api-keys").await;
    let listed = list.to_string();
    assert!(!listed.contains(&token), "the token is never listed");
    assert_eq!(list["keys"][0]["shown"], &token[..12]);

    assert_eq!(
        app.agent_get(&key, "/api/v1/reports?from=2026-11-01&to=2026-11-30")
            .await
            .0,
        200
    );
    for path in [
        "/api/v1/conversations",
        "/api/v1/articles",
        "/api/v1/widget",
        "/api/v1/api-keys",
        "/api/v1/me",
    ] {
        let (status, body) = app.agent_get(&key, path).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (status, _) = app
        .agent_post(&key, "/api/v1/api-keys", json!({"name": "more", "scopes": ["reports"]}))
        .await;
    assert_eq!(status, 403, "a key cannot make keys");
    let (_, list) = app.agent_get(&admin, "/api/v1/api-keys").await;
    assert!(list["keys"][0]["last_used_at"].is_string(), "its use is noted");

    let id = made["key"]["id"].as_str().unwrap();
    assert_eq!(app.agent_delete(&admin, &format!("/api/v1/api-keys/{id}")).await.0, 204);
    assert_eq!(
        app.agent_get(&key, "/api/v1/reports?from=2026-11-01&to=2026-11-30")
            .await
            .0,
        401,
        "revoked: refused at once"
    );
    assert_eq!(app.agent_delete(&admin, &format!("/api/v1/api-keys/{id}")).await.0, 404);
    let lin = app.login("demo", "lin@maple.example").await;
    assert_eq!(app.agent_get(&lin, "/api/v1/api-keys").await.0, 403);
    app.stop().await;
}

#[tokio::test]
async fn metrics_need_the_token_and_count_routes_events_and_the_queue() {
    const TOKEN: &str = "scrape-me-0123456789abcdef";
    let app = TestApp::spawn_with(Scratch::new(), |c| {
        c.models.embeddings = false;
        c.server.metrics_token = TOKEN.into();
    })
    .await;
    let scrape = |token: Option<&'static str>| {
        let mut req = app.http.get(app.url("/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(scrape(None).await.0, 401);
    assert_eq!(scrape(Some("scrape-me-0123456789abcdeX")).await.0, 401);

    let v = app.visitor(json!({"lang": "en"})).await;
    app.ask(&v, "talk to a human").await;
    let r = app.http.get(app.url("/api/v1/no-such-thing/123")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let (status, text) = scrape(Some(TOKEN)).await;
    assert_eq!(status, 200);
    for line in [
        "backstop_http_requests_total{method=\"POST\",route=\"/api/widget/v1/{tenant}/session\",status=\"2xx\"} 1",
        "backstop_events_total{kind=\"handoff\",reason=\"customer_request\"} 1",
        "backstop_customer_messages_total 1",
        "backstop_queue_depth{tenant=\"demo\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} missing from:\n{text}");
    }
    assert!(
        text.contains("backstop_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/widget/v1/{tenant}/session\",le=\"+Inf\"} 1"),
        "{text}"
    );
    assert!(!text.contains("no-such-thing"), "a made-up path adds no series");
    app.stop().await;

    let off = TestApp::spawn_lexical().await;
    let r = off
        .http
        .get(off.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "no token configured: no metrics");
    off.stop().await;
}
