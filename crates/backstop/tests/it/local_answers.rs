//! Generative answers through the real server with the real local model (llama.cpp's
//! `llama-server` and Qwen2.5-0.5B, started here like `backstop demo --llm local` does; fetched
//! and built by `backstop models fetch --llm` on first use, never skipped). The admin points the
//! tenant at it through the API, and the next answers are the model's: a paraphrased question
//! gets a grounded answer citing the right article in English and in Chinese, a follow-up reads
//! the earlier turn, a Chinese question is answered in Chinese from an English-only article, a
//! question the knowledge base cannot answer is not answered, and a server killed mid-answer
//! leaves the customer with the extractive answer, sent once.
//!
//! Sampling is greedy with a fixed seed, so each answer is the same from run to run on one build;
//! what is asserted is what any faithful answer has (the article, the figure, the language).

use std::path::PathBuf;
use std::time::Duration;

use backstop::localllm::{self, LocalLlm, ServeOptions};
use backstop_core::event::EventData;
use backstop_core::generation::{Generation, Outcome};
use backstop_core::ids::ConversationId;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

/// How long a reply may take when the real model writes it (CI machines are busy).
pub(crate) const MODEL_WAIT: Duration = Duration::from_secs(120);

/// One real model server at a time: on two cores, two would each answer too slowly for the
/// tests' waits. Every test that starts one holds this first.
pub(crate) static ONE_MODEL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub(crate) async fn local_model(log: &std::path::Path) -> LocalLlm {
    let dir = backstop::models::dir(&PathBuf::new());
    let (model, server) = tokio::task::spawn_blocking(move || {
        let say = &mut |m: &str| eprintln!("{m}");
        (
            localllm::ensure_model(&dir, say).expect("the local model"),
            localllm::ensure_server(&dir, say).expect("llama-server"),
        )
    })
    .await
    .unwrap();
    let mut options = ServeOptions::new(log.to_path_buf());
    options.slots = 1;
    LocalLlm::start(&server, &model, options)
        .await
        .expect("llama-server starts")
}

/// The admin points the demo tenant at the local server (no key: llama-server needs none).
pub(crate) async fn use_local_model(app: &TestApp, llm: &LocalLlm) {
    let chen = app.login("demo", "chen@maple.example").await;
    let (status, body) = app
        .agent_put(
            &chen,
            "/api/v1/model",
            json!({
                "enabled": true,
                "base_url": llm.base_url(),
                "model": localllm::MODEL_NAME,
                "temperature": 0.0,
                "first_token_ms": 60000,
                "answer_ms": 120000,
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// What generation did on the conversation's latest decision.
pub(crate) async fn generation(app: &TestApp, v: &Visitor) -> Option<Generation> {
    let store = app.store().await;
    let conv = ConversationId(v.conversation.parse().unwrap());
    let events = store
        .list_events(&backstop::seed::demo_tenant_id(), conv)
        .await
        .unwrap();
    events.iter().rev().find_map(|e| match &e.event.data {
        EventData::Decision { trace, .. } => Some(trace.generation.clone()),
        _ => None,
    })?
}

/// Asks, and checks the model's answer was the one sent, citing `slug` in `lang`.
async fn model_answers(app: &TestApp, v: &Visitor, question: &str, slug: &str, lang: &str) -> String {
    let reply = app.ask_within(v, question, MODEL_WAIT).await;
    let g = generation(app, v).await;
    assert_eq!(
        g.as_ref().map(|g| g.outcome),
        Some(Outcome::Sent),
        "{question}: the model's answer was not the one sent: {reply} {g:?}"
    );
    assert_eq!(reply["author"]["kind"], "ai", "{reply}");
    assert_eq!(
        reply["citations"][0]["title"].as_str(),
        Some(kb_title(slug, lang).as_str()),
        "{question}: {reply}"
    );
    reply["body"].as_str().unwrap().to_string()
}

fn han(s: &str) -> usize {
    s.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count()
}

#[tokio::test]
async fn the_local_model_answers_grounded_cited_in_the_customers_language() {
    let _one = ONE_MODEL.lock().await;
    let logs = tempfile::tempdir().unwrap();
    let llm = local_model(&logs.path().join("llama.log")).await;
    let app = TestApp::spawn().await;
    use_local_model(&app, &llm).await;

    // A paraphrase, in English and in Chinese.
    let v = app.visitor(json!({ "lang": "en" })).await;
    let en = model_answers(
        &app,
        &v,
        "How many days do I have to send something back?",
        "return-policy",
        "en",
    )
    .await;
    assert!(en.contains("30"), "{en}");
    let w = app.visitor(json!({ "lang": "zh" })).await;
    let zh = model_answers(&app, &w, "收到的东西坏了，多久之内可以退？", "return-policy", "zh").await;
    assert!(zh.contains("30") && han(&zh) > 5, "{zh}");

    // A follow-up read with the earlier turn.
    let f = app.visitor(json!({ "lang": "en" })).await;
    model_answers(
        &app,
        &f,
        "How much does standard delivery cost?",
        "shipping-costs",
        "en",
    )
    .await;
    let follow = model_answers(&app, &f, "and for express?", "shipping-costs", "en").await;
    assert!(follow.contains("18"), "{follow}");

    // Chinese, from the English-only gift-wrapping article: answered in Chinese.
    let g = app.visitor(json!({ "lang": "zh" })).await;
    let gift = model_answers(&app, &g, "礼品包装怎么收费？", "gift-wrapping", "en").await;
    assert!(han(&gift) > 5 && gift.contains('8'), "{gift}");

    // Nothing in the knowledge base answers: no answer, no citation.
    let u = app.visitor(json!({ "lang": "en" })).await;
    let none = app
        .ask_within(&u, "Can you recommend a good dentist in Shanghai?", MODEL_WAIT)
        .await;
    assert!(
        none["citations"].as_array().is_none_or(|c| c.is_empty()),
        "not answered: {none}"
    );
    app.stop().await;
    llm.stop().await;
}

#[tokio::test]
async fn a_model_server_killed_mid_answer_leaves_the_extractive_answer_sent_once() {
    let _one = ONE_MODEL.lock().await;
    let logs = tempfile::tempdir().unwrap();
    let llm = local_model(&logs.path().join("llama.log")).await;
    let app = TestApp::spawn().await;
    use_local_model(&app, &llm).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let mut ws = app.widget_ws(&v, 0).await;
    ws.until("hello", |f| f["type"] == "hello").await;
    ws.send(json!({"type": "message", "client_id": "c1", "body": "Explain your whole return policy to me, every rule and exception."}))
        .await;
    // The first checked sentence shows: the model is writing. Kill it there.
    let pid = llm.pid().expect("running");
    ws.until_within("the first sentence", MODEL_WAIT, |f| {
        f["type"] == "writing" && !f["writing"]["text"].as_str().unwrap_or("").is_empty()
    })
    .await;
    std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    let mut frames = Vec::new();
    let reply = loop {
        let f = tokio::time::timeout(MODEL_WAIT, ws.0.next())
            .await
            .expect("a reply after the kill");
        let Some(Ok(Message::Text(t))) = f else { continue };
        let f: Value = serde_json::from_str(t.as_str()).unwrap();
        if f["type"] == "message" && f["message"]["author"]["kind"] == "ai" {
            break f["message"].clone();
        }
        frames.push(f);
    };
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "writing" && f["writing"]["withdrawn"] == true),
        "what showed was withdrawn: {frames:?}"
    );
    let g = generation(&app, &v).await.expect("the model was asked");
    assert_eq!(g.outcome, Outcome::Fallback, "{g:?}");
    // The kill lands in whichever attempt was showing: the first, or its rewrite when the guard
    // held the first one back.
    assert!(g.attempts.last().is_some_and(|a| a.error.is_some()), "{g:?}");
    assert_eq!(reply["citations"][0]["title"], kb_title("return-policy", "en"));
    assert!(reply["body"].as_str().unwrap().contains("30 days"), "{reply}");
    let (msgs, _) = app.transcript(&v).await;
    assert_eq!(
        authors(&msgs),
        vec!["customer", "ai"],
        "one question, one answer: {msgs:?}"
    );
    app.stop().await;
    llm.stop().await;
}
