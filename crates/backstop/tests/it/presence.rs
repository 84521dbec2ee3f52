//! Presence, load and automatic assignment: an agent is online while their inbox socket is open
//! (away when they say so); supervisors see every agent's presence, capacity, skills and load; a
//! team that assigns automatically gives a handed-over conversation to an available agent, by its
//! strategy, within capacity, and offers waiting ones when an agent arrives or frees up.

use serde_json::{json, Value};

use backstop_core::assignment::Strategy;

use crate::support::{handed_over, AgentClient, TestApp};

fn by_email<'a>(list: &'a Value, email: &str) -> &'a Value {
    list["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"]["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {list}"))
}

/// The socket's presence is counted by the server task: poll until it shows.
async fn presence_of(app: &TestApp, sup: &AgentClient, email: &str, want: &str) -> Value {
    for _ in 0..100 {
        let (status, list) = app.agent_get(sup, "/api/v1/agents").await;
        assert_eq!(status, 200, "{list}");
        if by_email(&list, email)["presence"] == want {
            return list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    panic!("{email} never became {want}");
}

#[tokio::test]
async fn presence_follows_the_inbox_socket_and_the_away_switch() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let lin = app.login("demo", "lin@maple.example").await;

    let list = presence_of(&app, &zhao, "lin@maple.example", "offline").await;
    assert_eq!(list["agents"].as_array().unwrap().len(), 4);
    let sam = by_email(&list, "sam@maple.example");
    assert_eq!(
        (sam["capacity"].as_u64(), sam["languages"].clone()),
        (Some(5), json!(["en", "fr", "es"]))
    );
    assert_eq!(sam["topics"], json!(["returns", "refunds", "payment"]));

    let socket = app.inbox_socket(&lin).await;
    presence_of(&app, &zhao, "lin@maple.example", "online").await;
    let presence = |p: &'static str| app.agent_put(&lin, "/api/v1/me/presence", json!({ "presence": p }));
    assert_eq!(presence("away").await.0, 200);
    presence_of(&app, &zhao, "lin@maple.example", "away").await;
    assert_eq!(presence("offline").await.0, 422);
    drop(socket);
    presence_of(&app, &zhao, "lin@maple.example", "offline").await;

    // Agents see their colleagues too (whom they could transfer to).
    assert_eq!(app.agent_get(&lin, "/api/v1/agents").await.0, 200);
    app.stop().await;
}

#[tokio::test]
async fn load_counts_the_conversations_an_agent_holds() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&v, "get me a human").await));
    let (status, _) = app
        .agent_post(
            &zhao,
            &format!("/api/v1/conversations/{}/take", v.conversation),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = app.agent_get(&zhao, "/api/v1/agents").await;
    assert_eq!(by_email(&list, "zhao@maple.example")["active"], 1);
    assert_eq!(by_email(&list, "lin@maple.example")["active"], 0);
    app.stop().await;
}

/// Waits until the conversation's owner satisfies `pred`.
async fn owner_until(app: &TestApp, who: &AgentClient, conv: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..150 {
        let (_, d) = app.agent_get(who, &format!("/api/v1/conversations/{conv}")).await;
        if pred(&d["conversation"]["owner"]) {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    panic!("conversation {conv} never became {what}");
}

#[tokio::test]
async fn a_handoff_goes_to_an_available_agent_of_an_automatic_team() {
    let app = TestApp::spawn_lexical().await;
    app.set_team_strategy("Complaints & VIP", Strategy::LeastLoaded).await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let _inbox = app.inbox_socket(&zhao).await;
    presence_of(&app, &zhao, "zhao@maple.example", "online").await;

    let v = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&v, "This is unacceptable and ridiculous").await));
    let d = owner_until(&app, &zhao, &v.conversation, "zhao's", |o| o["kind"] == "agent").await;
    assert_eq!(d["conversation"]["owner"]["agent_name"], "Zhao Min");
    // The customer is told who joined; the event says how.
    let (msgs, _) = app
        .wait_for(&v, "agent joined", |m, _| {
            m.iter().any(|x| x["system"]["code"] == "agent_joined")
        })
        .await;
    assert!(msgs.iter().any(|x| x["system"]["agent_name"] == "Zhao Min"));
    assert!(d["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "assign" && e["reason"] == "assigned by least_loaded"));
    // The General team is manual (the demo's default): a request for a person waits there.
    let w = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&w, "get me a human").await));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (_, d) = app
        .agent_get(&zhao, &format!("/api/v1/conversations/{}", w.conversation))
        .await;
    assert_eq!(d["conversation"]["owner"]["kind"], "queue");
    app.stop().await;
}

#[tokio::test]
async fn waiting_conversations_go_out_when_an_agent_arrives_or_returns_from_away() {
    let app = TestApp::spawn_lexical().await;
    app.set_team_strategy("General support", Strategy::RoundRobin).await;
    let lin = app.login("demo", "lin@maple.example").await;
    // Nobody online: both wait.
    let mut visitors = Vec::new();
    for _ in 0..2 {
        let v = app.visitor(json!({ "lang": "en" })).await;
        assert!(handed_over(&app.ask(&v, "get me a human").await));
        visitors.push(v);
    }
    // Lin arrives (capacity 5): both are offered to her, oldest first.
    let _inbox = app.inbox_socket(&lin).await;
    for v in &visitors {
        owner_until(&app, &lin, &v.conversation, "Lin's", |o| o["agent_name"] == "Lin Wei").await;
    }
    // Away: a third waits; back online: it is hers.
    let put = |p: &'static str| app.agent_put(&lin, "/api/v1/me/presence", json!({ "presence": p }));
    assert_eq!(put("away").await.0, 200);
    let third = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&third, "get me a human").await));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (_, d) = app
        .agent_get(&lin, &format!("/api/v1/conversations/{}", third.conversation))
        .await;
    assert_eq!(d["conversation"]["owner"]["kind"], "queue", "not while away");
    assert_eq!(put("online").await.0, 200);
    owner_until(&app, &lin, &third.conversation, "Lin's", |o| {
        o["agent_name"] == "Lin Wei"
    })
    .await;
    app.stop().await;
}

/// The customer's estimated wait: queue position × how long the team's recent conversations waited.
#[tokio::test]
async fn waiting_customers_are_told_an_estimated_wait_once_the_team_has_history() {
    let app = TestApp::spawn_lexical().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let first = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&first, "get me a human").await));
    let (_, state) = app.transcript(&first).await;
    assert!(state["eta_seconds"].is_null(), "no history yet: no promise");
    // Lin takes it: the team now has one wait on record.
    let path = format!("/api/v1/conversations/{}/take", first.conversation);
    assert_eq!(app.agent_post(&lin, &path, json!({})).await.0, 200);
    let second = app.visitor(json!({ "lang": "en" })).await;
    let mut ws = app.widget_ws(&second, 0).await;
    assert!(handed_over(&app.ask(&second, "get me a human").await));
    let frame = ws
        .until("a queue state with an estimate", |f| {
            f["type"] == "state" && f["state"]["eta_seconds"].as_u64().is_some()
        })
        .await;
    assert_eq!(frame["state"]["queue_position"], 1);
    assert_eq!(
        frame["state"]["eta_seconds"].as_u64().unwrap() % 30,
        0,
        "rounded to half minutes"
    );
    app.stop().await;
}
