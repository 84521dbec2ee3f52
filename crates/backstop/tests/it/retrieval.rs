//! The AI front line answers knowledge-base questions in both languages and cites its article; it
//! asks once when unsure, then hands off; it greets without searching.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn english_question_gets_the_right_article() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&v, "How long does delivery take?").await;
    assert_eq!(reply["author"]["kind"], "ai");
    assert_eq!(
        reply["citations"][0]["title"],
        kb_title("shipping-times", "en"),
        "{reply:#}"
    );
    let reply = app.ask(&v, "I forgot my password and can't sign in").await;
    assert_eq!(
        reply["citations"][0]["title"],
        kb_title("reset-password", "en"),
        "{reply:#}"
    );
    app.stop().await;
}

#[tokio::test]
async fn chinese_question_gets_the_right_article() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "zh" })).await;
    let reply = app.ask(&v, "快递一般几天能到？").await;
    assert_eq!(reply["author"]["kind"], "ai");
    assert_eq!(
        reply["citations"][0]["title"],
        kb_title("shipping-times", "zh"),
        "{reply:#}"
    );
    let reply = app.ask(&v, "公司报销需要开增值税专用发票").await;
    assert_eq!(
        reply["citations"][0]["title"],
        kb_title("company-invoice", "zh"),
        "{reply:#}"
    );
    app.stop().await;
}

#[tokio::test]
async fn unknown_questions_get_one_clarifying_question_then_a_person() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let first = app.ask(&v, "Can your drone deliver to the moon base?").await;
    assert_eq!(first["author"]["kind"], "ai");
    assert!(
        first["citations"].as_array().unwrap().is_empty(),
        "no invented answer: {first:#}"
    );
    assert!(
        first["body"].as_str().unwrap().contains("tell me a little more"),
        "{first:#}"
    );
    let second = app.ask(&v, "The lunar one, obviously").await;
    assert_eq!(second["author"]["kind"], "system");
    assert!(handed_over(&second));
    let (_, state) = app.transcript(&v).await;
    assert_eq!(state["owner"], "queue");
    app.stop().await;
}

#[tokio::test]
async fn greetings_are_answered_without_counting_as_a_miss() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "zh" })).await;
    let hi = app.ask(&v, "你好").await;
    assert!(hi["body"].as_str().unwrap().contains("Maple Market"), "{hi:#}");
    let unsure = app.ask(&v, "那个东西怎么弄").await;
    assert_eq!(
        unsure["author"]["kind"], "ai",
        "a greeting does not use up the clarifying question: {unsure:#}"
    );
    app.stop().await;
}
