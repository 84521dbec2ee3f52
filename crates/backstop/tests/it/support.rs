//! `TestApp`: a running server with typed helpers for a widget visitor and an agent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use backstop::{seed, Config};
use backstop_core::directory::{Agent, AgentRole, Team, Tenant};
use backstop_core::ids::{AgentId, TeamId, TenantId};
use backstop_core::routing::TeamRole;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const WAIT: Duration = Duration::from_secs(15);

/// A notice that a person takes over: `handoff` (someone of the team is online) or `ticket`
/// (nobody is: a reply is promised by a time).
pub fn handed_over(notice: &Value) -> bool {
    matches!(notice["system"]["code"].as_str(), Some("handoff" | "ticket"))
}

pub struct TestApp {
    pub base: String,
    pub dir: PathBuf,
    /// Keeps `dir` until the test ends.
    scratch: Scratch,
    pub http: reqwest::Client,
    /// The server's clock: `advance` it to pass SLA deadlines without waiting.
    pub clock: std::sync::Arc<backstop_engine::clock::ManualClock>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// A test's data directory, removed when the last holder drops it (a restarted server shares it
/// with the one before).
#[derive(Clone)]
pub struct Scratch(std::sync::Arc<tempfile::TempDir>);

impl Scratch {
    pub fn new() -> Scratch {
        Scratch(std::sync::Arc::new(tempfile::tempdir().expect("temp dir")))
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

pub struct Visitor {
    pub token: String,
    pub conversation: String,
}

pub struct AgentClient {
    pub token: String,
}

impl TestApp {
    /// A demo server on a fresh data directory, plus a second tenant `acme` with one agent.
    pub async fn spawn() -> TestApp {
        let dir = Scratch::new();
        seed_second_tenant(&dir).await;
        Self::spawn_in(dir).await
    }

    /// A demo server on an existing data directory (for restarts).
    pub async fn spawn_in(dir: Scratch) -> TestApp {
        Self::spawn_with(dir, |_| {}).await
    }

    /// A demo server on words only with the default limits (rates, caps, timeouts) in force, changed
    /// by `tweak`: the security tests.
    pub async fn spawn_guarded(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = Scratch::new();
        seed_second_tenant(&dir).await;
        Self::spawn_with(dir, |c| {
            *c = Config {
                storage: c.storage.clone(),
                demo: true,
                ..Config::default()
            };
            c.models.embeddings = false;
            tweak(c);
        })
        .await
    }

    /// The demo tenant's widget secret (what a host site signs e-mails with).
    pub async fn demo_secret(&self) -> String {
        let store = self.store().await;
        store
            .get_tenant(&seed::demo_tenant_id())
            .await
            .unwrap()
            .unwrap()
            .widget_secret
    }

    /// The server's store, opened beside it (SQLite allows it), to look at what it keeps.
    pub async fn store(&self) -> std::sync::Arc<dyn backstop_store::Store> {
        let mut config = Config::default();
        config.storage.data_dir = self.dir.clone();
        backstop::open_store(&config).await.unwrap()
    }

    /// A visitor (`who`: the session's body) asks `question`; it is handed over (asking for a
    /// person if the AI answered); `agent` takes it and answers `answer`. Returns the conversation.
    pub async fn answered_by(&self, agent: &AgentClient, who: Value, question: &str, answer: &str) -> String {
        let zh = who["lang"] == "zh";
        let v = self.visitor(who).await;
        if !handed_over(&self.ask(&v, question).await) {
            assert!(handed_over(
                &self.ask(&v, if zh { "转人工" } else { "talk to a human" }).await
            ));
        }
        let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
        assert_eq!(self.agent_post(agent, &path("take"), json!({})).await.0, 200);
        assert_eq!(
            self.agent_post(agent, &path("messages"), json!({ "body": answer }))
                .await
                .0,
            201
        );
        v.conversation
    }

    /// A demo server on words only (no embedding model): the baseline.
    pub async fn spawn_lexical() -> TestApp {
        Self::spawn_with(Scratch::new(), |c| c.models.embeddings = false).await
    }

    /// A demo server on the database at `url` (for restarts on the same PostgreSQL schema).
    pub async fn spawn_on_url(url: String) -> TestApp {
        Self::spawn_with(Scratch::new(), |c| c.storage.database_url = url).await
    }

    /// A demo server as configured by `tweak`. Per-address limits are lifted (every test client
    /// speaks from 127.0.0.1 and polls); the security tests set them back.
    pub async fn spawn_with(scratch: Scratch, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = scratch.to_path_buf();
        let mut config = Config::default();
        config.storage.data_dir = dir.clone();
        config.demo = true;
        config.lift_limits();
        tweak(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let clock = std::sync::Arc::new(backstop_engine::clock::ManualClock::default());
        let handle = tokio::spawn(backstop::launch_on(
            config,
            clock.clone(),
            listener,
            async move {
                rx.await.ok();
            },
            |_| {},
        ));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            // Below the server's idle limit: a pooled connection is not reused as it closes.
            .pool_idle_timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        let app = TestApp {
            base: format!("http://{addr}"),
            dir,
            scratch,
            http,
            clock,
            shutdown: Some(tx),
            handle: Some(handle),
        };
        // Ready when the health check answers.
        for _ in 0..200 {
            if app
                .http
                .get(app.url("/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return app;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server did not start");
    }

    /// Stops the server; its data directory lives on in what this returns (for a restart).
    pub async fn stop(mut self) -> Scratch {
        if let Some(tx) = self.shutdown.take() {
            tx.send(()).ok();
        }
        if let Some(h) = self.handle.take() {
            h.await.expect("server task").expect("server ran cleanly");
        }
        self.scratch.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("{}{}", self.base.replacen("http", "ws", 1), path)
    }

    pub async fn visitor(&self, body: Value) -> Visitor {
        let r = self
            .http
            .post(self.url("/api/widget/v1/demo/session"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        Visitor {
            token: v["token"].as_str().unwrap().into(),
            conversation: v["conversation_id"].as_str().unwrap().into(),
        }
    }

    pub async fn say(&self, v: &Visitor, client_id: &str, body: &str) -> reqwest::Response {
        self.http
            .post(self.url(&format!(
                "/api/widget/v1/demo/conversations/{}/messages",
                v.conversation
            )))
            .header("x-visitor-token", &v.token)
            .json(&json!({ "client_id": client_id, "body": body }))
            .send()
            .await
            .unwrap()
    }

    pub async fn transcript(&self, v: &Visitor) -> (Vec<Value>, Value) {
        let r = self
            .http
            .get(self.url(&format!(
                "/api/widget/v1/demo/conversations/{}/messages",
                v.conversation
            )))
            .header("x-visitor-token", &v.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        (body["messages"].as_array().unwrap().clone(), body["state"].clone())
    }

    /// Polls the transcript until `done` holds.
    pub async fn wait_for(
        &self,
        v: &Visitor,
        what: &str,
        done: impl Fn(&[Value], &Value) -> bool,
    ) -> (Vec<Value>, Value) {
        self.wait_longer(v, what, WAIT, done).await
    }

    /// `wait_for` with its own limit (a real model on a busy machine answers in tens of seconds).
    pub async fn wait_longer(
        &self,
        v: &Visitor,
        what: &str,
        wait: Duration,
        done: impl Fn(&[Value], &Value) -> bool,
    ) -> (Vec<Value>, Value) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let (msgs, state) = self.transcript(v).await;
            if done(&msgs, &state) {
                return (msgs, state);
            }
            if tokio::time::Instant::now() > deadline {
                panic!("timed out waiting for {what}; transcript: {msgs:#?}; state: {state}");
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    /// Sends `body` and waits for the reply that follows it (AI or system).
    pub async fn ask(&self, v: &Visitor, body: &str) -> Value {
        self.ask_within(v, body, WAIT).await
    }

    /// `ask`, waiting up to `wait` for the reply.
    pub async fn ask_within(&self, v: &Visitor, body: &str, wait: Duration) -> Value {
        let cid = uuid::Uuid::new_v4().to_string();
        let sent: Value = self.say(v, &cid, body).await.json().await.unwrap();
        let seq = sent["message"]["seq"].as_i64().unwrap();
        let (msgs, _) = self
            .wait_longer(v, "a reply", wait, |m, _| {
                m.iter()
                    .any(|x| x["seq"].as_i64() > Some(seq) && x["author"]["kind"] != "customer")
            })
            .await;
        msgs.into_iter()
            .find(|x| x["seq"].as_i64() > Some(seq) && x["author"]["kind"] != "customer")
            .unwrap()
    }

    pub async fn login(&self, tenant: &str, email: &str) -> AgentClient {
        self.login_with(tenant, email, seed::DEMO_PASSWORD).await
    }

    pub async fn login_with(&self, tenant: &str, email: &str, password: &str) -> AgentClient {
        let r = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "tenant": tenant, "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {email}");
        assert!(r
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("HttpOnly"));
        let v: Value = r.json().await.unwrap();
        AgentClient {
            token: v["token"].as_str().unwrap().into(),
        }
    }

    pub async fn agent_get(&self, a: &AgentClient, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn agent_post(&self, a: &AgentClient, path: &str, body: Value) -> (u16, Value) {
        self.agent_send(reqwest::Method::POST, a, path, body).await
    }

    pub async fn agent_put(&self, a: &AgentClient, path: &str, body: Value) -> (u16, Value) {
        self.agent_send(reqwest::Method::PUT, a, path, body).await
    }

    pub async fn agent_delete(&self, a: &AgentClient, path: &str) -> (u16, Value) {
        self.agent_send(reqwest::Method::DELETE, a, path, Value::Null).await
    }

    /// A JSON request as the agent: the status and the JSON answer (null when there is none).
    async fn agent_send(&self, method: reqwest::Method, a: &AgentClient, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&a.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Opens the visitor's widget socket and says hello (the token goes in that first frame).
    pub async fn widget_ws(&self, v: &Visitor, after: i64) -> Ws {
        let url = self.ws_url("/api/widget/v1/demo/ws");
        let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("widget websocket");
        let mut ws = Ws(ws);
        ws.send(json!({ "type": "hello", "token": v.token, "conversation_id": v.conversation, "after": after }))
            .await;
        ws
    }
}

pub struct Ws(pub WebSocketStream<MaybeTlsStream<TcpStream>>);

impl Ws {
    pub async fn send(&mut self, v: Value) {
        self.0.send(Message::Text(v.to_string().into())).await.expect("ws send");
    }

    /// Reads frames until one satisfies `pred`; returns it.
    pub async fn until(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.until_within(what, WAIT, pred).await
    }

    /// `until`, waiting up to `wait`.
    pub async fn until_within(&mut self, what: &str, wait: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = tokio::time::timeout(left, self.0.next())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
            let Some(Ok(Message::Text(t))) = frame else {
                continue;
            };
            let v: Value = serde_json::from_str(t.as_str()).expect("json frame");
            if pred(&v) {
                return v;
            }
        }
    }
}

/// The title of a demo knowledge-base article.
pub fn kb_title(slug: &str, lang: &str) -> String {
    let kb: Vec<Value> = serde_json::from_str(seed::DEMO_KB).unwrap();
    kb.iter()
        .find(|a| a["slug"] == slug && a["lang"] == lang)
        .unwrap_or_else(|| panic!("no article {slug}/{lang}"))["title"]
        .as_str()
        .unwrap()
        .to_string()
}

impl TestApp {
    /// Switches a demo team's assignment strategy, straight in the database (as an admin tool
    /// would; the engine reads teams afresh at every assignment).
    pub async fn set_team_strategy(&self, team_name: &str, strategy: backstop_core::assignment::Strategy) {
        self.update_team(team_name, |t| t.strategy = strategy).await;
    }

    /// Changes a demo team straight in the store (the server reads teams on each use).
    pub async fn update_team(&self, team_name: &str, change: impl FnOnce(&mut Team)) {
        let mut config = Config::default();
        config.storage.data_dir = self.dir.clone();
        let store = backstop::open_store(&config).await.unwrap();
        let demo = seed::demo_tenant_id();
        let mut team = store
            .list_teams(&demo)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.name == team_name)
            .unwrap_or_else(|| panic!("no team {team_name}"));
        change(&mut team);
        store.upsert_team(&team).await.unwrap();
    }

    /// The VIP shopper's e-mail signature, read from the demo store page that renders it with its
    /// HMAC, as a host site would.
    pub async fn vip_hash(&self) -> String {
        let page = self
            .http
            .get(self.url("/demo/store?as=alice"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        page.split("data-user-hash=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    }

    /// Someone online in each demo team (Lin Wei in General support, Zhao Min in Complaints &
    /// VIP) while the sockets live, so hand-overs are live hand-overs, not offline tickets.
    pub async fn staff(&self) -> Vec<Ws> {
        let mut online = Vec::new();
        let mut last = None;
        for email in ["lin@maple.example", "zhao@maple.example"] {
            let a = self.login("demo", email).await;
            online.push(self.inbox_socket(&a).await);
            last = Some(a);
        }
        self.wait_online(last.as_ref().unwrap(), &["lin@maple.example", "zhao@maple.example"])
            .await;
        online
    }

    /// Waits until the server counts these agents online (sockets are counted by the server task).
    pub async fn wait_online(&self, asking: &AgentClient, emails: &[&str]) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let (_, list) = self.agent_get(asking, "/api/v1/agents").await;
            let online = |e: &&str| {
                list["agents"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x["agent"]["email"] == *e && x["presence"] == "online"))
            };
            if emails.iter().all(online) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{emails:?} never online: {list}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Opens the agent's inbox socket: they count as online while it lives.
    pub async fn inbox_socket(&self, a: &AgentClient) -> Ws {
        let mut req =
            tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(self.ws_url("/api/v1/ws"))
                .unwrap();
        req.headers_mut()
            .insert("cookie", format!("backstop_session={}", a.token).parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("agent ws");
        Ws(ws)
    }
}

/// A second tenant, `acme`, with one agent, so tests can check isolation.
pub async fn seed_second_tenant(dir: &Path) {
    let mut config = Config::default();
    config.storage.data_dir = dir.to_path_buf();
    let store = backstop::open_store(&config).await.unwrap();
    let now = time::OffsetDateTime::now_utc();
    let tenant = TenantId::parse("acme").unwrap();
    store
        .create_tenant(&Tenant {
            id: tenant.clone(),
            name: "Acme".into(),
            widget_secret: "acme-secret".into(),
        })
        .await
        .unwrap();
    let team = Team {
        id: TeamId::new_at(now),
        tenant: tenant.clone(),
        name: "Acme support".into(),
        names: Default::default(),
        role: TeamRole::General,
        strategy: Default::default(),
        hours: Default::default(),
        sla: Default::default(),
        languages: Vec::new(),
    };
    store.upsert_team(&team).await.unwrap();
    let hash = backstop_engine::hash_password(seed::DEMO_PASSWORD).unwrap();
    let agent = Agent {
        id: AgentId::new_at(now),
        tenant,
        name: "Ada Acme".into(),
        email: "ada@acme.example".into(),
        role: AgentRole::Agent,
        team_ids: vec![team.id],
        profile: Default::default(),
        active: true,
    };
    store.upsert_agent(&agent, &hash).await.unwrap();
    // Acme's admin: what an admin may reach of another tenant is nothing either.
    let admin = Agent {
        id: AgentId::new_at(now),
        name: "Alan Acme".into(),
        email: "alan@acme.example".into(),
        role: AgentRole::Admin,
        ..agent
    };
    store.upsert_agent(&admin, &hash).await.unwrap();
}

pub fn authors(msgs: &[Value]) -> Vec<String> {
    msgs.iter()
        .map(|m| m["author"]["kind"].as_str().unwrap().to_string())
        .collect()
}

/// A new, empty schema in the test PostgreSQL database; returns a URL whose connections use it.
pub async fn fresh_postgres_schema() -> String {
    let url = std::env::var("BACKSTOP_TEST_POSTGRES").expect(
        "BACKSTOP_TEST_POSTGRES is not set: run scripts/test.sh (it starts PostgreSQL), or point it at a \
         database you may create schemas in",
    );
    let options: sqlx::postgres::PgConnectOptions = url.parse().expect("BACKSTOP_TEST_POSTGRES is a postgres:// URL");
    let schema = backstop_store_postgres::scratch::test_schema(&options, "nodes")
        .await
        .expect("create a schema in the test database");
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options[search_path]={schema}")
}

/// After a load run with crashes: every acknowledged message of the run is stored exactly once
/// (the very message acknowledged), no customer message is lost, duplicated or left unanswered,
/// and each got exactly one reply — an AI answer, or (the last one) the hand-over notice.
pub async fn assert_answered_once(
    store: &dyn backstop_store::Store,
    report: &backstop_load::Report,
    conversations: usize,
) {
    use backstop_core::ids::ConversationId;
    use backstop_core::message::Author;
    use backstop_store::MessageQuery;
    let tenant = seed::demo_tenant_id();
    let mut acked: std::collections::HashMap<&str, Vec<(&str, &str)>> = Default::default();
    for (conv, client, id) in &report.acked_ids {
        acked.entry(conv).or_default().push((client, id));
    }
    assert_eq!(
        acked.len(),
        conversations,
        "every customer got at least one message through"
    );
    for (conv, ids) in &acked {
        let conv = ConversationId(conv.parse().unwrap());
        let all = store
            .list_messages(&tenant, conv, &MessageQuery::default())
            .await
            .unwrap();
        for (client, id) in ids {
            let copies: Vec<_> = all.iter().filter(|m| m.client_id.as_deref() == Some(*client)).collect();
            assert_eq!(copies.len(), 1, "{client} is stored exactly once");
            assert_eq!(
                copies[0].id.to_string(),
                *id,
                "{client} is the message that was acknowledged"
            );
        }
        let customer = all.iter().filter(|m| m.author == Author::Customer).count();
        assert_eq!(customer, ids.len(), "no customer message lost or duplicated in {conv}");
        assert!(
            all.iter().all(|m| m.handled || m.author != Author::Customer),
            "every message of {conv} was handled"
        );
        let mut replies_since_question = 0;
        for m in &all {
            match m.author {
                Author::Customer => replies_since_question = 0,
                Author::Ai => {
                    replies_since_question += 1;
                    assert_eq!(replies_since_question, 1, "two AI replies to one message in {conv}");
                }
                _ => {}
            }
        }
        let ai = all.iter().filter(|m| m.author == Author::Ai).count();
        let handed_over = all.iter().any(|m| m.author == Author::System);
        assert_eq!(
            ai + usize::from(handed_over),
            customer,
            "one reply per customer message (the last one the hand-over, if any) in {conv}"
        );
    }
}
