//! The local generative model as the demo and the tests run it: llama.cpp's `llama-server`
//! (built and started by `backstop::localllm`, never skipped: the first run fetches and builds
//! it) spoken to through `backstop_llm::OpenAiClient`, the client every tenant's model goes
//! through. The model's answers are not judged here — the evaluation does that — only that the
//! protocol works end to end, in both languages, and that a server killed mid-answer leaves the
//! caller with exactly what was streamed and comes back.

use std::time::Duration;

use backstop::localllm::{self, LocalLlm};
use backstop_llm::{ChatRequest, Endpoint, Limits, LlmError, Message, OpenAiClient, Provider};
use tokio::sync::mpsc;

use crate::local_answers::local_model;

fn client(llm: &LocalLlm) -> OpenAiClient {
    OpenAiClient::new(
        Endpoint {
            base_url: llm.base_url().to_string(),
            model: localllm::MODEL_NAME.into(),
            key: None,
        },
        Limits {
            first_token: Duration::from_secs(60),
            total: Duration::from_secs(120),
            ..Limits::default()
        },
    )
    .unwrap()
}

fn ask(question: &str) -> ChatRequest {
    let mut r = ChatRequest::new(vec![
        Message::system("You are a customer-service assistant. Answer briefly from the article."),
        Message::user(format!(
            "Article [1]: Returns are accepted within 30 days of delivery. 退货须在签收后30天内申请。\n\nQuestion: {question}"
        )),
    ]);
    r.max_tokens = 60;
    r.seed = Some(7);
    r
}

#[tokio::test]
async fn the_local_server_streams_answers_in_both_languages_with_usage() {
    let _one = crate::local_answers::ONE_MODEL.lock().await;
    let logs = tempfile::tempdir().unwrap();
    let llm = local_model(&logs.path().join("llama.log")).await;
    let c = client(&llm);
    for q in ["How long do I have to return an item?", "退货期限是多久？"] {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let done = c.chat(&ask(q), Some(&tx)).await.expect("an answer");
        drop(tx);
        let mut streamed = String::new();
        while let Some(d) = rx.recv().await {
            streamed.push_str(&d);
        }
        assert!(!done.text.trim().is_empty(), "{q}: empty answer");
        assert_eq!(streamed, done.text, "{q}: the stream is the answer");
        assert!(done.usage.reported, "llama-server reports usage when asked");
        assert!(
            done.usage.prompt_tokens > 20 && done.usage.completion_tokens > 0,
            "{:?}",
            done.usage
        );
        assert!(done.first_token.is_some());
    }
    llm.stop().await;
}

#[tokio::test]
async fn a_server_killed_mid_answer_leaves_exactly_the_streamed_text_and_is_restarted() {
    let _one = crate::local_answers::ONE_MODEL.lock().await;
    let logs = tempfile::tempdir().unwrap();
    let llm = local_model(&logs.path().join("llama.log")).await;
    let c = client(&llm);
    let mut long = ask("Explain our returns policy in detail, step by step, in at least ten sentences.");
    long.max_tokens = 300;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let pid = llm.pid().expect("running");
    let call = tokio::spawn({
        let request = long.clone();
        async move { c.chat(&request, Some(&tx)).await.map(|c| c.text) }
    });
    // Kill it once text flows.
    let first = tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("a first token within a minute")
        .expect("text");
    std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    let result = call.await.unwrap();
    let mut streamed = first;
    while let Some(d) = rx.recv().await {
        streamed.push_str(&d);
    }
    let err = result.expect_err("the answer cannot complete");
    assert!(
        matches!(err, LlmError::Malformed { .. } | LlmError::Timeout { .. }),
        "{err}"
    );
    assert_eq!(
        err.partial(),
        streamed,
        "the error carries exactly what the caller received"
    );

    // The supervisor brings it back on the same address.
    let c = client(&llm);
    let mut back = None;
    for _ in 0..120 {
        if let Ok(done) = c.chat(&ask("Return window?"), None).await {
            back = Some(done);
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(back.is_some(), "llama-server was not restarted");
    assert_ne!(llm.pid(), Some(pid));
    llm.stop().await;
}
