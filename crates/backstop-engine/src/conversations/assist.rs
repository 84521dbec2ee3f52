//! The copilot on the tenant's model: a drafted reply for the agent, written from the knowledge
//! base and the whole conversation to answer the customer's *latest* message, and a summary of
//! the conversation in the handoff packet for whoever takes it over. Both pass the same pre-send
//! guard as the AI's answers: a draft the guard stops is not offered (one rewrite first, as for
//! answers); a summary it stops is dropped and the packet keeps the customer's own words.
//!
//! The draft is asked for by the inbox (it costs a model call, so the copilot's instant
//! suggestions never wait for it) and kept per conversation until the customer writes again.
//! The summary is written after the hand-over is stored — the hand-over never waits for a model —
//! and lands in the packet through the conversation's actor, announced like any other change. It
//! is background work: it waits while a customer's answer is being written, and it is not asked
//! for when the customer wrote a single message (their words are the summary).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use backstop_core::guard::{verdict, Check, Finding, Verdict};
use backstop_core::handoff::ModelSummary;
use backstop_core::ids::{ConversationId, MessageId, TenantId};
use backstop_core::message::{Author, Citation, Lang, MessageKind};
use backstop_llm::{ChatRequest, Message};
use backstop_nlp::embed::Role as EmbedRole;
use backstop_nlp::prompt::assist::{self, Line, Speaker};
use backstop_nlp::prompt::{self, Role, Source, Turn};
use backstop_nlp::retrieval::KbArticle;
use backstop_nlp::retrieval::{Query, Retriever};
use backstop_store::{ConversationRecord, MessageRecord};

use crate::knowledge::brain::blocking;
use crate::knowledge::models::TenantModel;
use crate::{Engine, Result};

/// A reply the model drafted for the agent.
#[derive(Clone, Debug)]
pub struct ModelDraft {
    /// Without the citation markers: what goes into the composer.
    pub text: String,
    /// The articles the draft cites, in order.
    pub citations: Vec<Citation>,
    pub model: String,
    /// The customer message it answers.
    pub answers: MessageId,
    pub total_ms: u32,
}

/// What asking for a draft came to.
#[derive(Clone, Debug)]
pub enum DraftOutcome {
    Written(ModelDraft),
    /// No model writes drafts for this conversation: none enabled, the customer's language not
    /// among the model's, or the month's token budget spent (`reason` says which).
    Off {
        reason: &'static str,
    },
    /// The customer has not written anything.
    NothingAsked,
    /// The knowledge base does not answer the latest message (no article close enough, or the
    /// model said so).
    NoAnswer,
    /// The guard stopped what the model wrote (twice, or once for a severe finding).
    Stopped {
        findings: Vec<Finding>,
    },
    /// The model failed (an error code: `timeout`, `unavailable`, …).
    Failed {
        error: String,
    },
}

/// A kept draft: the customer message it answers, and what came of asking.
type Kept = (MessageId, Arc<DraftOutcome>);

/// Drafts kept per conversation.
#[derive(Default)]
pub(crate) struct Drafts(Mutex<HashMap<(TenantId, ConversationId), Kept>>);

/// At most this many drafts are kept; beyond it the oldest half of the memory is dropped at once.
const KEPT: usize = 4096;
/// The article text the model reads, at most, per article; how many articles.
const SOURCE_CHARS: usize = 2000;
const SOURCES: usize = 2;
/// Below this retrieval confidence an article is not a source.
const FLOOR: f32 = 0.2;
/// The longest draft and summary, in characters.
const MAX_DRAFT: usize = 1200;
const MAX_SUMMARY: usize = 600;
/// Messages the model reads.
const HISTORY: u32 = 40;

/// Below this many customer messages the packet's own summary — the customer's words — is the
/// summary: the model adds nothing worth its time on the model server.
const SUMMARY_FROM: usize = 2;
/// How long a summary waits for the customers' answers on the model server to finish.
const YIELD_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// A customer answer being written by a model: background work (the packet's summary) waits
/// until none is, so that on a local server with few slots a summary never slows a customer's
/// answer that was already being written.
pub(crate) struct Answering<'a>(&'a Engine);

impl<'a> Answering<'a> {
    pub(crate) fn start(engine: &'a Engine) -> Self {
        engine.inner.answering.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Answering(engine)
    }
}

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.0.inner.answering.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Is the customer upset now (the latest emotion reading)?
pub(crate) fn upset(conv: &ConversationRecord) -> bool {
    conv.mood
        .last()
        .is_some_and(|p| p.scores.anger >= 0.5 || p.scores.frustration >= 0.6)
}

/// The conversation's public messages as the model reads them, oldest first as the store gives
/// them (notes and system lines left out: a draft goes to the customer).
fn lines(history: &[MessageRecord]) -> Vec<Line<'_>> {
    history
        .iter()
        .filter(|m| m.kind == MessageKind::Text && m.system.is_none())
        .map(|m| Line {
            who: match m.author {
                Author::Customer => Speaker::Customer,
                Author::Ai => Speaker::Ai,
                _ => Speaker::Agent,
            },
            text: &m.body,
        })
        .collect()
}

fn clip(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

fn to_messages(parts: Vec<(Role, String)>) -> Vec<Message> {
    parts
        .into_iter()
        .map(|(role, text)| match role {
            Role::System => Message::system(text),
            Role::User => Message::user(text),
            Role::Assistant => Message::assistant(text),
        })
        .collect()
}

impl Engine {
    /// A drafted reply to the customer's latest message, from the tenant's model; kept until the
    /// customer writes again.
    pub async fn copilot_draft(&self, tenant: &TenantId, id: ConversationId) -> Result<DraftOutcome> {
        let conv = self.conversation(tenant, id).await?;
        let history = self.recent_messages(tenant, id, HISTORY).await?;
        let Some(latest) = history
            .iter()
            .rev()
            .find(|m| m.author == Author::Customer && m.kind == MessageKind::Text)
        else {
            return Ok(DraftOutcome::NothingAsked);
        };
        let key = (tenant.clone(), id);
        if let Some((answers, kept)) = self.inner.drafts.0.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            if *answers == latest.id {
                return Ok((**kept).clone());
            }
        }
        let Some(model) = self.tenant_model(tenant).await? else {
            return Ok(DraftOutcome::Off { reason: "no_model" });
        };
        let earlier: Vec<&str> = history
            .iter()
            .filter(|m| m.author == Author::Customer && m.id != latest.id)
            .map(|m| m.body.as_str())
            .collect();
        let code = crate::conversations::assess::customer_code(
            &latest.body,
            &earlier,
            backstop_nlp::lang::detect_or(&latest.body, conv.lang),
        );
        if !model.settings.serves(&code, None) {
            return Ok(DraftOutcome::Off { reason: "language" });
        }
        if !self.model_budget_left(tenant, &model.settings).await? {
            return Ok(DraftOutcome::Off { reason: "budget" });
        }
        let outcome = self.write_draft(&conv, &model, &history, latest, &code).await?;
        if !matches!(outcome, DraftOutcome::Failed { .. }) {
            let mut kept = self.inner.drafts.0.lock().unwrap_or_else(|p| p.into_inner());
            if kept.len() >= KEPT {
                kept.clear();
            }
            kept.insert(key, (latest.id, Arc::new(outcome.clone())));
        }
        Ok(outcome)
    }

    async fn write_draft(
        &self,
        conv: &ConversationRecord,
        model: &TenantModel,
        history: &[MessageRecord],
        latest: &MessageRecord,
        code: &str,
    ) -> Result<DraftOutcome> {
        // The articles for the latest message; a short follow-up ("and for express?") is read
        // with the message before it when alone it finds nothing.
        let customer: Vec<&MessageRecord> = history.iter().filter(|m| m.author == Author::Customer).collect();
        let previous = customer.len().checked_sub(2).map(|i| customer[i]);
        let lang = backstop_nlp::lang::detect_or(&latest.body, conv.lang);
        let brain = self.brain(&conv.tenant).await?;
        let embedder = self.inner.config.embedder.clone();
        let texts: Vec<String> = std::iter::once(latest.body.clone())
            .chain(previous.map(|prev| format!("{}\n{}", prev.body, latest.body)))
            .collect();
        let articles = blocking(move || {
            for text in &texts {
                let vector = embedder.as_deref().and_then(|e| e.embed(text, EmbedRole::Query).ok());
                let query = Query {
                    text,
                    vector: vector.as_deref(),
                };
                let found: Vec<_> = brain
                    .kb
                    .search(query, None, SOURCES)
                    .into_iter()
                    .filter(|h| h.confidence >= FLOOR)
                    .filter_map(|h| {
                        brain
                            .kb
                            .translation(h.article, lang)
                            .or_else(|| brain.kb.article(h.article))
                            .cloned()
                    })
                    .collect();
                if !found.is_empty() {
                    return Ok(found);
                }
            }
            Ok(Vec::new())
        })
        .await?;
        if articles.is_empty() {
            return Ok(DraftOutcome::NoAnswer);
        }
        let s = &model.settings;
        let system = assist::draft_system(&s.persona, s.tone, code, upset(conv));
        let sources: Vec<Source> = articles
            .iter()
            .map(|a| Source {
                title: &a.title,
                text: clip(&a.body, SOURCE_CHARS),
            })
            .collect();
        // Everything before the latest message is the conversation so far, as turns.
        let before: Vec<MessageRecord> = history.iter().filter(|m| m.id != latest.id).cloned().collect();
        let earlier: Vec<Turn> = lines(&before)
            .into_iter()
            .map(|l| Turn {
                customer: l.who == Speaker::Customer,
                text: clip(l.text, 600),
            })
            .collect();
        let earlier = &earlier[earlier.len().saturating_sub(8)..];
        // Articles in another language than the customer's: the model translates.
        let translate = articles
            .first()
            .filter(|a| backstop_nlp::lang::code(&a.body) != code)
            .map(|_| code);
        let checker = Arc::new(crate::conversations::stream::Checker {
            sources: articles
                .iter()
                .map(|a| format!("{}\n{}", a.title, clip(&a.body, SOURCE_CHARS)))
                .chain(
                    history
                        .iter()
                        .filter(|m| m.author != Author::Customer && m.system.is_none())
                        .map(|m| m.body.clone()),
                )
                .collect(),
            customer: customer.iter().map(|m| m.body.clone()).collect(),
            known: Vec::new(),
            instructions: vec![system.clone()],
            lang,
            code: code.to_string(),
            max_chars: MAX_DRAFT,
        });
        let started = Instant::now();
        let mut fix: Option<String> = None;
        for attempt in 0..2u32 {
            let parts = assist::draft_messages(&system, &sources, earlier, &latest.body, fix.as_deref(), translate);
            let mut request = ChatRequest::new(to_messages(parts));
            request.temperature = s.temperature;
            request.max_tokens = s.max_tokens;
            let done = match model.answers.chat(&request, None).await {
                Ok(done) => done,
                Err(e) => {
                    tracing::warn!(tenant = %conv.tenant, conversation = %conv.id, error = %e, "the model did not draft a reply");
                    return Ok(DraftOutcome::Failed {
                        error: e.code().to_string(),
                    });
                }
            };
            self.count_tokens(&conv.tenant, model.answers.model(), &done.usage)
                .await;
            if prompt::is_no_answer(&done.text) {
                return Ok(DraftOutcome::NoAnswer);
            }
            let text = done.text.trim().to_string();
            let findings = checker.findings(text.clone()).await?;
            match verdict(&findings, attempt, true) {
                Verdict::Send => {
                    // The articles it cites; a draft that cites none was still written from
                    // them (and the guard held it to them).
                    let mut cited: Vec<&KbArticle> = prompt::cited(&text)
                        .into_iter()
                        .filter_map(|n| articles.get(n.wrapping_sub(1)))
                        .collect();
                    if cited.is_empty() {
                        cited = articles.iter().collect();
                    }
                    let citations = cited
                        .into_iter()
                        .map(|a| Citation {
                            article_id: a.id,
                            title: a.title.clone(),
                            article: None,
                        })
                        .collect();
                    return Ok(DraftOutcome::Written(ModelDraft {
                        text: prompt::without_markers(&text),
                        citations,
                        model: model.answers.model().to_string(),
                        answers: latest.id,
                        total_ms: started.elapsed().as_millis() as u32,
                    }));
                }
                Verdict::Rewrite => fix = Some(crate::conversations::generate::describe(&findings)),
                Verdict::Fallback | Verdict::Handoff => {
                    tracing::info!(tenant = %conv.tenant, conversation = %conv.id, findings = %crate::conversations::generate::describe(&findings), "the guard stopped the copilot's draft");
                    return Ok(DraftOutcome::Stopped { findings });
                }
            }
        }
        Ok(DraftOutcome::Stopped { findings: Vec::new() })
    }

    /// After a hand-over is stored: the model writes the packet's summary, in the background.
    pub(crate) fn summarize_later(&self, conv: &ConversationRecord) {
        let Some(packet) = conv.packet.as_ref().filter(|p| p.ai_summary.is_none()) else {
            return;
        };
        let (engine, tenant, id, handed_at, lang) = (
            self.clone(),
            conv.tenant.clone(),
            conv.id,
            packet.created_at,
            packet.language,
        );
        tokio::spawn(async move {
            match engine.write_summary(&tenant, id, lang).await {
                Ok(Some(summary)) => {
                    let action = crate::AgentAction::PacketSummary { summary, handed_at };
                    if let Err(e) = engine.run(&tenant, id, action).await {
                        tracing::warn!(%tenant, conversation = %id, error = %e, "the packet's summary was not stored");
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(%tenant, conversation = %id, error = %e, "the packet's summary was not written")
                }
            }
        });
    }

    /// The model's summary of the conversation, in `lang`, once the guard passed it.
    async fn write_summary(&self, tenant: &TenantId, id: ConversationId, lang: Lang) -> Result<Option<ModelSummary>> {
        let Some(model) = self.tenant_model(tenant).await? else {
            return Ok(None);
        };
        if !self.model_budget_left(tenant, &model.settings).await? {
            return Ok(None);
        }
        let history = self.recent_messages(tenant, id, HISTORY).await?;
        let lines = lines(&history);
        if lines.iter().filter(|l| l.who == Speaker::Customer).count() < SUMMARY_FROM {
            return Ok(None);
        }
        // Customers first: wait while a customer's answer is being written.
        let waited = Instant::now();
        while self.inner.answering.load(std::sync::atomic::Ordering::SeqCst) > 0 && waited.elapsed() < YIELD_FOR {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let system = assist::summary_system(lang.as_str());
        let mut request = ChatRequest::new(to_messages(assist::summary_messages(&system, &lines, lang.as_str())));
        request.temperature = 0.2;
        request.max_tokens = 160;
        let done = match model.summaries.chat(&request, None).await {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(%tenant, conversation = %id, error = %e, "the model did not summarise the conversation");
                return Ok(None);
            }
        };
        self.count_tokens(tenant, model.summaries.model(), &done.usage).await;
        let text = done.text.trim().to_string();
        if text.is_empty() || prompt::is_no_answer(&text) {
            return Ok(None);
        }
        let checker = Arc::new(crate::conversations::stream::Checker {
            sources: vec![assist::transcript(&lines)],
            customer: lines
                .iter()
                .filter(|l| l.who == Speaker::Customer)
                .map(|l| l.text.to_string())
                .collect(),
            known: Vec::new(),
            instructions: vec![system],
            lang,
            code: lang.as_str().to_string(),
            max_chars: MAX_SUMMARY,
        });
        let findings = checker.findings(text.clone()).await?;
        // A summary speaks *about* the customer's requests: a refund they asked for is not a
        // promise, their own words are not a dictation, and saying their question back is the point. What a summary must not do is add a
        // figure, leak the instructions, carry another customer's data or be too long.
        let blocking: Vec<&Finding> = findings
            .iter()
            .filter(|f| !matches!(f.check, Check::Promise | Check::Conduct | Check::Support))
            .collect();
        if !blocking.is_empty() {
            tracing::info!(%tenant, conversation = %id, findings = %crate::conversations::generate::describe(&findings), "the guard stopped the packet's summary");
            return Ok(None);
        }
        Ok(Some(ModelSummary {
            text: prompt::without_markers(&text),
            model: model.summaries.model().to_string(),
            written_at: self.now(),
        }))
    }
}
