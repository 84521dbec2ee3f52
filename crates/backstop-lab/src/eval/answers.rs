//! `backstop-lab eval answers`: the AI's answers end to end — the real engine, the demo knowledge
//! base (or `--kb`), a generative model (the local llama-server by default, or any endpoint with
//! `--llm-url`) — on labelled questions `{"id","lang","kind","turns":[…],"article":slug|null,
//! "facts":[…]}`. Each row is a new conversation; its turns are sent in order and the reply to
//! the last is judged: answered or not, the cited article, the figures of `facts` present (key-fact
//! recall), the answer's language, figures sent that neither the cited article nor the customer
//! wrote (must be 0), what generation did (sent, fell back, declined, handed over; the guard's
//! verdicts) and its latency.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use backstop_core::event::EventData;
use backstop_core::generation::Outcome;
use backstop_core::message::{Author, Lang};
use backstop_engine::WidgetSessionRequest;
use backstop_store::MessageQuery;
use serde::Deserialize;
use serde_json::Map;

use super::data::read_jsonl;
use super::{pct, r4, report};
use backstop::{seed, Config};

#[derive(Deserialize)]
struct Row {
    id: String,
    lang: String,
    kind: String,
    turns: Vec<String>,
    article: Option<String>,
    #[serde(default)]
    facts: Vec<String>,
}

pub struct Options {
    pub questions: PathBuf,
    /// Knowledge-base files replacing the demo's (empty: the demo's).
    pub kb: Vec<PathBuf>,
    pub llm_url: Option<String>,
    pub llm_model: Option<String>,
    pub details: bool,
    pub limit: Option<usize>,
}

/// Puts the articles of `paths` in place of the demo's: the files imported (a demo article of the
/// same slug and language becomes their new version), every other article archived — refusing
/// files with bad rows, which would skew the figures.
async fn replace_kb(
    engine: &backstop_engine::Engine,
    tenant: &backstop_core::ids::TenantId,
    paths: &[PathBuf],
) -> anyhow::Result<()> {
    let parsed = backstop::kbfile::read_all(paths)?;
    if !parsed.rejected.is_empty() {
        let lines: Vec<String> = parsed.rejected.iter().map(|r| format!("  {r}")).collect();
        anyhow::bail!(
            "the knowledge base has {} rejected row(s); fix them first:\n{}",
            parsed.rejected.len(),
            lines.join("\n")
        );
    }
    anyhow::ensure!(!parsed.rows.is_empty(), "the knowledge base files hold no article");
    let drafts: Vec<_> = parsed.rows.into_iter().map(|r| r.draft).collect();
    let wanted: std::collections::HashSet<(String, String)> = drafts
        .iter()
        .map(|d| (d.slug.clone(), d.lang.as_str().to_string()))
        .collect();
    let n = drafts.len();
    let bar = super::bar(n as u64, "importing articles");
    engine.import_articles(tenant, drafts, "eval", &|| bar.inc(1)).await?;
    bar.finish_and_clear();
    // The file's articles in use, every other one archived (kept, not used).
    for a in engine.articles(tenant).await? {
        let keep = wanted.contains(&(a.slug.clone(), a.lang.as_str().to_string()));
        if a.archived == keep {
            engine.set_archived(tenant, a.id, !keep, "eval").await?;
        }
    }
    eprintln!(
        "answering from {n} article(s) of {}",
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// The digit runs of a text (what "a figure" is for this count: independent of the guard's reading).
fn digit_runs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    rows: usize,
    answered: usize,
    right_article: usize,
    should_answer: usize,
    unanswerable: usize,
    unanswerable_answered: usize,
    facts: usize,
    facts_found: usize,
    right_language: usize,
    unsupported_sent: usize,
}

pub async fn run(mut config: Config, o: Options) -> anyhow::Result<()> {
    let mut rows: Vec<Row> = read_jsonl(&o.questions)?;
    if let Some(n) = o.limit {
        rows.truncate(n);
    }
    anyhow::ensure!(!rows.is_empty(), "{} is empty", o.questions.display());
    let dir = tempfile::tempdir().context("a scratch directory")?;
    config.storage.data_dir = dir.path().to_path_buf();
    config.storage.database_url = String::new();
    let store = backstop::open_store(&config).await?;
    seed::demo(store.as_ref()).await?;
    let engine = backstop::engine(&config, store.clone()).await?;
    let tenant = seed::demo_tenant_id();
    if !o.kb.is_empty() {
        replace_kb(&engine, &tenant, &o.kb).await?;
    }
    eprintln!("building the tenant's understanding …");
    engine.load_kb(&tenant).await?;

    // The model: an endpoint, or the local one started here.
    let running = super::model::configure(
        &config,
        &engine,
        &tenant,
        dir.path(),
        o.llm_url.as_deref(),
        o.llm_model.as_deref(),
    )
    .await?;
    let model = running.model.clone();

    let pb = super::bar(rows.len() as u64, "questions");
    let mut all = Tally::default();
    let mut by: BTreeMap<String, Tally> = BTreeMap::new();
    let mut outcomes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut verdicts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut first_tokens, mut totals) = (Vec::new(), Vec::new());
    // Streaming and the pipeline around the model: before the call, the first checked sentence
    // shown (from the call), the guard's time on the sentences as they came.
    let (mut before_call, mut first_shown, mut stream_guard) = (Vec::new(), Vec::new(), Vec::new());
    for r in &rows {
        let lang = Lang::parse(&r.lang).unwrap_or(Lang::En);
        let session = engine
            .widget_session(
                &tenant,
                WidgetSessionRequest {
                    token: None,
                    lang: Some(lang),
                    name: None,
                    email: None,
                    user_hash: None,
                },
            )
            .await?;
        let conv = engine
            .authorize_visitor(&tenant, &session.token, session.conversation, None)
            .await?;
        let mut reply = None;
        for (i, turn) in r.turns.iter().enumerate() {
            // Handed over on an earlier turn: a person owns it now and the AI stays silent.
            let now = store
                .get_conversation(&tenant, conv.id)
                .await?
                .context("the conversation")?;
            if !matches!(now.owner, backstop_core::conversation::Owner::Ai) {
                break;
            }
            let sent = engine
                .ingest_customer_message(&tenant, conv.id, Some(&format!("{}-{i}", r.id)), turn)
                .await?;
            let seq = sent.message.seq;
            let until = Instant::now() + Duration::from_secs(300);
            loop {
                let q = MessageQuery {
                    after_seq: seq,
                    ..MessageQuery::default()
                };
                let msgs = store.list_messages(&tenant, conv.id, &q).await?;
                if let Some(m) = msgs.into_iter().find(|m| m.author != Author::Customer) {
                    reply = Some(m);
                    break;
                }
                anyhow::ensure!(Instant::now() < until, "{}: no reply within 5 minutes", r.id);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let reply = reply.context("a reply")?;
        // What generation did on the last turn: the newest decision's trace.
        let events = store.list_events(&tenant, conv.id).await?;
        let generation = events.iter().rev().find_map(|e| match &e.event.data {
            EventData::Decision { trace, .. } => Some(trace.generation.clone()),
            _ => None,
        });
        let generation = generation.flatten();
        if let Some(g) = &generation {
            *outcomes
                .entry(match g.outcome {
                    Outcome::Sent => "sent",
                    Outcome::Fallback => "fallback",
                    Outcome::Declined => "declined",
                    Outcome::Handoff => "handoff",
                })
                .or_default() += 1;
            if let Some(ms) = g.before_call_ms {
                before_call.push(f64::from(ms));
            }
            for a in &g.attempts {
                if let Some(ms) = a.first_shown_ms {
                    first_shown.push(f64::from(ms));
                }
                stream_guard.push(f64::from(a.stream_guard_us) / 1000.0);
                *verdicts.entry(a.verdict.map_or("error", |v| v.as_str())).or_default() += 1;
                if let Some(ms) = a.first_token_ms {
                    first_tokens.push(f64::from(ms));
                }
                totals.push(f64::from(a.total_ms));
            }
        } else {
            *outcomes.entry("no model call").or_default() += 1;
        }
        let cited = reply.citations.first();
        let answered = reply.author == Author::Ai && cited.is_some();
        let cited_slug = match cited {
            Some(c) => store.get_article(&tenant, c.article_id).await?.map(|a| a.slug),
            None => None,
        };
        let answer_lang = backstop_nlp::lang::detect_or(&reply.body, lang);
        let mut t = Tally {
            rows: 1,
            answered: usize::from(answered),
            right_language: usize::from(answer_lang == lang),
            ..Tally::default()
        };
        match &r.article {
            Some(slug) => {
                t.should_answer = 1;
                t.right_article = usize::from(answered && cited_slug.as_deref() == Some(slug));
                if answered {
                    t.facts = r.facts.len();
                    let runs = digit_runs(&reply.body);
                    t.facts_found = r
                        .facts
                        .iter()
                        .filter(|f| digit_runs(f).iter().all(|d| runs.contains(d)))
                        .count();
                }
            }
            None => {
                t.unanswerable = 1;
                t.unanswerable_answered = usize::from(answered);
            }
        }
        if answered {
            // Figures sent that neither the cited article (either language) nor the customer wrote.
            let mut known = r.turns.join(" ");
            if let Some(slug) = &cited_slug {
                for a in store.list_articles(&tenant).await? {
                    if &a.slug == slug {
                        known.push(' ');
                        known.push_str(&a.title);
                        known.push(' ');
                        known.push_str(&a.body);
                    }
                }
            }
            let known = digit_runs(&known);
            let body = backstop_nlp::guard::strip_citations(&reply.body);
            t.unsupported_sent = digit_runs(&body).iter().filter(|d| !known.contains(d)).count().min(1);
            if t.unsupported_sent > 0 && o.details {
                eprintln!("UNSUPPORTED {}: {}", r.id, reply.body);
            }
        }
        if o.details {
            eprintln!(
                "{} [{}] {} → {} {:?} {:?}",
                r.id,
                r.kind,
                r.turns.last().map(String::as_str).unwrap_or(""),
                reply.body.replace('\n', " "),
                cited_slug,
                generation.as_ref().map(|g| g.outcome)
            );
        }
        for key in [r.kind.clone(), r.lang.clone()] {
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
        "cited the right article".into(),
        "citation_accuracy".into(),
        all.right_article,
        all.should_answer,
    );
    line(
        &mut table,
        "key-fact recall".into(),
        "key_fact_recall".into(),
        all.facts_found,
        all.facts,
    );
    line(
        &mut table,
        "answers in the customer's language".into(),
        "right_language".into(),
        all.right_language,
        all.rows,
    );
    line(
        &mut table,
        "unanswerable questions answered".into(),
        "unanswerable_answered".into(),
        all.unanswerable_answered,
        all.unanswerable,
    );
    for (k, t) in &by {
        if t.should_answer > 0 {
            line(
                &mut table,
                format!("cited right ({k})"),
                format!("citation_accuracy_{k}"),
                t.right_article,
                t.should_answer,
            );
        }
        line(
            &mut table,
            format!("right language ({k})"),
            format!("right_language_{k}"),
            t.right_language,
            t.rows,
        );
    }
    table.push((
        "answers with a figure nobody wrote".into(),
        format!("{}", all.unsupported_sent),
    ));
    json.insert("unsupported_figures_sent".into(), all.unsupported_sent.into());
    for (k, n) in &outcomes {
        table.push((format!("generation: {k}"), n.to_string()));
        json.insert(format!("outcome_{}", k.replace(' ', "_")), (*n).into());
    }
    for (k, n) in &verdicts {
        table.push((format!("guard verdict: {k}"), n.to_string()));
        json.insert(format!("verdict_{k}"), (*n).into());
    }
    let p = |v: &[f64], q: f64| backstop_report::percentile(v, q);
    table.push((
        "first token p50 / p95 (ms)".into(),
        format!("{:.0} / {:.0}", p(&first_tokens, 50.0), p(&first_tokens, 95.0)),
    ));
    table.push((
        "whole answer p50 / p95 (ms)".into(),
        format!("{:.0} / {:.0}", p(&totals, 50.0), p(&totals, 95.0)),
    ));
    table.push((
        "before the model call p50 / p95 (ms)".into(),
        format!("{:.0} / {:.0}", p(&before_call, 50.0), p(&before_call, 95.0)),
    ));
    table.push((
        "first checked sentence shown p50 / p95 (ms)".into(),
        format!("{:.0} / {:.0}", p(&first_shown, 50.0), p(&first_shown, 95.0)),
    ));
    table.push((
        "guard while streaming, per answer p50 / p95 (ms)".into(),
        format!("{:.1} / {:.1}", p(&stream_guard, 50.0), p(&stream_guard, 95.0)),
    ));
    json.insert("before_call_ms_p50".into(), r4(p(&before_call, 50.0)));
    json.insert("before_call_ms_p95".into(), r4(p(&before_call, 95.0)));
    json.insert("first_shown_ms_p50".into(), r4(p(&first_shown, 50.0)));
    json.insert("stream_guard_ms_p50".into(), r4(p(&stream_guard, 50.0)));
    json.insert("first_token_ms_p50".into(), r4(p(&first_tokens, 50.0)));
    json.insert("answer_ms_p50".into(), r4(p(&totals, 50.0)));
    json.insert("answer_ms_p95".into(), r4(p(&totals, 95.0)));
    json.insert("questions".into(), rows.len().into());
    json.insert("model".into(), model.into());
    let table: Vec<(&str, String)> = table.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    report("generative answers", &table, json);
    Ok(())
}

fn add(into: &mut Tally, t: &Tally) {
    into.rows += t.rows;
    into.answered += t.answered;
    into.right_article += t.right_article;
    into.should_answer += t.should_answer;
    into.unanswerable += t.unanswerable;
    into.unanswerable_answered += t.unanswerable_answered;
    into.facts += t.facts;
    into.facts_found += t.facts_found;
    into.right_language += t.right_language;
    into.unsupported_sent += t.unsupported_sent;
}
