//! What a change would do before it ships: past conversations (stored, or from a dialogues file)
//! replayed against the tenant's current knowledge base and policy and against a draft of them,
//! side by side — the share the AI would answer, the hand-over rate and reasons, and every
//! conversation whose outcome changes. `backstop replay` and `POST /api/v1/replay` both use it.

use std::collections::BTreeMap;
use std::sync::Arc;

use backstop_core::ids::{ArticleId, TenantId};
use backstop_core::kb::ArticleDraft;
use backstop_core::message::{Author, Lang};
use backstop_core::policy::Policy;
use backstop_core::routing::Decision;
use backstop_store::{ConversationFilter, MessageQuery};

use crate::insight::replay::{ReplayStep, Replayer};
use crate::knowledge::brain::blocking;
use crate::{kb_article, Engine, EngineError, Result};

/// The most conversations one replay reads from the store.
pub const MAX_STORED: u32 = 5_000;

/// One conversation to replay: its customer turns (consecutive customer messages form one).
#[derive(Clone, Debug, PartialEq)]
pub struct Dialogue {
    pub id: String,
    pub lang: Lang,
    pub turns: Vec<Vec<String>>,
}

impl Dialogue {
    /// The customer's first words (what the conversation was about), for listing changes.
    pub fn opening(&self) -> &str {
        self.turns
            .iter()
            .flatten()
            .map(String::as_str)
            .find(|t| !t.trim().is_empty())
            .unwrap_or("")
    }
}

/// What to replay against instead of the tenant's current configuration.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    /// Articles added, or replacing the current one with the same slug and language.
    pub articles: Vec<ArticleDraft>,
    /// Current articles left out (as if archived).
    pub archive: Vec<ArticleId>,
    /// A policy instead of the current one.
    pub policy: Option<Policy>,
    /// The draft without the tenant's actions: what the AI did before it had any.
    pub without_actions: bool,
}

impl Draft {
    pub fn is_empty(&self) -> bool {
        self.articles.is_empty() && self.archive.is_empty() && self.policy.is_none() && !self.without_actions
    }
}

/// How one replayed conversation ends.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// The AI keeps it and ran one of the tenant's actions for the customer (at that many
    /// turns; an action rule judging the merchant's answer may still want a person).
    Acted { turns: u32 },
    /// The AI keeps it and answered at least one turn from the knowledge base.
    Answered { turns: u32 },
    /// The AI keeps it but never found an answer (clarifying questions, small talk).
    Unanswered,
    /// Handed to a person (or to an agent's review, `review`) at that customer turn.
    Handoff { reason: String, turn: u32 },
}

impl Outcome {
    pub fn of(steps: &[ReplayStep]) -> Outcome {
        let answered = steps.iter().filter(|s| s.action == "answer").count() as u32;
        let acted = steps.iter().filter(|s| s.action == "act").count() as u32;
        match steps.last().map(|s| (s.trace.decision, s.turn)) {
            Some((Decision::Handoff { reason, .. }, turn)) => Outcome::Handoff {
                reason: reason.as_str().into(),
                turn,
            },
            Some((Decision::Draft { .. }, turn)) => Outcome::Handoff {
                reason: "review".into(),
                turn,
            },
            _ if acted > 0 => Outcome::Acted { turns: acted },
            _ if answered > 0 => Outcome::Answered { turns: answered },
            _ => Outcome::Unanswered,
        }
    }

    /// The outcome without its turn counts: what "changed" compares.
    pub fn class(&self) -> String {
        match self {
            Outcome::Acted { .. } => "acted".into(),
            Outcome::Answered { .. } => "answered".into(),
            Outcome::Unanswered => "unanswered".into(),
            Outcome::Handoff { reason, .. } => format!("handoff:{reason}"),
        }
    }
}

/// The figures of one side of a comparison.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Tally {
    pub dialogues: usize,
    /// Kept by the AI, which ran an action for the customer.
    pub acted: usize,
    pub answered: usize,
    pub unanswered: usize,
    pub handoff: usize,
    /// Hand-overs by reason.
    pub reasons: BTreeMap<String, usize>,
}

impl Tally {
    fn of(outcomes: &[Outcome]) -> Tally {
        let mut t = Tally {
            dialogues: outcomes.len(),
            ..Tally::default()
        };
        for o in outcomes {
            match o {
                Outcome::Acted { .. } => t.acted += 1,
                Outcome::Answered { .. } => t.answered += 1,
                Outcome::Unanswered => t.unanswered += 1,
                Outcome::Handoff { reason, .. } => {
                    t.handoff += 1;
                    *t.reasons.entry(reason.clone()).or_default() += 1;
                }
            }
        }
        t
    }

    /// The share (0-1) of conversations the AI would answer without a person (from the
    /// knowledge base or by an action).
    pub fn answered_share(&self) -> f64 {
        share(self.answered + self.acted, self.dialogues)
    }

    pub fn handoff_rate(&self) -> f64 {
        share(self.handoff, self.dialogues)
    }
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

/// A conversation whose outcome differs between the two configurations.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Changed {
    pub id: String,
    pub lang: Lang,
    pub opening: String,
    pub current: Outcome,
    pub draft: Outcome,
}

/// The side-by-side result.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Comparison {
    pub current: Tally,
    pub draft: Tally,
    pub changed: Vec<Changed>,
}

impl Engine {
    /// A replayer with the tenant's knowledge base and policy changed as `draft` says. Each draft
    /// article is validated; the understanding is built aside (the live one is not touched).
    pub async fn draft_replayer(&self, tenant: &TenantId, draft: &Draft) -> Result<Replayer> {
        let mut articles: Vec<_> = self
            .inner
            .store
            .list_articles(tenant)
            .await?
            .into_iter()
            .filter(|a| !a.archived && !draft.archive.contains(&a.id))
            .map(kb_article)
            .collect();
        let at = self.now();
        for (i, d) in draft.articles.iter().enumerate() {
            let d = d
                .clone()
                .normalized()
                .map_err(|e| EngineError::InvalidInput(format!("draft article {}: {e}", i + 1)))?;
            // A changed article keeps its place (the index and the classifier see the same order).
            match articles.iter().position(|a| a.slug == d.slug && a.lang == d.lang) {
                Some(p) => {
                    let id = articles[p].id;
                    articles[p] = kb_article(backstop_store::ArticleRecord::from_draft(id, tenant.clone(), d, at));
                }
                None => articles.push(kb_article(backstop_store::ArticleRecord::from_draft(
                    ArticleId::new_at(at),
                    tenant.clone(),
                    d,
                    at,
                ))),
            }
        }
        let (brain, _) = self.build_brain(tenant, articles).await?;
        let policy = match &draft.policy {
            Some(p) => Arc::new(p.clone()),
            None => self.policy(tenant).await?,
        };
        let actions = match draft.without_actions {
            true => Vec::new(),
            false => self.tenant_actions(tenant).await?,
        };
        Ok(Replayer::new(Arc::new(brain), policy, self.clone()).with_actions(actions))
    }

    /// The tenant's newest conversations with customer messages (at most `limit`), as dialogues.
    pub async fn stored_dialogues(&self, tenant: &TenantId, limit: u32) -> Result<Vec<Dialogue>> {
        let store = &self.inner.store;
        let filter = ConversationFilter {
            with_messages: true,
            limit: limit.clamp(1, MAX_STORED),
            ..ConversationFilter::default()
        };
        let mut out = Vec::new();
        for conv in store.list_conversations(tenant, &filter).await? {
            let messages = store.list_messages(tenant, conv.id, &MessageQuery::default()).await?;
            let mut turns: Vec<Vec<String>> = Vec::new();
            let mut open = false;
            for m in messages {
                if m.author == Author::Customer {
                    if !open {
                        turns.push(Vec::new());
                        open = true;
                    }
                    turns.last_mut().expect("pushed").push(m.body);
                } else if m.author != Author::System {
                    open = false;
                }
            }
            if !turns.is_empty() {
                out.push(Dialogue {
                    id: conv.id.to_string(),
                    lang: conv.lang,
                    turns,
                });
            }
        }
        Ok(out)
    }

    /// "Replay first": the tenant's conversations — `dialogues`, or else its `limit` latest stored
    /// ones — replayed against the current knowledge base and policy and against `draft`, side by
    /// side. `progress` is called once per conversation replayed.
    pub async fn replay_draft(
        &self,
        tenant: &TenantId,
        draft: &Draft,
        dialogues: Option<Vec<Dialogue>>,
        limit: u32,
        progress: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<Comparison> {
        if draft.is_empty() {
            return Err(EngineError::InvalidInput(
                "nothing to compare: give draft articles, articles to archive or a policy".into(),
            ));
        }
        let dialogues = match dialogues {
            Some(d) => d,
            None => self.stored_dialogues(tenant, limit).await?,
        };
        let current = self.replayer(tenant).await?;
        let drafted = self.draft_replayer(tenant, draft).await?;
        self.compare(current, drafted, Arc::new(dialogues), progress).await
    }

    /// Replays `dialogues` against both replayers on every core and compares.
    pub async fn compare(
        &self,
        current: Replayer,
        draft: Replayer,
        dialogues: Arc<Vec<Dialogue>>,
        progress: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<Comparison> {
        blocking(move || Ok(compare(&current, &draft, &dialogues, progress.as_ref()))).await
    }
}

/// Replays each dialogue under both configurations (CPU-bound; call from a blocking thread).
pub fn compare(
    current: &Replayer,
    draft: &Replayer,
    dialogues: &[Dialogue],
    progress: &(dyn Fn() + Sync),
) -> Comparison {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).max(1);
    let chunk = dialogues.len().div_ceil(threads).max(1);
    let pairs: Vec<(Outcome, Outcome)> = std::thread::scope(|s| {
        let handles: Vec<_> = dialogues
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|d| {
                            let a = Outcome::of(&current.replay(&d.turns, d.lang));
                            let b = Outcome::of(&draft.replay(&d.turns, d.lang));
                            progress();
                            (a, b)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a replay thread panicked"))
            .collect()
    });
    let (before, after): (Vec<Outcome>, Vec<Outcome>) = pairs.iter().cloned().unzip();
    let changed = dialogues
        .iter()
        .zip(pairs)
        .filter(|(_, (a, b))| a.class() != b.class())
        .map(|(d, (a, b))| Changed {
            id: d.id.clone(),
            lang: d.lang,
            opening: d.opening().chars().take(200).collect(),
            current: a,
            draft: b,
        })
        .collect();
    Comparison {
        current: Tally::of(&before),
        draft: Tally::of(&after),
        changed,
    }
}
