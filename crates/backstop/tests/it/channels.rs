//! Channels through the real server: an admin connects WhatsApp and Telegram (secrets written,
//! never read back, the connection closed to agents and to other tenants), Meta's subscription
//! check, and webhooks — refused and storing nothing without the right signature or secret
//! token, each message stored once however often it is delivered, in a conversation on its
//! channel that the AI answers.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

const APP_SECRET: &str = "meta-app-secret-1f2e3d";
const PHONE_ID: &str = "106540352242922";

fn whatsapp_text(id: &str, from: &str, body: &str) -> Vec<u8> {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
            "contacts": [{"profile": {"name": "Sam Reed"}, "wa_id": from}],
            "messages": [{"from": from, "id": id, "timestamp": "1796600000", "type": "text",
                          "text": {"body": body}}]
        }}]}]
    })
    .to_string()
    .into_bytes()
}

async fn hook(app: &TestApp, path: &str, headers: &[(&str, String)], body: Vec<u8>) -> (u16, Value) {
    let mut req = app
        .http
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The conversations of the demo tenant on `channel`, as the inbox lists them.
async fn on_channel(app: &TestApp, admin: &AgentClient, channel: &str) -> Vec<Value> {
    let (_, list) = app.agent_get(admin, "/api/v1/conversations?view=all").await;
    list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["channel"] == channel)
        .cloned()
        .collect()
}

async fn messages(app: &TestApp, admin: &AgentClient, id: &str) -> Vec<Value> {
    let (status, d) = app.agent_get(admin, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(status, 200, "{d}");
    d["messages"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_whatsapp_webhook_is_verified_stored_once_and_answered_on_its_channel() {
    let app = TestApp::spawn_lexical().await;
    let admin = app.login("demo", "chen@maple.example").await;
    let (status, conn) = app
        .agent_post(
            &admin,
            "/api/v1/channels",
            json!({"channel": "whatsapp", "account": PHONE_ID, "name": "Support line",
                   "secrets": {"access_token": "EAAG-token-value", "app_secret": APP_SECRET,
                               "verify_token": "verify-me-42"}}),
        )
        .await;
    assert_eq!(status, 201, "{conn}");
    assert_eq!(
        conn["secrets_set"],
        json!(["access_token", "app_secret", "verify_token"])
    );
    let (_, list) = app.agent_get(&admin, "/api/v1/channels").await;
    for secret in ["EAAG-token-value", APP_SECRET, "verify-me-42"] {
        assert!(!conn.to_string().contains(secret) && !list.to_string().contains(secret));
    }
    let path = conn["webhook_path"].as_str().unwrap().to_owned();
    assert!(path.starts_with("/hooks/demo/"), "{path}");

    // Meta's subscription check.
    let check = |token: &str| {
        app.http
            .get(app.url(&format!(
                "{path}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
            )))
            .send()
    };
    let r = check("verify-me-42").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "1158201444");
    assert_eq!(check("guess").await.unwrap().status(), 403);

    // Without the signature, or with one made with another secret: 401, and nothing stored.
    let body = whatsapp_text("wamid.A1", "447700900123", "What is your return policy?");
    let (status, _) = hook(&app, &path, &[], body.clone()).await;
    assert_eq!(status, 401);
    let forged = backstop_channels::meta::sign(b"not-the-secret", &body);
    let (status, _) = hook(&app, &path, &[("x-hub-signature-256", forged)], body.clone()).await;
    assert_eq!(status, 401);
    assert!(on_channel(&app, &admin, "whatsapp").await.is_empty());

    // Signed: stored, and a redelivery of the same message stores nothing more.
    let signed = backstop_channels::meta::sign(APP_SECRET.as_bytes(), &body);
    let (status, got) = hook(&app, &path, &[("x-hub-signature-256", signed.clone())], body.clone()).await;
    assert_eq!((status, got["messages"].as_u64()), (200, Some(1)), "{got}");
    let (status, got) = hook(&app, &path, &[("x-hub-signature-256", signed)], body).await;
    assert_eq!((status, got["duplicates"].as_u64()), (200, Some(1)), "{got}");

    let convs = on_channel(&app, &admin, "whatsapp").await;
    assert_eq!(convs.len(), 1, "{convs:#?}");
    assert_eq!(convs[0]["customer"]["name"], "Sam Reed");
    let id = convs[0]["id"].as_str().unwrap().to_owned();
    // The AI answers it like any other.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let msgs = loop {
        let msgs = messages(&app, &admin, &id).await;
        if msgs.iter().any(|m| m["author"]["kind"] == "ai") || tokio::time::Instant::now() > deadline {
            break msgs;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let customer: Vec<_> = msgs.iter().filter(|m| m["author"]["kind"] == "customer").collect();
    assert_eq!(customer.len(), 1, "{msgs:#?}");
    assert_eq!(customer[0]["body"], "What is your return policy?");
    assert!(msgs.iter().any(|m| m["author"]["kind"] == "ai"), "{msgs:#?}");

    // The same customer writing again lands in the same conversation.
    let next = whatsapp_text("wamid.A2", "447700900123", "thanks");
    let signed = backstop_channels::meta::sign(APP_SECRET.as_bytes(), &next);
    assert_eq!(hook(&app, &path, &[("x-hub-signature-256", signed)], next).await.0, 200);
    assert_eq!(on_channel(&app, &admin, "whatsapp").await.len(), 1);

    // Turned off: refused (so Meta delivers it again later), not dropped.
    let conn_id = conn["id"].as_str().unwrap();
    let (status, _) = app
        .agent_put(
            &admin,
            &format!("/api/v1/channels/{conn_id}"),
            json!({"channel": "whatsapp", "account": PHONE_ID, "enabled": false}),
        )
        .await;
    assert_eq!(status, 200);
    let later = whatsapp_text("wamid.A3", "447700900123", "hello?");
    let signed = backstop_channels::meta::sign(APP_SECRET.as_bytes(), &later);
    assert_eq!(
        hook(&app, &path, &[("x-hub-signature-256", signed)], later).await.0,
        403
    );
}

#[tokio::test]
async fn a_telegram_webhook_needs_its_secret_token_and_connections_stay_the_admins_own() {
    let app = TestApp::spawn().await;
    let admin = app.login("demo", "chen@maple.example").await;
    let (status, body) = app
        .agent_post(
            &admin,
            "/api/v1/channels",
            json!({"channel": "telegram", "account": "@maple_market_bot",
                   "secrets": {"bot_token": "123456:ABC-DEF", "webhook_secret": "tg_secret-1"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["account"], "maple_market_bot");
    let path = body["webhook_path"].as_str().unwrap().to_owned();
    let id = body["id"].as_str().unwrap().to_owned();

    let update = json!({"update_id": 911000001, "message": {
        "message_id": 42, "date": 1796600000,
        "from": {"id": 123456789, "is_bot": false, "first_name": "Lin", "language_code": "zh-hans"},
        "chat": {"id": 123456789, "type": "private"}, "text": "你们几点下班？"}})
    .to_string()
    .into_bytes();
    let header = |v: &str| vec![("x-telegram-bot-api-secret-token", v.to_owned())];
    assert_eq!(hook(&app, &path, &[], update.clone()).await.0, 401);
    assert_eq!(hook(&app, &path, &header("tg_secret-2"), update.clone()).await.0, 401);
    assert!(on_channel(&app, &admin, "telegram").await.is_empty());
    let (status, got) = hook(&app, &path, &header("tg_secret-1"), update).await;
    assert_eq!((status, got["messages"].as_u64()), (200, Some(1)), "{got}");
    let convs = on_channel(&app, &admin, "telegram").await;
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0]["lang"], "zh");

    // A bad field is named; the same bot cannot be connected twice.
    let (status, bad) = app
        .agent_post(
            &admin,
            "/api/v1/channels",
            json!({"channel": "whatsapp", "account": "12ab"}),
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    let (status, _) = app
        .agent_post(
            &admin,
            "/api/v1/channels",
            json!({"channel": "telegram", "account": "maple_market_bot", "secrets": {"bot_token": "x"}}),
        )
        .await;
    assert_eq!(status, 409);

    // An agent may not manage channels; another tenant's admin neither sees nor touches them,
    // and the webhook path does not cross tenants.
    let lin = app.login("demo", "lin@maple.example").await;
    assert_eq!(app.agent_get(&lin, "/api/v1/channels").await.0, 403);
    let alan = app.login("acme", "alan@acme.example").await;
    let (_, theirs) = app.agent_get(&alan, "/api/v1/channels").await;
    assert_eq!(theirs["connections"], json!([]));
    assert_eq!(app.agent_delete(&alan, &format!("/api/v1/channels/{id}")).await.0, 404);
    assert_eq!(
        app.agent_put(
            &alan,
            &format!("/api/v1/channels/{id}"),
            json!({"channel": "telegram", "account": "maple_market_bot"})
        )
        .await
        .0,
        404
    );
    let crossed = path.replace("/hooks/demo/", "/hooks/acme/");
    assert_eq!(
        hook(&app, &crossed, &header("tg_secret-1"), b"{}".to_vec()).await.0,
        404
    );
    // Removed: its webhook is refused.
    assert_eq!(app.agent_delete(&admin, &format!("/api/v1/channels/{id}")).await.0, 204);
    assert_eq!(hook(&app, &path, &header("tg_secret-1"), b"{}".to_vec()).await.0, 404);
}
