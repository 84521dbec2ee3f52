//! `backstop-lab eval requests`: how well requests for a person are recognised — by the lexicon
//! alone, by the tenant's classifier (its built-in `human` intent) alone, and by both as the
//! product uses them — on a JSONL file of `{"text","lang","human":bool,"kind"?}`. Recall on the
//! requests and the share of other messages mistaken for one, per language and, where rows carry a
//! `kind`, for routine questions and for mentions of a person apart.

use std::path::PathBuf;

use anyhow::Context;
use backstop_core::message::Lang;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::data::read_jsonl;
use super::{pct, r4, report};
use backstop::{seed, Config};

#[derive(Deserialize)]
struct Row {
    text: String,
    #[serde(default)]
    lang: Option<String>,
    human: bool,
    /// For messages that are not requests: `routine` (no person mentioned) or `mention` (a
    /// person mentioned, none asked for), when the file says.
    #[serde(default)]
    kind: Option<String>,
}

/// One way of deciding from (lexicon, classifier).
type Way = fn((bool, bool)) -> bool;

pub struct Options {
    pub test: PathBuf,
    /// Words only: the lexicon without the classifier.
    pub lexical: bool,
    /// Print every message read wrongly.
    pub details: bool,
}

pub async fn run(mut config: Config, o: Options) -> anyhow::Result<()> {
    let rows: Vec<Row> = read_jsonl(&o.test)?;
    anyhow::ensure!(!rows.is_empty(), "{} is empty", o.test.display());
    let dir = tempfile::tempdir().context("a scratch directory")?;
    config.storage.data_dir = dir.path().to_path_buf();
    config.storage.database_url = String::new();
    config.models.embeddings = !o.lexical;
    let store = backstop::open_store(&config).await?;
    seed::demo(store.as_ref()).await?;
    let engine = backstop::engine(&config, store).await?;
    eprintln!("building the demo tenant's understanding …");
    let replayer = engine.replayer(&seed::demo_tenant_id()).await?;
    let pb = super::bar(rows.len() as u64, "messages");
    let rows = std::sync::Arc::new(rows);
    let readings = {
        let (rows, pb) = (rows.clone(), pb.clone());
        tokio::task::spawn_blocking(move || {
            rows.iter()
                .map(|r| {
                    let lang = match r.lang.as_deref() {
                        Some("zh") => Lang::Zh,
                        Some("en") => Lang::En,
                        _ => backstop_nlp::lang::detect_or(&r.text, Lang::En),
                    };
                    let got = replayer.asks_for_person(&r.text, lang);
                    pb.inc(1);
                    (lang, got)
                })
                .collect::<Vec<_>>()
        })
        .await?
    };
    pb.finish_and_clear();

    let mut table: Vec<(String, String)> = Vec::new();
    let mut json = Map::new();
    let min = backstop_engine::knowledge::brain::HUMAN_INTENT_MIN;
    let readings: Vec<(Lang, (bool, bool), Option<f32>)> = readings
        .into_iter()
        .map(|(lang, (l, c))| (lang, (l, c.is_some_and(|c| c >= min)), c))
        .collect();
    let ways: [(&str, Way); 3] = [
        ("lexicon", |(l, _)| l),
        ("classifier", |(_, c)| c),
        ("product", |(l, c)| l || c),
    ];
    for lang in [None, Some(Lang::En), Some(Lang::Zh)] {
        let idx: Vec<usize> = (0..rows.len())
            .filter(|&i| lang.is_none_or(|l| readings[i].0 == l))
            .collect();
        let pos: Vec<usize> = idx.iter().copied().filter(|&i| rows[i].human).collect();
        let neg: Vec<usize> = idx.iter().copied().filter(|&i| !rows[i].human).collect();
        let tag = lang.map_or("all".to_string(), |l| l.as_str().to_string());
        for (way, f) in ways {
            if o.lexical && way != "lexicon" {
                continue;
            }
            let hit = pos.iter().filter(|&&i| f(readings[i].1)).count();
            let fp = neg.iter().filter(|&&i| f(readings[i].1)).count();
            let recall = if pos.is_empty() {
                0.0
            } else {
                hit as f64 / pos.len() as f64
            };
            let false_rate = if neg.is_empty() {
                0.0
            } else {
                fp as f64 / neg.len() as f64
            };
            table.push((
                format!("{way} ({tag}): recall"),
                format!("{} ({hit}/{})", pct(recall), pos.len()),
            ));
            table.push((
                format!("{way} ({tag}): others taken for a request"),
                format!("{} ({fp}/{})", pct(false_rate), neg.len()),
            ));
            json.insert(format!("{way}_{tag}_recall"), r4(recall));
            json.insert(format!("{way}_{tag}_false_rate"), r4(false_rate));
        }
    }
    // The product's false rate by kind of non-request (routine questions, mentions of a person).
    let product: Way = if o.lexical { |(l, _)| l } else { |(l, c)| l || c };
    let mut kinds: Vec<&str> = rows
        .iter()
        .filter(|r| !r.human)
        .filter_map(|r| r.kind.as_deref())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let neg: Vec<usize> = (0..rows.len())
            .filter(|&i| !rows[i].human && rows[i].kind.as_deref() == Some(kind))
            .collect();
        let fp = neg.iter().filter(|&&i| product(readings[i].1)).count();
        let rate = fp as f64 / neg.len() as f64;
        table.push((
            format!("{kind} taken for a request"),
            format!("{} ({fp}/{})", pct(rate), neg.len()),
        ));
        json.insert(format!("{kind}_false_rate"), r4(rate));
    }
    if o.details {
        for (r, (lang, (l, c), conf)) in rows.iter().zip(readings.iter()) {
            if r.human != (*l || *c) {
                eprintln!(
                    "✗ {} human={} lexicon={l} classifier={c} ({:.2}): {}",
                    lang.as_str(),
                    r.human,
                    conf.unwrap_or(0.0),
                    r.text
                );
            }
        }
        // What other thresholds would do (for choosing one on a development set).
        for t in [0.5f32, 0.6, 0.7, 0.8, 0.9, 0.95] {
            let pos = rows.iter().zip(&readings).filter(|(r, _)| r.human);
            let neg = rows.iter().zip(&readings).filter(|(r, _)| !r.human);
            let got = |x: &(Lang, (bool, bool), Option<f32>)| x.1 .0 || x.2.is_some_and(|c| c >= t);
            let (tp, n_pos) = pos.fold((0, 0), |(a, n), (_, x)| (a + usize::from(got(x)), n + 1));
            let (fp, n_neg) = neg.fold((0, 0), |(a, n), (_, x)| (a + usize::from(got(x)), n + 1));
            eprintln!("threshold {t:.2}: recall {tp}/{n_pos}, false {fp}/{n_neg}");
        }
    }
    json.insert("messages".into(), Value::from(rows.len()));
    let rows_ref: Vec<(&str, String)> = table.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    report(&format!("requests for a person: {}", o.test.display()), &rows_ref, json);
    Ok(())
}
