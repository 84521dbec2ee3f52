//! `backstop bench embed`: how fast the local embedding model is on this machine — load time and
//! per-text latency percentiles over a fixed bilingual set of customer messages, one core.

use std::path::Path;
use std::time::Instant;

use backstop_nlp::embed::{Role, E5};
use backstop_nlp::metrics::percentile;
use serde_json::{json, Map};

use crate::eval::{bar, r4, report};

const TEXTS: [&str; 10] = [
    "How long does delivery take?",
    "I forgot my password and can't sign in",
    "When will I get my refund?",
    "Can I return a jacket I already wore once?",
    "Do you ship to Japan and how much does it cost?",
    "快递几天能到？",
    "退款多久到账",
    "我想开增值税专用发票，需要什么资料",
    "耳机坏了能保修吗",
    "我的订单 MM-20261121-0042 还没发货，怎么回事",
];

pub fn embed(model: &Path, rounds: usize) -> anyhow::Result<()> {
    anyhow::ensure!(rounds > 0, "--rounds must be at least 1");
    let t = Instant::now();
    let m = E5::load(model)?;
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    // Warm up caches and page in the weights.
    for text in TEXTS {
        m.embed(text, Role::Query)?;
    }
    let pb = bar((rounds * TEXTS.len()) as u64, "embedding");
    let mut ms = Vec::with_capacity(rounds * TEXTS.len());
    let mut tokens = 0usize;
    for _ in 0..rounds {
        for text in TEXTS {
            let t = Instant::now();
            m.embed(text, Role::Query)?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            tokens += m.token_ids(text, Role::Query).len();
            pb.inc(1);
        }
    }
    pb.finish_and_clear();
    let (p50, p99) = (percentile(&ms, 50.0), percentile(&ms, 99.0));
    let rows = [
        ("texts embedded", ms.len().to_string()),
        (
            "mean tokens per text",
            format!("{:.1}", tokens as f64 / ms.len() as f64),
        ),
        ("model load", format!("{load_ms:.0} ms")),
        ("latency p50", format!("{p50:.2} ms")),
        ("latency p99", format!("{p99:.2} ms")),
        (
            "throughput, one core",
            format!("{:.0} /s", 1000.0 / (ms.iter().sum::<f64>() / ms.len() as f64)),
        ),
    ];
    let mut j = Map::new();
    j.insert("load_ms".into(), r4(load_ms));
    j.insert("latency_p50_ms".into(), r4(p50));
    j.insert("latency_p99_ms".into(), r4(p99));
    j.insert("texts".into(), json!(ms.len()));
    j.insert("threads".into(), json!(1));
    report("embed: multilingual-e5-small q4 (one core)", &rows, j);
    Ok(())
}
