//! `backstop-load login`: a flood of wrong sign-ins (by default 1,000 at concurrency 128), each
//! from its own address (as a trusted proxy forwards them) and for its own account, so that no
//! per-address or per-account limit stops it and only the bound on password checks stands between
//! it and memory — while customers chat in the widget and an agent's inbox keeps reading. It reports
//! the answers the flood got, the server's memory (resident, peak) and how fast the widget and the
//! inbox answered during it. `--spawn` starts a release-like `backstop demo` of its own (words only).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Map, Value};
use tokio_tungstenite::tungstenite::Message;

use backstop_report::{bar, percentile, r4, report};

use crate::server;

/// How the flood is run.
#[derive(Clone, Debug)]
pub struct LoginFlood {
    /// A running server (`http://host:port`); `None` with `spawn`.
    pub url: Option<String>,
    pub spawn: bool,
    pub logins: usize,
    pub concurrency: usize,
    /// Customers chatting during the flood.
    pub customers: usize,
    /// The server's process id, to read its memory (found by itself with `spawn`).
    pub pid: Option<u32>,
    /// With `spawn`: the `backstop` executable (default: the one beside this program).
    pub exe: Option<std::path::PathBuf>,
}

const WRONG: &str = "not-the-password-9";

pub async fn login(o: LoginFlood) -> anyhow::Result<()> {
    anyhow::ensure!(
        o.logins > 0 && o.concurrency > 0,
        "--logins and --concurrency must be at least 1"
    );
    let spawned = if o.spawn {
        Some(
            server::spawn(&server::SpawnOptions {
                lexical: true,
                keep_limits: true,
                exe: o.exe.clone(),
                ..Default::default()
            })
            .await?,
        )
    } else {
        None
    };
    let base = match (&spawned, &o.url) {
        (Some(s), _) => s.base.clone(),
        (None, Some(u)) => u.trim_end_matches('/').to_owned(),
        (None, None) => anyhow::bail!("give --url of a running server, or --spawn"),
    };
    let pid = spawned.as_ref().map(|s| s.pid).or(o.pid);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(5))
        .build()?;
    // The agent signs in before the flood (their inbox is what must keep answering).
    let token = sign_in_agent(&http, &base).await?;
    let before = pid.and_then(server::sample);

    let stop = Arc::new(AtomicBool::new(false));
    let widget_ms = Arc::new(Mutex::new(Vec::new()));
    let reply_ms = Arc::new(Mutex::new(Vec::new()));
    let inbox_ms = Arc::new(Mutex::new(Vec::new()));
    let mut watchers = Vec::new();
    for i in 0..o.customers {
        watchers.push(tokio::spawn(customer(
            http.clone(),
            base.clone(),
            i,
            stop.clone(),
            widget_ms.clone(),
            reply_ms.clone(),
        )));
    }
    watchers.push(tokio::spawn(inbox(
        http.clone(),
        base.clone(),
        token,
        stop.clone(),
        inbox_ms.clone(),
    )));
    let peak = Arc::new(Mutex::new(before.map_or(0, |s| s.rss)));
    let sampler = pid.map(|pid| {
        let (stop, peak) = (stop.clone(), peak.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some(s) = server::sample(pid) {
                    let mut p = peak.lock().unwrap_or_else(|e| e.into_inner());
                    *p = (*p).max(s.rss);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    });

    let started = Instant::now();
    let pb = bar(o.logins as u64, "signing in");
    let statuses: Vec<u16> =
        futures::stream::iter(0..o.logins)
            .map(|i| {
                let (http, url, pb) = (http.clone(), format!("{base}/api/v1/auth/login"), pb.clone());
                async move {
                    let r = http
                    .post(url)
                    .header("x-forwarded-for", format!("10.{}.{}.{}", i / 65536 % 256, i / 256 % 256, i % 256))
                    .json(&json!({ "tenant": "demo", "email": format!("flood{i}@nowhere.example"), "password": WRONG }))
                    .send()
                    .await;
                    pb.inc(1);
                    r.map(|r| r.status().as_u16()).unwrap_or(0)
                }
            })
            .buffer_unordered(o.concurrency)
            .collect()
            .await;
    let flood_secs = started.elapsed().as_secs_f64();
    pb.finish_and_clear();
    // The flood is over; the server settles for a moment before the last reading.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    for w in watchers {
        w.await.ok();
    }
    if let Some(s) = sampler {
        s.await.ok();
    }
    let after = pid.and_then(server::sample);

    let mut answers: BTreeMap<String, usize> = BTreeMap::new();
    for s in &statuses {
        let key = if *s == 0 { "no answer".to_owned() } else { s.to_string() };
        *answers.entry(key).or_default() += 1;
    }
    let widget = std::mem::take(&mut *widget_ms.lock().unwrap_or_else(|e| e.into_inner()));
    let replies = std::mem::take(&mut *reply_ms.lock().unwrap_or_else(|e| e.into_inner()));
    let inbox = std::mem::take(&mut *inbox_ms.lock().unwrap_or_else(|e| e.into_inner()));
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let peak = *peak.lock().unwrap_or_else(|e| e.into_inner());
    let mut rows = vec![
        ("sign-ins", o.logins.to_string()),
        ("concurrency", o.concurrency.to_string()),
        ("flood seconds", format!("{flood_secs:.1}")),
    ];
    for (k, n) in &answers {
        rows.push((leak(format!("answered {k}")), n.to_string()));
    }
    if let (Some(b), Some(a)) = (before, after) {
        rows.push(("server RSS before MiB", format!("{:.0}", mib(b.rss))));
        rows.push(("server RSS peak MiB", format!("{:.0}", mib(peak))));
        rows.push(("server RSS after MiB", format!("{:.0}", mib(a.rss))));
    }
    rows.push(("widget messages", widget.len().to_string()));
    rows.push(("widget ack p50 ms", format!("{:.1}", percentile(&widget, 50.0))));
    rows.push(("widget ack p99 ms", format!("{:.1}", percentile(&widget, 99.0))));
    rows.push(("widget reply p50 ms", format!("{:.1}", percentile(&replies, 50.0))));
    rows.push(("widget reply p99 ms", format!("{:.1}", percentile(&replies, 99.0))));
    rows.push(("inbox requests", inbox.len().to_string()));
    rows.push(("inbox p50 ms", format!("{:.1}", percentile(&inbox, 50.0))));
    rows.push(("inbox p99 ms", format!("{:.1}", percentile(&inbox, 99.0))));
    let mut j = Map::new();
    j.insert("logins".into(), json!(o.logins));
    j.insert("concurrency".into(), json!(o.concurrency));
    j.insert("flood_secs".into(), r4(flood_secs));
    j.insert("answers".into(), json!(answers));
    if let (Some(b), Some(a)) = (before, after) {
        j.insert("rss_before_mib".into(), r4(mib(b.rss)));
        j.insert("rss_peak_mib".into(), r4(mib(peak)));
        j.insert("rss_after_mib".into(), r4(mib(a.rss)));
    }
    j.insert("widget_messages".into(), json!(widget.len()));
    j.insert("widget_ack_p50_ms".into(), r4(percentile(&widget, 50.0)));
    j.insert("widget_ack_p99_ms".into(), r4(percentile(&widget, 99.0)));
    j.insert("widget_reply_p50_ms".into(), r4(percentile(&replies, 50.0)));
    j.insert("widget_reply_p99_ms".into(), r4(percentile(&replies, 99.0)));
    j.insert("inbox_requests".into(), json!(inbox.len()));
    j.insert("inbox_p50_ms".into(), r4(percentile(&inbox, 50.0)));
    j.insert("inbox_p99_ms".into(), r4(percentile(&inbox, 99.0)));
    report("Login flood (wrong passwords, each from its own address)", &rows, j);
    anyhow::ensure!(!widget.is_empty(), "no widget message was answered during the flood");
    anyhow::ensure!(!inbox.is_empty(), "the inbox never answered during the flood");
    Ok(())
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

async fn sign_in_agent(http: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "tenant": "demo", "email": "zhao@maple.example", "password": crate::DEMO_PASSWORD }))
        .send()
        .await?;
    anyhow::ensure!(
        r.status().is_success(),
        "the demo supervisor could not sign in: HTTP {}",
        r.status()
    );
    let v: Value = r.json().await?;
    Ok(v["token"].as_str().unwrap_or_default().to_owned())
}

/// A customer writing every three seconds over the widget's socket; records how long each message
/// took to be acknowledged (stored) and answered (the AI's reply).
async fn customer(
    http: reqwest::Client,
    base: String,
    n: usize,
    stop: Arc<AtomicBool>,
    out: Arc<Mutex<Vec<f64>>>,
    replies: Arc<Mutex<Vec<f64>>>,
) -> anyhow::Result<()> {
    let s: Value = http
        .post(format!("{base}/api/widget/v1/demo/session"))
        .json(&json!({ "lang": "en" }))
        .send()
        .await?
        .json()
        .await?;
    let url = format!("{}/api/widget/v1/demo/ws", base.replacen("http", "ws", 1));
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    let hello = json!({ "type": "hello", "token": s["token"], "conversation_id": s["conversation_id"] });
    ws.send(Message::Text(hello.to_string().into())).await?;
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let id = format!("c{n}-{i}");
        let frame = json!({ "type": "message", "client_id": id, "body": "How long does delivery take?" });
        let t = Instant::now();
        ws.send(Message::Text(frame.to_string().into())).await?;
        loop {
            let next = tokio::time::timeout(Duration::from_secs(30), ws.next()).await;
            let Ok(Some(Ok(Message::Text(text)))) = next else {
                anyhow::bail!("the widget socket went quiet");
            };
            let v: Value = serde_json::from_str(text.as_str()).unwrap_or_default();
            if v["type"] == "ack" && v["client_id"] == id.as_str() {
                out.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let kind = &v["message"]["author"]["kind"];
            if v["type"] == "message" && (kind == "ai" || kind == "system") {
                replies
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(t.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            if v["type"] == "error" && v["client_id"] == id.as_str() {
                // Over the visitor's own rate: wait as told.
                let wait = v["retry_after"].as_u64().unwrap_or(1);
                tokio::time::sleep(Duration::from_secs(wait)).await;
                break;
            }
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    Ok(())
}

/// The agent's inbox reading the conversation list four times a second.
async fn inbox(
    http: reqwest::Client,
    base: String,
    token: String,
    stop: Arc<AtomicBool>,
    out: Arc<Mutex<Vec<f64>>>,
) -> anyhow::Result<()> {
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        let r = http
            .get(format!("{base}/api/v1/conversations?view=all&limit=50"))
            .bearer_auth(&token)
            .send()
            .await?;
        if r.status().is_success() {
            r.bytes().await?;
            out.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(t.elapsed().as_secs_f64() * 1000.0);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Ok(())
}
