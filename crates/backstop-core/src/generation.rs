//! A tenant's generative model — where it is, how and when it may write answers — and what one
//! generated answer did, as the decision trace keeps it. The key is not here: it is stored apart
//! and never leaves the server (`key_hint` is all that is shown of it).

use serde::{Deserialize, Serialize};

use crate::guard::{Finding, Verdict};
use crate::Timestamp;

/// How the answers sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    #[default]
    Friendly,
    Formal,
    Concise,
}

impl Tone {
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Friendly => "friendly",
            Tone::Formal => "formal",
            Tone::Concise => "concise",
        }
    }
}

/// A tenant's model settings. Off by default: without them the AI answers with the knowledge
/// base's own passages, as it always could.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelSettings {
    pub enabled: bool,
    /// The OpenAI-compatible base URL (`https://api.deepseek.com/v1`, `http://127.0.0.1:8080/v1`).
    pub base_url: String,
    /// The model that writes answers.
    pub model: String,
    /// A second, smaller model at the same endpoint for summaries and drafts (else `model`).
    pub small_model: Option<String>,
    /// 0 is the most literal; answers from sources want little.
    pub temperature: f32,
    /// The longest answer, in tokens.
    pub max_tokens: u32,
    /// Tokens a calendar month may use (prompt and answer); then answers are extractive again.
    pub monthly_token_budget: Option<u64>,
    /// The latency budget: the first token within this, else the extractive answer is sent.
    pub first_token_ms: u32,
    /// The whole answer within this.
    pub answer_ms: u32,
    /// Who the assistant is ("Mia, Maple Market's assistant").
    pub persona: String,
    pub tone: Tone,
    /// Languages (ISO 639-1) answered by the model; empty: every language.
    pub languages: Vec<String>,
    /// Topics always answered with the knowledge base's own words.
    pub off_topics: Vec<String>,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            enabled: false,
            base_url: String::new(),
            model: String::new(),
            small_model: None,
            temperature: 0.2,
            max_tokens: 300,
            monthly_token_budget: None,
            first_token_ms: 10_000,
            answer_ms: 30_000,
            persona: String::new(),
            tone: Tone::Friendly,
            languages: Vec::new(),
            off_topics: Vec::new(),
        }
    }
}

pub use crate::FieldError;

impl ModelSettings {
    /// Every field that cannot be used, each with the reason.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, message: String| errors.push(FieldError::new(field, message));
        let url = self.base_url.trim();
        if self.enabled || !url.is_empty() {
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
            match rest {
                None => bad("base_url", "must start with http:// or https://".into()),
                Some(r) if r.is_empty() || r.starts_with('/') || r.contains(char::is_whitespace) => {
                    bad("base_url", "must name a host".into())
                }
                Some(_) if url.len() > 500 => bad("base_url", "is longer than 500 characters".into()),
                Some(_) => {}
            }
        }
        if self.enabled && self.model.trim().is_empty() {
            bad("model", "is required when the model is enabled".into());
        }
        for (field, m) in [("model", Some(&self.model)), ("small_model", self.small_model.as_ref())] {
            if m.is_some_and(|m| m.chars().count() > 200) {
                bad(field, "is longer than 200 characters".into());
            }
        }
        if !(0.0..=2.0).contains(&self.temperature) || self.temperature.is_nan() {
            bad("temperature", "must be between 0 and 2".into());
        }
        if !(16..=4000).contains(&self.max_tokens) {
            bad("max_tokens", "must be between 16 and 4000".into());
        }
        if self.monthly_token_budget.is_some_and(|b| b < 1000) {
            bad("monthly_token_budget", "must be at least 1000 tokens (or none)".into());
        }
        if !(500..=120_000).contains(&self.first_token_ms) {
            bad("first_token_ms", "must be between 500 and 120000".into());
        }
        if self.answer_ms < self.first_token_ms || self.answer_ms > 300_000 {
            bad("answer_ms", "must be at least first_token_ms and at most 300000".into());
        }
        if self.persona.chars().count() > 200 {
            bad("persona", "is longer than 200 characters".into());
        }
        if self.languages.len() > 60
            || self
                .languages
                .iter()
                .any(|l| !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_lowercase()))
        {
            bad(
                "languages",
                "must be ISO 639-1 codes such as \"en\" or \"zh\" (at most 60)".into(),
            );
        }
        if self.off_topics.len() > 300 || self.off_topics.iter().any(|t| t.is_empty() || t.len() > 64) {
            bad(
                "off_topics",
                "must be topic slugs of 1-64 characters (at most 300)".into(),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// May the model write this answer: enabled, the language one it serves, the topic not kept
    /// to the knowledge base's words?
    pub fn serves(&self, lang: &str, topic: Option<&str>) -> bool {
        self.enabled
            && (self.languages.is_empty() || self.languages.iter().any(|l| l == lang))
            && topic.is_none_or(|t| !self.off_topics.iter().any(|o| o == t))
    }

    /// Is there budget left after `used` tokens this month?
    pub fn within_budget(&self, used: u64) -> bool {
        self.monthly_token_budget.is_none_or(|b| used < b)
    }

    /// The model for summaries and drafts.
    pub fn summary_model(&self) -> &str {
        self.small_model
            .as_deref()
            .filter(|m| !m.is_empty())
            .unwrap_or(&self.model)
    }
}

/// What is shown of a stored key: its last four characters, when it is long enough to spare them.
pub fn key_hint(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() >= 16 {
        format!("…{}", chars[chars.len() - 4..].iter().collect::<String>())
    } else {
        "set".into()
    }
}

/// The calendar month a moment belongs to (`2026-12`), in UTC: the budget's period.
pub fn month_of(t: Timestamp) -> String {
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

/// Tokens used in one month, in all and per model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelUsage {
    pub month: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub calls: u64,
    /// The same per model (as the provider was asked for it), by name; the sums above are theirs.
    #[serde(default)]
    pub by_model: Vec<ModelTokens>,
}

/// One model's tokens in a month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelTokens {
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub calls: u64,
}

impl ModelUsage {
    pub fn total(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }

    /// The month's usage from its models' rows (any order): the rows sorted by name, and summed.
    pub fn of_models(month: &str, mut by_model: Vec<ModelTokens>) -> ModelUsage {
        by_model.sort_by(|a, b| a.model.cmp(&b.model));
        ModelUsage {
            month: month.to_owned(),
            prompt_tokens: by_model.iter().map(|m| m.prompt_tokens).sum(),
            completion_tokens: by_model.iter().map(|m| m.completion_tokens).sum(),
            calls: by_model.iter().map(|m| m.calls).sum(),
            by_model,
        }
    }
}

impl ModelTokens {
    pub fn total(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }
}

/// How a generated answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The model's answer was sent.
    Sent,
    /// The extractive answer was sent instead.
    Fallback,
    /// A person took over (reason `guard`).
    Handoff,
    /// The model read the article as not answering the question: the AI asked to clarify.
    Declined,
}

/// One call to the model within a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// The guard's verdict on this attempt's text (none when the call failed).
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Why the call failed (`timeout`, `status`, …), when it did.
    pub error: Option<String>,
    pub first_token_ms: Option<u32>,
    pub total_ms: u32,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// When the first checked sentence was shown to the customer (streaming), from the call.
    #[serde(default)]
    pub first_shown_ms: Option<u32>,
    /// Time spent checking the answer's sentences while it streamed.
    #[serde(default)]
    pub stream_guard_us: u32,
}

/// What generation did on one turn: kept in the decision trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub model: String,
    pub outcome: Outcome,
    pub attempts: Vec<Attempt>,
    /// Why it fell back without calling the model (budget spent, circuit open), when it did.
    pub skipped: Option<String>,
    /// From the customer's message stored to the model's call: the pipeline before the model
    /// (queueing, understanding, the policy, the prompt), on the engine's clock.
    #[serde(default)]
    pub before_call_ms: Option<u32>,
}

/// Whose choice a turn the model was asked about went by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickedBy {
    /// The tenant's model's: the action it called, or none when it called none.
    Model,
    /// The rules' (no action: they had found none): the model failed, or called a tool it was
    /// not offered.
    Rules,
}

/// How the tenant's model chose among the tenant's actions on a turn the rules found none for and
/// that shows a request for one (tool calling): kept in the decision trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionPick {
    pub model: String,
    /// The action it called (none: it answered in words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called: Option<String>,
    /// The names of the arguments it gave (their values are the customer's: not kept here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    pub used: PickedBy,
    /// Why the model's choice was not used or it was not asked: `budget`, `language`, an error
    /// code (`timeout`, `status`, …), `unknown_tool` (a name it was not offered), `bad_arguments`
    /// (its arguments were dropped, its choice kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    pub total_ms: u32,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_off() {
        let s = ModelSettings::default();
        assert!(!s.enabled && s.validate().is_ok());
        assert!(!s.serves("en", None));
    }

    #[test]
    fn every_bad_field_is_named() {
        let s = ModelSettings {
            enabled: true,
            base_url: "ftp://x".into(),
            temperature: 3.0,
            max_tokens: 0,
            monthly_token_budget: Some(5),
            first_token_ms: 100,
            languages: vec!["English".into()],
            ..ModelSettings::default()
        };
        let errors = s.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "base_url",
                "model",
                "temperature",
                "max_tokens",
                "monthly_token_budget",
                "first_token_ms",
                "languages"
            ]
        );
    }

    #[test]
    fn languages_topics_and_budget_gate_the_model() {
        let s = ModelSettings {
            enabled: true,
            base_url: "http://127.0.0.1:8080/v1".into(),
            model: "qwen".into(),
            languages: vec!["zh".into(), "en".into()],
            off_topics: vec!["payments".into()],
            monthly_token_budget: Some(10_000),
            ..ModelSettings::default()
        };
        assert!(s.validate().is_ok());
        assert!(s.serves("zh", Some("shipping")) && s.serves("en", None));
        assert!(!s.serves("fr", None) && !s.serves("en", Some("payments")));
        assert!(s.within_budget(9_999) && !s.within_budget(10_000));
        assert_eq!(s.summary_model(), "qwen");
    }

    #[test]
    fn keys_show_only_their_end() {
        assert_eq!(key_hint("sk-abcdefghijklmnop1234"), "…1234");
        assert_eq!(key_hint("short"), "set");
        assert_eq!(month_of(time::macros::datetime!(2026-12-06 23:59 UTC)), "2026-12");
    }
}
