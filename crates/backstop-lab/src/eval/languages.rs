//! `backstop-lab eval languages`: how well the language of a customer message is told, on JSONL
//! rows `{"id","lang":"<ISO 639-1>","text"}` — overall, per language, and the most common
//! confusions; with the time one detection takes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use serde::Deserialize;
use serde_json::Map;

use super::data::read_jsonl;
use super::{pct, r4, report};

#[derive(Deserialize)]
struct Row {
    id: String,
    lang: String,
    text: String,
}

pub fn run(set: PathBuf, details: bool) -> anyhow::Result<()> {
    let rows: Vec<Row> = read_jsonl(&set)?;
    anyhow::ensure!(!rows.is_empty(), "{} is empty", set.display());
    let _ = backstop_nlp::lang::code("warm up");
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut confusions: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    let mut right = 0;
    let mut micros = Vec::new();
    for r in &rows {
        let t = Instant::now();
        let got = backstop_nlp::lang::code(&r.text);
        micros.push(t.elapsed().as_secs_f64() * 1e6);
        let e = per.entry(r.lang.as_str()).or_default();
        e.0 += 1;
        if got == r.lang {
            e.1 += 1;
            right += 1;
        } else {
            *confusions.entry((r.lang.clone(), got)).or_default() += 1;
            if details {
                eprintln!("{} {} → {got}: {}", r.id, r.lang, r.text);
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut table: Vec<(String, String)> = vec![(
        "right language".into(),
        format!("{} ({right}/{})", pct(ratio(right, rows.len())), rows.len()),
    )];
    let mut json = Map::new();
    json.insert("accuracy".into(), r4(ratio(right, rows.len())));
    for (lang, (n, ok)) in &per {
        table.push((format!("  {lang}"), format!("{} ({ok}/{n})", pct(ratio(*ok, *n)))));
        json.insert(format!("accuracy_{lang}"), r4(ratio(*ok, *n)));
    }
    let mut worst: Vec<_> = confusions.into_iter().collect();
    worst.sort_by_key(|w| std::cmp::Reverse(w.1));
    for ((want, got), n) in worst.iter().take(5) {
        table.push((format!("confused: {want} read as {got}"), n.to_string()));
    }
    let p50 = backstop_report::percentile(&micros, 50.0);
    table.push(("one detection, p50".into(), format!("{p50:.0} µs")));
    json.insert("micros_p50".into(), r4(p50));
    json.insert("messages".into(), rows.len().into());
    json.insert("languages".into(), per.len().into());
    let table: Vec<(&str, String)> = table.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    report("customer languages", &table, json);
    Ok(())
}
