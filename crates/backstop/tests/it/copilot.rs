//! The agent's copilot: suggested replies from the knowledge base with their sources, a summary,
//! de-escalation phrasing for an upset customer, and the record of how each reply used them.

use serde_json::json;

use crate::support::{handed_over, TestApp};

#[tokio::test]
async fn suggestions_come_from_the_knowledge_base_and_their_use_is_recorded() {
    let app = TestApp::spawn_lexical().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(
        &app.ask(&v, "Talk to a human please: how long does international shipping take?")
            .await
    ));
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
    assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);
    let (status, c) = app.agent_get(&lin, &path("copilot")).await;
    assert_eq!(status, 200, "{c}");
    let first = &c["suggestions"][0];
    assert_eq!(
        first["title"], "Shipping outside mainland China",
        "the international shipping article first: {c:#}"
    );
    assert!(first["article_id"].is_string() && first["confidence"].as_f64().unwrap() > 0.2);
    assert!(c["summary"].as_str().unwrap().contains("international shipping"), "{c}");
    assert!(c["de_escalation"].is_null(), "a calm customer");

    let text = first["text"].as_str().unwrap().to_string();
    for (body, extra, want) in [
        (text.clone(), json!({ "suggested": text }), "as_is"),
        (format!("Hi! {text}"), json!({ "suggested": text }), "edited"),
        (
            "Let me check that for you.".to_string(),
            json!({ "suggestions_shown": true }),
            "ignored",
        ),
    ] {
        let mut payload = json!({ "body": body, "client_id": uuid::Uuid::new_v4().to_string() });
        for (k, val) in extra.as_object().unwrap() {
            payload[k] = val.clone();
        }
        assert_eq!(app.agent_post(&lin, &path("messages"), payload).await.0, 201);
        let (_, d) = app.agent_get(&lin, path("").trim_end_matches('/')).await;
        let last = d["events"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|e| e["kind"] == "copilot")
            .cloned()
            .unwrap();
        assert_eq!(last["reason"], want);
    }
    app.stop().await;
}

#[tokio::test]
async fn an_upset_customer_gets_de_escalation_phrasing_in_their_language() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let v = app.visitor(json!({ "lang": "zh" })).await;
    assert!(handed_over(
        &app.ask(&v, "你们这是什么破服务，气死我了，退款到底什么时候到账！")
            .await
    ));
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
    assert_eq!(app.agent_post(&zhao, &path("take"), json!({})).await.0, 200);
    let (_, c) = app.agent_get(&zhao, &path("copilot")).await;
    assert_eq!(c["lang"], "zh");
    assert!(c["de_escalation"].as_str().unwrap().contains("抱歉"), "{c}");
    app.stop().await;
}

/// One customer's question, handed over, taken and answered by `agent`.
async fn answered(
    app: &TestApp,
    agent: &crate::support::AgentClient,
    lang: &str,
    question: &str,
    answer: &str,
) -> String {
    app.answered_by(agent, json!({ "lang": lang }), question, answer).await
}

#[tokio::test]
async fn colleagues_past_answers_to_similar_questions_are_suggested_with_their_source() {
    let app = TestApp::spawn_lexical().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let sam = app.login("demo", "sam@maple.example").await;
    let en_answer = "I'm so sorry about the crushed box. Please send a photo of the damage and I'll ship a replacement today at no cost.";
    let first = answered(
        &app,
        &sam,
        "en",
        "My parcel arrived and the box was crushed, the vase inside is broken",
        en_answer,
    )
    .await;
    let zh_answer = "非常抱歉给您带来不便！请拍一张外包装和商品破损的照片发给我们，我们今天就为您补发一件新的。";
    answered(&app, &lin, "zh", "快递到了，外包装压坏了，里面的杯子也碎了", zh_answer).await;

    // Another customer asks much the same: the copilot offers Sam's answer, saying whose it was.
    let v = app.visitor(json!({ "lang": "en" })).await;
    if !handed_over(
        &app.ask(&v, "the box was crushed when it arrived and the vase is broken")
            .await,
    ) {
        assert!(handed_over(&app.ask(&v, "talk to a human").await));
    }
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
    assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);
    let (status, c) = app.agent_get(&lin, &path("copilot")).await;
    assert_eq!(status, 200, "{c}");
    let past: Vec<&serde_json::Value> = c["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"]["kind"] == "past_answer")
        .collect();
    assert_eq!(past.len(), 1, "only the English answer matches: {c:#}");
    assert_eq!(past[0]["text"], en_answer);
    assert_eq!(past[0]["source"]["agent_name"], "Sam Taylor");
    assert_eq!(past[0]["source"]["conversation_id"].as_str(), Some(first.as_str()));
    assert!(past[0]["article_id"].is_null());

    // The same in Chinese.
    let w = app.visitor(json!({ "lang": "zh" })).await;
    if !handed_over(&app.ask(&w, "收到的快递外包装压坏了，杯子碎了怎么办").await) {
        assert!(handed_over(&app.ask(&w, "转人工").await));
    }
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", w.conversation);
    assert_eq!(app.agent_post(&sam, &path("take"), json!({})).await.0, 200);
    let (_, c) = app.agent_get(&sam, &path("copilot")).await;
    let zh: Vec<&serde_json::Value> = c["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"]["kind"] == "past_answer")
        .collect();
    assert_eq!(zh.len(), 1, "{c:#}");
    assert_eq!(
        (zh[0]["text"].as_str(), zh[0]["source"]["agent_name"].as_str()),
        (Some(zh_answer), Some("Lin Wei"))
    );

    // An answer never suggests itself back in its own conversation.
    let (_, own) = app
        .agent_get(&sam, &format!("/api/v1/conversations/{first}/copilot"))
        .await;
    assert!(own["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["source"]["conversation_id"].as_str() != Some(first.as_str())));
    app.stop().await;
}

#[tokio::test]
async fn suggestions_follow_the_customers_latest_question_not_the_first() {
    let app = TestApp::spawn_lexical().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(
        &app.ask(&v, "Talk to a human please: how long does international shipping take?")
            .await
    ));
    app.say(&v, "c-2", "Also, can I pay with Alipay installments?").await;
    app.say(&v, "c-3", "And what is your return window?").await;
    app.wait_for(&v, "the later questions", |msgs, _| {
        msgs.iter().filter(|m| m["author"]["kind"] == "customer").count() >= 3
    })
    .await;
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
    assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);
    let (_, c) = app.agent_get(&lin, &path("copilot")).await;
    assert_eq!(
        c["suggestions"][0]["title"], "Our return policy",
        "the latest question's article first: {c:#}"
    );
    app.stop().await;
}
