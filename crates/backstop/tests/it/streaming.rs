//! The answer shows while the model writes it, and nothing unchecked shows: the widget and the
//! inbox see the AI typing, then each sentence once the guard has passed everything up to it,
//! then the stored message. A sentence the guard stops never shows; what showed is withdrawn and
//! the message that is sent is the checked one (the model replaced by the stand-in).

use std::time::Duration;

use backstop_llm::standin::{Options, StandIn};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::generation::point_at;
use crate::support::*;

async fn model_saying(answer: &'static str) -> StandIn {
    let mut o = Options::answering(move |_| answer.into());
    o.key = Some("sk-test-0123456789abcd".into());
    // Slow enough that sentences arrive apart, as from a real model.
    o.chunk_delay = Duration::from_millis(15);
    StandIn::start(o).await.unwrap()
}

/// Every frame until the AI's (or the system's) stored message, that one included.
async fn frames_until_reply(ws: &mut Ws) -> Vec<Value> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = tokio::time::timeout(left, ws.0.next())
            .await
            .unwrap_or_else(|_| panic!("no reply; frames so far: {out:?}"));
        let Some(Ok(Message::Text(t))) = frame else { continue };
        let v: Value = serde_json::from_str(t.as_str()).unwrap();
        let done = v["type"] == "message" && v["message"]["author"]["kind"] != "customer";
        out.push(v);
        if done {
            return out;
        }
    }
}

fn shown(frames: &[Value]) -> Vec<(String, bool)> {
    frames
        .iter()
        .filter(|f| f["type"] == "writing")
        .map(|f| {
            (
                f["writing"]["text"].as_str().unwrap().to_string(),
                f["writing"]["withdrawn"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_widget_and_the_inbox_see_the_answer_sentence_by_sentence_before_it_is_sent() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let model = model_saying(
        "You can return most items within 30 days of delivery if they're unused [1]. Opened electronics can be returned within 7 days of delivery [1].",
    )
    .await;
    point_at(&app, &chen, &model).await;
    let mut inbox = app.inbox_socket(&chen).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let mut ws = app.widget_ws(&v, 0).await;
    ws.until("hello", |f| f["type"] == "hello").await;
    ws.send(json!({"type": "message", "client_id": "c1", "body": "What is your return window?"}))
        .await;
    let frames = frames_until_reply(&mut ws).await;
    let steps = shown(&frames);
    let reply = frames.last().unwrap()["message"]["body"].as_str().unwrap().to_string();
    assert_eq!(steps.first().map(|s| s.0.as_str()), Some(""), "typing first: {steps:?}");
    let texts: Vec<&str> = steps.iter().map(|s| s.0.as_str()).filter(|t| !t.is_empty()).collect();
    let first = "You can return most items within 30 days of delivery if they're unused [1].";
    // The last sentence's end is the stream's end: the whole answer is judged and sent then.
    assert_eq!(
        texts,
        vec![first],
        "the first sentence, then the stored message: {frames:?}"
    );
    assert!(reply.starts_with(first) && reply.contains("7 days"), "{reply}");
    assert!(steps.iter().all(|s| !s.1), "nothing withdrawn: {steps:?}");
    assert_eq!(
        frames.last().unwrap()["message"]["citations"][0]["title"],
        kb_title("return-policy", "en")
    );

    // The inbox saw the same, for this conversation.
    let first = inbox
        .until("the inbox's writing frame", |f| {
            f["type"] == "writing" && !f["writing"]["text"].as_str().unwrap_or("").is_empty()
        })
        .await;
    assert_eq!(first["writing"]["conversation_id"], v.conversation.as_str());
    app.stop().await;
}

#[tokio::test]
async fn a_sentence_the_guard_stops_never_shows_and_what_showed_is_withdrawn() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let model = model_saying(
        "You can return most items within 30 days of delivery if they're unused [1]. We will also refund your postage within 90 days [1]. Thank you for shopping with us.",
    )
    .await;
    point_at(&app, &chen, &model).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let mut ws = app.widget_ws(&v, 0).await;
    ws.until("hello", |f| f["type"] == "hello").await;
    ws.send(json!({"type": "message", "client_id": "c1", "body": "What is your return window?"}))
        .await;
    let frames = frames_until_reply(&mut ws).await;
    let steps = shown(&frames);
    assert!(
        steps.iter().any(|s| s.0.starts_with("You can return most items")),
        "the first sentence showed: {steps:?}"
    );
    assert!(
        steps.iter().all(|s| !s.0.contains("90") && !s.0.contains("Thank you")),
        "nothing from the stopped sentence on: {steps:?}"
    );
    assert!(steps.iter().any(|s| s.1), "withdrawn: {steps:?}");
    let reply = frames.last().unwrap()["message"]["body"].as_str().unwrap();
    assert!(
        !reply.contains("90") && reply.contains("30 days"),
        "the extractive answer: {reply}"
    );
    app.stop().await;
}
