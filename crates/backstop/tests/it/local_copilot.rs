//! The copilot on the real local model (llama.cpp's `llama-server` with Qwen2.5-0.5B, as in
//! `local_answers`): after a hand-over the packet gets the model's summary of the conversation,
//! checked by the guard, and the agent's draft answers the customer's latest question from its
//! article, cited, in the customer's language.

use std::time::Duration;

use serde_json::json;

use crate::local_answers::{local_model, use_local_model, MODEL_WAIT, ONE_MODEL};
use crate::support::*;

#[tokio::test]
async fn the_local_model_summarises_the_hand_over_and_drafts_a_reply_to_the_latest_question() {
    let _one = ONE_MODEL.lock().await;
    let logs = tempfile::tempdir().unwrap();
    let llm = local_model(&logs.path().join("llama.log")).await;
    let app = TestApp::spawn().await;
    use_local_model(&app, &llm).await;
    let lin = app.login("demo", "lin@maple.example").await;

    for (lang, first, latest, slug, figure) in [
        (
            "en",
            "The zip on my jacket broke after one week, order A12345. I want a person.",
            "How long does a refund take to arrive?",
            "refund-timing",
            "3",
        ),
        (
            "zh",
            "我的外套拉链一周就坏了，订单A12345，我要找人工。",
            "退款多久能到账？",
            "refund-timing",
            "3",
        ),
    ] {
        let v = app.visitor(json!({ "lang": lang })).await;
        let notice = app.ask_within(&v, first, MODEL_WAIT).await;
        assert!(handed_over(&notice), "{notice}");
        app.say(&v, "c-latest", latest).await;
        app.wait_for(&v, "the latest question", |msgs, _| {
            msgs.iter().filter(|m| m["author"]["kind"] == "customer").count() >= 2
        })
        .await;
        let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
        assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);

        let (status, d) = app.agent_post(&lin, &path("copilot/draft"), json!({})).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(d["status"], "written", "{lang}: {d:#}");
        assert_eq!(d["citations"][0]["title"], kb_title(slug, lang), "{lang}: {d:#}");
        let text = d["text"].as_str().unwrap();
        assert!(text.contains(figure), "{lang}: {text}");
        if lang == "zh" {
            assert!(text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{text}");
        }

        // The summary was written after the hand-over, in the packet's language.
        let deadline = tokio::time::Instant::now() + MODEL_WAIT;
        let summary = loop {
            let (_, c) = app.agent_get(&lin, path("").trim_end_matches('/')).await;
            if let Some(s) = c["packet"]["ai_summary"]["text"].as_str() {
                break s.to_string();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{lang}: no summary: {:#}",
                c["packet"]
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        eprintln!("{lang} summary: {summary}\n{lang} draft: {text}");
        // What any faithful summary has: the broken zip, in the packet's language.
        let about = if lang == "zh" {
            summary.contains("拉链") || summary.contains("外套")
        } else {
            summary.to_lowercase().contains("zip") || summary.to_lowercase().contains("jacket")
        };
        assert!(about, "{lang}: {summary}");
    }
    app.stop().await;
    llm.stop().await;
}
