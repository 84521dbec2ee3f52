//! Gap mining: the customer questions the AI could not answer (a clarifying question) or handed
//! over, over a period, read again with today's knowledge base — those it still cannot answer are
//! grouped by meaning into gaps (volume, trend, examples, the nearest existing articles), and those
//! it now can are counted per topic before and after the topic's newest article was published:
//! whether publishing it worked.

use backstop_core::event::EventKind;
use std::collections::{BTreeMap, HashMap};

use backstop_core::ids::{ArticleId, ConversationId, TenantId};
use backstop_core::message::Lang;
use backstop_core::Timestamp;
use backstop_nlp::cluster::{cluster, dot, medoid};
use backstop_nlp::features::{cosine, Featurizer};
use backstop_nlp::retrieval::{Query, Retriever, CONFIDENT};
use backstop_nlp::signals;

use crate::knowledge::brain::blocking;
use crate::{Engine, Result};

/// The most AI turns one report reads (the newest).
pub const MAX_TURNS: u32 = 3_000;
/// Mean cosine of sentence embeddings (multilingual-e5-small) for two questions to share a gap.
pub const SAME_GAP_DENSE: f32 = 0.87;
/// The same with TF-IDF vectors of words and character n-grams (no embedding model).
pub const SAME_GAP_LEXICAL: f32 = 0.2;
/// Examples shown per gap.
const EXAMPLES: usize = 5;

/// How the AI handled one customer turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handled {
    Answered,
    /// A clarifying question: the AI found nothing to answer with.
    Unanswered,
    Escalated,
}

/// One question of a gap.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Example {
    pub question: String,
    pub conversation: ConversationId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: Timestamp,
    pub handled: Handled,
}

/// An existing article near a gap, and how confident retrieval is that it answers it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Nearest {
    pub article_id: ArticleId,
    pub slug: String,
    pub title: String,
    pub lang: Lang,
    pub confidence: f32,
}

/// Whether a gap grows: its questions in the second half of the period against the first.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Trend {
    pub earlier: usize,
    pub recent: usize,
    /// `new`, `rising`, `falling` or `steady`.
    pub direction: &'static str,
}

impl Trend {
    pub fn of(earlier: usize, recent: usize) -> Trend {
        let (e, r) = (earlier as f32, recent as f32);
        let direction = if earlier == 0 && recent > 0 {
            "new"
        } else if r >= 1.5 * e + 1.0 {
            "rising"
        } else if e >= 1.5 * r + 1.0 {
            "falling"
        } else {
            "steady"
        };
        Trend {
            earlier,
            recent,
            direction,
        }
    }
}

/// Questions the knowledge base does not answer, alike in meaning.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Gap {
    /// The most typical question (the group's medoid).
    pub label: String,
    pub volume: usize,
    pub conversations: usize,
    pub escalated: usize,
    pub langs: Vec<Lang>,
    pub trend: Trend,
    /// Questions per day, oldest first, one entry per day of the period.
    pub daily: Vec<u32>,
    /// The most typical first, distinct texts.
    pub examples: Vec<Example>,
    pub nearest: Vec<Nearest>,
    #[serde(with = "time::serde::rfc3339")]
    pub last_seen: Timestamp,
}

/// Handling of the questions one topic's articles now answer.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Rate {
    pub questions: usize,
    pub escalated: usize,
    pub unanswered: usize,
}

impl Rate {
    fn add(&mut self, h: Handled) {
        self.questions += 1;
        match h {
            Handled::Escalated => self.escalated += 1,
            Handled::Unanswered => self.unanswered += 1,
            Handled::Answered => {}
        }
    }
}

/// A topic with an article published during the period, asked about before it was: its
/// questions before and after.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TopicImpact {
    pub topic: String,
    /// When the topic's newest article was first published.
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: Timestamp,
    pub articles: Vec<String>,
    pub before: Rate,
    pub after: Rate,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GapReport {
    pub days: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub since: Timestamp,
    /// Customer questions the AI read in the period (small talk and bare requests for a person left out).
    pub questions: usize,
    /// Of those, handed over or unanswered then and still without an answer.
    pub open: usize,
    /// Handed over or unanswered then, answered by the knowledge base now.
    pub covered_since: usize,
    pub gaps: Vec<Gap>,
    pub topics: Vec<TopicImpact>,
}

/// Groups of open questions, each group's medoid, and their sentence vectors (with a model).
type Grouped = (Vec<Vec<usize>>, Vec<usize>, Option<Vec<Vec<f32>>>);

/// One AI turn read back from its event.
struct Asked {
    question: String,
    conversation: ConversationId,
    at: Timestamp,
    handled: Handled,
}

impl Engine {
    /// The tenant's knowledge gaps over the last `days` days.
    pub async fn gaps(&self, tenant: &TenantId, days: u32) -> Result<GapReport> {
        let days = days.clamp(1, 365);
        let now = self.now();
        let since = now - time::Duration::days(i64::from(days));
        let events = self
            .inner
            .store
            .events_of_kinds(
                tenant,
                &[EventKind::AiAnswer, EventKind::AiClarify, EventKind::Handoff],
                since,
                MAX_TURNS,
            )
            .await?;
        let mut asked: Vec<Asked> = events
            .into_iter()
            .filter_map(|e| {
                let question = e.event.question()?.trim().to_string();
                let handled = match e.event.kind {
                    EventKind::AiAnswer => Handled::Answered,
                    EventKind::AiClarify => Handled::Unanswered,
                    _ => Handled::Escalated,
                };
                // What no article could answer is no gap: a request for a person with little else
                // in it, and a hand-over for what needs staff or data (a hacked account, a
                // disputed charge, something to be done on the account, an injury).
                let bare_request = signals::asks_for_human(&question) && question.chars().count() <= 40;
                let for_staff = handled == Handled::Escalated && !backstop_nlp::stakes::stakes(&question).is_empty();
                (!question.is_empty() && !bare_request && !for_staff && signals::small_talk(&question).is_none())
                    .then_some(Asked {
                        question,
                        conversation: e.conversation,
                        at: e.event.at,
                        handled,
                    })
            })
            .collect();
        asked.reverse(); // oldest first
        let brain = self.brain(tenant).await?;
        let embedder = self.inner.config.embedder.clone();
        let texts: Vec<String> = asked.iter().map(|a| a.question.clone()).collect();
        // Today's reading of each question: the article it would get now, and its vector.
        let readings = blocking({
            let brain = brain.clone();
            move || {
                Ok(texts
                    .iter()
                    .map(|t| {
                        let r = brain.read(embedder.as_deref(), t, Lang::En);
                        (
                            r.best.filter(|h| h.confidence >= CONFIDENT).map(|h| h.article),
                            r.vector,
                        )
                    })
                    .collect::<Vec<_>>())
            }
        })
        .await?;

        // Topics answered now, split at the publication of their newest article.
        let mut by_topic: BTreeMap<String, Vec<(usize, ArticleId)>> = BTreeMap::new();
        for (i, (answer, _)) in readings.iter().enumerate() {
            if let Some(id) = answer {
                if let Some(a) = brain.kb.article(*id) {
                    by_topic.entry(a.topic.clone()).or_default().push((i, *id));
                }
            }
        }
        let mut topics = Vec::new();
        let mut published: HashMap<ArticleId, Timestamp> = HashMap::new();
        for (topic, hits) in &by_topic {
            let mut newest: Option<(Timestamp, String)> = None;
            let mut ids: Vec<ArticleId> = hits.iter().map(|(_, id)| *id).collect();
            ids.sort();
            ids.dedup();
            for id in ids {
                let at = match published.get(&id) {
                    Some(at) => *at,
                    None => {
                        let versions = self.inner.store.article_versions(tenant, id).await?;
                        let first = versions.iter().map(|v| v.article.updated_at).min().unwrap_or(since);
                        published.insert(id, first);
                        first
                    }
                };
                let title = brain.kb.article(id).map(|a| a.title.clone()).unwrap_or_default();
                if newest.as_ref().is_none_or(|(t, _)| at > *t) {
                    newest = Some((at, title));
                }
            }
            let Some((at, title)) = newest else { continue };
            if at < since {
                continue;
            }
            let mut impact = TopicImpact {
                topic: topic.clone(),
                published_at: at,
                articles: vec![title],
                before: Rate::default(),
                after: Rate::default(),
            };
            for (i, _) in hits {
                let a = &asked[*i];
                if a.at < at {
                    impact.before.add(a.handled)
                } else {
                    impact.after.add(a.handled)
                }
            }
            // A topic counts when there were questions before: what was published for a need.
            if impact.before.questions > 0 {
                topics.push(impact);
            }
        }
        topics.sort_by_key(|t| std::cmp::Reverse(t.published_at));

        // What is still open: grouped by meaning.
        let open: Vec<usize> = (0..asked.len())
            .filter(|&i| asked[i].handled != Handled::Answered && readings[i].0.is_none())
            .collect();
        let covered_since = (0..asked.len())
            .filter(|&i| asked[i].handled != Handled::Answered && readings[i].0.is_some())
            .count();
        let dense: Option<Vec<Vec<f32>>> = open.iter().map(|&i| readings[i].1.clone()).collect();
        let open_texts: Vec<String> = open.iter().map(|&i| asked[i].question.clone()).collect();
        let groups = blocking(move || -> Result<Grouped> {
            Ok(match dense {
                Some(v) if !v.is_empty() => {
                    let groups = cluster(v.len(), |i, j| dot(&v[i], &v[j]), SAME_GAP_DENSE);
                    let centres = groups.iter().map(|g| medoid(g, |i, j| dot(&v[i], &v[j]))).collect();
                    (groups, centres, Some(v))
                }
                _ => {
                    let f = Featurizer::fit(open_texts.iter().map(String::as_str), 1);
                    let v: Vec<_> = open_texts.iter().map(|t| f.transform(t)).collect();
                    let groups = cluster(v.len(), |i, j| cosine(&v[i], &v[j]), SAME_GAP_LEXICAL);
                    let centres = groups.iter().map(|g| medoid(g, |i, j| cosine(&v[i], &v[j]))).collect();
                    (groups, centres, None)
                }
            })
        })
        .await;
        let (groups, centres, vectors) = groups?;
        let half = now - time::Duration::seconds(i64::from(days) * 43_200);
        let mut gaps = Vec::new();
        for (group, centre) in groups.iter().zip(centres) {
            let members: Vec<&Asked> = group.iter().map(|&k| &asked[open[k]]).collect();
            let label = asked[open[centre]].question.clone();
            // Examples: the medoid, then the others by similarity to it, distinct texts.
            let mut order: Vec<usize> = group.clone();
            if let Some(v) = &vectors {
                order.sort_by(|&a, &b| dot(&v[b], &v[centre]).total_cmp(&dot(&v[a], &v[centre])));
            }
            order.retain(|&k| k != centre);
            order.insert(0, centre);
            let mut examples: Vec<Example> = Vec::new();
            for k in order {
                let a = &asked[open[k]];
                if examples.len() < EXAMPLES && !examples.iter().any(|e| e.question == a.question) {
                    examples.push(Example {
                        question: a.question.clone(),
                        conversation: a.conversation,
                        at: a.at,
                        handled: a.handled,
                    });
                }
            }
            let query = Query {
                text: &label,
                vector: vectors.as_ref().map(|v| v[centre].as_slice()),
            };
            let nearest = brain
                .kb
                .search(query, None, 3)
                .into_iter()
                .filter_map(|h| {
                    brain.kb.article(h.article).map(|a| Nearest {
                        article_id: a.id,
                        slug: a.slug.clone(),
                        title: a.title.clone(),
                        lang: a.lang,
                        confidence: h.confidence,
                    })
                })
                .collect();
            let mut daily = vec![0u32; days as usize];
            for m in &members {
                let day = ((m.at - since).whole_days().max(0) as usize).min(days as usize - 1);
                daily[day] += 1;
            }
            let mut conversations: Vec<ConversationId> = members.iter().map(|m| m.conversation).collect();
            conversations.sort();
            conversations.dedup();
            let mut langs: Vec<Lang> = members
                .iter()
                .map(|m| backstop_nlp::lang::detect_or(&m.question, Lang::En))
                .collect();
            langs.sort();
            langs.dedup();
            gaps.push(Gap {
                label,
                volume: members.len(),
                conversations: conversations.len(),
                escalated: members.iter().filter(|m| m.handled == Handled::Escalated).count(),
                langs,
                trend: Trend::of(
                    members.iter().filter(|m| m.at < half).count(),
                    members.iter().filter(|m| m.at >= half).count(),
                ),
                daily,
                examples,
                nearest,
                last_seen: members.iter().map(|m| m.at).max().unwrap_or(now),
            });
        }
        Ok(GapReport {
            days,
            since,
            questions: asked.len(),
            open: open.len(),
            covered_since,
            gaps,
            topics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Trend;

    #[test]
    fn trends() {
        assert_eq!(Trend::of(0, 3).direction, "new");
        assert_eq!(Trend::of(2, 5).direction, "rising");
        assert_eq!(Trend::of(5, 2).direction, "falling");
        assert_eq!(Trend::of(3, 4).direction, "steady");
        assert_eq!(Trend::of(0, 0).direction, "steady");
    }
}
