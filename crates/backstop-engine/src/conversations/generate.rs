//! Generative answers: when the policy decides to answer and the tenant's model serves the
//! customer's language and the article's topic, the model writes the answer from the article —
//! in the customer's language, whatever the article's, with the conversation's earlier turns —
//! and the pre-send guard checks it before anyone sees it. A finding the model can fix is sent
//! back once; otherwise, or when the model fails, is too slow, is out of budget or its endpoint's
//! breaker is open, the extractive answer goes out as it always did. What happened is kept in the
//! decision trace (`Generation`).
//!
//! The answer shows in the widget sentence by sentence, each once the guard has passed what was
//! written up to it (`stream`); what is *sent* — stored, the customer's to keep — is only the
//! whole answer once the guard has read all of it: a promise or a figure in its last sentence is
//! as bad as in its first.

use std::sync::Arc;
use std::time::Instant;

use backstop_core::directory::Customer;
use backstop_core::generation::{Attempt, Generation, Outcome};
use backstop_core::guard::{verdict, Check, Finding, Verdict};
use backstop_core::message::Author;
use backstop_llm::{ChatRequest, Message};
use backstop_nlp::prompt::{self, Role, Source, Turn};
use backstop_nlp::retrieval::KbArticle;
use backstop_store::{ConversationRecord, MessageRecord};
use tokio::sync::mpsc;

use crate::conversations::assess::Understanding;
use crate::conversations::stream::Checker;
use crate::{Engine, Result};

/// What the model's turn came to.
pub(crate) enum Written {
    /// Send this (checked) text.
    Answer(String),
    /// Send the extractive answer.
    Fallback,
    /// The model read the article as not answering: ask the customer to clarify.
    Declined,
    /// Nothing safe to send: a person takes over (reason `guard`).
    Handoff,
}

/// The longest answer, in characters.
const MAX_ANSWER_CHARS: usize = 1200;
/// The article text the model reads, at most.
const MAX_SOURCE_CHARS: usize = 3000;
/// Earlier messages the model sees.
const HISTORY: usize = 8;

fn clip(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// What to tell the model about a first attempt's findings.
pub(crate) fn describe(findings: &[Finding]) -> String {
    let parts: Vec<String> = findings
        .iter()
        .take(3)
        .map(|f| format!("{} ({})", f.check.as_str().replace('_', " "), f.detail))
        .collect();
    format!("it contained {}", parts.join(", "))
}

impl Engine {
    /// Would the guard stop the extractive answer `passage` of `article`? Only the checks a quote
    /// of the article can fail count: personal data that is not the customer's, conduct, leaks.
    pub(crate) async fn extractive_blocked(
        &self,
        conv: &ConversationRecord,
        u: &Understanding,
        article: &KbArticle,
        passage: &str,
    ) -> Result<bool> {
        let checker = Arc::new(Checker {
            sources: vec![format!("{}\n{}", article.title, article.body)],
            customer: vec![u.text.clone()],
            known: Vec::new(),
            instructions: Vec::new(),
            lang: u.lang,
            code: String::new(),
            max_chars: usize::MAX,
        });
        let findings = checker.findings(passage.to_string()).await?;
        let blocking: Vec<&Finding> = findings
            .iter()
            .filter(|f| matches!(f.check, Check::PersonalData | Check::Conduct | Check::InstructionLeak))
            .collect();
        if let Some(f) = blocking.first() {
            tracing::warn!(tenant = %conv.tenant, conversation = %conv.id, article = %article.slug, check = f.check.as_str(), "the guard stopped an extractive answer; handing over");
        }
        Ok(!blocking.is_empty())
    }

    /// Lets the tenant's model write the answer from `article`; `None` when no model serves this
    /// turn (none enabled, another language, a topic kept to the knowledge base's words).
    pub(crate) async fn write_answer(
        &self,
        conv: &ConversationRecord,
        u: &Understanding,
        article: &KbArticle,
        customer: Option<&Customer>,
    ) -> Result<Option<(Written, Generation)>> {
        let Some(model) = self.tenant_model(&conv.tenant).await? else {
            return Ok(None);
        };
        let s = &model.settings;
        // The conversation as the model reads it: the newest earlier turns, oldest first (this
        // turn's own messages are the unhandled ones), then this one's question.
        let history: Vec<MessageRecord> = self.recent_messages(&conv.tenant, conv.id, 30).await?;
        let said: Vec<&str> = history
            .iter()
            .filter(|m| m.author == Author::Customer && m.handled)
            .map(|m| m.body.as_str())
            .collect();
        // The customer's language: Chinese or English as the turn read it, else what the
        // detector tells (a French customer is answered in French; a short follow-up is read
        // with what they wrote before).
        let code = crate::conversations::assess::customer_code(&u.text, &said, u.lang);
        let code = code.as_str();
        if !s.serves(code, Some(&article.topic)) {
            return Ok(None);
        }
        let mut record = Generation {
            model: model.answers.model().to_string(),
            outcome: Outcome::Fallback,
            attempts: Vec::new(),
            skipped: None,
            before_call_ms: None,
        };
        if !self.model_budget_left(&conv.tenant, s).await? {
            record.skipped = Some("monthly token budget spent".into());
            return Ok(Some((Written::Fallback, record)));
        }

        let earlier: Vec<Turn> = history
            .iter()
            .filter(|m| m.handled || m.author != Author::Customer)
            .filter(|m| matches!(m.author, Author::Customer | Author::Ai) && m.system.is_none())
            .map(|m| Turn {
                customer: m.author == Author::Customer,
                text: clip(&m.body, 600),
            })
            .collect();
        let earlier = &earlier[earlier.len().saturating_sub(HISTORY)..];
        let system = prompt::system(&s.persona, s.tone, code);
        let body = clip(&article.body, MAX_SOURCE_CHARS);
        let sources = [Source {
            title: &article.title,
            text: body,
        }];
        let source_text = format!("{}\n{}", article.title, body);
        let customer_words: Vec<String> = history
            .iter()
            .filter(|m| m.author == Author::Customer)
            .map(|m| m.body.clone())
            .chain(std::iter::once(u.text.clone()))
            .collect();
        let known: Vec<String> = customer
            .filter(|c| c.email_verified)
            .and_then(|c| c.email.clone())
            .into_iter()
            .collect();
        let checker = Arc::new(Checker {
            sources: vec![source_text],
            customer: customer_words,
            known,
            instructions: vec![system.clone()],
            lang: u.lang,
            code: code.to_string(),
            max_chars: MAX_ANSWER_CHARS,
        });

        // The article in another language than the customer's: the model translates.
        let translate = (backstop_nlp::lang::code(&article.body) != code).then_some(code);
        // This turn's question was stored when its newest unhandled message was.
        let asked_at = history
            .iter()
            .rev()
            .find(|m| m.author == Author::Customer && !m.handled)
            .map(|m| m.created_at);
        record.before_call_ms =
            asked_at.map(|t| (self.now() - t).whole_milliseconds().clamp(0, i128::from(u32::MAX)) as u32);
        let mut fix: Option<String> = None;
        for attempt in 0..2u32 {
            let messages: Vec<Message> =
                prompt::messages(&system, &sources, earlier, &u.text, fix.as_deref(), translate)
                    .into_iter()
                    .map(|(role, text)| match role {
                        Role::System => Message::system(text),
                        Role::User => Message::user(text),
                        Role::Assistant => Message::assistant(text),
                    })
                    .collect();
            let mut request = ChatRequest::new(messages);
            request.temperature = s.temperature;
            request.max_tokens = s.max_tokens;
            let started = Instant::now();
            // The customer sees the AI typing, then each sentence once the guard has passed it.
            self.show_writing(&conv.tenant, conv.id, "", false);
            let (tx, rx) = mpsc::unbounded_channel();
            let call = {
                let (provider, request) = (&model.answers, &request);
                async move { provider.chat(request, Some(&tx)).await }
            };
            let relay = self.relay_writing(&conv.tenant, conv.id, checker.clone(), rx, started);
            let answering = crate::conversations::assist::Answering::start(self);
            let (done, shown) = tokio::join!(call, relay);
            drop(answering);
            let done = match done {
                Ok(done) => done,
                Err(e) => {
                    self.show_writing(&conv.tenant, conv.id, "", true);
                    tracing::warn!(tenant = %conv.tenant, conversation = %conv.id, error = %e, "the model did not answer; sending the extractive answer");
                    record.attempts.push(Attempt {
                        verdict: None,
                        findings: Vec::new(),
                        error: Some(e.code().to_string()),
                        first_token_ms: None,
                        total_ms: started.elapsed().as_millis() as u32,
                        prompt_tokens: 0,
                        completion_tokens: 0,
                        first_shown_ms: shown.first_ms,
                        stream_guard_us: shown.guard_us,
                    });
                    return Ok(Some((Written::Fallback, record)));
                }
            };
            self.count_tokens(&conv.tenant, model.answers.model(), &done.usage)
                .await;
            let mut this = Attempt {
                verdict: None,
                findings: Vec::new(),
                error: None,
                first_token_ms: done.first_token.map(|d| d.as_millis() as u32),
                total_ms: done.elapsed.as_millis() as u32,
                prompt_tokens: done.usage.prompt_tokens,
                completion_tokens: done.usage.completion_tokens,
                first_shown_ms: shown.first_ms,
                stream_guard_us: shown.guard_us,
            };
            if prompt::is_no_answer(&done.text) {
                self.show_writing(&conv.tenant, conv.id, "", true);
                this.error = Some("no_answer".into());
                record.attempts.push(this);
                record.outcome = Outcome::Declined;
                return Ok(Some((Written::Declined, record)));
            }
            let text = done.text.trim().to_string();
            let findings = checker.findings(text.clone()).await?;
            let v = verdict(&findings, attempt, true);
            this.verdict = Some(v);
            this.findings = findings.clone();
            record.attempts.push(this);
            if v != Verdict::Send {
                // What showed will not be sent as it is.
                self.show_writing(&conv.tenant, conv.id, "", true);
            }
            match v {
                Verdict::Send => {
                    record.outcome = Outcome::Sent;
                    return Ok(Some((Written::Answer(text), record)));
                }
                Verdict::Rewrite => fix = Some(describe(&findings)),
                Verdict::Fallback => {
                    tracing::info!(tenant = %conv.tenant, conversation = %conv.id, findings = %describe(&findings), "the guard stopped the model's answer; sending the extractive answer");
                    return Ok(Some((Written::Fallback, record)));
                }
                Verdict::Handoff => {
                    record.outcome = Outcome::Handoff;
                    return Ok(Some((Written::Handoff, record)));
                }
            }
        }
        Ok(Some((Written::Fallback, record)))
    }
}
