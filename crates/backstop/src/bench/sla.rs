//! `backstop bench sla`: how late a missed first-reply target is noticed. Hands `n` demo
//! conversations to a manual team with a short target (one agent online, nobody taking them),
//! then times each breach alert against its deadline: the sweep's delay plus escalating (the
//! breach, the fallback assignment, the alert) on each conversation's actor, on a real SQLite store.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use backstop_core::conversation::Owner;
use backstop_engine::hub::AgentEvent;
use backstop_engine::{Engine, EngineConfig, WidgetSessionRequest};
use serde_json::{json, Map};

use crate::seed;
use backstop_report::{bar, percentile, r4, report};

pub async fn sla(conversations: usize, target_secs: u32) -> anyhow::Result<()> {
    anyhow::ensure!((1..=5000).contains(&conversations), "--conversations is 1 to 5000");
    let dir = tempfile::tempdir()?;
    let store =
        backstop_store_sqlite::SqliteStore::connect(&format!("sqlite://{}", dir.path().join("bench.db").display()))
            .await?;
    let store: std::sync::Arc<dyn backstop_store::Store> = std::sync::Arc::new(store);
    seed::demo(store.as_ref()).await?;
    let tenant = seed::demo_tenant_id();
    let mut teams = store.list_teams(&tenant).await?;
    for t in &mut teams {
        t.sla.vip_secs = target_secs;
        t.sla.standard_secs = target_secs;
        store.upsert_team(t).await?;
    }
    let engine = Engine::new(store.clone(), EngineConfig::default());
    engine.reload_kb(&tenant).await?;
    let lin = store
        .find_agent_by_email(&tenant, "lin@maple.example")
        .await?
        .map(|c| c.agent)
        .ok_or_else(|| anyhow::anyhow!("demo agent missing"))?;
    let zhao = store
        .find_agent_by_email(&tenant, "zhao@maple.example")
        .await?
        .map(|c| c.agent)
        .ok_or_else(|| anyhow::anyhow!("demo agent missing"))?;
    // Someone is online in each team, so these are live hand-overs, not offline tickets.
    let _online = (engine.presence().connect(lin.id), engine.presence().connect(zhao.id));
    let mut live = engine.hub().subscribe_tenant(&tenant);
    let sweeper = engine.spawn_sla_sweeper();

    let pb = bar(conversations as u64, "handing over");
    let mut ids = Vec::with_capacity(conversations);
    for i in 0..conversations {
        let s = engine
            .widget_session(
                &tenant,
                WidgetSessionRequest {
                    token: None,
                    lang: Some(backstop_core::message::Lang::En),
                    name: Some(format!("Bench customer {i}")),
                    email: None,
                    user_hash: None,
                },
            )
            .await?;
        // The first message creates the conversation the session reserved.
        engine
            .authorize_visitor(&tenant, &s.token, s.conversation, None)
            .await?;
        engine
            .ingest_customer_message(
                &tenant,
                s.conversation,
                Some(&format!("b{i}")),
                "talk to a human please",
            )
            .await?;
        ids.push(s.conversation);
        pb.inc(1);
    }
    pb.finish_and_clear();
    // Each conversation's deadline, once its hand-over is stored.
    let mut due = HashMap::new();
    let wait_until = Instant::now() + Duration::from_secs(60);
    while due.len() < ids.len() && Instant::now() < wait_until {
        for id in &ids {
            if due.contains_key(id) {
                continue;
            }
            if let Some(c) = store.get_conversation(&tenant, *id).await? {
                if let (Owner::Queue { .. }, Some(d)) = (c.owner, c.sla.and_then(|s| s.due_at)) {
                    due.insert(*id, d);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::ensure!(
        due.len() == ids.len(),
        "only {} of {} were handed over",
        due.len(),
        ids.len()
    );

    let pb = bar(conversations as u64, "alerts");
    let mut late_ms = Vec::with_capacity(conversations);
    let deadline = Instant::now() + Duration::from_secs(u64::from(target_secs) + 120);
    while late_ms.len() < conversations {
        let left = deadline.saturating_duration_since(Instant::now());
        anyhow::ensure!(
            !left.is_zero(),
            "only {} of {conversations} alerts arrived",
            late_ms.len()
        );
        match tokio::time::timeout(left, live.recv()).await {
            Ok(Ok(AgentEvent::Alert(a))) if a.breach.number == 1 => {
                if let Some(d) = due.get(&a.conversation) {
                    late_ms.push((engine.now() - *d).as_seconds_f64() * 1000.0);
                    pb.inc(1);
                }
            }
            Ok(Ok(_)) => {}
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(e)) => anyhow::bail!("alerts stopped: {e}"),
            Err(_) => anyhow::bail!("only {} of {conversations} alerts arrived", late_ms.len()),
        }
    }
    pb.finish_and_clear();
    sweeper.abort();
    let (p50, p95, max) = (
        percentile(&late_ms, 50.0),
        percentile(&late_ms, 95.0),
        late_ms.iter().copied().fold(0.0, f64::max),
    );
    let mut j = Map::new();
    j.insert("bench".into(), json!("sla"));
    j.insert("conversations".into(), json!(conversations));
    j.insert("target_secs".into(), json!(target_secs));
    j.insert("alert_late_ms_p50".into(), r4(p50));
    j.insert("alert_late_ms_p95".into(), r4(p95));
    j.insert("alert_late_ms_max".into(), r4(max));
    report(
        "First-reply target missed → supervisor alert (after the deadline)",
        &[
            ("conversations", conversations.to_string()),
            ("target", format!("{target_secs} s")),
            ("late p50", format!("{p50:.0} ms")),
            ("late p95", format!("{p95:.0} ms")),
            ("late max", format!("{max:.0} ms")),
        ],
        j,
    );
    Ok(())
}
