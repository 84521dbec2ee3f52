//! `backstop eval …`: measure the AI on labelled public data. Each command shows progress bars,
//! prints a readable table, and ends with one JSON object holding every figure (rates as fractions).
//! Nothing here trains on a test file.

pub mod data;
pub mod dialogues;
pub mod emotion;
pub mod faq;
pub mod intents;
pub mod pairs;
pub mod requests;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};

/// A progress bar on standard error (hidden when it is not a terminal).
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:36}] {pos}/{len} ({elapsed}, eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// Prints `rows` as a two-column table, then the JSON object as the last line.
pub fn report(title: &str, rows: &[(&str, String)], json: Map<String, Value>) {
    println!("{title}");
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    println!("{}", "-".repeat(width + 14));
    for (k, v) in rows {
        println!("{k:<width$}  {v:>10}");
    }
    println!("{}", "-".repeat(width + 14));
    println!("{}", Value::Object(json));
}

pub fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// Rounds to 4 decimals for the JSON report.
pub fn r4(x: f64) -> Value {
    serde_json::json!((x * 10_000.0).round() / 10_000.0)
}
