//! The agent's copilot: for the conversation in front of them, suggested replies drafted from the
//! knowledge-base articles that match what the customer asked and from what colleagues answered
//! to similar questions before (each with its source), a running summary, and de-escalation
//! phrasing when the customer is upset. Whether each reply used a suggestion as it was, edited,
//! or not at all is recorded — the measure of the copilot.
//!
//! Past answers: the tenant's newest public agent replies paired with the customer message each
//! followed (`Store::past_answers`), indexed by the same analyzer as the knowledge base (BM25 over
//! the question, then the answer) and rebuilt at most once a minute per tenant.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use backstop_core::ids::{ArticleId, ConversationId, TenantId};
use backstop_core::message::{Author, Lang};
use backstop_core::Timestamp;
use backstop_nlp::embed::Role;
use backstop_nlp::retrieval::{Bm25Index, KbArticle};
use backstop_nlp::retrieval::{Query, Retriever};
use backstop_nlp::{entities, lang, replies, signals, summary};
use backstop_store::PastAnswer;

use crate::knowledge::brain::blocking;
use crate::{Engine, Result};

/// Where a suggestion comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Article(ArticleId),
    /// What a colleague answered when another customer asked something similar.
    PastAnswer {
        conversation: ConversationId,
        agent_name: String,
        at: Timestamp,
    },
}

/// One suggested reply.
#[derive(Clone, Debug)]
pub struct Suggestion {
    pub source: Source,
    /// The article's title, or the question the past answer replied to.
    pub title: String,
    pub text: String,
    pub confidence: f32,
}

#[derive(Clone, Debug)]
pub struct Copilot {
    pub lang: Lang,
    pub summary: String,
    pub suggestions: Vec<Suggestion>,
    /// A calming opening to use when the customer is upset.
    pub de_escalation: Option<String>,
}

/// Suggestions below this confidence are not offered.
const FLOOR: f32 = 0.2;
/// Past answers need a closer match: they were written for one customer.
const PAST_FLOOR: f32 = 0.35;
/// How many past answers are offered at most, and how many replies are read to find them.
const PAST_SHOWN: usize = 2;
const PAST_READ: u32 = 2000;
/// A tenant's past answers are re-read at most this often.
const PAST_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// A tenant's past human answers, searchable.
pub(crate) struct AnswerBook {
    index: Bm25Index,
    /// What the customer asked (see [`question`]) and the answer.
    pairs: Vec<(String, PastAnswer)>,
    built: Instant,
}

/// What a past answer replied to: the customer's last few messages before it, without the bare
/// requests for a person and the greetings that carry no question.
fn question(p: &PastAnswer) -> String {
    let asked: Vec<&str> = p
        .questions
        .iter()
        .map(|q| q.trim())
        .filter(|q| !(signals::asks_for_human(q) && q.chars().count() <= 24) && signals::small_talk(q).is_none())
        .collect();
    asked[asked.len().saturating_sub(3)..].join("\n")
}

/// Each tenant's [`AnswerBook`], rebuilt when stale.
#[derive(Default)]
pub(crate) struct AnswerBooks(Mutex<HashMap<TenantId, Arc<AnswerBook>>>);

impl AnswerBooks {
    /// A colleague just answered someone: the next suggestions read the answers again.
    pub(crate) fn forget(&self, tenant: &TenantId) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(tenant);
    }
}

/// A past answer with the personal data of its customer and agent taken out, as a learning
/// candidate's is: names, e-mail addresses, phone numbers, order numbers, street addresses. What
/// one customer was told is offered in another's conversation only in this form.
fn redacted(mut p: PastAnswer) -> PastAnswer {
    let mut names: Vec<&str> = vec![p.agent_name.as_str()];
    names.extend(p.customer_name.as_deref());
    let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    p.answer = entities::redact(&p.answer, &names);
    p.questions = p.questions.iter().map(|q| entities::redact(q, &names)).collect();
    p
}

impl AnswerBook {
    /// Indexes replies worth reusing: a real answer (not "one moment"), to a real question, once,
    /// with personal data taken out.
    fn build(pairs: Vec<PastAnswer>) -> Result<AnswerBook> {
        let mut seen = std::collections::HashSet::new();
        let pairs: Vec<(String, PastAnswer)> = pairs
            .into_iter()
            .map(redacted)
            .map(|p| (question(&p), p))
            .filter(|(q, p)| p.answer.chars().count() >= 15 && q.chars().count() >= 4)
            .filter(|(q, p)| seen.insert((q.to_lowercase(), p.answer.trim().to_string())))
            .collect();
        let docs = pairs
            .iter()
            .enumerate()
            .map(|(i, (q, p))| KbArticle {
                id: ArticleId(p.message.0),
                slug: i.to_string(),
                lang: lang::detect_or(q, Lang::En),
                topic: String::new(),
                title: q.clone(),
                body: p.answer.clone(),
                questions: vec![],
            })
            .collect();
        let index = Bm25Index::build(docs).map_err(|e| crate::EngineError::Internal(e.to_string()))?;
        Ok(AnswerBook {
            index,
            pairs,
            built: Instant::now(),
        })
    }

    /// The closest past answers to `text`, from other conversations than `current`.
    fn find(&self, text: &str, current: ConversationId) -> Vec<Suggestion> {
        self.index
            .search(Query::text(text), None, PAST_SHOWN + 3)
            .into_iter()
            .filter(|h| h.confidence >= PAST_FLOOR)
            .filter_map(|h| {
                let doc = self.index.article(h.article)?;
                let (q, p) = &self.pairs[doc.slug.parse::<usize>().ok()?];
                (p.conversation != current).then(|| Suggestion {
                    source: Source::PastAnswer {
                        conversation: p.conversation,
                        agent_name: p.agent_name.clone(),
                        at: p.at,
                    },
                    title: q.clone(),
                    text: p.answer.clone(),
                    confidence: h.confidence,
                })
            })
            .take(PAST_SHOWN)
            .collect()
    }
}

impl Engine {
    /// The tenant's past answers, re-read from the store when older than a minute.
    async fn answer_book(&self, tenant: &TenantId) -> Result<Arc<AnswerBook>> {
        let cached = self
            .inner
            .answers
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(tenant)
            .cloned();
        if let Some(book) = cached.filter(|b| b.built.elapsed() < PAST_TTL) {
            return Ok(book);
        }
        let pairs = self.inner.store.past_answers(tenant, PAST_READ).await?;
        let book = Arc::new(blocking(move || AnswerBook::build(pairs)).await?);
        self.inner
            .answers
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tenant.clone(), book.clone());
        Ok(book)
    }
}

/// How long the copilot waits for its suggestions.
const COPILOT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Engine {
    /// The copilot for a conversation: reads its recent customer messages.
    pub async fn copilot(&self, tenant: &TenantId, id: ConversationId) -> Result<Copilot> {
        let conv = self.conversation(tenant, id).await?;
        let history = self.recent_messages(tenant, id, 40).await?;
        // Oldest first, as the store gives them.
        let customer: Vec<String> = history
            .iter()
            .filter(|m| m.author == Author::Customer)
            .map(|m| m.body.clone())
            .collect();
        // What the customer asks now: their latest message; with the one before it when alone
        // it finds nothing (a follow-up like "and for express?").
        let latest = customer.last().cloned().unwrap_or_default();
        let with_previous = customer[customer.len().saturating_sub(2)..].join("\n");
        let lang = lang::detect_or(&latest, conv.lang);
        let refs: Vec<&str> = customer.iter().map(String::as_str).collect();
        let summary = summary::summarize(lang, &refs, 280);
        let upset = crate::conversations::assist::upset(&conv);
        // The suggestions wait at most a few seconds for the knowledge base (being rebuilt after a
        // large change, say): the summary alone is better than a copilot that never comes.
        let hits = tokio::time::timeout(COPILOT_WAIT, self.suggestions(tenant, id, latest, with_previous, lang))
            .await
            .unwrap_or_else(|_| {
                tracing::warn!(%tenant, conversation = %id, "copilot suggestions took too long; sent without them");
                Ok(Vec::new())
            })?;
        Ok(Copilot {
            lang,
            summary,
            suggestions: hits,
            de_escalation: upset.then(|| replies::de_escalation(lang).to_string()),
        })
    }

    async fn suggestions(
        &self,
        tenant: &TenantId,
        id: ConversationId,
        latest: String,
        with_previous: String,
        lang: backstop_core::message::Lang,
    ) -> Result<Vec<Suggestion>> {
        let brain = self.brain(tenant).await?;
        let past = self.answer_book(tenant).await?;
        let embedder = self.inner.config.embedder.clone();
        blocking(move || {
            if latest.trim().is_empty() {
                return Ok(Vec::new());
            }
            let mut text = latest;
            let mut articles = Vec::new();
            for candidate in [text.clone(), with_previous] {
                let vector = embedder.as_deref().and_then(|e| e.embed(&candidate, Role::Query).ok());
                let query = Query {
                    text: &candidate,
                    vector: vector.as_deref(),
                };
                articles = brain
                    .kb
                    .search(query, None, 3)
                    .into_iter()
                    .filter(|h| h.confidence >= FLOOR)
                    .collect();
                text = candidate;
                if !articles.is_empty() {
                    break;
                }
            }
            let mut found: Vec<Suggestion> = articles
                .into_iter()
                .filter_map(|h| {
                    let a = brain
                        .kb
                        .translation(h.article, lang)
                        .or_else(|| brain.kb.article(h.article))?;
                    Some(Suggestion {
                        source: Source::Article(a.id),
                        title: a.title.clone(),
                        text: a.body.clone(),
                        confidence: h.confidence,
                    })
                })
                .collect();
            found.extend(past.find(&text, id));
            found.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
            Ok(found)
        })
        .await
    }
}
