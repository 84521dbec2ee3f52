//! `backstop-lab eval intents --train FILE --test FILE`: trains the intent classifier on the training
//! file, then reports accuracy, macro-F1, in-scope accuracy, out-of-scope precision/recall/F1
//! (gold label `oos`), training time and per-message latency on the test file.

use std::path::Path;
use std::time::Instant;

use std::sync::Arc;

use backstop_nlp::intent::{Dense, Example, IntentConfig, IntentModel, TrainProgress, OOS};
use backstop_nlp::metrics;
use serde_json::{Map, Value};

use super::data::{read_jsonl, IntentRow};
use super::{bar, pct, r4, report};

/// Every figure of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct IntentReport {
    pub accuracy: f64,
    /// Top-1 accuracy on the in-scope test messages with no out-of-scope rejection.
    pub closed_set_accuracy: f64,
    pub macro_f1: f64,
    pub in_scope_accuracy: f64,
    pub oos_precision: f64,
    pub oos_recall: f64,
    pub oos_f1: f64,
    pub train_seconds: f64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    pub threshold: f32,
    pub intents: usize,
    pub train_size: usize,
    pub test_size: usize,
}

fn examples(rows: Vec<IntentRow>) -> Vec<Example> {
    rows.into_iter()
        .map(|r| Example {
            text: r.text,
            label: r.label.trim().to_string(),
        })
        .collect()
}

/// Trains on `train` and scores `test`. `show` draws progress bars.
pub fn evaluate(
    train: &[Example],
    test: &[Example],
    config: &IntentConfig,
    dense: Option<Arc<dyn Dense>>,
    show: bool,
) -> anyhow::Result<IntentReport> {
    let started = Instant::now();
    let pb = bar(
        config.epochs as u64 * if config.threshold.is_some() { 1 } else { 2 },
        "training",
    );
    if !show {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let model = IntentModel::train_with(train, config, dense.clone(), &mut |p| match p {
        TrainProgress::Embedding { done, of } => pb.set_message(format!("embedding {done}/{of}")),
        TrainProgress::Calibrating { epoch, .. } => {
            pb.inc(1);
            if epoch == 1 {
                pb.set_message("calibrating");
            }
        }
        TrainProgress::Training { epoch, .. } => {
            pb.inc(1);
            if epoch == 1 {
                pb.set_message("training");
            }
        }
    })?;
    pb.finish_and_clear();
    let train_seconds = started.elapsed().as_secs_f64();

    let pb = bar(test.len() as u64, "testing");
    if !show {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut predicted = Vec::with_capacity(test.len());
    let mut best = Vec::with_capacity(test.len());
    let mut latencies = Vec::with_capacity(test.len());
    for e in test {
        let t = Instant::now();
        let p = model.predict(&e.text);
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        best.push(p.best);
        predicted.push(p.intent.unwrap_or_else(|| OOS.to_string()));
        pb.inc(1);
    }
    pb.finish_and_clear();

    let gold: Vec<String> = test.iter().map(|e| e.label.clone()).collect();
    let (macro_f1, _) = metrics::macro_f1(&gold, &predicted);
    let in_scope: Vec<usize> = (0..gold.len()).filter(|&i| gold[i] != OOS).collect();
    let in_scope_accuracy = if in_scope.is_empty() {
        0.0
    } else {
        in_scope.iter().filter(|&&i| predicted[i] == gold[i]).count() as f64 / in_scope.len() as f64
    };
    let oos = metrics::prf(&gold, &predicted, &OOS.to_string());
    let closed_set_accuracy = if in_scope.is_empty() {
        0.0
    } else {
        in_scope.iter().filter(|&&i| best[i] == gold[i]).count() as f64 / in_scope.len() as f64
    };
    Ok(IntentReport {
        accuracy: metrics::accuracy(&gold, &predicted),
        closed_set_accuracy,
        macro_f1,
        in_scope_accuracy,
        oos_precision: oos.precision,
        oos_recall: oos.recall,
        oos_f1: oos.f1,
        train_seconds,
        latency_p50_ms: backstop_report::percentile(&latencies, 50.0),
        latency_p99_ms: backstop_report::percentile(&latencies, 99.0),
        threshold: model.threshold(),
        intents: model.intents().len(),
        train_size: train.len(),
        test_size: test.len(),
    })
}

/// `model`: the E5 model file for dense features, or `None` for lexical features only.
pub fn run(train: &Path, test: &Path, threshold: Option<f32>, model: Option<&Path>) -> anyhow::Result<()> {
    let train_rows = examples(read_jsonl(train)?);
    let test_rows = examples(read_jsonl(test)?);
    if let Some(t) = threshold {
        anyhow::ensure!((0.0..=1.0).contains(&t), "--threshold must be between 0 and 1");
    }
    let config = IntentConfig {
        threshold,
        ..IntentConfig::default()
    };
    let dense: Option<Arc<dyn Dense>> = match model {
        Some(p) => Some(Arc::new(backstop_nlp::embed::E5::load(p)?)),
        None => None,
    };
    let name = if dense.is_some() {
        "e5-small+tfidf-logreg"
    } else {
        "lexical-tfidf-logreg"
    };
    let r = evaluate(&train_rows, &test_rows, &config, dense, true)?;
    let rows = [
        ("train examples", r.train_size.to_string()),
        ("test examples", r.test_size.to_string()),
        ("intents", r.intents.to_string()),
        ("accuracy", pct(r.accuracy)),
        ("macro-F1", pct(r.macro_f1)),
        ("in-scope accuracy", pct(r.in_scope_accuracy)),
        ("closed-set accuracy", pct(r.closed_set_accuracy)),
        ("oos precision", pct(r.oos_precision)),
        ("oos recall", pct(r.oos_recall)),
        ("oos F1", pct(r.oos_f1)),
        ("threshold", format!("{:.3}", r.threshold)),
        ("training time", format!("{:.1} s", r.train_seconds)),
        ("latency p50", format!("{:.2} ms", r.latency_p50_ms)),
        ("latency p99", format!("{:.2} ms", r.latency_p99_ms)),
    ];
    let mut json = Map::new();
    for (k, v) in [
        ("accuracy", r.accuracy),
        ("macro_f1", r.macro_f1),
        ("in_scope_accuracy", r.in_scope_accuracy),
        ("closed_set_accuracy", r.closed_set_accuracy),
        ("oos_precision", r.oos_precision),
        ("oos_recall", r.oos_recall),
        ("oos_f1", r.oos_f1),
        ("train_seconds", r.train_seconds),
        ("latency_p50_ms", r.latency_p50_ms),
        ("latency_p99_ms", r.latency_p99_ms),
        ("threshold", r.threshold as f64),
    ] {
        json.insert(k.into(), r4(v));
    }
    json.insert("intents".into(), Value::from(r.intents));
    json.insert("train_size".into(), Value::from(r.train_size));
    json.insert("test_size".into(), Value::from(r.test_size));
    json.insert("model".into(), Value::from(name));
    report(
        &format!("intents: {} → {}", train.display(), test.display()),
        &rows,
        json,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, label: &str) -> Example {
        Example {
            text: text.into(),
            label: label.into(),
        }
    }

    /// A tiny hand-checked case. Test rows 1–4 repeat training sentences (certainly right); row 5 is
    /// an in-scope `refund` message made only of unknown words, and rows 6–7 are out of scope of
    /// unknown words: with no known feature the model is near-uniform over 3 intents (≈ 0.33),
    /// below the fixed 0.5 threshold, so rows 5–7 are predicted `oos`.
    ///
    /// gold: card card refund password refund oos oos; predicted: card card refund password oos oos oos
    /// accuracy 6/7; in-scope accuracy 4/5; oos P = 2/3, R = 1, F1 = 0.8;
    /// per-class F1: card 1, password 1, refund 2·1·0.5/1.5 = 2/3, oos 0.8 → macro (1+1+2/3+0.8)/4.
    #[test]
    fn metrics_on_a_hand_checked_file() {
        let mut train = Vec::new();
        for (label, texts) in [
            (
                "card",
                ["lost my card", "card was stolen", "my card is gone", "stolen card help"],
            ),
            (
                "refund",
                [
                    "refund my order",
                    "I want a refund",
                    "money back please",
                    "refund status",
                ],
            ),
            (
                "password",
                [
                    "forgot password",
                    "reset my password",
                    "password is wrong",
                    "change password",
                ],
            ),
        ] {
            for t in texts {
                train.push(ex(t, label));
            }
        }
        let test = vec![
            ex("lost my card", "card"),
            ex("card was stolen", "card"),
            ex("refund my order", "refund"),
            ex("forgot password", "password"),
            ex("zzqx vvbn", "refund"),
            ex("qqwx zzpl", "oos"),
            ex("xxkj ppow", "oos"),
        ];
        let config = IntentConfig {
            threshold: Some(0.5),
            ..IntentConfig::default()
        };
        let r = evaluate(&train, &test, &config, None, false).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(r.accuracy, 6.0 / 7.0), "{r:?}");
        assert!(close(r.in_scope_accuracy, 0.8), "{r:?}");
        // Without rejection, row 5's best guess is whichever intent the biases favour.
        assert!(
            close(r.closed_set_accuracy, 0.8) || close(r.closed_set_accuracy, 1.0),
            "{r:?}"
        );
        assert!(
            close(r.oos_precision, 2.0 / 3.0) && close(r.oos_recall, 1.0) && close(r.oos_f1, 0.8),
            "{r:?}"
        );
        assert!(close(r.macro_f1, (1.0 + 1.0 + 2.0 / 3.0 + 0.8) / 4.0), "{r:?}");
        assert_eq!((r.intents, r.train_size, r.test_size), (3, 12, 7));
        assert!(r.latency_p50_ms <= r.latency_p99_ms);
    }
}
