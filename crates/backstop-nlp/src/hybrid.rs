//! Hybrid retrieval: the lexical BM25 ranking fused with embedding similarity, with one
//! confidence the AI acts on.
//!
//! Each article is embedded as several *units* ([`units`]): its title and each sample question
//! (`query:` role, since customers ask in that shape) and the start of its body (`passage:` role).
//! An article's semantic score for a question is the cosine of its best unit.
//!
//! Cosines are not probabilities, and how high "the same question" scores depends on the
//! knowledge base, so every index calibrates itself on its own articles ([`Calibration`], Platt
//! scaling, leave one out): each title and sample question is a query whose answer is known — its
//! nearest *other* unit of the same article or a translation is a positive example, its nearest
//! unit of any other article a negative one — and a logistic curve fitted to those turns a cosine
//! into the probability that the article is the right one.
//!
//! Search takes the candidates of both rankings and gives each the larger of its lexical
//! confidence ([`crate::retrieval`]) and its calibrated semantic confidence; candidates are ordered
//! by that confidence, then by their reciprocal-rank-fusion score. (Ordering by the fusion score
//! alone measured lower on the demo's sample questions: recall@1 73.4% against 75.8%.) The model is multilingual: without a language filter an English question finds a
//! Chinese article and the other way round.

use std::collections::HashMap;

use backstop_core::ids::ArticleId;
use backstop_core::message::Lang;

use crate::embed::Role;
use crate::retrieval::{Bm25Index, Hit, KbArticle, Query, RetrievalError, Retriever};

/// How much of an article's body is embedded (characters): its opening says what it is about.
pub const BODY_CHARS: usize = 300;
/// Candidates taken from each ranking before fusion.
const POOL: usize = 20;
/// The reciprocal-rank-fusion constant (Cormack et al. 2009).
const RRF_K: f32 = 60.0;
/// At most this many titles and questions calibrate an index (a large knowledge base is sampled).
const CALIBRATION_SAMPLES: usize = 400;

/// One piece of an article that gets its own vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// The article's position in the list given to [`units`].
    pub article: usize,
    pub text: String,
    pub role: Role,
}

/// The texts to embed for `articles`, in the order [`HybridIndex::build`] expects their vectors.
pub fn units(articles: &[KbArticle]) -> Vec<Unit> {
    let mut out = Vec::new();
    for (i, a) in articles.iter().enumerate() {
        let mut push = |text: &str, role| {
            let text = text.trim();
            if !text.is_empty() {
                out.push(Unit {
                    article: i,
                    text: text.to_owned(),
                    role,
                });
            }
        };
        push(&a.title, Role::Query);
        for q in &a.questions {
            push(q, Role::Query);
        }
        let body: String = a.body.chars().take(BODY_CHARS).collect();
        push(&body, Role::Passage);
    }
    out
}

/// Turns a cosine into the probability that the article is the right answer: `σ(slope·cos + intercept)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calibration {
    pub slope: f32,
    pub intercept: f32,
    /// How many examples it was fitted on (0 for the fallback).
    pub samples: usize,
}

impl Calibration {
    /// Used when a knowledge base cannot calibrate itself (too few sample questions): the curve
    /// this fit gives on the demo knowledge base (50 articles, 604 examples), 0.5 at cosine 0.92.
    pub const FALLBACK: Calibration = Calibration {
        slope: 13.8,
        intercept: -12.68,
        samples: 0,
    };

    pub fn probability(&self, cosine: f32) -> f32 {
        1.0 / (1.0 + (-(self.slope * cosine + self.intercept)).exp())
    }

    /// The cosine at which the probability is one half.
    pub fn midpoint(&self) -> f32 {
        -self.intercept / self.slope
    }

    /// Fits the curve to (cosine, right?) examples by regularized Newton steps; `None` with too
    /// few examples of either kind.
    pub fn fit(samples: &[(f32, bool)]) -> Option<Calibration> {
        let pos = samples.iter().filter(|s| s.1).count();
        if pos < 3 || samples.len() - pos < 3 {
            return None;
        }
        let n = samples.len() as f64;
        let mean = samples.iter().map(|s| s.0 as f64).sum::<f64>() / n;
        let var = samples.iter().map(|s| (s.0 as f64 - mean).powi(2)).sum::<f64>() / n;
        let sd = var.sqrt().max(1e-6);
        // On standardized cosines; the ridge keeps a separable set from an infinitely steep curve.
        let (mut w, mut b) = (0.0f64, 0.0f64);
        let ridge = 0.1;
        for _ in 0..50 {
            let (mut gw, mut gb, mut hww, mut hwb, mut hbb) = (ridge * w, 0.0, ridge, 0.0, 1e-9);
            for &(x, y) in samples {
                let z = (x as f64 - mean) / sd;
                let p = 1.0 / (1.0 + (-(w * z + b)).exp());
                let err = p - if y { 1.0 } else { 0.0 };
                let s = p * (1.0 - p);
                gw += err * z;
                gb += err;
                hww += s * z * z;
                hwb += s * z;
                hbb += s;
            }
            let det = hww * hbb - hwb * hwb;
            if det.abs() < 1e-12 {
                break;
            }
            let dw = (hbb * gw - hwb * gb) / det;
            let db = (hww * gb - hwb * gw) / det;
            w -= dw;
            b -= db;
            if dw.abs() + db.abs() < 1e-9 {
                break;
            }
        }
        Some(Calibration {
            slope: (w / sd) as f32,
            intercept: (b - w * mean / sd) as f32,
            samples: samples.len(),
        })
    }
}

/// The vectors of every unit, flat.
struct Semantic {
    dims: usize,
    vectors: Vec<f32>,
    unit_article: Vec<u32>,
    calibration: Calibration,
}

impl Semantic {
    fn unit(&self, u: usize) -> &[f32] {
        &self.vectors[u * self.dims..(u + 1) * self.dims]
    }

    /// Each article's best cosine with `v` (`-inf` for articles outside `lang`).
    fn scores(&self, v: &[f32], articles: &[KbArticle], lang: Option<Lang>) -> Vec<f32> {
        let mut best = vec![f32::NEG_INFINITY; articles.len()];
        for (u, &a) in self.unit_article.iter().enumerate() {
            let a = a as usize;
            if lang.is_some_and(|l| articles[a].lang != l) {
                continue;
            }
            let d = dot(self.unit(u), v);
            if d > best[a] {
                best[a] = d;
            }
        }
        best
    }
}

/// Lexical and semantic retrieval over one tenant's knowledge base.
pub struct HybridIndex {
    lexical: Bm25Index,
    semantic: Option<Semantic>,
    /// The languages that hold an article with no version in any other language.
    lone: Vec<Lang>,
}

impl HybridIndex {
    /// Builds the index. `vectors`, when given, holds one vector per [`units`]`(&articles)` entry,
    /// in that order; without them the index is lexical only.
    pub fn build(articles: Vec<KbArticle>, vectors: Option<Vec<Vec<f32>>>) -> Result<Self, RetrievalError> {
        let semantic = match vectors {
            None => None,
            Some(vectors) => Some(Self::semantic(&articles, vectors)?),
        };
        let mut langs: HashMap<&str, Vec<Lang>> = HashMap::new();
        for a in &articles {
            langs.entry(&a.slug).or_default().push(a.lang);
        }
        let mut lone: Vec<Lang> = langs
            .values()
            .filter(|l| l.iter().all(|x| *x == l[0]))
            .map(|l| l[0])
            .collect();
        lone.sort();
        lone.dedup();
        Ok(HybridIndex {
            lexical: Bm25Index::build(articles)?,
            semantic,
            lone,
        })
    }

    fn semantic(articles: &[KbArticle], vectors: Vec<Vec<f32>>) -> Result<Semantic, RetrievalError> {
        let units = units(articles);
        if vectors.len() != units.len() {
            return Err(RetrievalError::Vectors(format!(
                "{} vectors for {} units",
                vectors.len(),
                units.len()
            )));
        }
        let dims = vectors.first().map_or(0, Vec::len);
        if vectors.iter().any(|v| v.len() != dims) {
            return Err(RetrievalError::Vectors("vectors of different lengths".into()));
        }
        let mut semantic = Semantic {
            dims,
            vectors: vectors.into_iter().flatten().collect(),
            unit_article: units.iter().map(|u| u.article as u32).collect(),
            calibration: Calibration::FALLBACK,
        };
        // A curve that falls with the cosine means the knowledge base cannot calibrate itself
        // (e.g. titles without sample questions, whose only sibling is their own body).
        semantic.calibration = Calibration::fit(&calibration_samples(&semantic, &units, articles))
            .filter(|c| c.slope > 0.0)
            .unwrap_or(Calibration::FALLBACK);
        Ok(semantic)
    }

    /// The semantic calibration, when the index has vectors.
    pub fn calibration(&self) -> Option<Calibration> {
        self.semantic.as_ref().map(|s| s.calibration)
    }

    /// The topic of the article with this slug (any language version), if there is one.
    pub fn topic_of_slug(&self, slug: &str) -> Option<String> {
        self.lexical
            .articles()
            .iter()
            .find(|a| a.slug == slug)
            .map(|a| a.topic.clone())
    }

    /// The passage(s) of an article that answer `question` (see [`crate::passages`]).
    pub fn excerpt(&self, id: ArticleId, question: &str) -> Option<String> {
        self.lexical.excerpt(id, question)
    }

    pub fn has_vectors(&self) -> bool {
        self.semantic.is_some()
    }

    /// The languages that hold at least one article with no version in another language.
    pub fn lone_languages(&self) -> &[Lang] {
        &self.lone
    }

    /// The article written in `lang` closest in meaning to `query`, with its hit (`None` without
    /// vectors). Cross-lingual cosines run below same-language ones (demo: a question and its
    /// article's translation ~0.84, an unrelated article in its own language ~0.87), so an article
    /// that exists only in another language is ranked among that language's articles.
    pub fn closest_in(&self, query: Query<'_>, lang: Lang) -> Option<Hit> {
        self.semantic.as_ref()?;
        self.search(query, Some(lang), 2 * POOL)
            .into_iter()
            .filter_map(|h| h.semantic.map(|s| (s, h)))
            .max_by(|(a, x), (b, y)| a.total_cmp(b).then(y.article.cmp(&x.article)))
            .map(|(_, h)| h)
    }
}

/// Leave-one-out examples: for each (sampled) title or question, its best cosine with another
/// unit of the same slug (right) and with any unit of another slug (wrong).
fn calibration_samples(s: &Semantic, units: &[Unit], articles: &[KbArticle]) -> Vec<(f32, bool)> {
    let queries: Vec<usize> = (0..units.len()).filter(|&u| units[u].role == Role::Query).collect();
    let stride = queries.len().div_ceil(CALIBRATION_SAMPLES).max(1);
    let mut out = Vec::new();
    for &q in queries.iter().step_by(stride) {
        let slug = &articles[units[q].article].slug;
        let (mut right, mut wrong) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
        for (u, unit) in units.iter().enumerate() {
            if u == q {
                continue;
            }
            let d = dot(s.unit(q), s.unit(u));
            if &articles[unit.article].slug == slug {
                right = right.max(d);
            } else {
                wrong = wrong.max(d);
            }
        }
        if right.is_finite() {
            out.push((right, true));
        }
        if wrong.is_finite() {
            out.push((wrong, false));
        }
    }
    out
}

impl Retriever for HybridIndex {
    fn search(&self, query: Query<'_>, lang: Option<Lang>, k: usize) -> Vec<Hit> {
        if k == 0 {
            return Vec::new();
        }
        let articles = self.lexical.articles();
        let terms = self.lexical.terms(query.text);
        let lexical = self.lexical.candidates(&terms, lang, POOL.max(k));
        let semantic = match (&self.semantic, query.vector) {
            (Some(s), Some(v)) if v.len() == s.dims => Some((s, s.scores(v, articles, lang))),
            _ => None,
        };
        let mut fused: HashMap<usize, f32> = HashMap::new();
        for (rank, (ord, _)) in lexical.iter().enumerate() {
            *fused.entry(*ord).or_default() += 1.0 / (RRF_K + rank as f32 + 1.0);
        }
        if let Some((_, scores)) = &semantic {
            let mut ranked: Vec<usize> = (0..scores.len()).filter(|&a| scores[a].is_finite()).collect();
            let pool = POOL.max(k).min(ranked.len());
            if pool > 0 {
                ranked.select_nth_unstable_by(pool - 1, |&a, &b| scores[b].total_cmp(&scores[a]));
                ranked.truncate(pool);
                ranked.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
            }
            for (rank, ord) in ranked.into_iter().enumerate() {
                *fused.entry(ord).or_default() += 1.0 / (RRF_K + rank as f32 + 1.0);
            }
        }
        let mut hits: Vec<Hit> = fused
            .into_iter()
            .map(|(ord, score)| {
                let lexical = self.lexical.confidence(ord, &terms);
                let semantic = semantic
                    .as_ref()
                    .map(|(s, scores)| s.calibration.probability(scores[ord]));
                Hit {
                    article: articles[ord].id,
                    score,
                    confidence: lexical.max(semantic.unwrap_or(0.0)),
                    lexical,
                    semantic,
                }
            })
            .collect();
        hits.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(b.score.total_cmp(&a.score))
                .then(a.article.cmp(&b.article))
        });
        hits.truncate(k);
        hits
    }

    fn article(&self, id: ArticleId) -> Option<&KbArticle> {
        self.lexical.article(id)
    }

    fn translation(&self, id: ArticleId, lang: Lang) -> Option<&KbArticle> {
        self.lexical.translation(id, lang)
    }

    fn len(&self) -> usize {
        self.lexical.len()
    }
}

/// The dot product, with eight running sums so the compiler can vectorize it.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ac.remainder().iter().zip(bc.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ac.zip(bc) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
#[path = "hybrid_tests.rs"]
mod tests;
