//! `backstop-lab eval guard`: the pre-send guard on labelled answers — JSONL rows
//! `{"id","lang","article","source_lang","customer":[…],"answer","planted":null|kind}` whose
//! source is the knowledge base's article (`--kb`, the demo's by default). Reports the share of
//! planted faults caught (blocked at all, and named by the right check), the share of correct
//! answers blocked, both per language and for answers in another language than their source, and
//! what one check costs on one core (no model call).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use backstop_core::generation::Tone;
use backstop_core::guard::Check;
use backstop_core::message::Lang;
use backstop_nlp::guard::{check, GuardInput};
use serde::Deserialize;
use serde_json::Map;

use super::data::read_jsonl;
use super::{pct, r4, report};

#[derive(Deserialize)]
struct Row {
    id: String,
    lang: String,
    article: String,
    source_lang: String,
    #[serde(default)]
    customer: Vec<String>,
    answer: String,
    planted: Option<String>,
}

#[derive(Deserialize)]
struct Article {
    slug: String,
    lang: String,
    title: String,
    body: String,
}

pub struct Options {
    pub set: PathBuf,
    pub kb: Option<PathBuf>,
    pub details: bool,
}

fn check_of(name: &str) -> anyhow::Result<Check> {
    Ok(match name {
        "grounding" => Check::Grounding,
        "promise" => Check::Promise,
        "personal_data" => Check::PersonalData,
        "conduct" => Check::Conduct,
        "instruction_leak" => Check::InstructionLeak,
        "language" => Check::Language,
        "support" => Check::Support,
        "length" => Check::Length,
        other => anyhow::bail!("unknown planted kind {other:?}"),
    })
}

pub fn run(o: Options) -> anyhow::Result<()> {
    let rows: Vec<Row> = read_jsonl(&o.set)?;
    anyhow::ensure!(!rows.is_empty(), "{} is empty", o.set.display());
    let kb_text = match &o.kb {
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
        None => backstop::seed::DEMO_KB.to_string(),
    };
    let kb: Vec<Article> = serde_json::from_str(&kb_text).context("the knowledge base is a JSON array of articles")?;
    let instructions = [
        backstop_nlp::prompt::system("Maple Market's assistant", Tone::Friendly, "en"),
        backstop_nlp::prompt::system("Maple Market's assistant", Tone::Friendly, "zh"),
    ];
    let instructions: Vec<&str> = instructions.iter().map(String::as_str).collect();
    // Warm the analyzer and jieba outside the timing.
    let _ = check(&GuardInput {
        answer: "warm up 热身",
        sources: &["warm up"],
        customer: &[],
        known: &[],
        instructions: &instructions,
        lang: Lang::En,
        code: "en",
        max_chars: 1200,
    });

    let pb = super::bar(rows.len() as u64, "answers");
    // (group, planted?) → (rows, blocked, named right)
    let mut tally: BTreeMap<(String, bool), (usize, usize, usize)> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut costs = Vec::with_capacity(rows.len());
    for r in &rows {
        let a = kb
            .iter()
            .find(|a| a.slug == r.article && a.lang == r.source_lang)
            .with_context(|| format!("{}: no article {} in {}", r.id, r.article, r.source_lang))?;
        let source = format!("{}\n{}", a.title, a.body);
        let lang = Lang::parse(&r.lang).with_context(|| format!("{}: lang {:?}", r.id, r.lang))?;
        let customer: Vec<&str> = r.customer.iter().map(String::as_str).collect();
        let started = Instant::now();
        let findings = check(&GuardInput {
            answer: &r.answer,
            sources: &[&source],
            customer: &customer,
            known: &[],
            instructions: &instructions,
            lang,
            code: lang.as_str(),
            max_chars: 1200,
        });
        costs.push(started.elapsed().as_secs_f64() * 1000.0);
        pb.inc(1);
        let blocked = !findings.is_empty();
        let planted = r.planted.as_deref().map(check_of).transpose()?;
        let named = planted.is_some_and(|p| findings.iter().any(|f| f.check == p));
        let cross = r.lang != r.source_lang;
        for group in [
            "all".to_string(),
            r.lang.clone(),
            if cross { "cross".into() } else { String::new() },
        ] {
            if group.is_empty() {
                continue;
            }
            let e = tally.entry((group, planted.is_some())).or_default();
            e.0 += 1;
            e.1 += usize::from(blocked);
            e.2 += usize::from(named);
        }
        if let Some(p) = &r.planted {
            let e = by_kind.entry(p.clone()).or_default();
            e.0 += 1;
            e.1 += usize::from(blocked);
            e.2 += usize::from(named);
        }
        if o.details && (blocked != planted.is_some()) {
            let what = if blocked { "FALSE BLOCK" } else { "MISSED" };
            eprintln!(
                "{what} {} [{}] {}",
                r.id,
                r.planted.as_deref().unwrap_or("correct"),
                r.answer
            );
            for f in &findings {
                eprintln!("    {}: {}", f.check.as_str(), f.detail);
            }
        }
    }
    pb.finish_and_clear();

    let mut table: Vec<(String, String)> = Vec::new();
    let mut json = Map::new();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    for group in ["all", "en", "zh", "cross"] {
        if let Some(&(n, blocked, named)) = tally.get(&(group.to_string(), true)) {
            table.push((
                format!("planted faults caught ({group})"),
                format!("{} ({blocked}/{n})", pct(ratio(blocked, n))),
            ));
            table.push((
                format!("  … by the right check ({group})"),
                format!("{} ({named}/{n})", pct(ratio(named, n))),
            ));
            json.insert(format!("catch_rate_{group}"), r4(ratio(blocked, n)));
            json.insert(format!("named_rate_{group}"), r4(ratio(named, n)));
        }
        if let Some(&(n, blocked, _)) = tally.get(&(group.to_string(), false)) {
            table.push((
                format!("correct answers blocked ({group})"),
                format!("{} ({blocked}/{n})", pct(ratio(blocked, n))),
            ));
            json.insert(format!("false_block_rate_{group}"), r4(ratio(blocked, n)));
        }
    }
    for (kind, (n, blocked, _)) in &by_kind {
        table.push((
            format!("caught: {kind}"),
            format!("{} ({blocked}/{n})", pct(ratio(*blocked, *n))),
        ));
        json.insert(format!("catch_rate_{kind}"), r4(ratio(*blocked, *n)));
    }
    let p50 = backstop_report::percentile(&costs, 50.0);
    let p99 = backstop_report::percentile(&costs, 99.0);
    let max = costs.iter().copied().fold(0.0, f64::max);
    table.push((
        "cost per answer, one core (p50 / p99 / max)".into(),
        format!("{p50:.2} / {p99:.2} / {max:.2} ms"),
    ));
    json.insert("cost_ms_p50".into(), r4(p50));
    json.insert("cost_ms_p99".into(), r4(p99));
    json.insert("cost_ms_max".into(), r4(max));
    json.insert("answers".into(), rows.len().into());
    let table: Vec<(&str, String)> = table.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    report("pre-send guard", &table, json);
    Ok(())
}
