//! Finding the knowledge-base article that answers a customer's question, and saying how sure we are.
//!
//! [`Bm25Index`] ranks with tantivy's BM25 over title, sample questions and body, then scores the
//! best candidates with an explainable confidence in [0, 1]:
//! - *coverage*: the IDF-weighted share of the query's terms that the article contains at all, and
//! - *question match*: the best IDF-weighted Dice overlap between the query and the article's title
//!   or one of its sample questions.
//!
//! A question whose important words the article lacks ("my kettle is broken, refund?" against a
//! shipping-cost article) gets low coverage however high its BM25 score, so the AI does not answer
//! it. [`crate::hybrid::HybridIndex`] fuses this ranking with embedding similarity behind the same
//! [`Retriever`] trait.

use std::collections::{HashMap, HashSet};

use backstop_core::ids::ArticleId;
use backstop_core::message::Lang;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query as TantivyQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, OwnedValue, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::{doc, Index, IndexReader, TantivyDocument, Term};

use crate::text::{Analyzer, ANALYZER_NAME};

/// One article as retrieval sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct KbArticle {
    pub id: ArticleId,
    /// Articles with the same slug are translations of each other.
    pub slug: String,
    pub lang: Lang,
    pub topic: String,
    pub title: String,
    pub body: String,
    /// Ways customers ask this; they weigh more than the body.
    pub questions: Vec<String>,
}

/// A customer's question, with its sentence embedding when a model is loaded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Query<'a> {
    pub text: &'a str,
    /// The `query:`-role embedding of `text` (unit length), for semantic retrievers.
    pub vector: Option<&'a [f32]>,
}

impl<'a> Query<'a> {
    /// A question without an embedding (lexical retrieval only).
    pub fn text(text: &'a str) -> Self {
        Query { text, vector: None }
    }
}

impl<'a> From<&'a str> for Query<'a> {
    fn from(text: &'a str) -> Self {
        Query::text(text)
    }
}

/// A ranked candidate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub article: ArticleId,
    /// The ranking score (BM25, or the fused rank score; comparable only within one query).
    pub score: f32,
    /// Confidence in [0, 1] that the article answers the question: what the AI acts on.
    pub confidence: f32,
    /// The lexical confidence (see the module docs).
    pub lexical: f32,
    /// The calibrated semantic confidence, when a semantic retriever scored the article.
    pub semantic: Option<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum RetrievalError {
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("article vectors do not match the articles: {0}")]
    Vectors(String),
}

/// Anything that finds articles for a question.
pub trait Retriever: Send + Sync {
    /// The best `k` articles for `query`, best first, restricted to `lang` when given.
    fn search(&self, query: Query<'_>, lang: Option<Lang>, k: usize) -> Vec<Hit>;
    fn article(&self, id: ArticleId) -> Option<&KbArticle>;
    /// The same article in another language, if the knowledge base has it.
    fn translation(&self, id: ArticleId, lang: Lang) -> Option<&KbArticle>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Confidence at or above which an answer is sent to the customer.
pub const CONFIDENT: f32 = 0.5;

struct Fields {
    ord: Field,
    lang: Field,
    title: Field,
    questions: Field,
    body: Field,
}

/// An in-memory BM25 index over one tenant's knowledge base.
pub struct Bm25Index {
    reader: IndexReader,
    fields: Fields,
    analyzer: Analyzer,
    articles: Vec<KbArticle>,
    by_id: HashMap<ArticleId, usize>,
    /// Every analyzed term of each article (title, questions, body).
    doc_terms: Vec<HashSet<String>>,
    /// Analyzed terms of each article's title and each sample question.
    phrasings: Vec<Vec<HashSet<String>>>,
    /// Document frequency of each term, over articles.
    df: HashMap<String, u32>,
}

impl Bm25Index {
    pub fn build(articles: Vec<KbArticle>) -> Result<Self, RetrievalError> {
        let analyzer = Analyzer::new();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let mut sb = Schema::builder();
        let fields = Fields {
            ord: sb.add_u64_field("ord", STORED),
            lang: sb.add_text_field("lang", STRING),
            title: sb.add_text_field("title", text.clone()),
            questions: sb.add_text_field("questions", text.clone()),
            body: sb.add_text_field("body", text),
        };
        let index = Index::create_in_ram(sb.build());
        index.tokenizers().register(ANALYZER_NAME, analyzer.tantivy());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 20_000_000)?;
        let mut doc_terms = Vec::with_capacity(articles.len());
        let mut phrasings = Vec::with_capacity(articles.len());
        let mut df: HashMap<String, u32> = HashMap::new();
        for (i, a) in articles.iter().enumerate() {
            let questions = a.questions.join("\n");
            writer.add_document(doc!(
                fields.ord => i as u64,
                fields.lang => a.lang.as_str(),
                fields.title => a.title.as_str(),
                fields.questions => questions.as_str(),
                fields.body => a.body.as_str(),
            ))?;
            let mut all: HashSet<String> = HashSet::new();
            let mut ph = vec![analyzer.terms(&a.title).into_iter().collect::<HashSet<_>>()];
            for q in &a.questions {
                ph.push(analyzer.terms(q).into_iter().collect());
            }
            for set in &ph {
                all.extend(set.iter().cloned());
            }
            all.extend(analyzer.terms(&a.body));
            for t in &all {
                *df.entry(t.clone()).or_default() += 1;
            }
            doc_terms.push(all);
            phrasings.push(ph);
        }
        writer.commit()?;
        let reader = index.reader()?;
        let by_id = articles.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
        Ok(Bm25Index {
            reader,
            fields,
            analyzer,
            articles,
            by_id,
            doc_terms,
            phrasings,
            df,
        })
    }

    fn idf(&self, term: &str) -> f32 {
        let n = self.articles.len() as f32;
        let df = self.df.get(term).copied().unwrap_or(0) as f32;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// The passage(s) of article `i` that answer `question` (see [`crate::passages`]).
    pub fn excerpt(&self, id: ArticleId, question: &str) -> Option<String> {
        let i = *self.by_id.get(&id)?;
        let q = self.terms(question);
        Some(crate::passages::answering(
            &self.articles[i].body,
            &q,
            |p| self.analyzer.terms(p),
            |t| self.idf(t),
        ))
    }

    /// The analyzed, deduplicated terms of a query.
    pub(crate) fn terms(&self, query: &str) -> Vec<String> {
        let mut terms = self.analyzer.terms(query);
        let mut seen = HashSet::new();
        terms.retain(|t| seen.insert(t.clone()));
        terms
    }

    pub(crate) fn articles(&self) -> &[KbArticle] {
        &self.articles
    }

    /// The confidence that article `i` answers a query with terms `q` (deduplicated).
    pub(crate) fn confidence(&self, i: usize, q: &[String]) -> f32 {
        let weights: Vec<f32> = q.iter().map(|t| self.idf(t)).collect();
        let total: f32 = weights.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        let covered: f32 = q
            .iter()
            .zip(&weights)
            .filter(|(t, _)| self.doc_terms[i].contains(*t))
            .map(|(_, w)| w)
            .sum();
        let coverage = covered / total;
        let best_phrasing = self.phrasings[i]
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| {
                let p_weight: f32 = p.iter().map(|t| self.idf(t)).sum();
                let shared: f32 = q
                    .iter()
                    .zip(&weights)
                    .filter(|(t, _)| p.contains(*t))
                    .map(|(_, w)| w)
                    .sum();
                2.0 * shared / (total + p_weight)
            })
            .fold(0.0f32, f32::max);
        (0.5 * coverage + 0.5 * best_phrasing).clamp(0.0, 1.0)
    }

    fn query(&self, terms: &[String], lang: Option<Lang>) -> Box<dyn TantivyQuery> {
        let mut should: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        for t in terms {
            for (field, boost) in [
                (self.fields.title, 2.0),
                (self.fields.questions, 2.0),
                (self.fields.body, 1.0),
            ] {
                let tq = TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::WithFreqs);
                should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(tq), boost))));
            }
        }
        let text: Box<dyn TantivyQuery> = Box::new(BooleanQuery::new(should));
        match lang {
            None => text,
            Some(l) => {
                let lang_q = TermQuery::new(
                    Term::from_field_text(self.fields.lang, l.as_str()),
                    IndexRecordOption::Basic,
                );
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, text),
                    (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(lang_q), 0.0))),
                ]))
            }
        }
    }
}

impl Bm25Index {
    /// The `n` best articles by BM25 for the query terms, as (position, score), best first.
    pub(crate) fn candidates(&self, terms: &[String], lang: Option<Lang>, n: usize) -> Vec<(usize, f32)> {
        if terms.is_empty() || self.articles.is_empty() || n == 0 {
            return Vec::new();
        }
        let searcher = self.reader.searcher();
        let Ok(top) = searcher.search(&self.query(terms, lang), &TopDocs::with_limit(n)) else {
            return Vec::new();
        };
        top.into_iter()
            .filter_map(|(score, addr)| {
                let doc: TantivyDocument = searcher.doc(addr).ok()?;
                let ord = doc.get_first(self.fields.ord).and_then(|v: &OwnedValue| v.as_u64())? as usize;
                (ord < self.articles.len()).then_some((ord, score))
            })
            .collect()
    }
}

impl Retriever for Bm25Index {
    fn search(&self, query: Query<'_>, lang: Option<Lang>, k: usize) -> Vec<Hit> {
        let terms = self.terms(query.text);
        let mut hits: Vec<Hit> = self
            .candidates(&terms, lang, k.max(5))
            .into_iter()
            .map(|(ord, score)| {
                let confidence = self.confidence(ord, &terms);
                Hit {
                    article: self.articles[ord].id,
                    score,
                    confidence,
                    lexical: confidence,
                    semantic: None,
                }
            })
            .collect();
        // BM25 finds the candidates; confidence orders them, BM25 breaks ties.
        hits.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(b.score.total_cmp(&a.score)));
        hits.truncate(k);
        hits
    }

    fn article(&self, id: ArticleId) -> Option<&KbArticle> {
        self.by_id.get(&id).map(|&i| &self.articles[i])
    }

    fn translation(&self, id: ArticleId, lang: Lang) -> Option<&KbArticle> {
        let a = self.article(id)?;
        if a.lang == lang {
            return Some(a);
        }
        self.articles.iter().find(|b| b.slug == a.slug && b.lang == lang)
    }

    fn len(&self) -> usize {
        self.articles.len()
    }
}

#[cfg(test)]
#[path = "retrieval_tests.rs"]
mod tests;
