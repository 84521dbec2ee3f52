//! Graduated autonomy: a tenant puts the AI in draft mode for an intent; the AI's answer waits in
//! the handoff packet until an agent approves it (as is or edited: sent as the AI's answer, the
//! conversation back with the AI) or rejects it (the agent keeps the conversation).

use serde_json::{json, Value};

use crate::support::{handed_over, AgentClient, TestApp, Visitor};

async fn draft_mode_for_shipping(app: &TestApp) {
    let admin = app.login("demo", "chen@maple.example").await;
    let (_, current) = app.agent_get(&admin, "/api/v1/policy").await;
    let source = format!(
        "[[rule]]\nname = \"shipping_drafts\"\nwhen = {{ intent_in = [\"shipping\"], answer = [\"confident\"] }}\nthen = {{ action = \"draft\", team = \"general\" }}\n\n{}",
        current["source"].as_str().unwrap()
    );
    assert_eq!(
        app.agent_put(&admin, "/api/v1/policy", json!({ "source": source }))
            .await
            .0,
        200
    );
}

async fn drafted(app: &TestApp, lin: &AgentClient) -> (Visitor, Value) {
    let v = app.visitor(json!({ "lang": "en" })).await;
    let notice = app.ask(&v, "How long does delivery take?").await;
    assert!(handed_over(&notice), "{notice}");
    let (_, d) = app
        .agent_get(lin, &format!("/api/v1/conversations/{}", v.conversation))
        .await;
    assert_eq!(d["packet"]["reason"], "review");
    assert!(d["packet"]["draft"].as_str().unwrap().contains("ship"), "{d:#}");
    assert!(d["packet"]["draft_source"]["title"].is_string());
    (v, d)
}

#[tokio::test]
async fn an_approved_draft_is_sent_as_the_ais_answer() {
    let app = TestApp::spawn_lexical().await;
    draft_mode_for_shipping(&app).await;
    let lin = app.login("demo", "lin@maple.example").await;
    let (v, d) = drafted(&app, &lin).await;
    let draft = d["packet"]["draft"].as_str().unwrap().to_string();
    let path = format!("/api/v1/conversations/{}/draft", v.conversation);
    let (status, body) = app.agent_post(&lin, &path, json!({ "decision": "approve" })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["conversation"]["owner"]["kind"], "ai");
    let (msgs, _) = app.transcript(&v).await;
    let answer = msgs.iter().rev().find(|m| m["author"]["kind"] == "ai").unwrap();
    assert_eq!(answer["body"], draft.as_str());
    assert_eq!(answer["citations"][0]["title"], d["packet"]["draft_source"]["title"]);
    // Nothing is waiting any more.
    let (status, body) = app.agent_post(&lin, &path, json!({ "decision": "approve" })).await;
    assert_eq!(status, 422);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("no AI draft"),
        "{body}"
    );

    // Edited: the agent's text goes out as the AI's answer.
    let (w, _) = drafted(&app, &lin).await;
    let path = format!("/api/v1/conversations/{}/draft", w.conversation);
    let (status, _) = app
        .agent_post(
            &lin,
            &path,
            json!({ "decision": "approve", "body": "Two to four days in mainland China." }),
        )
        .await;
    assert_eq!(status, 200);
    let (msgs, _) = app.transcript(&w).await;
    assert!(msgs
        .iter()
        .any(|m| m["author"]["kind"] == "ai" && m["body"] == "Two to four days in mainland China."));
    app.stop().await;
}

#[tokio::test]
async fn a_rejected_draft_is_never_sent_and_the_agent_keeps_the_conversation() {
    let app = TestApp::spawn_lexical().await;
    draft_mode_for_shipping(&app).await;
    let lin = app.login("demo", "lin@maple.example").await;
    let (v, _) = drafted(&app, &lin).await;
    let path = format!("/api/v1/conversations/{}/draft", v.conversation);
    let (status, _) = app.agent_post(&lin, &path, json!({ "decision": "maybe" })).await;
    assert_eq!(status, 422);
    let (status, body) = app.agent_post(&lin, &path, json!({ "decision": "reject" })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["conversation"]["owner"]["agent_name"], "Lin Wei");
    let (msgs, _) = app.transcript(&v).await;
    assert!(msgs
        .iter()
        .all(|m| m["author"]["kind"] != "ai" || m["citations"].as_array().unwrap().is_empty()));
    let (_, d) = app
        .agent_get(&lin, &format!("/api/v1/conversations/{}", v.conversation))
        .await;
    assert!(d["packet"]["draft"].is_null());
    app.stop().await;
}
