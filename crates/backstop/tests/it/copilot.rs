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
