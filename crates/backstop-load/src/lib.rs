//! `backstop-load`: a black-box client of Backstop's widget and agent protocols, in a crate of its
//! own so that the server ships without an HTTP or WebSocket client. `backstop-load run` is the
//! load generator: N customers chat at once N customers chat at once
//! over WebSockets (each sends its next question when the last is answered, or at a shared target
//! rate), a share of them ask for a person and an agent simulator answers those; the report gives
//! sustained messages per second, the customer-message-to-AI-reply latency, time to a human,
//! errors, and the server's memory and CPU. `--idle N` holds N quiet customer connections instead
//! and reports the server's memory.

pub mod agent;
pub mod command;
pub mod customer;
pub mod login;
pub mod server;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backstop_report::percentile;
use serde::Serialize;
use serde_json::Value;

/// The demo tenant the defaults are for (`backstop demo` seeds it).
pub const DEMO_TENANT: &str = "demo";
/// The demo's agent the simulator signs in as, and the demo's password (printed by `backstop demo`).
pub const DEMO_AGENT: &str = "lin@maple.example";
pub const DEMO_PASSWORD: &str = "backstop-demo";
/// The demo's knowledge base, read for its sample questions: the very file the server seeds from.
const DEMO_KB: &str = include_str!("../../backstop/seed/demo-kb.json");

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    pub base: String,
    pub tenant: String,
    /// Customers chatting at once.
    pub conversations: usize,
    /// Questions each customer asks.
    pub messages: usize,
    /// Target customer messages per second across all customers (None: as fast as answered).
    pub rate: Option<f64>,
    /// Share of customers (0–1) who ask for a person half-way.
    pub escalate: f64,
    /// The agent simulator's sign-in (e-mail, password); None: no agent.
    pub agent: Option<(String, String)>,
    /// The server's process id, for memory and CPU.
    pub server_pid: Option<u32>,
    /// Questions to ask (one per line); empty: the demo knowledge base's sample questions.
    pub questions: Vec<String>,
    /// Make every message's text unique (a reference appended), so none is answered from a
    /// cache of earlier texts: every message pays the full understanding path.
    pub unique: bool,
    /// How long to wait for an acknowledgement or a reply.
    pub timeout: Duration,
    /// Reconnect and resend after a dropped socket (for crash tests).
    pub reconnect: bool,
    /// With `reconnect`: another node to reconnect to when `base` is gone.
    pub fallback: Option<String>,
    /// Show a progress bar.
    pub progress: bool,
    /// Counts answered customer messages as they are answered (for a watcher such as a crash test).
    pub answered: Arc<AtomicU64>,
}

/// Spreads sends evenly at a target rate across tasks.
#[derive(Debug)]
pub struct Pacer {
    start: Instant,
    interval: Duration,
    next: AtomicU64,
}

impl Pacer {
    pub fn new(rate: f64) -> Pacer {
        Pacer {
            start: Instant::now(),
            interval: Duration::from_secs_f64(1.0 / rate.max(0.001)),
            next: AtomicU64::new(0),
        }
    }

    /// Waits for this send's slot.
    pub async fn wait(&self) {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let at = self.start + self.interval.mul_f64(n as f64);
        tokio::time::sleep_until(at.into()).await;
    }
}

/// Milliseconds at the usual percentiles.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Latency {
    pub count: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    fn of(values: &[f64]) -> Latency {
        Latency {
            count: values.len(),
            p50: round(percentile(values, 50.0)),
            p95: round(percentile(values, 95.0)),
            p99: round(percentile(values, 99.0)),
            max: round(values.iter().copied().fold(0.0, f64::max)),
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The server's resources over the run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ServerUse {
    pub pid: u32,
    pub rss_mib_start: f64,
    pub rss_mib_end: f64,
    pub rss_mib_peak: f64,
    /// CPU time used during the run over its wall time, in cores (2.0 = both cores busy).
    pub cpu_cores: f64,
}

/// The result of a load run (also written as JSON).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub base: String,
    pub conversations: usize,
    pub messages_per_conversation: usize,
    pub target_rate: Option<f64>,
    pub escalate_share: f64,
    pub seconds: f64,
    pub sent: u64,
    pub acked: u64,
    pub answered: u64,
    /// Customer messages answered per second, over the whole run.
    pub messages_per_sec: f64,
    pub ack_ms: Latency,
    /// Customer message → the AI's answer.
    pub reply_ms: Latency,
    /// Conversations handed over at least once (asked for a person, or the policy's call).
    pub escalated: u64,
    /// Hand-overs answered by the agent (a conversation can be handed over more than once).
    pub reached_human: u64,
    /// Request for a person → the agent's first message.
    pub time_to_human_ms: Latency,
    /// AI messages beyond one per answered customer message.
    pub extra_ai_replies: u64,
    pub errors: u64,
    pub error_kinds: std::collections::BTreeMap<String, u64>,
    pub reconnects: u64,
    pub agent_taken: u64,
    pub agent_errors: u64,
    pub server: Option<ServerUse>,
    /// Every acknowledged message: (conversation, client id, message id).
    #[serde(skip)]
    pub acked_ids: Vec<(String, String, String)>,
}

/// The demo knowledge base's sample questions, both languages (the default script).
pub fn demo_questions() -> Vec<(String, &'static str)> {
    let kb: Vec<Value> = serde_json::from_str(DEMO_KB).expect("the demo knowledge base is valid JSON");
    let mut out = Vec::new();
    for a in &kb {
        let lang = if a["lang"] == "zh" { "zh" } else { "en" };
        for q in a["questions"].as_array().into_iter().flatten() {
            if let Some(q) = q.as_str() {
                out.push((q.to_owned(), lang));
            }
        }
    }
    out
}

/// The customers' scripts: alternating languages, each customer starting at another question.
fn scripts(o: &Options) -> Vec<customer::Script> {
    let pool: Vec<(String, &'static str)> = if o.questions.is_empty() {
        demo_questions()
    } else {
        o.questions.iter().map(|q| (q.clone(), lang_of(q))).collect()
    };
    let zh: Vec<&String> = pool.iter().filter(|(_, l)| *l == "zh").map(|(q, _)| q).collect();
    let en: Vec<&String> = pool.iter().filter(|(_, l)| *l == "en").map(|(q, _)| q).collect();
    let escalating = (o.conversations as f64 * o.escalate).round() as usize;
    (0..o.conversations)
        .map(|i| {
            let (lang, list) = if i % 2 == 1 && !zh.is_empty() || en.is_empty() {
                ("zh", &zh)
            } else {
                ("en", &en)
            };
            // Spread the escalating customers evenly over the run.
            let escalates =
                escalating > 0 && (i * escalating) / o.conversations != ((i + 1) * escalating) / o.conversations;
            customer::Script {
                index: i,
                lang,
                questions: (0..o.messages)
                    .map(|k| {
                        let q = list[(i * 7 + k * 13) % list.len()];
                        if o.unique {
                            format!("{q} (ref {i}.{k})")
                        } else {
                            q.clone()
                        }
                    })
                    .collect(),
                escalate_at: escalates.then_some(o.messages / 2),
            }
        })
        .collect()
}

fn lang_of(text: &str) -> &'static str {
    if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        "zh"
    } else {
        "en"
    }
}

/// Runs the load and gathers the report.
pub async fn run(o: &Options) -> anyhow::Result<Report> {
    anyhow::ensure!(
        o.conversations > 0 && o.messages > 0,
        "--conversations and --messages must be at least 1"
    );
    anyhow::ensure!((0.0..=1.0).contains(&o.escalate), "--escalate is a share from 0 to 1");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        // Below the server's idle limit (server.header_timeout_secs): a pooled connection is not
        // reused just as the server closes it.
        .pool_idle_timeout(Duration::from_secs(5))
        .timeout(o.timeout)
        .build()?;
    let r = http.get(format!("{}/healthz", o.base)).send().await;
    anyhow::ensure!(
        r.as_ref().is_ok_and(|r| r.status().is_success()),
        "no Backstop server answers at {} (start one, or use --spawn)",
        o.base
    );
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let target = customer::Target {
        base: o.base.clone(),
        tenant: o.tenant.clone(),
        timeout: o.timeout,
        reconnect: o.reconnect,
        run: format!("load-{run_id}"),
        expect_agent: o.agent.is_some(),
        fallback: o.fallback.clone(),
    };
    let agent_stats = Arc::new(agent::AgentStats::default());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let agent_task = match &o.agent {
        Some((email, password)) => {
            let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
            let login = agent::Login {
                base: o.base.clone(),
                tenant: o.tenant.clone(),
                email: email.clone(),
                password: password.clone(),
            };
            let task = tokio::spawn(agent::run(http.clone(), login, agent_stats.clone(), ready_tx, stop_rx));
            if ready_rx.await.is_err() {
                return Err(task
                    .await?
                    .err()
                    .unwrap_or_else(|| anyhow::anyhow!("the agent simulator stopped")));
            }
            Some(task)
        }
        None => None,
    };
    let pacer = o.rate.map(|r| Arc::new(Pacer::new(r)));
    let bar = o.progress.then(|| {
        let b = indicatif::ProgressBar::new((o.conversations * o.messages) as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} messages answered {per_sec} [{elapsed}]")
                .expect("a valid template"),
        );
        b
    });
    let start_use = o.server_pid.and_then(server::sample);
    let peak = Arc::new(AtomicU64::new(start_use.map_or(0, |s| s.rss)));
    let sampler = o.server_pid.map(|pid| {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                if let Some(s) = server::sample(pid) {
                    peak.fetch_max(s.rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    });
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(o.conversations);
    for script in scripts(o) {
        let (http, target, pacer, bar) = (http.clone(), target.clone(), pacer.clone(), bar.clone());
        let answered = o.answered.clone();
        tasks.push(tokio::spawn(async move {
            customer::run(http, target, script, pacer.as_deref(), bar, answered).await
        }));
    }
    let mut outcomes = Vec::with_capacity(tasks.len());
    for t in tasks {
        outcomes.push(t.await?);
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(s) = sampler {
        s.abort();
    }
    stop_tx.send(true).ok();
    if let Some(t) = agent_task {
        t.await??;
    }
    let end_use = o.server_pid.and_then(server::sample);
    let server = match (o.server_pid, start_use, end_use) {
        (Some(pid), Some(a), Some(b)) => Some(ServerUse {
            pid,
            rss_mib_start: mib(a.rss),
            rss_mib_end: mib(b.rss),
            rss_mib_peak: mib(peak.load(Ordering::Relaxed).max(b.rss)),
            cpu_cores: round((b.cpu_secs - a.cpu_secs) / seconds),
        }),
        _ => None,
    };
    Ok(report(o, outcomes, seconds, &agent_stats, server))
}

fn mib(bytes: u64) -> f64 {
    round(bytes as f64 / (1024.0 * 1024.0))
}

fn report(
    o: &Options,
    outcomes: Vec<customer::Outcome>,
    seconds: f64,
    agent: &agent::AgentStats,
    server: Option<ServerUse>,
) -> Report {
    let mut r = Report {
        base: o.base.clone(),
        conversations: o.conversations,
        messages_per_conversation: o.messages,
        target_rate: o.rate,
        escalate_share: o.escalate,
        seconds: round(seconds),
        agent_taken: agent.taken.load(Ordering::Relaxed),
        agent_errors: agent.errors.load(Ordering::Relaxed),
        server,
        ..Report::default()
    };
    let (mut ack, mut reply, mut human) = (Vec::new(), Vec::new(), Vec::new());
    for out in outcomes {
        r.sent += out.sent;
        r.acked += out.acked;
        r.answered += out.answered;
        r.extra_ai_replies += out.ai_messages.saturating_sub(out.ai_answers);
        r.escalated += u64::from(out.escalated);
        r.reconnects += out.reconnects;
        ack.extend(out.ack_ms);
        reply.extend(out.reply_ms);
        r.reached_human += out.human_ms.len() as u64;
        human.extend(out.human_ms);
        for e in &out.errors {
            r.errors += 1;
            *r.error_kinds.entry(error_kind(e)).or_default() += 1;
        }
        r.acked_ids
            .extend(out.acked_ids.into_iter().map(|(c, m)| (out.conversation.clone(), c, m)));
    }
    r.messages_per_sec = round(r.answered as f64 / seconds.max(1e-9));
    r.ack_ms = Latency::of(&ack);
    r.reply_ms = Latency::of(&reply);
    r.time_to_human_ms = Latency::of(&human);
    r
}

/// The error's first words, so that the report groups them.
fn error_kind(e: &str) -> String {
    e.split(':').next().unwrap_or(e).trim().chars().take(60).collect()
}

/// The report as an aligned table.
pub fn table(r: &Report) -> Vec<(String, String)> {
    let lat = |l: &Latency| format!("p50 {} · p95 {} · p99 {} · max {} ms", l.p50, l.p95, l.p99, l.max);
    let mut rows = vec![
        (
            "conversations × messages".into(),
            format!("{} × {}", r.conversations, r.messages_per_conversation),
        ),
        (
            "target rate".into(),
            r.target_rate
                .map_or("as fast as answered".into(), |x| format!("{x} messages/s")),
        ),
        ("duration".into(), format!("{:.2} s", r.seconds)),
        (
            "sent / acked / answered".into(),
            format!("{} / {} / {}", r.sent, r.acked, r.answered),
        ),
        (
            "sustained".into(),
            format!("{:.1} customer messages/s", r.messages_per_sec),
        ),
        ("ack".into(), lat(&r.ack_ms)),
        ("message → AI reply".into(), lat(&r.reply_ms)),
        (
            "escalations".into(),
            format!(
                "{} handed over, {} reached a person (agent took {})",
                r.escalated, r.reached_human, r.agent_taken
            ),
        ),
        ("time to human".into(), lat(&r.time_to_human_ms)),
        ("extra AI replies".into(), r.extra_ai_replies.to_string()),
        ("errors".into(), format!("{} {:?}", r.errors, r.error_kinds)),
    ];
    if let Some(s) = &r.server {
        rows.push((
            "server".into(),
            format!(
                "pid {} · RSS {} → {} MiB (peak {}) · CPU {} cores",
                s.pid, s.rss_mib_start, s.rss_mib_end, s.rss_mib_peak, s.cpu_cores
            ),
        ));
    }
    rows
}

/// The result of `--idle`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IdleReport {
    pub base: String,
    pub requested: usize,
    pub connected: usize,
    pub errors: u64,
    pub connect_seconds: f64,
    pub held_seconds: f64,
    pub server_rss_mib_before: Option<f64>,
    pub server_rss_mib_after: Option<f64>,
    /// Server memory per connection (after − before over connections), KiB.
    pub server_kib_per_connection: Option<f64>,
}

/// Opens `n` quiet customer connections (sessions and sockets), holds them for `hold`, and reads
/// the server's memory before and after.
pub async fn idle(o: &Options, n: usize, hold: Duration) -> anyhow::Result<IdleReport> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .pool_idle_timeout(Duration::from_secs(5))
        .timeout(o.timeout)
        .build()?;
    let target = customer::Target {
        base: o.base.clone(),
        tenant: o.tenant.clone(),
        timeout: o.timeout,
        reconnect: false,
        run: "idle".into(),
        expect_agent: false,
        fallback: None,
    };
    let before = o.server_pid.and_then(server::sample);
    let bar = o.progress.then(|| {
        let b = indicatif::ProgressBar::new(n as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} idle connections [{elapsed}]")
                .expect("a valid template"),
        );
        b
    });
    let started = Instant::now();
    // Open in batches of 64 at a time: sessions are writes, the sockets are cheap.
    let sem = Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (http, target, sem, bar) = (http.clone(), target.clone(), sem.clone(), bar.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await.ok()?;
            let lang = if i % 2 == 0 { "en" } else { "zh" };
            let s = customer::session(&http, &target, lang).await.ok()?;
            let (ws, _) = customer::connect(&target, &s, 0).await.ok()?;
            if let Some(b) = bar {
                b.inc(1);
            }
            Some(ws)
        }));
    }
    let mut sockets = Vec::with_capacity(n);
    let mut errors = 0;
    for t in tasks {
        match t.await? {
            Some(ws) => sockets.push(ws),
            None => errors += 1,
        }
    }
    let connect_seconds = started.elapsed().as_secs_f64();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    tokio::time::sleep(hold).await;
    let after = o.server_pid.and_then(server::sample);
    let connected = sockets.len();
    drop(sockets);
    let per = match (before, after) {
        (Some(b), Some(a)) if connected > 0 => Some(round((a.rss as f64 - b.rss as f64) / 1024.0 / connected as f64)),
        _ => None,
    };
    Ok(IdleReport {
        base: o.base.clone(),
        requested: n,
        connected,
        errors,
        connect_seconds: round(connect_seconds),
        held_seconds: hold.as_secs_f64(),
        server_rss_mib_before: before.map(|s| mib(s.rss)),
        server_rss_mib_after: after.map(|s| mib(s.rss)),
        server_kib_per_connection: per,
    })
}
