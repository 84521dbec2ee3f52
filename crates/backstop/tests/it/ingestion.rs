//! Ingestion guarantees: acknowledged means stored; a resent client message id creates nothing new
//! and no second reply; messages survive a restart, and ones stored but not yet answered are
//! answered after it.

use crate::support::*;
use backstop::Config;
use backstop_core::ids::{ConversationId, MessageId};
use backstop_core::message::{Author, MessageKind};
use backstop_store::NewMessage;
use serde_json::{json, Value};

#[tokio::test]
async fn a_resent_client_id_yields_one_message_and_one_reply() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let first = app.say(&v, "dup-1", "How long does delivery take?").await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = app.say(&v, "dup-1", "How long does delivery take?").await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["message"]["id"], first["message"]["id"]);

    // The same over the socket, twice, as a reconnecting widget would.
    let mut ws = app.widget_ws(&v, 0).await;
    ws.until("hello", |f| f["type"] == "hello").await;
    for _ in 0..2 {
        ws.send(json!({ "type": "message", "client_id": "dup-1", "body": "How long does delivery take?" }))
            .await;
        let ack = ws.until("ack", |f| f["type"] == "ack").await;
        assert_eq!(ack["message"]["id"], first["message"]["id"]);
        assert_eq!(ack["duplicate"], true);
    }
    app.wait_for(&v, "the reply", |m, _| m.iter().any(|x| x["author"]["kind"] == "ai"))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let (msgs, _) = app.transcript(&v).await;
    assert_eq!(authors(&msgs), ["customer", "ai"], "one stored message, one reply");
    app.stop().await;
}

#[tokio::test]
async fn messages_over_the_socket_are_acked_then_answered_in_order() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let mut ws = app.widget_ws(&v, 0).await;
    ws.until("hello", |f| f["type"] == "hello").await;
    ws.send(json!({ "type": "message", "client_id": "a", "body": "How much is shipping?" }))
        .await;
    let ack = ws.until("ack", |f| f["type"] == "ack").await;
    assert_eq!(ack["client_id"], "a");
    assert_eq!(ack["message"]["seq"], 1);
    let reply = ws
        .until("ai reply", |f| {
            f["type"] == "message" && f["message"]["author"]["kind"] == "ai"
        })
        .await;
    assert_eq!(
        reply["message"]["citations"][0]["title"],
        kb_title("shipping-costs", "en")
    );
    ws.send(json!({ "type": "ping" })).await;
    ws.until("pong", |f| f["type"] == "pong").await;
    // Reconnecting after seq 2 replays nothing old.
    let mut again = app.widget_ws(&v, 2).await;
    let hello = again.until("hello", |f| f["type"] == "hello").await;
    assert!(hello["messages"].as_array().unwrap().is_empty(), "{hello:#}");
    app.stop().await;
}

#[tokio::test]
async fn a_restarted_server_still_has_every_acknowledged_message() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "zh" })).await;
    let mut acked = Vec::new();
    for (i, q) in ["退货运费谁出？", "发票怎么开", "积分怎么用"].iter().enumerate() {
        let r = app.say(&v, &format!("m-{i}"), q).await;
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.unwrap();
        acked.push(body["message"]["id"].as_str().unwrap().to_string());
    }
    app.wait_for(&v, "replies", |m, _| {
        m.iter().filter(|x| x["author"]["kind"] == "ai").count() >= 1
    })
    .await;
    let dir = app.stop().await;

    let app = TestApp::spawn_in(dir).await;
    let v2 = app.visitor(json!({ "token": v.token, "lang": "zh" })).await;
    assert_eq!(
        v2.conversation, v.conversation,
        "the visitor token brings the same conversation back"
    );
    let (msgs, _) = app.transcript(&v2).await;
    for id in &acked {
        assert_eq!(
            msgs.iter().filter(|m| m["id"] == id.as_str()).count(),
            1,
            "message {id} stored exactly once"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_stored_but_unanswered_message_is_answered_after_a_restart() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let dir = app.stop().await;
    // As if the server had stored the message and died before its turn ran.
    let mut config = Config::default();
    config.storage.data_dir = dir.to_path_buf();
    let store = backstop::open_store(&config).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    // The conversation the session reserved, created as the first message would.
    let tenant = backstop::seed::demo_tenant_id();
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(v.token.as_bytes()));
    let visitor = store.find_visitor(&tenant, &hash).await.unwrap().unwrap();
    let conv = ConversationId::parse(&v.conversation).unwrap();
    assert_eq!(
        visitor.pending_conversation,
        Some(conv),
        "reserved, not created, by the session"
    );
    assert!(store.get_conversation(&tenant, conv).await.unwrap().is_none());
    store
        .create_conversation(&backstop_store::ConversationRecord::new(
            conv,
            tenant.clone(),
            visitor.customer,
            backstop_core::message::Lang::En,
            now,
        ))
        .await
        .unwrap();
    store
        .append_message(&NewMessage {
            id: MessageId::new_at(now),
            tenant: backstop::seed::demo_tenant_id(),
            conversation: ConversationId::parse(&v.conversation).unwrap(),
            author: Author::Customer,
            kind: MessageKind::Text,
            body: "How long does delivery take?".into(),
            client_id: Some("before-crash".into()),
            citations: vec![],
            system: None,
            handled: false,
            created_at: now,
        })
        .await
        .unwrap();
    drop(store);
    let app = TestApp::spawn_in(dir).await;
    let (msgs, _) = app
        .wait_for(&v, "the recovered reply", |m, _| {
            m.iter().any(|x| x["author"]["kind"] == "ai")
        })
        .await;
    assert_eq!(authors(&msgs), ["customer", "ai"]);
    app.stop().await;
}
