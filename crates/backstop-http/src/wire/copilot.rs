//! The copilot's wire shapes: its instant suggestions (articles and colleagues' past answers,
//! with their sources) and the reply the tenant's model drafts for the agent.

use backstop_engine::conversations::assist::DraftOutcome;
use serde::Serialize;
use utoipa::ToSchema;

use super::{time, Citation};

/// A copilot suggestion with its source: an article, or a colleague's past answer (with the
/// personal data of its customer taken out).
#[derive(Serialize, ToSchema)]
pub struct Suggestion {
    #[schema(value_type = Option<String>, format = Uuid)]
    pub article_id: Option<backstop_core::ids::ArticleId>,
    pub title: String,
    pub text: String,
    pub confidence: f32,
    pub source: SuggestionSource,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionSource {
    /// `article` or `past_answer`.
    pub kind: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub article_id: Option<backstop_core::ids::ArticleId>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub conversation_id: Option<backstop_core::ids::ConversationId>,
    pub agent_name: Option<String>,
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

pub fn suggestion(x: &backstop_engine::conversations::copilot::Suggestion) -> Suggestion {
    use backstop_engine::conversations::copilot::Source;
    let (article_id, source) = match &x.source {
        Source::Article(id) => (
            Some(*id),
            SuggestionSource {
                kind: "article".into(),
                article_id: Some(*id),
                conversation_id: None,
                agent_name: None,
                at: None,
            },
        ),
        Source::PastAnswer {
            conversation,
            agent_name,
            at,
        } => (
            None,
            SuggestionSource {
                kind: "past_answer".into(),
                article_id: None,
                conversation_id: Some(*conversation),
                agent_name: Some(agent_name.clone()),
                at: Some(time(*at)),
            },
        ),
    };
    Suggestion {
        article_id,
        title: x.title.clone(),
        text: x.text.clone(),
        confidence: x.confidence,
        source,
    }
}

/// The copilot for a conversation.
#[derive(Serialize, ToSchema)]
pub struct Copilot {
    pub lang: String,
    /// A running summary of what the customer said.
    pub summary: String,
    pub suggestions: Vec<Suggestion>,
    /// A calming opening, when the customer is upset.
    pub de_escalation: Option<String>,
}

pub fn copilot(c: &backstop_engine::conversations::copilot::Copilot) -> Copilot {
    Copilot {
        lang: c.lang.as_str().to_owned(),
        summary: c.summary.clone(),
        suggestions: c.suggestions.iter().map(suggestion).collect(),
        de_escalation: c.de_escalation.clone(),
    }
}

/// A reply drafted by the tenant's model for the agent, or why there is none.
#[derive(Serialize, ToSchema)]
pub struct CopilotDraft {
    /// `written`; or `off` (no model drafts here: see `reason`), `nothing_asked`, `no_answer`
    /// (the knowledge base does not answer the latest message), `stopped` (the guard stopped
    /// what the model wrote), `failed` (the model did not answer: see `reason`).
    #[schema(example = "written")]
    pub status: String,
    /// With `off`: `no_model`, `language` or `budget`; with `failed`: the error's code
    /// (`timeout`, `unavailable`, …); with `stopped`: the guard's checks that failed.
    pub reason: Option<String>,
    /// The draft, without citation markers: what the agent inserts.
    pub text: Option<String>,
    /// The articles it cites.
    pub citations: Vec<Citation>,
    pub model: Option<String>,
    /// The customer message it answers.
    pub answers_message_id: Option<String>,
    /// How long the model took, in milliseconds.
    pub total_ms: Option<u32>,
}

pub fn copilot_draft(d: &DraftOutcome) -> CopilotDraft {
    let mut out = CopilotDraft {
        status: String::new(),
        reason: None,
        text: None,
        citations: Vec::new(),
        model: None,
        answers_message_id: None,
        total_ms: None,
    };
    match d {
        DraftOutcome::Written(w) => {
            out.status = "written".into();
            out.text = Some(w.text.clone());
            out.citations = w
                .citations
                .iter()
                .map(|c| Citation {
                    article_id: c.article_id,
                    title: c.title.clone(),
                    article: None,
                })
                .collect();
            out.model = Some(w.model.clone());
            out.answers_message_id = Some(w.answers.to_string());
            out.total_ms = Some(w.total_ms);
        }
        DraftOutcome::Off { reason } => {
            out.status = "off".into();
            out.reason = Some((*reason).to_string());
        }
        DraftOutcome::NothingAsked => out.status = "nothing_asked".into(),
        DraftOutcome::NoAnswer => out.status = "no_answer".into(),
        DraftOutcome::Stopped { findings } => {
            out.status = "stopped".into();
            let mut checks: Vec<&str> = findings.iter().map(|f| f.check.as_str()).collect();
            checks.dedup();
            out.reason = Some(checks.join(","));
        }
        DraftOutcome::Failed { error } => {
            out.status = "failed".into();
            out.reason = Some(error.clone());
        }
    }
    out
}
