//! `backstop bench analytics`: a generated history (`crate::history`, the demo's own generator) of
//! many conversations across tenants, teams, channels, languages and days, stored whole, its
//! rollups folded from the events by the engine's `rebuild_analytics`, then every question the
//! reports page asks timed many times over random tenants, ranges and filters — p50, p99 and the
//! slowest per question, and the whole report. Also the time to generate and to fold, and the
//! database's size. SQLite in a temporary file, or a PostgreSQL URL.

use std::sync::Arc;
use std::time::Instant;

use backstop_core::analytics::Sum;
use backstop_core::directory::{Agent, AgentProfile, AgentRole, Team, Tenant};
use backstop_core::ids::{AgentId, TeamId, TenantId};
use backstop_core::routing::TeamRole;
use backstop_engine::insight::reports::ReportQuery;
use backstop_store::{FactsQuery, RollupFilter, RollupGroup, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

use crate::history::{generate, Plan, TenantPlan};
use backstop_report::{bar, percentile, r4, report};

/// What to run.
pub struct Options {
    pub database_url: Option<String>,
    pub conversations: u64,
    pub tenants: usize,
    pub days: u32,
    /// Times each question is asked.
    pub runs: usize,
    /// Ask the questions of the history an earlier run left in the database (its six-character
    /// run id) instead of making one.
    pub reuse: Option<String>,
}

const TOPICS: &[&str] = &[
    "shipping",
    "returns",
    "refunds",
    "orders",
    "payments",
    "invoices",
    "account",
    "discounts",
    "warranty",
    "sizing",
    "stock",
    "gift-cards",
    "delivery-issues",
    "product-care",
    "membership",
    "privacy",
    "cancellations",
    "exchanges",
    "pickup",
    "wholesale",
];

/// What the reports ask of each group: only the heat map reads hours, and only their conversations.
fn columns_for(g: RollupGroup) -> &'static [Sum] {
    match g {
        RollupGroup::Hour => &[Sum::Conversations],
        _ => Sum::ALL,
    }
}

/// What a fresh history took to make.
struct Made {
    /// The tenants are `bench-<run>-0` …: what `--reuse` takes.
    run: String,
    written: crate::history::Generated,
    generate_secs: f64,
    fold_secs: f64,
    folded: usize,
}

/// Creates the tenants (their teams and agents), writes the history and folds it into the rollups.
async fn make(
    store: &Arc<dyn Store>,
    o: &Options,
    end: time::OffsetDateTime,
) -> anyhow::Result<(Vec<TenantPlan>, Made)> {
    let run = uuid::Uuid::new_v4().simple().to_string()[..6].to_string();
    let mut plans = Vec::new();
    for t in 0..o.tenants {
        let tenant = TenantId::parse(&format!("bench-{run}-{t}"))?;
        store
            .create_tenant(&Tenant {
                id: tenant.clone(),
                name: format!("Bench client {t}"),
                widget_secret: "bench".into(),
            })
            .await?;
        let mut teams = Vec::new();
        for (i, name) in ["General support", "Orders", "Billing", "Complaints & VIP", "Technical"]
            .iter()
            .enumerate()
        {
            let id = TeamId::new_at(end);
            store
                .upsert_team(&Team {
                    id,
                    tenant: tenant.clone(),
                    name: (*name).into(),
                    names: Default::default(),
                    role: if i == 3 {
                        TeamRole::Escalation
                    } else {
                        TeamRole::General
                    },
                    strategy: Default::default(),
                    hours: Default::default(),
                    sla: Default::default(),
                    languages: vec![],
                })
                .await?;
            teams.push(id);
        }
        let mut agents = Vec::new();
        for i in 0..12 {
            let id = AgentId::new_at(end);
            let name = format!("Agent {i}");
            store
                .upsert_agent(
                    &Agent {
                        id,
                        tenant: tenant.clone(),
                        name: name.clone(),
                        email: format!("agent{i}@bench.example.invalid"),
                        role: AgentRole::Agent,
                        team_ids: vec![teams[i % teams.len()]],
                        profile: AgentProfile {
                            languages: vec![if i % 2 == 0 { "en".into() } else { "zh".into() }],
                            ..Default::default()
                        },
                        active: true,
                    },
                    "not-a-hash",
                )
                .await?;
            agents.push((id, name));
        }
        plans.push(TenantPlan {
            tenant,
            teams,
            agents,
            topics: TOPICS.iter().map(|s| s.to_string()).collect(),
        });
    }
    let plan = Plan {
        tenants: plans.clone(),
        conversations: o.conversations,
        days: o.days,
        end,
        channels: vec!["web".into(), "email".into(), "whatsapp".into()],
        seed: 20_261_207,
    };
    let pb = bar(o.conversations, "conversations written");
    let started = Instant::now();
    let shown = pb.clone();
    let written = generate(store.as_ref(), &plan, &move |n| shown.set_position(n)).await?;
    pb.finish_and_clear();
    let generate_secs = started.elapsed().as_secs_f64();
    let engine = backstop_engine::Engine::new(store.clone(), backstop_engine::EngineConfig::default());
    let top = engine.max_event_id().await?;
    let pb = bar(top.max(0) as u64, "events folded into the rollups");
    let shown = pb.clone();
    let started = Instant::now();
    let folded = engine
        .rebuild_analytics(None, Arc::new(move |at| shown.set_position(at)))
        .await?;
    pb.finish_and_clear();
    let fold_secs = started.elapsed().as_secs_f64();
    Ok((
        plans,
        Made {
            run,
            written,
            generate_secs,
            fold_secs,
            folded,
        },
    ))
}

/// The tenants of a history an earlier run left (`bench-<run>-0` …) and their teams.
async fn reused(store: &dyn Store, run: &str, tenants: usize) -> anyhow::Result<Vec<TenantPlan>> {
    let mut plans = Vec::new();
    for t in 0..tenants {
        let tenant = TenantId::parse(&format!("bench-{run}-{t}"))?;
        anyhow::ensure!(
            store.get_tenant(&tenant).await?.is_some(),
            "no tenant {tenant} in the database: --reuse takes the run's six characters (bench-<run>-0) and --tenants as many as it made"
        );
        let teams = store.list_teams(&tenant).await?.into_iter().map(|t| t.id).collect();
        plans.push(TenantPlan {
            tenant,
            teams,
            agents: Vec::new(),
            topics: TOPICS.iter().map(|s| s.to_string()).collect(),
        });
    }
    Ok(plans)
}

pub async fn analytics(o: Options) -> anyhow::Result<()> {
    anyhow::ensure!(
        o.conversations > 0 && o.tenants > 0 && o.runs > 0,
        "--conversations, --tenants and --runs must be at least 1"
    );
    anyhow::ensure!((1..=366).contains(&o.days), "--days must be between 1 and 366");
    let dir = tempfile::tempdir()?;
    let db_file = dir.path().join("bench.db");
    let (store, backend): (Arc<dyn Store>, &str) = match &o.database_url {
        Some(url) => (
            Arc::new(backstop_store_postgres::PgStore::connect(url).await?),
            "postgresql",
        ),
        None => (
            Arc::new(backstop_store_sqlite::SqliteStore::connect(&format!("sqlite://{}", db_file.display())).await?),
            "sqlite",
        ),
    };
    let end = time::OffsetDateTime::now_utc();
    let (plans, made) = match &o.reuse {
        Some(run) => (reused(store.as_ref(), run, o.tenants).await?, None),
        None => {
            let (plans, made) = make(&store, &o, end).await?;
            (plans, Some(made))
        }
    };
    let engine = backstop_engine::Engine::new(store.clone(), backstop_engine::EngineConfig::default());
    let size = store.database_size().await?;

    // The questions, over random tenants, ranges (7, 30 or 90 days back) and filters.
    let mut rng = StdRng::seed_from_u64(7);
    let mut timings: Vec<(&str, Vec<f64>)> = Vec::new();
    let names = [
        "totals",
        "by hour",
        "by day",
        "by team",
        "by language",
        "by channel",
        "by topic",
        "by every dimension",
        "reasons",
        "moods",
        "ratings",
        "all keyed counts",
        "agents",
        "drill-down",
        "whole report",
    ];
    for n in names {
        timings.push((n, Vec::with_capacity(o.runs)));
    }
    let today = end.date();
    for _ in 0..o.runs {
        let tp = &plans[rng.gen_range(0..plans.len())];
        let span = [7, 30, 90][rng.gen_range(0..3)].min(o.days as i64);
        let mut q = ReportQuery {
            from: today - time::Duration::days(span - 1),
            to: today,
            team: None,
            channel: None,
            lang: None,
            topic: None,
        };
        match rng.gen_range(0..4) {
            0 => q.team = Some(tp.teams[rng.gen_range(0..tp.teams.len())].to_string()),
            1 => q.lang = Some(if rng.gen_bool(0.5) { "en" } else { "zh" }.into()),
            2 => q.topic = Some(TOPICS[rng.gen_range(0..TOPICS.len())].into()),
            _ => {}
        }
        let f: RollupFilter = q.filter()?;
        let t = &tp.tenant;
        let mut time_it =
            async |i: usize,
                   fut: std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send + '_>>|
                   -> anyhow::Result<()> {
                let s = Instant::now();
                fut.await?;
                timings[i].1.push(s.elapsed().as_secs_f64() * 1000.0);
                Ok(())
            };
        let groups = [
            RollupGroup::All,
            RollupGroup::Hour,
            RollupGroup::Day,
            RollupGroup::Team,
            RollupGroup::Lang,
            RollupGroup::Channel,
            RollupGroup::Topic,
            RollupGroup::Dimensions,
        ];
        for (i, g) in groups.into_iter().enumerate() {
            time_it(
                i,
                Box::pin(async {
                    store
                        .rollup_sums(t, &f, g, columns_for(g))
                        .await
                        .map(|_| ())
                        .map_err(Into::into)
                }),
            )
            .await?;
        }
        for (i, prefix) in [(8, "reason:"), (9, "mood:"), (10, "csat:"), (11, "")] {
            time_it(
                i,
                Box::pin(async {
                    store
                        .rollup_counts(t, &f, RollupGroup::All, prefix)
                        .await
                        .map(|_| ())
                        .map_err(Into::into)
                }),
            )
            .await?;
        }
        time_it(
            12,
            Box::pin(async { store.agent_rollups(t, &f).await.map(|_| ()).map_err(Into::into) }),
        )
        .await?;
        let dq = FactsQuery {
            filter: f.clone(),
            outcome: Some("abandoned".into()),
            limit: 100,
        };
        time_it(
            13,
            Box::pin(async { store.list_facts(t, &dq).await.map(|_| ()).map_err(Into::into) }),
        )
        .await?;
        time_it(
            14,
            Box::pin(async { engine.report(t, &q).await.map(|_| ()).map_err(Into::into) }),
        )
        .await?;
    }
    let mut rows: Vec<(&str, String)> = vec![("backend", backend.to_string())];
    let mut json = Map::new();
    json.insert("backend".into(), json!(backend));
    match &made {
        Some(m) => {
            rows.extend([
                ("run (for --reuse)", m.run.clone()),
                ("conversations", m.written.conversations.to_string()),
                ("messages", m.written.messages.to_string()),
                ("events", m.written.events.to_string()),
                ("tenants / days", format!("{} / {}", o.tenants, o.days)),
                ("generate (s)", format!("{:.1}", m.generate_secs)),
                (
                    "fold into rollups (s)",
                    format!("{:.1} ({} conversations)", m.fold_secs, m.folded),
                ),
            ]);
            json.insert("run".into(), json!(m.run));
            json.insert("conversations".into(), json!(m.written.conversations));
            json.insert("messages".into(), json!(m.written.messages));
            json.insert("events".into(), json!(m.written.events));
            json.insert("generate_secs".into(), r4(m.generate_secs));
            json.insert("fold_secs".into(), r4(m.fold_secs));
        }
        None => {
            let run = o.reuse.as_deref().unwrap_or_default();
            rows.push(("history", format!("reused: bench-{run}-0 … -{}", o.tenants - 1)));
            json.insert("reused".into(), json!(run));
        }
    }
    rows.push((
        "database size (MiB)",
        size.map_or("—".into(), |b| format!("{:.0}", b as f64 / 1048576.0)),
    ));
    json.insert("database_bytes".into(), json!(size));
    let mut queries = Map::new();
    let labels: Vec<String> = timings.iter().map(|(n, _)| format!("{n} p50/p99/max (ms)")).collect();
    for ((n, ms), label) in timings.iter().zip(&labels) {
        let (p50, p99, max) = (
            percentile(ms, 50.0),
            percentile(ms, 99.0),
            ms.iter().cloned().fold(0.0, f64::max),
        );
        rows.push((label.as_str(), format!("{p50:.1} / {p99:.1} / {max:.1}")));
        queries.insert(
            (*n).into(),
            json!({"p50_ms": r4(p50), "p99_ms": r4(p99), "max_ms": r4(max)}),
        );
    }
    json.insert("queries".into(), Value::Object(queries));
    report("backstop bench analytics", &rows, json);
    Ok(())
}
