//! Transfers: an agent passes their conversation to a colleague (with a private note) or to
//! another team's queue; only the owner may, unless a supervisor reassigns.

use serde_json::{json, Value};

use crate::support::{handed_over, AgentClient, TestApp};

async fn ids(app: &TestApp, sup: &AgentClient) -> (Value, Value) {
    let (_, agents) = app.agent_get(sup, "/api/v1/agents").await;
    let (_, teams) = app.agent_get(sup, "/api/v1/teams").await;
    (agents, teams)
}

fn agent_id(agents: &Value, email: &str) -> String {
    agents["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"]["email"] == email)
        .unwrap()["agent"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn team_id(teams: &Value, name: &str) -> String {
    teams["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_agent_transfers_to_a_colleague_with_a_note_then_to_a_team() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let lin = app.login("demo", "lin@maple.example").await;
    let sam = app.login("demo", "sam@maple.example").await;
    let (agents, teams) = ids(&app, &zhao).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&v, "get me a human").await));
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
    assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);

    // Sam does not own it: refused.
    let (status, body) = app
        .agent_post(
            &sam,
            &path("transfer"),
            json!({ "agent_id": agent_id(&agents, "sam@maple.example") }),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("not_owner")),
        "{body}"
    );
    // Neither or both targets: refused.
    let (status, _) = app.agent_post(&lin, &path("transfer"), json!({})).await;
    assert_eq!(status, 422);

    // Lin → Zhao, with a note only agents see.
    let (status, body) = app
        .agent_post(
            &lin,
            &path("transfer"),
            json!({ "agent_id": agent_id(&agents, "zhao@maple.example"), "note": "VIP order, refund approved" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["conversation"]["owner"]["agent_name"], "Zhao Min");
    let (msgs, _) = app
        .wait_for(&v, "Zhao joined", |m, _| {
            m.iter().any(|x| x["system"]["agent_name"] == "Zhao Min")
        })
        .await;
    assert!(
        msgs.iter().all(|m| m["body"] != "VIP order, refund approved"),
        "the note stays private"
    );
    let (_, d) = app
        .agent_get(&zhao, &format!("/api/v1/conversations/{}", v.conversation))
        .await;
    assert!(d["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["kind"] == "note" && m["body"] == "VIP order, refund approved"));
    assert!(d["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "transfer" && e["reason"] == "VIP order, refund approved"));

    // Zhao → the General support queue.
    let (status, body) = app
        .agent_post(
            &zhao,
            &path("transfer"),
            json!({ "team_id": team_id(&teams, "General support") }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["conversation"]["owner"]["kind"], "queue");
    assert_eq!(body["conversation"]["owner"]["team_name"], "General support");
    app.stop().await;
}

#[tokio::test]
async fn a_supervisor_reassigns_a_waiting_conversation() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let lin = app.login("demo", "lin@maple.example").await;
    let (agents, _) = ids(&app, &zhao).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert!(handed_over(&app.ask(&v, "get me a human").await));
    let path = format!("/api/v1/conversations/{}/transfer", v.conversation);
    let sam_id = agent_id(&agents, "sam@maple.example");
    // An agent cannot move a queued conversation to someone else …
    let (status, _) = app.agent_post(&lin, &path, json!({ "agent_id": sam_id })).await;
    assert_eq!(status, 409);
    // … a supervisor can.
    let (status, body) = app.agent_post(&zhao, &path, json!({ "agent_id": sam_id })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["conversation"]["owner"]["agent_name"], "Sam Taylor");
    app.stop().await;
}
