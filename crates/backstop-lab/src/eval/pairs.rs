//! `backstop-lab eval pairs --dev FILE --test FILE`: do two questions ask the same thing? Scores each
//! pair by the cosine of their embeddings (or, with `--lexical`, of their TF-IDF vectors), picks
//! the threshold with the best accuracy on the development file only, and reports accuracy and F1
//! on the test file.

use std::path::Path;

use backstop_nlp::embed::{dot, Role, E5};
use backstop_nlp::features::{cosine, Featurizer};
use backstop_nlp::metrics;
use serde_json::{Map, Value};

use super::data::{read_jsonl, PairRow};
use super::{bar, pct, r4, report};

#[derive(Clone, Debug, PartialEq)]
pub struct PairReport {
    pub accuracy: f64,
    pub f1: f64,
    pub threshold: f64,
    pub dev_accuracy: f64,
}

fn scores(fz: &Featurizer, rows: &[PairRow], what: &str, show: bool) -> Vec<f64> {
    let pb = bar(rows.len() as u64, what);
    if !show {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let out = rows
        .iter()
        .map(|r| {
            pb.inc(1);
            cosine(&fz.transform(&r.a), &fz.transform(&r.b)) as f64
        })
        .collect();
    pb.finish_and_clear();
    out
}

/// Embedding cosines of each pair, on all cores.
fn embedding_scores(model: &E5, rows: &[PairRow], what: &str) -> anyhow::Result<Vec<f64>> {
    let pb = bar(rows.len() as u64, what);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).max(1);
    let chunk = rows.len().div_ceil(threads).max(1);
    let parts: Vec<anyhow::Result<Vec<f64>>> = std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| {
                let pb = pb.clone();
                s.spawn(move || {
                    part.iter()
                        .map(|r| {
                            let a = model.embed(&r.a, Role::Query)?;
                            let b = model.embed(&r.b, Role::Query)?;
                            pb.inc(1);
                            Ok(dot(&a, &b) as f64)
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("embedding thread"))
            .collect()
    });
    pb.finish_and_clear();
    let mut out = Vec::with_capacity(rows.len());
    for p in parts {
        out.extend(p?);
    }
    Ok(out)
}

/// Scores with the embedding model.
pub fn evaluate_embeddings(model: &E5, dev: &[PairRow], test: &[PairRow]) -> anyhow::Result<PairReport> {
    check_labels(dev, test)?;
    let dev_scores = embedding_scores(model, dev, "dev")?;
    let test_scores = embedding_scores(model, test, "test")?;
    Ok(score(dev, &dev_scores, test, &test_scores))
}

fn check_labels(dev: &[PairRow], test: &[PairRow]) -> anyhow::Result<()> {
    for (name, rows) in [("dev", dev), ("test", test)] {
        if let Some(r) = rows.iter().find(|r| r.label > 1) {
            anyhow::bail!(
                "{name}: label must be 0 or 1, found {} (pair {:?} / {:?})",
                r.label,
                r.a,
                r.b
            );
        }
    }
    Ok(())
}

fn score(dev: &[PairRow], dev_scores: &[f64], test: &[PairRow], test_scores: &[f64]) -> PairReport {
    let dev_labels: Vec<bool> = dev.iter().map(|r| r.label == 1).collect();
    let (threshold, dev_accuracy) = metrics::best_threshold(dev_scores, &dev_labels);
    let gold: Vec<bool> = test.iter().map(|r| r.label == 1).collect();
    let predicted: Vec<bool> = test_scores.iter().map(|&s| s >= threshold).collect();
    PairReport {
        accuracy: metrics::accuracy(&gold, &predicted),
        f1: metrics::prf(&gold, &predicted, &true).f1,
        threshold,
        dev_accuracy,
    }
}

/// Scores with TF-IDF vectors (the lexical baseline).
pub fn evaluate(dev: &[PairRow], test: &[PairRow], show: bool) -> anyhow::Result<PairReport> {
    check_labels(dev, test)?;
    // The vocabulary and IDF come from the development questions only.
    let fz = Featurizer::fit(dev.iter().flat_map(|r| [r.a.as_str(), r.b.as_str()]), 1);
    let dev_scores = scores(&fz, dev, "dev", show);
    let test_scores = scores(&fz, test, "test", show);
    Ok(score(dev, &dev_scores, test, &test_scores))
}

/// `model`: the E5 model file, or `None` for the lexical baseline.
pub fn run(dev: &Path, test: &Path, model: Option<&Path>) -> anyhow::Result<()> {
    let dev_rows: Vec<PairRow> = read_jsonl(dev)?;
    let test_rows: Vec<PairRow> = read_jsonl(test)?;
    let (r, name) = match model {
        Some(path) => (
            evaluate_embeddings(&E5::load(path)?, &dev_rows, &test_rows)?,
            "e5-small-cosine",
        ),
        None => (evaluate(&dev_rows, &test_rows, true)?, "lexical-tfidf-cosine"),
    };
    let rows = [
        ("dev pairs", dev_rows.len().to_string()),
        ("test pairs", test_rows.len().to_string()),
        ("threshold (dev)", format!("{:.4}", r.threshold)),
        ("dev accuracy", pct(r.dev_accuracy)),
        ("test accuracy", pct(r.accuracy)),
        ("test F1", pct(r.f1)),
    ];
    let mut json = Map::new();
    json.insert("accuracy".into(), r4(r.accuracy));
    json.insert("f1".into(), r4(r.f1));
    json.insert("threshold".into(), r4(r.threshold));
    json.insert("dev_accuracy".into(), r4(r.dev_accuracy));
    json.insert("model".into(), Value::from(name));
    report(&format!("pairs: {} → {}", dev.display(), test.display()), &rows, json);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &str, b: &str, label: u8) -> PairRow {
        PairRow {
            a: a.into(),
            b: b.into(),
            label,
        }
    }

    /// Identical questions have cosine 1, questions sharing no feature have cosine 0, so on dev the
    /// best threshold separates them (0.5, halfway between 0 and 1, with 100% dev accuracy). On
    /// test, 2 identical positives and 1 disjoint negative are right; a positive paraphrase with
    /// no shared feature is wrong: accuracy 3/4, precision 1, recall 2/3, F1 0.8.
    #[test]
    fn metrics_on_a_hand_checked_file() {
        let dev = vec![
            p("how to reset password", "how to reset password", 1),
            p("card lost", "refund timing", 0),
            p("退款多久", "退款多久", 1),
            p("发票", "密码", 0),
        ];
        let test = vec![
            p("card lost", "card lost", 1),
            p("退款多久", "退款多久", 1),
            p("reset password", "refund timing", 0),
            p("发票", "card lost", 1),
        ];
        let r = evaluate(&dev, &test, false).unwrap();
        assert!((r.threshold - 0.5).abs() < 1e-6, "{r:?}");
        assert_eq!(r.dev_accuracy, 1.0);
        assert_eq!(r.accuracy, 0.75);
        assert!((r.f1 - 0.8).abs() < 1e-9, "{r:?}");
        assert!(evaluate(&[p("a", "b", 2)], &test, false).is_err());
    }
}
