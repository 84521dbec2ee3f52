//! `backstop-lab eval actions`: the AI acting on the demo shop's orders end to end — the real
//! engine with the demo tenant's actions, its policy and the demo merchant's order system over
//! HTTP — on labelled dialogues `{"id","lang","who","turns":[…],"expect":{"outcome","action",
//! "change","must_say","must_not_say"}}`. Each dialogue is a new conversation (signed in as `who`,
//! or a guest) on a freshly reset shop; its customer turns are sent in order, each after the AI's
//! reply to the one before (a hand-over ends it).
//!
//! Judged from what the customer was told, the conversation's event log and the shop's own record
//! of changes: the outcome (resolved by an action, refused, handed over, or no action at all), the
//! share of action dialogues resolved by actions, wrong disclosures (another customer's data said:
//! must be 0), changes nobody confirmed (a change call not preceded by its summary and a customer
//! yes: must be 0), changes that should not have happened and changes missed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use backstop_core::action::dialogue::{CallResult, Step};
use backstop_core::action::Effect;
use backstop_core::conversation::Owner;
use backstop_core::event::{EventData, EventKind};
use backstop_core::generation::{Outcome, PickedBy};
use backstop_core::message::{Author, Lang, MessageKind};
use backstop_engine::WidgetSessionRequest;
use backstop_store::MessageQuery;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::data::read_jsonl;
use super::{pct, r4, report};
use backstop::{seed, Config};

#[derive(Deserialize)]
struct Expect {
    outcome: String,
    action: Option<String>,
    change: Option<String>,
    #[serde(default)]
    must_say: Vec<String>,
    #[serde(default)]
    must_not_say: Vec<String>,
}

#[derive(Deserialize)]
struct Row {
    id: String,
    lang: String,
    who: Option<String>,
    turns: Vec<String>,
    expect: Expect,
}

pub struct Options {
    pub set: PathBuf,
    pub details: bool,
    pub limit: Option<usize>,
    /// Run with a generative model choosing the action (tool calling) and telling results: the
    /// local one (`llm`), or the endpoint at `llm_url`.
    pub llm: bool,
    pub llm_url: Option<String>,
    pub llm_model: Option<String>,
}

const OUTCOMES: [&str; 4] = ["resolved", "refused", "handoff", "answer"];

#[derive(Default)]
struct Tally {
    rows: usize,
    right_outcome: usize,
    /// Dialogues that need an action (`expect.action` set), and those resolved by one.
    action_rows: usize,
    resolved: usize,
    expected_resolved: usize,
    expected_resolved_hit: usize,
    disclosures: usize,
    unconfirmed: usize,
    unwanted_changes: usize,
    missed_changes: usize,
    must_say: usize,
    must_say_found: usize,
}

fn add(into: &mut Tally, t: &Tally) {
    into.rows += t.rows;
    into.right_outcome += t.right_outcome;
    into.action_rows += t.action_rows;
    into.resolved += t.resolved;
    into.expected_resolved += t.expected_resolved;
    into.expected_resolved_hit += t.expected_resolved_hit;
    into.disclosures += t.disclosures;
    into.unconfirmed += t.unconfirmed;
    into.unwanted_changes += t.unwanted_changes;
    into.missed_changes += t.missed_changes;
    into.must_say += t.must_say;
    into.must_say_found += t.must_say_found;
}

/// What the model did on the turns it was asked (those the rules found no action for): the
/// action it chose by tool calling, or why its choice was not used; and how results were told.
#[derive(Default)]
struct Picks {
    asked: usize,
    by_model: usize,
    called: usize,
    fell_back: BTreeMap<String, usize>,
    ms: Vec<u32>,
    told_by_model: usize,
    told_by_template: usize,
}

impl Picks {
    fn read(&mut self, events: &[backstop_store::EventRecord]) {
        for e in events {
            let EventData::Decision { trace, .. } = &e.event.data else {
                continue;
            };
            if let Some(p) = &trace.pick {
                self.asked += 1;
                self.ms.push(p.total_ms);
                match p.used {
                    PickedBy::Model => {
                        self.by_model += 1;
                        self.called += usize::from(p.called.is_some());
                    }
                    PickedBy::Rules => {
                        *self.fell_back.entry(p.problem.clone().unwrap_or_default()).or_default() += 1;
                    }
                }
            }
            if trace.decision == backstop_core::routing::Decision::Act {
                match trace.generation.as_ref().map(|g| g.outcome) {
                    Some(Outcome::Sent) => self.told_by_model += 1,
                    Some(_) => self.told_by_template += 1,
                    None => {}
                }
            }
        }
    }

    fn report(&self, table: &mut Vec<(String, String)>, json: &mut Map<String, Value>) {
        let mut ms = self.ms.clone();
        ms.sort_unstable();
        let at = |q: f64| {
            ms.get(((ms.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(0)
        };
        for (name, key, n) in [
            (
                "turns without a rules' action the model was asked about",
                "model_asked",
                self.asked,
            ),
            ("  its choice used", "model_used", self.by_model),
            ("  of which an action", "model_called", self.called),
            ("results told in the model's words", "told_by_model", self.told_by_model),
            (
                "results told by the template after the model",
                "told_by_template",
                self.told_by_template,
            ),
        ] {
            table.push((name.into(), n.to_string()));
            json.insert(key.into(), n.into());
        }
        for (problem, n) in &self.fell_back {
            table.push((format!("  the rules chose instead ({problem})"), n.to_string()));
        }
        table.push((
            "the model's choice p50 / p95 (ms)".into(),
            format!("{} / {}", at(0.5), at(0.95)),
        ));
        json.insert("pick_ms_p50".into(), at(0.5).into());
        json.insert("pick_ms_p95".into(), at(0.95).into());
    }
}

/// The demo shop's control routes.
struct Shop {
    base: String,
    key: String,
    http: reqwest::Client,
}

impl Shop {
    async fn reset(&self) -> anyhow::Result<()> {
        let r = self
            .http
            .post(format!("{}/_control/reset", self.base))
            .bearer_auth(&self.key)
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "resetting the shop: {}", r.status());
        Ok(())
    }

    /// The changes made since the reset ("cancel MM-…", "refund MM-… 120").
    async fn changes(&self) -> anyhow::Result<Vec<String>> {
        let v: Value = self
            .http
            .get(format!("{}/_control/changes", self.base))
            .bearer_auth(&self.key)
            .send()
            .await?
            .json()
            .await?;
        Ok(v["log"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default())
    }
}

pub async fn run(mut config: Config, o: Options) -> anyhow::Result<()> {
    let mut rows: Vec<Row> = read_jsonl(&o.set)?;
    if let Some(n) = o.limit {
        rows.truncate(n);
    }
    anyhow::ensure!(!rows.is_empty(), "{} is empty", o.set.display());
    for r in &rows {
        anyhow::ensure!(
            OUTCOMES.contains(&r.expect.outcome.as_str()),
            "{}: outcome {:?} is not one of {OUTCOMES:?}",
            r.id,
            r.expect.outcome
        );
    }
    let dir = tempfile::tempdir().context("a scratch directory")?;
    config.storage.data_dir = dir.path().to_path_buf();
    config.storage.database_url = String::new();
    let store = backstop::open_store(&config).await?;
    seed::demo(store.as_ref()).await?;
    let engine = backstop::engine(&config, store.clone()).await?;
    let tenant = seed::demo_tenant_id();
    let widget_secret = engine.tenant(&tenant).await?.widget_secret;
    let key = seed::demo_merchant_key(&widget_secret);
    let (addr, _merchant) = backstop_merchant::spawn(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), &key)
        .await
        .context("starting the demo merchant")?;
    let shop = Shop {
        base: format!("http://{addr}"),
        key: key.clone(),
        http: reqwest::Client::new(),
    };
    seed::demo_actions(&engine, &shop.base, &key).await?;
    eprintln!("building the tenant's understanding …");
    engine.load_kb(&tenant).await?;
    let _model = if o.llm || o.llm_url.is_some() {
        Some(
            super::model::configure(
                &config,
                &engine,
                &tenant,
                dir.path(),
                o.llm_url.as_deref(),
                o.llm_model.as_deref(),
            )
            .await?,
        )
    } else {
        None
    };
    let mut picks = Picks::default();

    let pb = super::bar(rows.len() as u64, "dialogues");
    let mut all = Tally::default();
    let mut by: BTreeMap<String, Tally> = BTreeMap::new();
    let mut confusion: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &rows {
        shop.reset().await?;
        let lang = Lang::parse(&r.lang).unwrap_or(Lang::En);
        let session = engine
            .widget_session(
                &tenant,
                WidgetSessionRequest {
                    token: None,
                    lang: Some(lang),
                    name: None,
                    email: r.who.clone(),
                    user_hash: r.who.as_deref().map(|e| backstop_engine::user_hash(&widget_secret, e)),
                },
            )
            .await?;
        let conv = engine
            .authorize_visitor(&tenant, &session.token, session.conversation, None)
            .await?;
        for (i, turn) in r.turns.iter().enumerate() {
            let now = store
                .get_conversation(&tenant, conv.id)
                .await?
                .context("the conversation")?;
            if !matches!(now.owner, Owner::Ai) {
                break;
            }
            let sent = engine
                .ingest_customer_message(&tenant, conv.id, Some(&format!("{}-{i}", r.id)), turn)
                .await?;
            let seq = sent.message.seq;
            let until = Instant::now() + Duration::from_secs(120);
            loop {
                let q = MessageQuery {
                    after_seq: seq,
                    ..MessageQuery::default()
                };
                let msgs = store.list_messages(&tenant, conv.id, &q).await?;
                if msgs.iter().any(|m| m.author != Author::Customer) {
                    break;
                }
                anyhow::ensure!(Instant::now() < until, "{}: no reply within 2 minutes", r.id);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let msgs = store.list_messages(&tenant, conv.id, &MessageQuery::default()).await?;
        let told: String = msgs
            .iter()
            .filter(|m| m.author != Author::Customer && m.kind == MessageKind::Text)
            .map(|m| m.body.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let events = store.list_events(&tenant, conv.id).await?;
        let handed = events.iter().any(|e| e.event.kind == EventKind::Handoff);
        picks.read(&events);

        // The steps, in order; a change call must follow its summary, on a turn whose customer
        // words are a yes.
        let mut acted = false;
        let mut change_done = false;
        let mut read_done = false;
        let mut withheld_after_read = false;
        let mut summary_shown = false;
        let mut unconfirmed = 0;
        for e in &events {
            let EventData::Action(a) = &e.event.data else { continue };
            acted = true;
            match &a.step {
                Step::Confirming { .. } => summary_shown = true,
                Step::Called { result, .. } if a.effect == Effect::Change => {
                    let said_yes = msgs
                        .iter()
                        .rfind(|m| m.author == Author::Customer && m.created_at <= e.event.at)
                        .is_some_and(|m| backstop_nlp::slots::consent(&m.body) == Some(true));
                    if !(summary_shown && said_yes) {
                        unconfirmed += 1;
                    }
                    summary_shown = false;
                    change_done |= *result == CallResult::Done;
                }
                Step::Called {
                    result: CallResult::Done,
                    ..
                } => {
                    read_done = true;
                    withheld_after_read = false;
                }
                Step::Withheld | Step::NotVerified => withheld_after_read = true,
                Step::Judged { .. } | Step::Declined => {
                    // A change was in play: a lookup on its way is not the resolution.
                    read_done = false;
                }
                _ => {}
            }
        }
        let outcome = if handed {
            "handoff"
        } else if change_done || (read_done && !withheld_after_read) {
            "resolved"
        } else if acted {
            "refused"
        } else {
            "answer"
        };
        let changes = shop.changes().await?;
        let made = |kind: &str| changes.iter().any(|c| c.starts_with(kind));
        let mut t = Tally {
            rows: 1,
            right_outcome: usize::from(outcome == r.expect.outcome),
            unconfirmed,
            ..Tally::default()
        };
        if r.expect.action.is_some() {
            t.action_rows = 1;
            t.resolved = usize::from(outcome == "resolved");
        }
        if r.expect.outcome == "resolved" {
            t.expected_resolved = 1;
            t.expected_resolved_hit = usize::from(outcome == "resolved");
        }
        let lower = told.to_lowercase();
        let leaked: Vec<&String> = r
            .expect
            .must_not_say
            .iter()
            .filter(|s| lower.contains(&s.to_lowercase()))
            .collect();
        t.disclosures = usize::from(!leaked.is_empty());
        let wanted = r.expect.change.as_deref();
        t.unwanted_changes = usize::from(match wanted {
            None => !changes.is_empty(),
            Some(kind) => changes.iter().any(|c| !c.starts_with(kind)) || changes.len() > 1,
        });
        t.missed_changes = usize::from(wanted.is_some_and(|kind| !made(kind)));
        t.must_say = r.expect.must_say.len();
        t.must_say_found = r
            .expect
            .must_say
            .iter()
            .filter(|s| lower.contains(&s.to_lowercase()))
            .count();
        *confusion
            .entry((r.expect.outcome.clone(), outcome.to_string()))
            .or_default() += 1;
        let wrong = t.right_outcome == 0
            || t.disclosures > 0
            || t.unconfirmed > 0
            || t.unwanted_changes > 0
            || t.missed_changes > 0
            || t.must_say_found < t.must_say;
        if o.details && wrong {
            eprintln!(
                "\n{} [{} → {}] changes {:?}{}{}",
                r.id,
                r.expect.outcome,
                outcome,
                changes,
                if leaked.is_empty() {
                    String::new()
                } else {
                    format!(" LEAKED {leaked:?}")
                },
                if unconfirmed > 0 { " UNCONFIRMED" } else { "" }
            );
            for m in &msgs {
                let who = match m.author {
                    Author::Customer => "customer",
                    Author::Ai if m.kind == MessageKind::Note => "note",
                    Author::Ai => "ai",
                    _ => "system",
                };
                eprintln!("  {who}: {}", m.body.replace('\n', " / "));
            }
        }
        // Closed, so the same customer's next dialogue is a conversation of its own.
        let mut done = store
            .get_conversation(&tenant, conv.id)
            .await?
            .context("the conversation")?;
        done.status = backstop_core::conversation::Status::Closed;
        done.owner = Owner::Ai;
        store
            .apply_turn(&backstop_store::Turn {
                conversation: done,
                events: vec![],
                messages: vec![],
                handled: vec![],
            })
            .await?;
        let kind = r.id.split('-').nth(1).unwrap_or("other").to_string();
        for key in [r.lang.clone(), kind] {
            add(by.entry(key).or_default(), &t);
        }
        add(&mut all, &t);
        pb.inc(1);
    }
    pb.finish_and_clear();

    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut table: Vec<(String, String)> = Vec::new();
    let mut json = Map::new();
    let mut line = |table: &mut Vec<(String, String)>, name: String, key: String, a: usize, b: usize| {
        table.push((name, format!("{} ({a}/{b})", pct(ratio(a, b)))));
        json.insert(key, r4(ratio(a, b)));
    };
    line(
        &mut table,
        "outcome as labelled".into(),
        "outcome_accuracy".into(),
        all.right_outcome,
        all.rows,
    );
    line(
        &mut table,
        "action dialogues resolved by actions".into(),
        "resolved_by_actions".into(),
        all.resolved,
        all.action_rows,
    );
    line(
        &mut table,
        "resolvable dialogues resolved".into(),
        "resolved_recall".into(),
        all.expected_resolved_hit,
        all.expected_resolved,
    );
    line(
        &mut table,
        "must-say facts told".into(),
        "must_say_recall".into(),
        all.must_say_found,
        all.must_say,
    );
    for (k, t) in &by {
        line(
            &mut table,
            format!("  {k}: outcome as labelled"),
            format!("outcome_accuracy_{k}"),
            t.right_outcome,
            t.rows,
        );
    }
    for (name, key, n) in [
        ("wrong disclosures (must be 0)", "wrong_disclosures", all.disclosures),
        (
            "changes without a confirmed summary (must be 0)",
            "confirmations_skipped",
            all.unconfirmed,
        ),
        (
            "changes that should not have happened (must be 0)",
            "unwanted_changes",
            all.unwanted_changes,
        ),
        ("changes missed", "missed_changes", all.missed_changes),
    ] {
        table.push((name.into(), n.to_string()));
        json.insert(key.into(), n.into());
    }
    for ((want, got), n) in &confusion {
        if want != got {
            table.push((format!("  labelled {want}, was {got}"), n.to_string()));
        }
    }
    if o.llm || o.llm_url.is_some() {
        picks.report(&mut table, &mut json);
    }
    json.insert("dialogues".into(), rows.len().into());
    let table: Vec<(&str, String)> = table.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    report("actions in dialogues", &table, json);
    Ok(())
}
