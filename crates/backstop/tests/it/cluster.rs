//! Two `backstop demo` processes as two nodes on one PostgreSQL database and one NATS server (the
//! test database and NATS that scripts/test.sh starts): a customer on node A and an agent on node
//! B see each other live; then node A is killed with SIGKILL under load, its customers reconnect
//! to node B, and nothing is lost or answered twice.

use std::time::Duration;

use backstop_load::{self as load, server};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{assert_answered_once, fresh_postgres_schema, WAIT};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Nodes {
    database: String,
    options: Vec<server::SpawnOptions>,
}

fn nats() -> String {
    std::env::var("BACKSTOP_TEST_NATS").expect(
        "BACKSTOP_TEST_NATS is not set: run scripts/test.sh (it starts NATS with JetStream), or point it at one",
    )
}

impl Nodes {
    async fn new() -> Nodes {
        let database = fresh_postgres_schema().await;
        // A prefix of its own: other runs on the same NATS server do not see this cluster.
        let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
        let options = ["a", "b"]
            .iter()
            .map(|node| server::SpawnOptions {
                lexical: true,
                database_url: Some(database.clone()),
                port: server::free_port().unwrap(),
                exe: Some(env!("CARGO_BIN_EXE_backstop").into()),
                args: vec!["--bus".into(), nats(), "--node".into(), (*node).into()],
                env: vec![
                    ("BACKSTOP__BUS__PREFIX".into(), prefix.clone()),
                    ("BACKSTOP__BUS__ACK_WAIT_SECS".into(), "3".into()),
                ],
                ..Default::default()
            })
            .collect();
        Nodes { database, options }
    }

    async fn start(&self, i: usize) -> server::Spawned {
        server::spawn(&self.options[i]).await.expect("start a node")
    }
}

async fn next_frame(ws: &mut Socket, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = tokio::time::timeout(left, ws.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
        if let Some(Ok(Message::Text(t))) = frame {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if pred(&v) {
                return v;
            }
        }
    }
}

fn is_message(v: &Value, kind: &str) -> bool {
    v["type"] == "message" && v["message"]["author"]["kind"] == kind
}

#[tokio::test]
async fn a_customer_on_one_node_and_an_agent_on_another_see_each_other_live() {
    let nodes = Nodes::new().await;
    let a = nodes.start(0).await;
    let b = nodes.start(1).await;
    let http = reqwest::Client::new();

    // The agent signs in and opens the inbox on node B.
    let login: Value = http
        .post(format!("{}/api/v1/auth/login", b.base))
        .json(&json!({ "tenant": "demo", "email": "lin@maple.example", "password": "backstop-demo" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let mut req = format!("{}/api/v1/ws", b.base.replacen("http", "ws", 1))
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("cookie", format!("backstop_session={token}").parse().unwrap());
    let (mut inbox, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    // Node A learns from B's heartbeat that Lin is online: a supervisor signed in on A sees it.
    let zhao: Value = http
        .post(format!("{}/api/v1/auth/login", a.base))
        .json(&json!({ "tenant": "demo", "email": "zhao@maple.example", "password": "backstop-demo" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let zhao = zhao["token"].as_str().unwrap().to_owned();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let agents: Value = http
            .get(format!("{}/api/v1/agents", a.base))
            .bearer_auth(&zhao)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let lin = agents["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["agent"]["email"] == "lin@maple.example")
            .cloned()
            .unwrap();
        if lin["presence"] == "online" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "node A never saw Lin online on node B: {lin}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The customer chats on node A.
    let session: Value = http
        .post(format!("{}/api/widget/v1/demo/session", a.base))
        .json(&json!({ "lang": "en" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (vtoken, conv) = (
        session["token"].as_str().unwrap().to_owned(),
        session["conversation_id"].as_str().unwrap().to_owned(),
    );
    let url = format!("{}/api/widget/v1/demo/ws", a.base.replacen("http", "ws", 1));
    let (mut widget, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let hello = json!({ "type": "hello", "token": vtoken, "conversation_id": conv });
    widget.send(Message::Text(hello.to_string().into())).await.unwrap();
    next_frame(&mut widget, "hello", |v| v["type"] == "hello").await;
    let send = |body: &str, id: &str| {
        Message::Text(
            json!({ "type": "message", "client_id": id, "body": body })
                .to_string()
                .into(),
        )
    };
    widget.send(send("How long does delivery take?", "c1")).await.unwrap();
    let answer = next_frame(&mut widget, "the AI's answer on node A", |v| is_message(v, "ai")).await;
    // Node B's inbox saw the customer's question and the AI's answer as they happened.
    let on_b = next_frame(&mut inbox, "the customer's message on node B", |v| {
        is_message(v, "customer") && v["message"]["conversation_id"] == conv.as_str()
    })
    .await;
    assert_eq!(on_b["message"]["body"], "How long does delivery take?");
    let ai_on_b = next_frame(&mut inbox, "the AI's answer on node B", |v| is_message(v, "ai")).await;
    assert_eq!(ai_on_b["message"]["id"], answer["message"]["id"]);

    // The customer asks for a person: the agent online on B counts, so it is a hand-over to the
    // queue (not an offline ticket).
    widget
        .send(send("I want to talk to a human agent", "c2"))
        .await
        .unwrap();
    let notice = next_frame(&mut widget, "the hand-over notice", |v| is_message(v, "system")).await;
    assert_eq!(notice["message"]["system"]["code"], "handoff", "{notice}");
    next_frame(&mut inbox, "the queued conversation on node B", |v| {
        v["type"] == "conversation"
            && v["conversation"]["id"] == conv.as_str()
            && v["conversation"]["owner"]["kind"] == "queue"
    })
    .await;

    // The agent takes it and answers on node B; the customer sees it live on node A.
    let agent_url = |what: &str| format!("{}/api/v1/conversations/{conv}/{what}", b.base);
    let r = http.post(agent_url("take")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .post(agent_url("messages"))
        .bearer_auth(&token)
        .json(&json!({ "body": "Hi, Lin here. Let me check your parcel." }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let joined = next_frame(&mut widget, "the agent's reply on node A", |v| is_message(v, "agent")).await;
    assert_eq!(joined["message"]["body"], "Hi, Lin here. Let me check your parcel.");
    // And the customer's reply reaches the agent on B.
    widget
        .send(send("Thanks, it's order MM-20261121-0042", "c3"))
        .await
        .unwrap();
    let reply = next_frame(&mut inbox, "the customer's reply on node B", |v| {
        is_message(v, "customer") && v["message"]["client_id"] == "c3"
    })
    .await;
    assert_eq!(reply["message"]["conversation_id"], conv.as_str());
    drop((a, b));
}

#[tokio::test]
async fn when_a_node_dies_another_takes_over_its_conversations() {
    let nodes = Nodes::new().await;
    let mut a = nodes.start(0).await;
    let b = nodes.start(1).await;
    let options = load::Options {
        base: a.base.clone(),
        tenant: "demo".into(),
        conversations: 10,
        messages: 10,
        rate: None,
        escalate: 0.0,
        agent: None,
        server_pid: None,
        questions: Vec::new(),
        unique: false,
        timeout: Duration::from_secs(60),
        reconnect: true,
        fallback: Some(b.base.clone()),
        progress: false,
        answered: Default::default(),
    };
    let total = (options.conversations * options.messages) as u64;
    let answered = options.answered.clone();
    let run = tokio::spawn({
        let options = options.clone();
        async move { load::run(&options).await }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while answered.load(std::sync::atomic::Ordering::Relaxed) < total / 3 {
        assert!(tokio::time::Instant::now() < deadline, "the load made no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.child.start_kill().expect("SIGKILL node A");
    a.child.wait().await.unwrap();
    let report = run.await.unwrap().expect("load run");
    assert_eq!(report.errors, 0, "{:?}", report.error_kinds);
    assert!(report.reconnects > 0, "customers moved to node B");
    assert_eq!(report.acked, report.sent);
    assert_eq!(
        report.answered, report.sent,
        "every message was answered after the move"
    );
    assert_eq!(report.extra_ai_replies, 0);
    drop(b);

    let store = backstop_store_postgres::PgStore::connect(&nodes.database)
        .await
        .unwrap();
    assert_answered_once(&store, &report, options.conversations).await;
}
