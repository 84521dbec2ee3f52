//! What Backstop's command-line tools print, the same way in each: a progress bar on standard
//! error, a readable two-column table, and one JSON object holding every figure as the last line
//! (rates as fractions), so a script reads the last line and a person reads the table.
//!
//! Shared by the server's own benchmarks (`backstop bench`, `backstop replay`, `backstop kb
//! import`), the ML workbench (`backstop-lab`) and the load generator (`backstop-load`), which is
//! why it is a crate of its own with no dependency on the product.

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

/// A fraction as a percentage with two decimals.
pub fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// Rounds to 4 decimals for the JSON report.
pub fn r4(x: f64) -> Value {
    serde_json::json!((x * 10_000.0).round() / 10_000.0)
}

/// The `q`-th percentile (0–100) by nearest rank; 0 for no values.
pub fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((q / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 50.0), 2.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn rounding_and_percentages() {
        assert_eq!(r4(0.123_456), serde_json::json!(0.1235));
        assert_eq!(pct(0.5), "50.00%");
    }
}
