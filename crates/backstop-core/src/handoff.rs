//! The handoff packet: everything an agent needs to pick up a conversation without asking the
//! customer to repeat themselves.

use serde::{Deserialize, Serialize};

use crate::conversation::Priority;
use crate::ids::{ArticleId, TeamId};
use crate::message::Lang;
use crate::routing::{DecisionTrace, HandoffReason};

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
        }
    }
}
