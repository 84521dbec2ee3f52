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
    let mut summaries = 0;

    for (lang, first, person, latest, slug, figure) in [
        (
            "en",
            "The zip on my jacket broke after one week, order A12345.",
            "I want to talk to a person.",
            "How long does a refund take to arrive?",
            "refund-timing",
            "3",
        ),
        (
            "zh",
            "我的外套拉链一周就坏了，订单A12345。",
            "我要找人工客服。",
            "退款多久能到账？",
            "refund-timing",
            "3",
        ),
    ] {
        let v = app.visitor(json!({ "lang": lang })).await;
        app.ask_within(&v, first, MODEL_WAIT).await;
        let notice = app.ask_within(&v, person, MODEL_WAIT).await;
        assert!(handed_over(&notice), "{notice}");
        app.say(&v, "c-latest", latest).await;
        app.wait_for(&v, "the latest question", |msgs, _| {
            msgs.iter().filter(|m| m["author"]["kind"] == "customer").count() >= 3
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

        // The summary, written after the hand-over, in the packet's language — when the guard
        // passed it: what a 0.5B model writes is sometimes stopped (a figure it made up), and then
        // the packet keeps the customer's words. At least one of the two must get through.
        let deadline = tokio::time::Instant::now() + MODEL_WAIT;
        loop {
            let (_, c) = app.agent_get(&lin, path("").trim_end_matches('/')).await;
            if let Some(s) = c["packet"]["ai_summary"]["text"].as_str() {
                eprintln!("{lang} summary: {s}\n{lang} draft: {text}");
                let han = s.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
                assert!(
                    if lang == "zh" {
                        han > 4
                    } else {
                        han == 0 && s.len() > 10
                    },
                    "{lang}: {s}"
                );
                summaries += 1;
                break;
            }
            if tokio::time::Instant::now() > deadline {
                eprintln!("{lang}: no summary got through the guard");
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    assert!(summaries >= 1, "no summary in either language");
    app.stop().await;
    llm.stop().await;
}
