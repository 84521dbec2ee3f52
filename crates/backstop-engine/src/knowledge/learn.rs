//! The knowledge loop's first half: when a person resolves a conversation the AI had handed over,
//! what they answered is drafted as a candidate entry — the customer's question in their words
//! and the person's answer, with names, phone numbers, e-mail addresses and order numbers taken
//! out — checked against the knowledge base for a near-duplicate and for conflicting figures, and
//! queued for a trainer, who approves it (a new article, at once used by the AI), merges it into
//! an existing article (its question joins that article's), or rejects it.

use backstop_core::ids::{ArticleId, CandidateId, ConversationId, TenantId};
use backstop_core::kb::ArticleDraft;
use backstop_core::learn::{conflict, Candidate, CandidateStatus, Near};
use backstop_core::message::{Author, MessageKind};
use backstop_nlp::embed::Role;
use backstop_nlp::retrieval::{Query, Retriever};
use backstop_nlp::{entities, signals};
use backstop_store::{ArticleRecord, MessageQuery};

use crate::knowledge::brain::blocking;
use crate::{Engine, EngineError, Result};

/// A knowledge-base entry this close (retrieval confidence) is a near-duplicate.
const NEAR: f32 = 0.5;
/// Agent replies shorter than this are courtesy ("one moment"), not the answer.
const MIN_ANSWER: usize = 15;

/// What a trainer may change when approving a candidate.
#[derive(Clone, Debug, Default)]
pub struct Approval {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub topic: Option<String>,
    pub body: Option<String>,
}

impl Engine {
    /// Drafts a candidate from a resolved conversation that a person answered after a hand-over.
    /// Returns it, or `None` when there is nothing to learn (no hand-over, no real answer).
    pub async fn draft_candidate(&self, tenant: &TenantId, id: ConversationId) -> Result<Option<Candidate>> {
        let conv = self.conversation(tenant, id).await?;
        if conv.handoff_reason.is_none() {
            return Ok(None);
        }
        let messages = self
            .inner
            .store
            .list_messages(tenant, id, &MessageQuery::default())
            .await?;
        let first_answer = messages
            .iter()
            .position(|m| matches!(m.author, Author::Agent { .. }) && m.kind == MessageKind::Text);
        let Some(first_answer) = first_answer else {
            return Ok(None);
        };
        let asked: Vec<&str> = messages[..first_answer]
            .iter()
            .filter(|m| m.author == Author::Customer)
            .map(|m| m.body.trim())
            .filter(|q| !(signals::asks_for_human(q) && q.chars().count() <= 24) && signals::small_talk(q).is_none())
            .collect();
        let mut agents = Vec::new();
        let answer: Vec<&str> = messages[first_answer..]
            .iter()
            .filter_map(|m| match &m.author {
                Author::Agent { name, .. } if m.kind == MessageKind::Text => {
                    if !agents.contains(name) {
                        agents.push(name.clone());
                    }
                    Some(m.body.trim())
                }
                _ => None,
            })
            .filter(|a| a.chars().count() >= MIN_ANSWER)
            .collect();
        if asked.is_empty() || answer.is_empty() {
            return Ok(None);
        }
        let customer = self.inner.store.get_customer(tenant, conv.customer).await?;
        let mut names: Vec<String> = agents.clone();
        if let Some(n) = customer.as_ref().and_then(|c| c.name.clone()) {
            names.push(n);
        }
        let names_ref: Vec<&str> = names.iter().map(String::as_str).collect();
        let question = entities::redact(&asked[asked.len().saturating_sub(3)..].join("\n"), &names_ref);
        let answer = entities::redact(&answer.join("\n\n"), &names_ref);

        // Is something like it already in the knowledge base, and does it say the same?
        let brain = self.brain(tenant).await?;
        let embedder = self.inner.config.embedder.clone();
        let q = question.clone();
        let near = blocking(move || {
            let vector = embedder.as_deref().and_then(|e| e.embed(&q, Role::Query).ok());
            let hit = brain
                .kb
                .search(
                    Query {
                        text: &q,
                        vector: vector.as_deref(),
                    },
                    None,
                    1,
                )
                .into_iter()
                .find(|h| h.confidence >= NEAR);
            Ok(hit.and_then(|h| {
                brain.kb.article(h.article).map(|a| {
                    (
                        Near {
                            article: a.id,
                            title: a.title.clone(),
                            confidence: h.confidence,
                        },
                        a.body.clone(),
                    )
                })
            }))
        })
        .await?;
        let conflict = near.as_ref().and_then(|(n, body)| conflict(&answer, &n.title, body));
        let at = self.now();
        let candidate = Candidate {
            id: CandidateId::new_at(at),
            conversation: id,
            // The question's language (the conversation's may have switched, e.g. to "talk to a human").
            lang: backstop_nlp::lang::detect_or(&question, conv.lang),
            topic: conv.topic.clone(),
            question,
            answer,
            agent_name: agents.join(", "),
            near: near.map(|(n, _)| n),
            conflict,
            status: CandidateStatus::Pending,
            decided_by: None,
            decided_at: None,
            article: None,
            created_at: at,
        };
        self.inner.store.put_candidate(tenant, &candidate).await?;
        tracing::info!(%tenant, conversation = %id, candidate = %candidate.id, near = candidate.near.is_some(), "knowledge candidate drafted");
        Ok(Some(candidate))
    }

    pub async fn candidates(&self, tenant: &TenantId, status: Option<CandidateStatus>) -> Result<Vec<Candidate>> {
        Ok(self.inner.store.list_candidates(tenant, status, 500).await?)
    }

    async fn pending(&self, tenant: &TenantId, id: CandidateId) -> Result<Candidate> {
        let c = self
            .inner
            .store
            .get_candidate(tenant, id)
            .await?
            .ok_or(EngineError::CandidateNotFound)?;
        if c.status != CandidateStatus::Pending {
            return Err(EngineError::Conflict(format!(
                "the candidate was already {}",
                c.status.as_str()
            )));
        }
        Ok(c)
    }

    async fn decide(
        &self,
        tenant: &TenantId,
        mut c: Candidate,
        status: CandidateStatus,
        article: Option<ArticleId>,
        by: &str,
    ) -> Result<Candidate> {
        c.status = status;
        c.article = article;
        c.decided_by = Some(by.to_string());
        c.decided_at = Some(self.now());
        self.inner.store.put_candidate(tenant, &c).await?;
        Ok(c)
    }

    /// Publishes the candidate as a new article (with the trainer's edits); the AI uses it at once.
    pub async fn approve_candidate(
        &self,
        tenant: &TenantId,
        id: CandidateId,
        edits: Approval,
        by: &str,
    ) -> Result<(Candidate, ArticleRecord)> {
        let c = self.pending(tenant, id).await?;
        let first_line = c.question.lines().last().unwrap_or(&c.question).trim();
        let title: String = edits.title.unwrap_or_else(|| first_line.chars().take(120).collect());
        let draft = ArticleDraft {
            slug: edits
                .slug
                .unwrap_or_else(|| format!("learned-{}", &c.id.to_string()[..8])),
            lang: c.lang,
            topic: edits.topic.or(c.topic.clone()).unwrap_or_else(|| "general".into()),
            title,
            body: edits.body.unwrap_or_else(|| c.answer.clone()),
            questions: c.question.lines().map(str::to_string).collect(),
        };
        let article = self.create_article(tenant, draft, by).await?;
        let c = self
            .decide(tenant, c, CandidateStatus::Approved, Some(article.id), by)
            .await?;
        Ok((c, article))
    }

    /// Adds the candidate's question to an existing article (and, if given, a new body).
    pub async fn merge_candidate(
        &self,
        tenant: &TenantId,
        id: CandidateId,
        into: ArticleId,
        body: Option<String>,
        by: &str,
    ) -> Result<(Candidate, ArticleRecord)> {
        let c = self.pending(tenant, id).await?;
        let (a, _) = self.article(tenant, into).await?;
        let mut draft = crate::knowledge::kb::draft_of(&a);
        draft.questions.extend(c.question.lines().map(str::to_string));
        if let Some(b) = body {
            draft.body = b;
        }
        let article = self.update_article(tenant, into, draft, by).await?;
        let c = self
            .decide(tenant, c, CandidateStatus::Merged, Some(article.id), by)
            .await?;
        Ok((c, article))
    }

    pub async fn reject_candidate(&self, tenant: &TenantId, id: CandidateId, by: &str) -> Result<Candidate> {
        let c = self.pending(tenant, id).await?;
        self.decide(tenant, c, CandidateStatus::Rejected, None, by).await
    }
}
