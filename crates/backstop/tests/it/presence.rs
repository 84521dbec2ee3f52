//! Presence and load: an agent is online while their inbox socket is open (away when they say
//! so), and supervisors see every agent's presence, capacity, skills and load.

use serde_json::{json, Value};

use crate::support::{AgentClient, TestApp};

async fn open_inbox_socket(app: &TestApp, a: &AgentClient) -> crate::support::Ws {
    let mut req =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(app.ws_url("/api/v1/ws"))
            .unwrap();
    req.headers_mut()
        .insert("cookie", format!("backstop_session={}", a.token).parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("agent ws");
    crate::support::Ws(ws)
}

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
        (Some(5), json!(["en"]))
    );
    assert_eq!(sam["topics"], json!(["returns", "refunds", "payment"]));

    let socket = open_inbox_socket(&app, &lin).await;
    presence_of(&app, &zhao, "lin@maple.example", "online").await;
    let r = app
        .http
        .put(app.url("/api/v1/me/presence"))
        .bearer_auth(&lin.token)
        .json(&json!({ "presence": "away" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    presence_of(&app, &zhao, "lin@maple.example", "away").await;
    let bad = app
        .http
        .put(app.url("/api/v1/me/presence"))
        .bearer_auth(&lin.token)
        .json(&json!({ "presence": "offline" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    drop(socket);
    presence_of(&app, &zhao, "lin@maple.example", "offline").await;

    // Agents do not see the supervisor view.
    assert_eq!(app.agent_get(&lin, "/api/v1/agents").await.0, 403);
    app.stop().await;
}

#[tokio::test]
async fn load_counts_the_conversations_an_agent_holds() {
    let app = TestApp::spawn_lexical().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert_eq!(app.ask(&v, "get me a human").await["system"]["code"], "handoff");
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
