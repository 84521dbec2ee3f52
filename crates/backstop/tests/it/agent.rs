//! The human side: an agent takes a handed-off conversation, replies, notes, hands back, resolves;
//! the customer sees it live; the AI stays silent while a person owns the conversation.

use crate::support::*;
use serde_json::{json, Value};

#[tokio::test]
async fn agent_takes_and_replies_and_the_customer_receives_it_live() {
    let app = TestApp::spawn().await;
    let _staff = app.staff().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    app.ask(&v, "I need a real person").await;
    let mut ws = app.widget_ws(&v, 0).await;
    let hello = ws.until("hello", |f| f["type"] == "hello").await;
    assert_eq!(hello["state"]["owner"], "queue");
    assert_eq!(hello["messages"].as_array().unwrap().len(), 2);

    let agent = app.login("demo", "lin@maple.example").await;
    let (status, queue) = app.agent_get(&agent, "/api/v1/conversations?view=queue").await;
    assert_eq!(status, 200);
    assert!(queue["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == v.conversation.as_str()));
    let (status, taken) = app
        .agent_post(
            &agent,
            &format!("/api/v1/conversations/{}/take", v.conversation),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{taken}");
    assert_eq!(taken["conversation"]["owner"]["agent_name"], "Lin Wei");
    // The system message is published before the state change.
    let joined = ws
        .until("agent joined", |f| {
            f["type"] == "message" && f["message"]["system"]["code"] == "agent_joined"
        })
        .await;
    assert_eq!(joined["message"]["system"]["agent_name"], "Lin Wei");
    let state = ws
        .until("agent state", |f| {
            f["type"] == "state" && f["state"]["owner"] == "agent"
        })
        .await;
    assert_eq!(state["state"]["agent_name"], "Lin Wei");

    let (status, sent) = app
        .agent_post(
            &agent,
            &format!("/api/v1/conversations/{}/messages", v.conversation),
            json!({ "body": "Hi, I'm Lin. Let me check that for you.", "client_id": "r-1" }),
        )
        .await;
    assert_eq!(status, 201, "{sent}");
    let got = ws
        .until("agent reply", |f| {
            f["type"] == "message" && f["message"]["author"]["kind"] == "agent"
        })
        .await;
    assert_eq!(got["message"]["author"]["name"], "Lin Wei");
    assert_eq!(got["message"]["body"], "Hi, I'm Lin. Let me check that for you.");

    // A private note reaches agents only.
    let (status, _) = app
        .agent_post(
            &agent,
            &format!("/api/v1/conversations/{}/notes", v.conversation),
            json!({ "body": "checking the warehouse" }),
        )
        .await;
    assert_eq!(status, 201);
    let (msgs, _) = app.transcript(&v).await;
    assert!(
        msgs.iter().all(|m| m["kind"] == "text"),
        "no note in the customer's transcript"
    );
    let (_, detail) = app
        .agent_get(&agent, &format!("/api/v1/conversations/{}", v.conversation))
        .await;
    assert!(detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "note"));
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["handoff", "take", "agent_reply", "first_reply"],
        "every transition is an event, and so is every reply of a person"
    );
    app.stop().await;
}

#[tokio::test]
async fn after_the_handoff_the_ai_sends_nothing() {
    let app = TestApp::spawn().await;
    let _staff = app.staff().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    app.ask(&v, "talk to a human").await;
    // While queued, and then while an agent owns it, questions the AI could answer get no AI reply.
    app.say(&v, "q-1", "How long does delivery take?").await;
    let agent = app.login("demo", "sam@maple.example").await;
    app.agent_post(
        &agent,
        &format!("/api/v1/conversations/{}/take", v.conversation),
        json!({}),
    )
    .await;
    app.say(&v, "q-2", "How do I reset my password?").await;
    // Wait until the agent sees both questions, then give the AI every chance to (wrongly) answer.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (_, d) = app
            .agent_get(&agent, &format!("/api/v1/conversations/{}", v.conversation))
            .await;
        if d["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["author"]["kind"] == "customer")
            .count()
            == 3
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "agent never saw the messages");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let (msgs, _) = app.transcript(&v).await;
    let ai_after_handoff = msgs
        .iter()
        .skip_while(|m| m["system"]["code"] != "handoff")
        .filter(|m| m["author"]["kind"] == "ai")
        .count();
    assert_eq!(ai_after_handoff, 0, "{:?}", authors(&msgs));
    app.stop().await;
}

#[tokio::test]
async fn hand_back_lets_the_ai_answer_again_and_resolve_ends_it() {
    let app = TestApp::spawn().await;
    let _staff = app.staff().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    app.ask(&v, "I want to speak to a person").await;
    let agent = app.login("demo", "lin@maple.example").await;
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
    assert_eq!(app.agent_post(&agent, &path("take"), json!({})).await.0, 200);
    // Only the owner may hand back.
    let other = app.login("demo", "sam@maple.example").await;
    let (status, err) = app.agent_post(&other, &path("hand-back"), json!({})).await;
    assert_eq!((status, err["error"]["code"].as_str()), (409, Some("not_owner")));
    let (status, back) = app
        .agent_post(
            &agent,
            &path("hand-back"),
            json!({ "reason": "answered the hard part" }),
        )
        .await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["conversation"]["owner"]["kind"], "ai");
    let reply = app.ask(&v, "How long does delivery take?").await;
    // The hand-back notice comes first, then the AI's answer.
    let (msgs, _) = app
        .wait_for(&v, "ai answer", |m, _| {
            m.iter()
                .any(|x| x["author"]["kind"] == "ai" && !x["citations"].as_array().unwrap().is_empty())
        })
        .await;
    assert!(
        reply["system"]["code"] == "handed_back" || reply["author"]["kind"] == "ai",
        "{reply:#}"
    );
    assert!(msgs.iter().any(|m| m["system"]["code"] == "handed_back"));

    assert_eq!(app.agent_post(&agent, &path("take"), json!({})).await.0, 200);
    let (status, resolved) = app.agent_post(&agent, &path("resolve"), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(resolved["conversation"]["status"], "resolved");
    let (status, err) = app
        .agent_post(&agent, &path("messages"), json!({ "body": "one more thing" }))
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (409, Some("invalid_transition"))
    );
    let (status, reopened) = app.agent_post(&agent, &path("reopen"), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(reopened["conversation"]["status"], "open");
    let (_, d) = app
        .agent_get(&agent, &format!("/api/v1/conversations/{}", v.conversation))
        .await;
    let kinds: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .filter(|k| !k.starts_with("ai_"))
        .collect();
    assert_eq!(kinds, ["handoff", "take", "hand_back", "take", "resolve", "reopen"]);
    let reasons: Vec<Value> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "hand_back")
        .map(|e| e["reason"].clone())
        .collect();
    assert_eq!(reasons, [json!("answered the hard part")]);
    app.stop().await;
}

#[tokio::test]
async fn the_agent_socket_streams_the_tenants_changes() {
    let app = TestApp::spawn().await;
    let agent = app.login("demo", "zhao@maple.example").await;
    let req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(app.ws_url("/api/v1/ws"))
        .unwrap();
    let mut req = req;
    req.headers_mut()
        .insert("cookie", format!("backstop_session={}", agent.token).parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("agent ws");
    let mut ws = Ws(ws);
    let v = app.visitor(json!({ "lang": "en" })).await;
    app.say(&v, "c-1", "get me a human").await;
    let conv = ws
        .until("queued conversation", |f| {
            f["type"] == "conversation" && f["conversation"]["owner"]["kind"] == "queue"
        })
        .await;
    assert_eq!(conv["conversation"]["id"], v.conversation.as_str());
    assert_eq!(conv["conversation"]["queue_position"], 1);

    let anonymous = tokio_tungstenite::connect_async(app.ws_url("/api/v1/ws")).await;
    assert!(anonymous.is_err(), "no session, no socket");
    app.stop().await;
}
