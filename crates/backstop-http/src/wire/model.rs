//! The tenant's generative model on the wire: its settings as an admin sees and sends them (the
//! API key goes in, to set or replace it, and never comes out: only its hint, `…1234`), and the
//! answer it is writing as the widget and the inbox see it live (`Writing`).

use backstop_core::generation::{key_hint, ModelSettings, ModelUsage, Tone};
use backstop_store::ModelRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::time;

/// How the answers sound.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ToneWire {
    #[default]
    Friendly,
    Formal,
    Concise,
}

impl From<Tone> for ToneWire {
    fn from(t: Tone) -> Self {
        match t {
            Tone::Friendly => ToneWire::Friendly,
            Tone::Formal => ToneWire::Formal,
            Tone::Concise => ToneWire::Concise,
        }
    }
}

impl From<ToneWire> for Tone {
    fn from(t: ToneWire) -> Self {
        match t {
            ToneWire::Friendly => Tone::Friendly,
            ToneWire::Formal => Tone::Formal,
            ToneWire::Concise => Tone::Concise,
        }
    }
}

/// Tokens used this calendar month.
#[derive(Serialize, ToSchema)]
pub struct ModelUsageView {
    /// `2026-12`.
    pub month: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub calls: u64,
    /// Tokens left of the monthly budget (absent: no budget).
    pub budget_left: Option<u64>,
}

/// The tenant's model settings (defaults when it never saved any: off).
#[derive(Serialize, ToSchema)]
pub struct ModelSettingsView {
    pub enabled: bool,
    /// The OpenAI-compatible base URL.
    pub base_url: String,
    pub model: String,
    /// A smaller model for summaries and drafts.
    pub small_model: Option<String>,
    pub temperature: f32,
    pub max_tokens: u32,
    pub monthly_token_budget: Option<u64>,
    /// The latency budget: no first token within this, and the extractive answer is sent.
    pub first_token_ms: u32,
    pub answer_ms: u32,
    pub persona: String,
    pub tone: ToneWire,
    /// ISO 639-1 codes answered by the model (empty: all).
    pub languages: Vec<String>,
    /// Topics answered with the knowledge base's own words.
    pub off_topics: Vec<String>,
    /// What is shown of the stored key (`…1234`, or `set`); absent when there is none.
    pub api_key_hint: Option<String>,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
    pub usage: ModelUsageView,
}

pub fn model_settings(rec: Option<&ModelRecord>, usage: &ModelUsage) -> ModelSettingsView {
    let default = ModelSettings::default();
    let s = rec.map_or(&default, |r| &r.settings);
    ModelSettingsView {
        enabled: s.enabled,
        base_url: s.base_url.clone(),
        model: s.model.clone(),
        small_model: s.small_model.clone(),
        temperature: s.temperature,
        max_tokens: s.max_tokens,
        monthly_token_budget: s.monthly_token_budget,
        first_token_ms: s.first_token_ms,
        answer_ms: s.answer_ms,
        persona: s.persona.clone(),
        tone: s.tone.into(),
        languages: s.languages.clone(),
        off_topics: s.off_topics.clone(),
        api_key_hint: rec.and_then(|r| r.api_key.as_deref()).map(key_hint),
        updated_at: rec.map(|r| time(r.updated_at)),
        updated_by: rec.map(|r| r.updated_by.clone()),
        usage: ModelUsageView {
            month: usage.month.clone(),
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            calls: usage.calls,
            budget_left: s.monthly_token_budget.map(|b| b.saturating_sub(usage.total())),
        },
    }
}

/// New settings. Every field may be left out (it keeps its default); `api_key` sets or replaces
/// the key, `clear_api_key` removes it, neither keeps the stored one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelSettingsBody {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub small_model: Option<String>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    #[serde(default)]
    pub monthly_token_budget: Option<u64>,
    pub first_token_ms: Option<u32>,
    pub answer_ms: Option<u32>,
    #[serde(default)]
    pub persona: String,
    #[serde(default)]
    pub tone: ToneWire,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub off_topics: Vec<String>,
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub clear_api_key: bool,
}

impl ModelSettingsBody {
    pub fn settings(&self) -> ModelSettings {
        let d = ModelSettings::default();
        ModelSettings {
            enabled: self.enabled,
            base_url: self.base_url.trim().to_string(),
            model: self.model.trim().to_string(),
            small_model: self
                .small_model
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_string),
            temperature: self.temperature.unwrap_or(d.temperature),
            max_tokens: self.max_tokens.unwrap_or(d.max_tokens),
            monthly_token_budget: self.monthly_token_budget,
            first_token_ms: self.first_token_ms.unwrap_or(d.first_token_ms),
            answer_ms: self.answer_ms.unwrap_or(d.answer_ms),
            persona: self.persona.trim().to_string(),
            tone: self.tone.into(),
            languages: self.languages.iter().map(|l| l.trim().to_ascii_lowercase()).collect(),
            off_topics: self.off_topics.iter().map(|t| t.trim().to_string()).collect(),
        }
    }
}

/// An AI answer being written: the part the pre-send guard has passed so far. Never stored; the
/// `message` that follows replaces it.
#[derive(Serialize, ToSchema)]
pub struct Writing {
    #[schema(value_type = String)]
    pub conversation_id: backstop_core::ids::ConversationId,
    /// The checked sentences so far; empty while the AI is typing.
    pub text: String,
    /// Nothing more of it will show, and what showed will not be sent as it is: drop it (another
    /// message follows, or a person takes over).
    pub withdrawn: bool,
}

pub fn writing(d: &backstop_engine::model::Writing) -> Writing {
    Writing {
        conversation_id: d.conversation,
        text: d.text.clone(),
        withdrawn: d.withdrawn,
    }
}
