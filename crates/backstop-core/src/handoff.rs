//! The handoff packet: everything an agent needs to pick up a conversation without asking the
//! customer to repeat themselves.

use serde::{Deserialize, Serialize};

use crate::conversation::Priority;
use crate::emotion::{EmotionScores, Inflection, MoodPoint};
use crate::ids::{ArticleId, TeamId};
use crate::message::Lang;
use crate::routing::{DecisionTrace, HandoffReason, ServiceTier};

/// A fact the customer gave, found by entity extraction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub kind: FactKind,
    pub value: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    OrderNumber,
    Email,
    Phone,
    Amount,
}

/// One thing the AI tried before handing over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AiAttempt {
    pub question: String,
    pub answer_title: Option<String>,
    pub article_id: Option<ArticleId>,
    pub confident: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AngerReading {
    pub score: f32,
    pub cues: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandoffPacket {
    pub summary: String,
    pub topic: Option<String>,
    pub reason: HandoffReason,
    pub reason_text: String,
    pub team_id: TeamId,
    pub team_name: String,
    pub priority: Priority,
    pub tier: Tier,
    pub language: Lang,
    pub facts: Vec<Fact>,
    pub ai_attempts: Vec<AiAttempt>,
    pub anger: AngerReading,
    pub trace: Option<DecisionTrace>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    /// L2 (a person with the AI's help) or L3 (specialists only).
    #[serde(default)]
    pub service_tier: ServiceTier,
    /// The customer's language as an ISO 639-1 code (`language` is the nearer of Chinese and
    /// English, for the fixed replies); absent on older packets.
    #[serde(default)]
    pub language_code: Option<String>,
    /// The emotion radar's reading of the turn that handed over.
    #[serde(default)]
    pub emotion: Option<EmotionScores>,
    /// The conversation's emotion trajectory up to the handoff.
    #[serde(default)]
    pub mood: Vec<MoodPoint>,
    #[serde(default)]
    pub inflection: Option<Inflection>,
    /// The AI's draft answer, when the policy asks a person to approve it …
    #[serde(default)]
    pub draft: Option<String>,
    /// … and the article it comes from.
    #[serde(default)]
    pub draft_source: Option<crate::message::Citation>,
    /// A summary of the whole conversation written by the tenant's model after the hand-over and
    /// checked by the guard; `summary` (the customer's own words) stays beside it.
    #[serde(default)]
    pub ai_summary: Option<ModelSummary>,
    /// The action the customer asked for that a person must now decide or run (a rule wanted a
    /// person, or the merchant's system failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<crate::action::dialogue::ProposedAction>,
    /// The conversation's tags, from the automation rules that fired.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// What the model wrote about a conversation for the person taking it over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub text: String,
    /// The model that wrote it.
    pub model: String,
    #[serde(with = "time::serde::rfc3339")]
    pub written_at: time::OffsetDateTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Standard,
    Vip,
}

impl HandoffReason {
    /// A one-line explanation shown to agents.
    pub fn explain(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (HandoffReason::CustomerRequest, Lang::En) => "The customer asked for a person",
            (HandoffReason::CustomerRequest, Lang::Zh) => "客户要求转人工",
            (HandoffReason::NoAnswer, Lang::En) => "The AI found no confident answer after asking to clarify",
            (HandoffReason::NoAnswer, Lang::Zh) => "AI 追问后仍未找到可靠答案",
            (HandoffReason::Anger, Lang::En) => "The customer is angry or frustrated",
            (HandoffReason::Anger, Lang::Zh) => "客户情绪激动或不满",
            (HandoffReason::Vip, Lang::En) => "VIP customer: served by people",
            (HandoffReason::Vip, Lang::Zh) => "VIP 客户：由人工服务",
            (HandoffReason::OutOfScope, Lang::En) => "The question is outside what the AI knows",
            (HandoffReason::OutOfScope, Lang::Zh) => "问题超出 AI 的知识范围",
            (HandoffReason::Complaint, Lang::En) => "The customer threatens to complain publicly or to a regulator",
            (HandoffReason::Complaint, Lang::Zh) => "客户扬言投诉或曝光",
            (HandoffReason::Sensitive, Lang::En) => "A sensitive matter the policy keeps for people",
            (HandoffReason::Sensitive, Lang::Zh) => "敏感事项：按策略由人工处理",
            (HandoffReason::Review, Lang::En) => "The AI drafted an answer for a person to approve",
            (HandoffReason::Review, Lang::Zh) => "AI 已起草回复，待人工审核",
            (HandoffReason::Policy, Lang::En) => "A rule of the tenant's policy",
            (HandoffReason::Policy, Lang::Zh) => "按租户策略规则转人工",
            (HandoffReason::Guard, Lang::En) => "The AI's answer failed its pre-send check",
            (HandoffReason::Guard, Lang::Zh) => "AI 的回复未通过发送前检查",
            (HandoffReason::ActionFailed, Lang::En) => {
                "An action on the shop's systems failed or needs a person's decision"
            }
            (HandoffReason::ActionFailed, Lang::Zh) => "对店铺系统的操作失败或需要人工决定",
        }
    }
}
