//! `backstop-lab eval faq --kb FILE --queries FILE`: retrieval of the right knowledge-base entry for
//! each query, reported as recall@1, recall@5 and MRR — with the product's hybrid index (BM25 fused
//! with the embedding model), or BM25 alone with `--lexical`.

use std::collections::HashMap;
use std::path::Path;

use backstop_core::ids::ArticleId;
use backstop_nlp::embed::{Embedder, Role};
use backstop_nlp::hybrid::{units, HybridIndex};
use backstop_nlp::lang;
use backstop_nlp::metrics;
use backstop_nlp::retrieval::{KbArticle, Query, Retriever};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::data::{read_jsonl, FaqEntry, FaqQuery};
use super::{bar, pct, r4, report};

#[derive(Clone, Debug, PartialEq)]
pub struct FaqReport {
    pub recall_at_1: f64,
    pub recall_at_5: f64,
    pub mrr: f64,
    pub unknown_answer_ids: usize,
}

pub fn evaluate(
    kb: &[FaqEntry],
    queries: &[FaqQuery],
    embedder: Option<&dyn Embedder>,
    show: bool,
) -> anyhow::Result<FaqReport> {
    let mut ids: HashMap<&str, ArticleId> = HashMap::new();
    let mut articles = Vec::with_capacity(kb.len());
    for (i, e) in kb.iter().enumerate() {
        let id = ArticleId(Uuid::from_u128(i as u128 + 1));
        if ids.insert(e.id.as_str(), id).is_some() {
            anyhow::bail!("the knowledge base has the id {:?} twice", e.id);
        }
        articles.push(KbArticle {
            id,
            slug: e.id.clone(),
            lang: lang::detect(&e.question),
            topic: String::new(),
            title: e.question.clone(),
            body: e.answer.clone(),
            questions: vec![],
        });
    }
    let vectors = match embedder {
        None => None,
        Some(e) => {
            let us = units(&articles);
            let pb = bar(us.len() as u64, "embedding the knowledge base");
            if !show {
                pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            let mut v = Vec::with_capacity(us.len());
            for u in &us {
                v.push(e.embed(&u.text, u.role)?);
                pb.inc(1);
            }
            pb.finish_and_clear();
            Some(v)
        }
    };
    let index = HybridIndex::build(articles, vectors)?;
    let pb = bar(queries.len() as u64, "queries");
    if !show {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut ranks = Vec::with_capacity(queries.len());
    let mut unknown = 0;
    for q in queries {
        pb.inc(1);
        let Some(want) = ids.get(q.answer_id.as_str()) else {
            unknown += 1;
            ranks.push(None);
            continue;
        };
        let vector = embedder.map(|e| e.embed(&q.text, Role::Query)).transpose()?;
        let query = Query {
            text: &q.text,
            vector: vector.as_deref(),
        };
        let hits = index.search(query, None, 10);
        ranks.push(hits.iter().position(|h| h.article == *want).map(|p| p + 1));
    }
    pb.finish_and_clear();
    let (recall_at_1, recall_at_5, mrr) = metrics::ranking(&ranks);
    Ok(FaqReport {
        recall_at_1,
        recall_at_5,
        mrr,
        unknown_answer_ids: unknown,
    })
}

pub fn run(kb: &Path, queries: &Path, model: Option<&Path>) -> anyhow::Result<()> {
    let entries: Vec<FaqEntry> = read_jsonl(kb)?;
    let qs: Vec<FaqQuery> = read_jsonl(queries)?;
    let embedder = model.map(backstop_nlp::embed::E5::load).transpose()?;
    let r = evaluate(&entries, &qs, embedder.as_ref().map(|e| e as &dyn Embedder), true)?;
    if r.unknown_answer_ids > 0 {
        eprintln!(
            "warning: {} queries name an answer_id that is not in the knowledge base (counted as misses)",
            r.unknown_answer_ids
        );
    }
    let rows = [
        ("entries", entries.len().to_string()),
        ("queries", qs.len().to_string()),
        ("recall@1", pct(r.recall_at_1)),
        ("recall@5", pct(r.recall_at_5)),
        ("MRR", format!("{:.4}", r.mrr)),
    ];
    let mut json = Map::new();
    json.insert("recall_at_1".into(), r4(r.recall_at_1));
    json.insert("recall_at_5".into(), r4(r.recall_at_5));
    json.insert("mrr".into(), r4(r.mrr));
    json.insert("unknown_answer_ids".into(), Value::from(r.unknown_answer_ids));
    let name = if embedder.is_some() {
        "bm25+e5-small-rrf"
    } else {
        "bm25"
    };
    json.insert("model".into(), Value::from(name));
    report(&format!("faq: {} ← {}", kb.display(), queries.display()), &rows, json);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(id: &str, q: &str, a: &str) -> FaqEntry {
        FaqEntry {
            id: id.into(),
            question: q.into(),
            answer: a.into(),
        }
    }

    fn q(text: &str, id: &str) -> FaqQuery {
        FaqQuery {
            text: text.into(),
            answer_id: id.into(),
        }
    }

    /// Three entries with disjoint vocabularies: a query that repeats an entry's question ranks it
    /// first; a query of unknown words retrieves nothing; a query naming an unknown id is a miss.
    /// Ranks: 1, 1, none, none → recall@1 = recall@5 = 0.5, MRR = 0.5.
    #[test]
    fn metrics_on_a_hand_checked_file() {
        let kb = vec![
            e("1", "How do I reset my password", "Use the forgot-password link."),
            e("2", "退款多久到账", "3-5个工作日。"),
            e("3", "Where is my parcel", "Track it under My orders."),
        ];
        let queries = vec![
            q("reset password", "1"),
            q("退款多久到账", "2"),
            q("zzqx", "3"),
            q("parcel", "404"),
        ];
        let r = evaluate(&kb, &queries, None, false).unwrap();
        assert_eq!(
            (r.recall_at_1, r.recall_at_5, r.mrr, r.unknown_answer_ids),
            (0.5, 0.5, 0.5, 1)
        );
        assert!(evaluate(&[e("1", "a", "b"), e("1", "c", "d")], &queries, None, false).is_err());
    }
}
