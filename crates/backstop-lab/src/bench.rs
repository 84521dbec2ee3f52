//! The models on this machine: `backstop-lab bench embed` (the embedding model alone: load time
//! and per-text latency over a fixed bilingual set of customer messages, one core) and
//! `backstop-lab bench understand` (a whole message through the live understanding path over a
//! large knowledge base, one core and two).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use backstop_core::ids::ArticleId;
use backstop_core::message::Lang;
use backstop_engine::Brain;
use backstop_nlp::embed::{Embedder, Role, E5};
use backstop_nlp::hybrid::{units, HybridIndex};
use backstop_nlp::intent::{Dense, IntentConfig, IntentModel};
use backstop_nlp::retrieval::{KbArticle, Retriever};
use backstop_nlp::understand::{self, Labels};
use serde_json::{json, Map};

use backstop::seed;
use backstop_report::{bar, percentile, r4, report};

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

/// Dense vectors known in advance (the training texts), for the intent classifier.
struct Known(HashMap<String, Vec<f32>>);

impl Dense for Known {
    fn dense(&self, text: &str) -> Vec<f32> {
        self.0.get(text).cloned().unwrap_or_default()
    }
}

/// A deterministic unit vector (SplitMix64 → uniform in [-1, 1], normalized).
fn filler_vector(seed: u64, dims: usize) -> Vec<f32> {
    let mut z = seed;
    let mut v: Vec<f32> = (0..dims)
        .map(|_| {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((x ^ (x >> 31)) as f64 / u64::MAX as f64 * 2.0 - 1.0) as f32
        })
        .collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= n);
    v
}

/// A demo article re-worded (its words rotated) under a new slug, to fill a large knowledge base.
fn filler_article(t: &KbArticle, i: usize) -> KbArticle {
    let rotate = |s: &str| {
        let mut w: Vec<&str> = s.split_whitespace().collect();
        if !w.is_empty() {
            let k = i % w.len();
            w.rotate_left(k);
        }
        w.join(" ")
    };
    KbArticle {
        id: ArticleId(uuid::Uuid::from_u128(1 << 64 | i as u128)),
        slug: format!("filler-{i}"),
        lang: t.lang,
        topic: t.topic.clone(),
        title: format!("{} {i}", t.title),
        body: rotate(&t.body),
        questions: t.questions.iter().map(|q| rotate(q)).collect(),
    }
}

/// `backstop-lab bench understand`: one customer message through the live understanding path
/// (`Brain::read`: embed, intent, hybrid retrieval in the customer's language and in all, the
/// answer choice) over a knowledge base of `articles` articles, on one core and on two.
pub fn understand(model: &Path, articles: usize, rounds: usize) -> anyhow::Result<()> {
    anyhow::ensure!(rounds > 0, "--rounds must be at least 1");
    let e5 = E5::load(model)?;
    let demo: Vec<KbArticle> = seed::articles(&seed::demo_tenant_id(), seed::DEMO_KB, time::OffsetDateTime::now_utc())?
        .into_iter()
        .map(backstop_engine::kb_article)
        .collect();
    anyhow::ensure!(
        articles >= demo.len(),
        "--articles must be at least {} (the demo knowledge base)",
        demo.len()
    );
    let mut kb = demo.clone();
    kb.extend((0..articles - demo.len()).map(|i| filler_article(&demo[i % demo.len()], i)));
    let labels = Labels::for_kb(&kb);

    // Real vectors for the demo's texts and the classifier's examples; seeded random unit vectors
    // for the filler (scoring them costs the same as real ones).
    let examples = understand::training_examples(&demo, labels, &[]);
    let mut texts: Vec<(Role, String)> = units(&demo).into_iter().map(|u| (u.role, u.text)).collect();
    texts.extend(examples.iter().map(|e| (Role::Query, e.text.clone())));
    texts.sort_by(|a, b| (a.0 as u8, &a.1).cmp(&(b.0 as u8, &b.1)));
    texts.dedup();
    let pb = bar(texts.len() as u64, "embedding the demo texts");
    let mut real: HashMap<(u8, String), Vec<f32>> = HashMap::new();
    for (role, text) in &texts {
        real.insert((*role as u8, text.clone()), e5.embed(text, *role)?);
        pb.inc(1);
    }
    pb.finish_and_clear();
    let dims = real.values().next().map_or(384, Vec::len);
    let all_units = units(&kb);
    let vectors: Vec<Vec<f32>> = all_units
        .iter()
        .enumerate()
        .map(|(i, u)| match real.get(&(u.role as u8, u.text.clone())) {
            Some(v) if u.article < demo.len() => v.clone(),
            _ => filler_vector(i as u64, dims),
        })
        .collect();
    let t = Instant::now();
    let index = HybridIndex::build(kb, Some(vectors))?;
    let build_s = t.elapsed().as_secs_f64();
    let known = Known(
        examples
            .iter()
            .filter_map(|e| {
                real.get(&(Role::Query as u8, e.text.clone()))
                    .map(|v| (e.text.clone(), v.clone()))
            })
            .collect(),
    );
    let t = Instant::now();
    let intents = IntentModel::train_with(&examples, &IntentConfig::default(), Some(Arc::new(known)), &mut |_| {})?;
    let train_s = t.elapsed().as_secs_f64();
    let brain = Brain {
        kb: index,
        intents: Some(intents),
        // Without the person-request, stakes and coverage classifiers: more linear models over
        // the same features and vector, not part of what this measures.
        person: None,
        stakes: None,
        coverage: None,
        labels,
    };
    let embedder: &dyn Embedder = &e5;
    for text in TEXTS {
        brain.read(Some(embedder), text, Lang::En);
    }

    let run = |n: usize| -> Vec<f64> {
        let mut ms = Vec::with_capacity(n * TEXTS.len());
        for _ in 0..n {
            for text in TEXTS {
                let t = Instant::now();
                brain.read(Some(embedder), text, Lang::En);
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        ms
    };
    let pb = bar(rounds as u64 * 3, "understanding messages");
    let mut embed_ms = Vec::new();
    for _ in 0..rounds {
        for text in TEXTS {
            let t = Instant::now();
            e5.embed(text, Role::Query)?;
            embed_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        pb.inc(1);
    }
    let mut one = Vec::new();
    for _ in 0..rounds {
        one.extend(run(1));
        pb.inc(1);
    }
    let t = Instant::now();
    let two: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let ms = run(rounds);
                    pb.inc(rounds as u64 / 2);
                    ms
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("bench thread"))
            .collect()
    });
    let two_wall = t.elapsed().as_secs_f64();
    pb.finish_and_clear();

    let p = |v: &[f64], q: f64| percentile(v, q);
    let rows = [
        ("articles", brain.kb.len().to_string()),
        ("vectors (units)", all_units.len().to_string()),
        (
            "intents",
            format!(
                "{} ({:?})",
                brain.intents.as_ref().map_or(0, |m| m.intents().len()),
                labels
            ),
        ),
        ("index build", format!("{build_s:.2} s")),
        ("classifier training", format!("{train_s:.2} s")),
        ("embed only, p50", format!("{:.2} ms", p(&embed_ms, 50.0))),
        ("one core, p50", format!("{:.2} ms", p(&one, 50.0))),
        ("one core, p99", format!("{:.2} ms", p(&one, 99.0))),
        ("two cores, p50", format!("{:.2} ms", p(&two, 50.0))),
        ("two cores, p99", format!("{:.2} ms", p(&two, 99.0))),
        (
            "two cores, throughput",
            format!("{:.0} /s", two.len() as f64 / two_wall),
        ),
    ];
    let mut j = Map::new();
    j.insert("articles".into(), json!(brain.kb.len()));
    j.insert("units".into(), json!(all_units.len()));
    j.insert("build_seconds".into(), r4(build_s));
    j.insert("train_seconds".into(), r4(train_s));
    j.insert("embed_p50_ms".into(), r4(p(&embed_ms, 50.0)));
    j.insert("latency_p50_ms".into(), r4(p(&one, 50.0)));
    j.insert("latency_p99_ms".into(), r4(p(&one, 99.0)));
    j.insert("two_cores_p50_ms".into(), r4(p(&two, 50.0)));
    j.insert("two_cores_p99_ms".into(), r4(p(&two, 99.0)));
    j.insert("two_cores_per_second".into(), r4(two.len() as f64 / two_wall));
    j.insert("messages".into(), json!(one.len()));
    report("understand: embed + intent + hybrid retrieval", &rows, j);
    Ok(())
}
