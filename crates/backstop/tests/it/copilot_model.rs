//! The copilot on the tenant's model (the model replaced by the stand-in of the OpenAI API): a
//! drafted reply to the customer's *latest* message, grounded in the article that answers it,
//! cited and checked by the guard, kept until the customer writes again; an apology asked of the
//! model only when the customer is upset; and the handoff packet's summary written by the model
//! after the hand-over, dropped when it adds a figure the conversation does not hold.

use std::time::Duration;

use backstop_llm::standin::{Options, StandIn};
use serde_json::{json, Value};

use crate::generation::point_at;
use crate::support::*;

/// The system part of a request, and the last user message.
fn parts(request: &Value) -> (String, String) {
    let messages = request["messages"].as_array().unwrap();
    let text = |m: &Value| m["content"].as_str().unwrap_or("").to_string();
    (text(&messages[0]), messages.last().map(text).unwrap_or_default())
}

fn drafts(model: &StandIn) -> Vec<(String, String)> {
    model
        .requests()
        .iter()
        .map(parts)
        .filter(|(system, _)| system.contains("customer-service agent"))
        .collect()
}

/// A model that drafts the first sentence of the first article, cited, and summarises with
/// `summary`.
async fn drafting_model(summary: &'static str) -> StandIn {
    let mut o = Options::answering(move |body: &Value| {
        let (system, user) = parts(body);
        if system.starts_with("You write a short note") {
            return summary.into();
        }
        let article = user.split("Article [1]: ").nth(1).unwrap_or("");
        let text = article.split_once('\n').map_or("", |(_, b)| b);
        let first = text.split_inclusive(['.', '。']).next().unwrap_or("").trim();
        format!("{first} [1]")
    });
    o.key = Some("sk-test-0123456789abcd".into());
    StandIn::start(o).await.unwrap()
}

async fn draft(app: &TestApp, agent: &AgentClient, v: &Visitor) -> Value {
    let path = format!("/api/v1/conversations/{}/copilot/draft", v.conversation);
    let (status, d) = app.agent_post(agent, &path, json!({})).await;
    assert_eq!(status, 200, "{d}");
    d
}

/// The conversation's packet once `f` holds for it (the summary is written in the background).
async fn packet_when(app: &TestApp, agent: &AgentClient, v: &Visitor, f: impl Fn(&Value) -> bool) -> Value {
    let path = format!("/api/v1/conversations/{}", v.conversation);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let (_, d) = app.agent_get(agent, &path).await;
        let packet = d["packet"].clone();
        if f(&packet) {
            return packet;
        }
        assert!(tokio::time::Instant::now() < deadline, "never: {packet:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_draft_answers_the_latest_message_from_its_article_cited_and_kept_until_the_customer_writes() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let lin = app.login("demo", "lin@maple.example").await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(
        &app.ask(&v, "I want to talk to a person about returning a jacket").await
    ));
    assert_eq!(draft(&app, &lin, &v).await["status"], "off", "no model yet");
    assert_eq!(draft(&app, &lin, &v).await["reason"], "no_model");

    let model = drafting_model("The customer wants to return a jacket and asked for a person.").await;
    point_at(&app, &chen, &model).await;
    app.say(&v, "c-2", "Also, how long does international shipping take?")
        .await;
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
    app.wait_for(&v, "the second question", |msgs, _| {
        msgs.iter().filter(|m| m["author"]["kind"] == "customer").count() >= 2
    })
    .await;
    assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);

    let d = draft(&app, &lin, &v).await;
    assert_eq!(d["status"], "written", "{d:#}");
    assert_eq!(
        d["citations"][0]["title"],
        kb_title("international-shipping", "en"),
        "the latest question's article, not the first one's: {d:#}"
    );
    let text = d["text"].as_str().unwrap();
    assert!(
        !text.contains("[1]") && !text.is_empty(),
        "markers out of the agent's text: {text}"
    );
    assert_eq!(d["model"], "standin-1");
    let asked = drafts(&model);
    assert_eq!(asked.len(), 1);
    let (system, user) = &asked[0];
    assert!(system.contains("Do not apologise"), "a calm customer: {system}");
    assert!(
        user.trim_end()
            .ends_with("Also, how long does international shipping take?"),
        "the latest message is the question: {user}"
    );
    // The earlier turns come first, as turns (the hand-over notice, a system line, is not one):
    // the first question opens the customer's message that ends with the latest one.
    let sent = model
        .requests()
        .into_iter()
        .rfind(|r| parts(r).0.contains("customer-service agent"))
        .unwrap();
    let first = &sent["messages"][1];
    assert_eq!(first["role"], "user");
    assert!(
        first["content"]
            .as_str()
            .unwrap()
            .starts_with("I want to talk to a person about returning a jacket\n"),
        "{first}"
    );

    // Asked again: the same draft, no new call.
    let again = draft(&app, &lin, &v).await;
    assert_eq!((again["text"].clone(), drafts(&model).len()), (d["text"].clone(), 1));
    // The customer writes: a new draft for the new message.
    app.say(&v, "c-3", "What is your return window?").await;
    app.wait_for(&v, "the third question", |msgs, _| {
        msgs.iter().filter(|m| m["author"]["kind"] == "customer").count() >= 3
    })
    .await;
    let next = draft(&app, &lin, &v).await;
    assert_eq!(
        next["citations"][0]["title"],
        kb_title("return-policy", "en"),
        "{next:#}"
    );
    assert_eq!(drafts(&model).len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn an_upset_customer_is_acknowledged_and_a_draft_the_guard_stops_is_not_offered() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let mut o = Options::answering(|body: &Value| {
        if parts(body).0.starts_with("You write a short note") {
            return "The customer is angry about a refund.".into();
        }
        "I'm sorry for the wait. Your refund of 500 yuan will arrive within 90 days [1].".into()
    });
    o.key = Some("sk-test-0123456789abcd".into());
    let model = StandIn::start(o).await.unwrap();
    point_at(&app, &chen, &model).await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let v = app.visitor(json!({ "lang": "zh" })).await;
    assert!(handed_over(
        &app.ask(&v, "你们这是什么破服务，气死我了，退款到底什么时候到账！")
            .await
    ));
    let path = format!("/api/v1/conversations/{}/take", v.conversation);
    assert_eq!(app.agent_post(&zhao, &path, json!({})).await.0, 200);
    let d = draft(&app, &zhao, &v).await;
    assert_eq!(d["status"], "stopped", "{d:#}");
    assert!(d["reason"].as_str().unwrap().contains("grounding"), "{d:#}");
    assert!(d["text"].is_null());
    let asked = drafts(&model);
    assert_eq!(asked.len(), 2, "one rewrite, then nothing offered");
    assert!(asked[0].0.contains("acknowledges how they feel"), "{}", asked[0].0);
    assert!(asked[0].0.contains("Simplified Chinese"), "{}", asked[0].0);
    assert!(asked[1].1.contains("was not sent"), "{}", asked[1].1);
    app.stop().await;
}

#[tokio::test]
async fn the_packet_gets_the_models_summary_unless_it_adds_a_figure() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let lin = app.login("demo", "lin@maple.example").await;
    let model =
        drafting_model("The customer wants to return order A12345 because the zip broke, and asked for a person.")
            .await;
    point_at(&app, &chen, &model).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    app.ask(&v, "The zip on my jacket broke, order A12345").await;
    assert!(handed_over(&app.ask(&v, "I want to talk to a person").await));
    let packet = packet_when(&app, &lin, &v, |p| !p["ai_summary"].is_null()).await;
    assert_eq!(
        packet["ai_summary"]["text"],
        "The customer wants to return order A12345 because the zip broke, and asked for a person."
    );
    assert_eq!(packet["ai_summary"]["model"], "standin-1");
    assert!(
        packet["summary"].as_str().unwrap().contains("zip"),
        "the customer's words stay: {packet:#}"
    );
    let (system, user) = model
        .requests()
        .iter()
        .map(parts)
        .find(|(s, _)| s.starts_with("You write a short note"))
        .unwrap();
    assert!(system.contains("in English"), "{system}");
    assert!(
        user.contains("Customer: The zip on my jacket broke, order A12345"),
        "{user}"
    );

    // A summary with a figure nobody wrote is dropped: the packet keeps the customer's words.
    let other = drafting_model("The customer was promised a refund of 300 yuan for order A12345.").await;
    point_at(&app, &chen, &other).await;
    let w = app.visitor(json!({ "lang": "en" })).await;
    app.ask(&w, "The zip on my jacket broke, order A12345").await;
    assert!(handed_over(&app.ask(&w, "I want to talk to a person").await));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !other
        .requests()
        .iter()
        .any(|r| parts(r).0.starts_with("You write a short note"))
    {
        assert!(tokio::time::Instant::now() < deadline, "the model was never asked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let packet = packet_when(&app, &lin, &w, |p| p.is_object()).await;
    assert!(packet["ai_summary"].is_null(), "{packet:#}");

    // A customer who wrote one message: their words are the summary; the model is not asked.
    let asked = other.requests().len();
    let x = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(
        &app.ask(&x, "I want to talk to a person about order A12345").await
    ));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let packet = packet_when(&app, &lin, &x, |p| p.is_object()).await;
    assert!(packet["ai_summary"].is_null(), "{packet:#}");
    assert_eq!(other.requests().len(), asked, "no summary asked of the model");
    app.stop().await;
}
