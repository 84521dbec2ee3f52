//! Handoff triggers and the handoff packet: asking for a person (words and button), anger, VIP.

use crate::support::*;
use serde_json::{json, Value};

async fn queued_packet(app: &TestApp, conversation: &str) -> (Value, Value) {
    let agent = app.login("demo", "zhao@maple.example").await;
    let (status, detail) = app
        .agent_get(&agent, &format!("/api/v1/conversations/{conversation}"))
        .await;
    assert_eq!(status, 200);
    (detail["conversation"].clone(), detail["packet"].clone())
}

#[tokio::test]
async fn zhuan_ren_gong_hands_off_with_a_packet() {
    let app = TestApp::spawn().await;
    let _staff = app.staff().await;
    let v = app.visitor(json!({ "lang": "zh" })).await;
    let answer = app.ask(&v, "我的订单 MM-20261121-0042 可以开发票吗？").await;
    assert_eq!(answer["author"]["kind"], "ai");
    let notice = app.ask(&v, "转人工").await;
    assert_eq!(notice["author"]["kind"], "system");
    assert_eq!(notice["system"]["code"], "handoff");
    assert_eq!(
        notice["system"]["team_name"], "综合客服",
        "customers see the team's name in their language"
    );
    let (_, state) = app.transcript(&v).await;
    assert_eq!(state["owner"], "queue");
    assert_eq!(state["queue_position"], 1);

    let (conv, packet) = queued_packet(&app, &v.conversation).await;
    assert_eq!(conv["owner"]["kind"], "queue");
    assert_eq!(conv["handoff_reason"], "customer_request");
    assert_eq!(packet["reason"], "customer_request");
    assert_eq!(packet["team_name"], "General support");
    assert_eq!(packet["language"], "zh");
    assert!(
        packet["summary"].as_str().unwrap().contains("MM-20261121-0042"),
        "{packet:#}"
    );
    let facts = packet["facts"].as_array().unwrap();
    assert!(
        facts.contains(&json!({ "kind": "order_number", "value": "MM-20261121-0042" })),
        "{facts:?}"
    );
    let tried = packet["ai_attempts"].as_array().unwrap();
    assert!(
        tried
            .iter()
            .any(|a| a["answer_title"].is_string() && a["confident"] == true),
        "what the AI answered, with its source: {tried:?}"
    );
    assert_eq!(tried.len(), 1, "asking for a person is not an AI attempt: {tried:?}");
    assert!(packet["topic"].is_string());
    app.stop().await;
}

#[tokio::test]
async fn english_request_and_the_button_hand_off() {
    let app = TestApp::spawn().await;
    let _staff = app.staff().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let notice = app.ask(&v, "Can I talk to a human please?").await;
    assert_eq!(notice["system"]["code"], "handoff");

    let w = app.visitor(json!({ "lang": "en" })).await;
    let r = app
        .http
        .post(app.url(&format!("/api/widget/v1/demo/conversations/{}/human", w.conversation)))
        .header("x-visitor-token", &w.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["state"]["owner"], "queue");
    assert_eq!(body["state"]["queue_position"], 2, "behind the first conversation");
    // Pressing it again changes nothing.
    let again: Value = app
        .http
        .post(app.url(&format!("/api/widget/v1/demo/conversations/{}/human", w.conversation)))
        .header("x-visitor-token", &w.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["state"]["queue_position"], 2);
    let (msgs, _) = app.transcript(&w).await;
    assert_eq!(msgs.iter().filter(|m| m["system"]["code"] == "handoff").count(), 1);
    app.stop().await;
}

#[tokio::test]
async fn anger_goes_to_complaints_with_high_priority() {
    let app = TestApp::spawn().await;
    let _staff = app.staff().await;
    let v = app.visitor(json!({ "lang": "zh" })).await;
    let notice = app.ask(&v, "你们这是什么破服务！三个星期了还没到，我要投诉！").await;
    assert_eq!(notice["system"]["code"], "handoff");
    assert_eq!(notice["system"]["team_name"], "投诉与 VIP 专席");
    let (conv, packet) = queued_packet(&app, &v.conversation).await;
    assert_eq!(conv["owner"]["priority"], "high");
    // A threat to complain outranks anger in the policy; both are in the packet.
    assert_eq!(packet["reason"], "complaint");
    assert_eq!(packet["trace"]["rule"], "complaint_threat");
    assert_eq!(packet["service_tier"], "L3");
    assert!(packet["emotion"]["anger"].as_f64().unwrap() >= 0.6, "{packet:#}");
    assert!(
        packet["anger"]["cues"].as_array().unwrap().iter().any(|c| c == "投诉"),
        "{packet:#}"
    );

    let e = app.visitor(json!({ "lang": "en" })).await;
    let notice = app
        .ask(
            &e,
            "This is ridiculous. Worst service ever, I want my money back NOW!!!",
        )
        .await;
    assert_eq!(notice["system"]["team_name"], "Complaints & VIP");
    let (conv, packet) = queued_packet(&app, &e.conversation).await;
    assert_eq!(conv["owner"]["priority"], "high");
    assert_eq!(packet["reason"], "anger");
    assert_eq!(packet["trace"]["rule"], "anger_above_threshold");
    app.stop().await;
}

#[tokio::test]
async fn verified_vip_goes_straight_to_a_person_and_unverified_claims_do_not() {
    let app = TestApp::spawn().await;
    let _staff = app.staff().await;
    let hash = app.vip_hash().await;
    let vip = app
        .visitor(json!({ "lang": "en", "email": "alice@example.com", "user_hash": hash }))
        .await;
    let notice = app.ask(&vip, "How long does delivery take?").await;
    assert_eq!(notice["system"]["code"], "handoff");
    assert_eq!(notice["system"]["team_name"], "Complaints & VIP");
    let (conv, packet) = queued_packet(&app, &vip.conversation).await;
    assert_eq!(conv["owner"]["priority"], "urgent");
    assert_eq!(packet["tier"], "vip");

    let pretender = app
        .visitor(json!({ "lang": "en", "email": "alice@example.com", "user_hash": "00ff" }))
        .await;
    let reply = app.ask(&pretender, "How long does delivery take?").await;
    assert_eq!(
        reply["author"]["kind"], "ai",
        "an unverified e-mail is not the VIP: {reply:#}"
    );
    app.stop().await;
}
