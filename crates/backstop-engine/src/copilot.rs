//! The agent's copilot: for the conversation in front of them, suggested replies drafted from the
//! knowledge-base articles that match what the customer asked (each with its source), a running
//! summary, and de-escalation phrasing when the customer is upset. Whether each reply used a
//! suggestion as it was, edited, or not at all is recorded — the measure of the copilot.

use backstop_core::ids::{ArticleId, ConversationId, TenantId};
use backstop_core::message::{Author, Lang};
use backstop_nlp::embed::Role;
use backstop_nlp::retrieval::{Query, Retriever};
use backstop_nlp::{lang, replies, summary};

use crate::brain::blocking;
use crate::{Engine, Result};

/// One suggested reply.
#[derive(Clone, Debug)]
pub struct Suggestion {
    pub article: ArticleId,
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

/// How a reply used the copilot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    AsIs,
    Edited,
    Ignored,
}

impl Use {
    pub fn as_str(self) -> &'static str {
        match self {
            Use::AsIs => "as_is",
            Use::Edited => "edited",
            Use::Ignored => "ignored",
        }
    }

    pub fn parse(s: &str) -> Option<Use> {
        [Use::AsIs, Use::Edited, Use::Ignored]
            .into_iter()
            .find(|u| u.as_str() == s)
    }

    /// As is when the sent text is the suggestion (whitespace aside), edited otherwise.
    pub fn of(sent: &str, suggested: &str) -> Use {
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        if squash(sent) == squash(suggested) {
            Use::AsIs
        } else {
            Use::Edited
        }
    }
}

/// Suggestions below this confidence are not offered.
const FLOOR: f32 = 0.2;

impl Engine {
    /// The copilot for a conversation: reads its recent customer messages.
    pub async fn copilot(&self, tenant: &TenantId, id: ConversationId) -> Result<Copilot> {
        let conv = self.conversation(tenant, id).await?;
        let history = self.recent_messages(tenant, id, 40).await?;
        let mut customer: Vec<String> = history
            .iter()
            .filter(|m| m.author == Author::Customer)
            .map(|m| m.body.clone())
            .collect();
        customer.reverse(); // oldest first
        let recent: Vec<String> = customer.iter().rev().take(3).rev().cloned().collect();
        let text = recent.join("\n");
        let lang = lang::detect_or(&text, conv.lang);
        let refs: Vec<&str> = customer.iter().map(String::as_str).collect();
        let summary = summary::summarize(lang, &refs, 280);
        let upset = conv
            .mood
            .last()
            .is_some_and(|p| p.scores.anger >= 0.5 || p.scores.frustration >= 0.6);
        let brain = self.brain(tenant).await?;
        let embedder = self.inner.config.embedder.clone();
        let hits = blocking(move || {
            if text.trim().is_empty() {
                return Ok(Vec::new());
            }
            let vector = embedder.as_deref().and_then(|e| e.embed(&text, Role::Query).ok());
            let query = Query {
                text: &text,
                vector: vector.as_deref(),
            };
            Ok(brain
                .kb
                .search(query, None, 3)
                .into_iter()
                .filter(|h| h.confidence >= FLOOR)
                .filter_map(|h| {
                    let a = brain
                        .kb
                        .translation(h.article, lang)
                        .or_else(|| brain.kb.article(h.article))?;
                    Some(Suggestion {
                        article: a.id,
                        title: a.title.clone(),
                        text: a.body.clone(),
                        confidence: h.confidence,
                    })
                })
                .collect::<Vec<_>>())
        })
        .await?;
        Ok(Copilot {
            lang,
            summary,
            suggestions: hits,
            de_escalation: upset.then(|| replies::de_escalation(lang).to_string()),
        })
    }
}
