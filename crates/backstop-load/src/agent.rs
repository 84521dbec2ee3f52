//! The agent simulator: signs in, keeps an inbox socket open (so the agent counts as online and
//! hand-overs go to the queue, not to a ticket), and for every conversation that reaches the queue
//! takes it, answers it and hands it back to the AI.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// What the agent simulator did.
#[derive(Debug, Default)]
pub struct AgentStats {
    pub taken: AtomicU64,
    pub errors: AtomicU64,
}

/// Who the simulator signs in as, and where.
#[derive(Clone, Debug)]
pub struct Login {
    pub base: String,
    pub tenant: String,
    pub email: String,
    pub password: String,
}

/// Signs in and serves the queue until `stop` fires; `ready` fires once the inbox socket is open.
pub async fn run(
    http: reqwest::Client,
    login: Login,
    stats: Arc<AgentStats>,
    ready: tokio::sync::oneshot::Sender<()>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let Login {
        base,
        tenant,
        email,
        password,
    } = login;
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "tenant": tenant, "email": email, "password": password }))
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "agent login as {email}: HTTP {}", r.status());
    let token = r.json::<Value>().await?["token"]
        .as_str()
        .context("login answered without a token")?
        .to_owned();
    let mut req = format!("{}/api/v1/ws", base.replacen("http", "ws", 1)).into_client_request()?;
    req.headers_mut()
        .insert("cookie", format!("backstop_session={token}").parse()?);
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.context("agent socket")?;
    ready.send(()).ok();
    // Conversations being answered now (a hand-over announces itself in several updates).
    let busy: Arc<std::sync::Mutex<HashSet<String>>> = Default::default();
    loop {
        let frame = tokio::select! {
            f = ws.next() => f,
            _ = stop.changed() => return Ok(()),
        };
        let Some(frame) = frame else {
            return Ok(());
        };
        let Ok(Message::Text(text)) = frame else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        let c = &v["conversation"];
        if v["type"] != "conversation" || c["owner"]["kind"] != "queue" || c["status"] != "open" {
            continue;
        }
        let id = c["id"].as_str().unwrap_or_default().to_owned();
        if !busy.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone()) {
            continue;
        }
        let (http, base, token, stats, busy) = (http.clone(), base.clone(), token.clone(), stats.clone(), busy.clone());
        tokio::spawn(async move {
            match answer(&http, &base, &token, &id).await {
                Ok(true) => {
                    stats.taken.fetch_add(1, Ordering::Relaxed);
                }
                // An update that arrived late: someone (this simulator) already has it.
                Ok(false) => {}
                Err(e) => {
                    tracing::debug!(conversation = %id, "agent simulator: {e:#}");
                    stats.errors.fetch_add(1, Ordering::Relaxed);
                }
            };
            busy.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        });
    }
}

/// Take, reply, hand back to the AI (the customer goes on asking).
async fn answer(http: &reqwest::Client, base: &str, token: &str, id: &str) -> anyhow::Result<bool> {
    let url = |what: &str| format!("{base}/api/v1/conversations/{id}/{what}");
    let r = http.post(url("take")).bearer_auth(token).send().await?;
    if r.status() == reqwest::StatusCode::CONFLICT || r.status() == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
        return Ok(false);
    }
    anyhow::ensure!(r.status().is_success(), "take: HTTP {}", r.status());
    let r = http
        .post(url("messages"))
        .bearer_auth(token)
        .json(
            &json!({ "body": "Hi, this is Lin from the support team. I'm looking into it now.",
                       "client_id": uuid::Uuid::new_v4().to_string() }),
        )
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "reply: HTTP {}", r.status());
    let r = http
        .post(url("hand-back"))
        .bearer_auth(token)
        .json(&json!({ "reason": null }))
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "hand back: HTTP {}", r.status());
    Ok(true)
}
