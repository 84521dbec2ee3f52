//! One simulated customer: a widget session, its WebSocket, questions sent one after another (each
//! waits for its acknowledgement and its reply), and — for the share that escalates — a request
//! for a person and the wait for an agent's first message. With `reconnect`, a dropped socket
//! (a server killed and restarted) is reopened and an unacknowledged message resent with the same
//! client id, as the real widget does.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::Pacer;

/// What one customer does.
#[derive(Clone, Debug)]
pub struct Script {
    pub index: usize,
    pub lang: &'static str,
    /// The questions, in order.
    pub questions: Vec<String>,
    /// Ask for a person instead of this question (0-based), then wait for an agent.
    pub escalate_at: Option<usize>,
}

/// What happened to one customer.
#[derive(Debug, Default)]
pub struct Outcome {
    pub conversation: String,
    pub sent: u64,
    pub acked: u64,
    /// Customer messages that got their reply (AI answer, or the hand-over notice).
    pub answered: u64,
    /// AI messages received in all (more than `answered` AI answers means a double reply).
    pub ai_messages: u64,
    pub ai_answers: u64,
    pub ack_ms: Vec<f64>,
    /// Customer message → the AI's reply.
    pub reply_ms: Vec<f64>,
    /// Asked for a person (or was handed over by the policy).
    pub escalated: bool,
    /// Each hand-over (asked for, or the policy's) → the agent's first message.
    pub human_ms: Vec<f64>,
    pub errors: Vec<String>,
    /// Every acknowledged message: (client id, message id).
    pub acked_ids: Vec<(String, String)>,
    pub reconnects: u64,
}

/// Connection settings shared by every customer.
#[derive(Clone, Debug)]
pub struct Target {
    pub base: String,
    pub tenant: String,
    pub timeout: Duration,
    pub reconnect: bool,
    /// A prefix making client ids unique to this run.
    pub run: String,
    /// An agent answers hand-overs: wait for them. Without one, a hand-over ends the
    /// conversation (the customer has been told a person will reply).
    pub expect_agent: bool,
    /// Another node of the same deployment: a dropped socket reconnects there when `base` does
    /// not answer.
    pub fallback: Option<String>,
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub(crate) struct Session {
    pub token: String,
    pub conversation: String,
}

/// Opens a widget session (a new visitor and conversation).
pub(crate) async fn session(http: &reqwest::Client, t: &Target, lang: &str) -> anyhow::Result<Session> {
    let r = http
        .post(format!("{}/api/widget/v1/{}/session", t.base, t.tenant))
        .json(&json!({ "lang": lang }))
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "session: HTTP {}", r.status());
    let v: Value = r.json().await?;
    Ok(Session {
        token: v["token"].as_str().unwrap_or_default().to_owned(),
        conversation: v["conversation_id"].as_str().unwrap_or_default().to_owned(),
    })
}

/// Opens the widget socket and reads its `hello`.
pub(crate) async fn connect(t: &Target, s: &Session, after: i64) -> anyhow::Result<(Socket, Value)> {
    connect_to(&t.base, t, s, after).await
}

async fn connect_to(base: &str, t: &Target, s: &Session, after: i64) -> anyhow::Result<(Socket, Value)> {
    let url = format!("{}/api/widget/v1/{}/ws", base.replacen("http", "ws", 1), t.tenant);
    let (mut ws, _) = tokio::time::timeout(t.timeout, tokio_tungstenite::connect_async(url)).await??;
    let hello = json!({ "type": "hello", "token": s.token, "conversation_id": s.conversation, "after": after });
    ws.send(Message::Text(hello.to_string().into())).await?;
    loop {
        let frame = tokio::time::timeout(t.timeout, ws.next())
            .await?
            .ok_or_else(|| anyhow::anyhow!("socket closed before hello"))??;
        if let Message::Text(text) = frame {
            let v: Value = serde_json::from_str(text.as_str())?;
            if v["type"] == "hello" {
                return Ok((ws, v));
            }
        }
    }
}

struct Conn<'a> {
    target: &'a Target,
    session: Session,
    ws: Socket,
    last_seq: i64,
    seen: HashSet<String>,
    backlog: std::collections::VecDeque<Value>,
    reconnects: u64,
}

enum Event {
    Frame(Value),
    /// The socket was reopened after a drop.
    Reconnected,
}

impl Conn<'_> {
    fn absorb_hello(&mut self, hello: &Value) {
        for m in hello["messages"].as_array().into_iter().flatten() {
            self.backlog.push_back(json!({ "type": "message", "message": m }));
        }
    }

    /// The next frame; messages are delivered once each (by id), hello's included.
    async fn next(&mut self, deadline: Instant) -> anyhow::Result<Event> {
        loop {
            if let Some(v) = self.backlog.pop_front() {
                if let Some(e) = self.keep(v) {
                    return Ok(e);
                }
                continue;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let frame = match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => anyhow::bail!("timeout"),
                Ok(Some(Ok(f))) => f,
                Ok(Some(Err(e))) if !self.target.reconnect => anyhow::bail!("socket: {e}"),
                Ok(None) if !self.target.reconnect => anyhow::bail!("socket closed"),
                Ok(_) => {
                    self.reopen(deadline).await?;
                    return Ok(Event::Reconnected);
                }
            };
            if let Message::Text(text) = frame {
                let v: Value = serde_json::from_str(text.as_str())?;
                if let Some(e) = self.keep(v) {
                    return Ok(e);
                }
            }
        }
    }

    fn keep(&mut self, v: Value) -> Option<Event> {
        if v["type"] == "message" {
            let id = v["message"]["id"].as_str().unwrap_or_default().to_owned();
            if !self.seen.insert(id) {
                return None;
            }
            self.last_seq = self.last_seq.max(v["message"]["seq"].as_i64().unwrap_or(0));
        }
        Some(Event::Frame(v))
    }

    async fn reopen(&mut self, deadline: Instant) -> anyhow::Result<()> {
        // A restarted server needs a moment (and indexes its knowledge base): keep trying.
        let until = deadline.max(Instant::now() + Duration::from_secs(120));
        let bases: Vec<&str> = std::iter::once(self.target.base.as_str())
            .chain(self.target.fallback.as_deref())
            .collect();
        let mut attempt = 0;
        loop {
            let base = bases[attempt % bases.len()];
            attempt += 1;
            if let Ok((ws, hello)) = connect_to(base, self.target, &self.session, self.last_seq).await {
                self.ws = ws;
                self.reconnects += 1;
                self.absorb_hello(&hello);
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < until, "could not reconnect");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn send(&mut self, frame: &Value) -> anyhow::Result<()> {
        match self.ws.send(Message::Text(frame.to_string().into())).await {
            Ok(()) => Ok(()),
            Err(e) if !self.target.reconnect => Err(e.into()),
            Err(_) => Ok(()), // the read side notices the drop, reconnects and resends
        }
    }
}

/// The text of a request for a person.
fn human_request(lang: &str) -> &'static str {
    if lang == "zh" {
        "转人工"
    } else {
        "I want to talk to a human agent"
    }
}

/// Runs one customer's script to the end.
pub async fn run(
    http: reqwest::Client,
    target: Target,
    script: Script,
    pacer: Option<&Pacer>,
    bar: Option<indicatif::ProgressBar>,
    answered: Arc<AtomicU64>,
) -> Outcome {
    let mut out = Outcome::default();
    let progress = Progress { bar, answered };
    if let Err(e) = run_inner(&http, &target, &script, pacer, &progress, &mut out).await {
        out.errors.push(e.to_string());
    }
    out
}

async fn run_inner(
    http: &reqwest::Client,
    target: &Target,
    script: &Script,
    pacer: Option<&Pacer>,
    progress: &Progress,
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let session = session(http, target, script.lang).await?;
    out.conversation = session.conversation.clone();
    let (ws, hello) = connect(target, &session, 0).await?;
    let mut conn = Conn {
        target,
        session,
        ws,
        last_seq: 0,
        seen: HashSet::new(),
        backlog: Default::default(),
        reconnects: 0,
    };
    conn.absorb_hello(&hello);
    for (k, question) in script.questions.iter().enumerate() {
        if let Some(p) = pacer {
            p.wait().await;
        }
        let escalating = script.escalate_at == Some(k);
        let body = if escalating {
            human_request(script.lang)
        } else {
            question.as_str()
        };
        let client_id = format!("{}-{}-{k}", target.run, script.index);
        let frame = json!({ "type": "message", "client_id": client_id, "body": body });
        let sent_at = Instant::now();
        let deadline = sent_at + target.timeout;
        conn.send(&frame).await?;
        out.sent += 1;
        let mut acked_seq: Option<i64> = None;
        let mut handed_over = false;
        let mut reached = false;
        // Messages that came before our acknowledgement (after a reconnect, the reply can come in
        // the hello, ahead of the resend's ack): looked at again once the ack gives our seq.
        let mut early: Vec<Value> = Vec::new();
        let mut again: std::collections::VecDeque<Event> = Default::default();
        loop {
            let (v, fresh) = match again.pop_front() {
                Some(v) => (v, false),
                None => (conn.next(deadline).await?, true),
            };
            let v = match v {
                Event::Reconnected => {
                    out.reconnects += 1;
                    if acked_seq.is_none() {
                        conn.send(&frame).await?;
                    }
                    continue;
                }
                Event::Frame(v) => v,
            };
            match v["type"].as_str() {
                Some("ack") if v["client_id"] == client_id.as_str() => {
                    if acked_seq.is_none() {
                        out.acked += 1;
                        out.ack_ms.push(ms(sent_at));
                        out.acked_ids.push((
                            client_id.clone(),
                            v["message"]["id"].as_str().unwrap_or_default().to_owned(),
                        ));
                    }
                    acked_seq = v["message"]["seq"].as_i64();
                    again.extend(early.drain(..).map(Event::Frame));
                }
                Some("error") if v["client_id"] == client_id.as_str() => {
                    anyhow::bail!("rejected {}", v["code"].as_str().unwrap_or("?"));
                }
                Some("message") => {
                    let m = &v["message"];
                    let kind = m["author"]["kind"].as_str().unwrap_or_default();
                    if kind == "ai" && fresh {
                        out.ai_messages += 1;
                    }
                    let Some(ours) = acked_seq else {
                        early.push(v.clone());
                        continue;
                    };
                    if m["seq"].as_i64().unwrap_or(0) <= ours {
                        continue;
                    }
                    match kind {
                        "ai" if !handed_over => {
                            progress.tick();
                            out.answered += 1;
                            out.ai_answers += 1;
                            out.reply_ms.push(ms(sent_at));
                            break;
                        }
                        "system" if !handed_over && is_handover(m) => {
                            progress.tick();
                            out.answered += 1;
                            out.escalated = true;
                            handed_over = true;
                            if !target.expect_agent {
                                return drain(&mut conn, out).await;
                            }
                        }
                        "agent" if handed_over && !reached => {
                            out.human_ms.push(ms(sent_at));
                            // The agent answers and hands the conversation back to the AI; the
                            // customer goes on once the widget shows the AI in charge again.
                            reached = true;
                        }
                        _ => {}
                    }
                }
                Some("state") if reached && v["state"]["owner"] == "ai" => break,
                _ => {}
            }
            if handed_over && Instant::now() >= deadline {
                anyhow::bail!("no agent within {:?}", target.timeout);
            }
        }
    }
    drain(&mut conn, out).await
}

/// Reads what is still arriving for a moment (a second AI reply would show up here), then closes.
async fn drain(conn: &mut Conn<'_>, out: &mut Outcome) -> anyhow::Result<()> {
    let until = Instant::now() + Duration::from_millis(300);
    while let Ok(Event::Frame(v)) = conn.next(until).await {
        if v["type"] == "message" && v["message"]["author"]["kind"] == "ai" {
            out.ai_messages += 1;
        }
    }
    out.reconnects = conn.reconnects;
    conn.ws.close(None).await.ok();
    Ok(())
}

/// Where answered messages are counted as they happen.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    answered: Arc<AtomicU64>,
}

impl Progress {
    fn tick(&self) {
        self.answered.fetch_add(1, Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
}

fn is_handover(m: &Value) -> bool {
    matches!(m["system"]["code"].as_str(), Some("handoff" | "ticket"))
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
