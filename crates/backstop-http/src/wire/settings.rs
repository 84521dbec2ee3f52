//! Wire types of the admin's settings: the widget's settings with its snippet, API keys (the
//! token only in the answer that made it), a new agent (with the password made for them, once).

use std::collections::BTreeMap;

use backstop_core::widget::WidgetSettings;
use backstop_store::ApiKeyRecord;
use serde::Serialize;
use utoipa::ToSchema;

/// The widget's settings and the snippet that embeds it.
#[derive(Serialize, ToSchema)]
pub struct Widget {
    /// The accent colour, `#rrggbb`.
    pub color: String,
    /// `right` or `left`.
    pub corner: String,
    /// The greeting per language (`zh`, `en`); a language left out gets the built-in greeting.
    pub greeting: BTreeMap<String, String>,
    /// The languages offered, the first the default; empty: every language.
    pub languages: Vec<String>,
    /// Sites allowed to embed the widget; empty: any site.
    pub origins: Vec<String>,
    /// The `<script>` tag to paste before `</body>`.
    pub snippet: String,
}

pub fn widget(w: &WidgetSettings, base: &str, tenant: &str) -> Widget {
    Widget {
        color: w.color.clone(),
        corner: w.corner.as_str().to_owned(),
        greeting: w
            .greeting
            .iter()
            .map(|(l, g)| (l.as_str().to_owned(), g.clone()))
            .collect(),
        languages: w.languages.iter().map(|l| l.as_str().to_owned()).collect(),
        origins: w.origins.clone(),
        snippet: w.snippet(base, tenant),
    }
}

/// How the widget looks to a visitor, read before it is drawn.
#[derive(Serialize, ToSchema)]
pub struct WidgetLook {
    pub tenant_name: String,
    /// `#rrggbb`.
    pub color: String,
    /// `right` or `left`.
    pub corner: String,
    /// The tenant's greetings per language; a language left out gets the built-in one.
    pub greeting: BTreeMap<String, String>,
    /// The languages offered, the first the default; empty: every language.
    pub languages: Vec<String>,
}

pub fn widget_look(w: &WidgetSettings, tenant_name: &str) -> WidgetLook {
    let full = widget(w, "", "");
    WidgetLook {
        tenant_name: tenant_name.to_owned(),
        color: full.color,
        corner: full.corner,
        greeting: full.greeting,
        languages: full.languages,
    }
}

/// An API key, without its token.
#[derive(Serialize, ToSchema)]
pub struct ApiKey {
    #[schema(value_type = String, format = Uuid)]
    pub id: backstop_core::ids::ApiKeyId,
    pub name: String,
    /// `conversations`, `knowledge`, `reports`, `settings`.
    pub scopes: Vec<String>,
    /// The token's first characters, to tell keys apart.
    pub shown: String,
    #[schema(value_type = String, format = Uuid)]
    pub created_by: backstop_core::ids::AgentId,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub fn api_key(k: &ApiKeyRecord) -> ApiKey {
    ApiKey {
        id: k.id,
        name: k.name.clone(),
        scopes: k.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        shown: k.shown.clone(),
        created_by: k.created_by,
        created_at: super::time(k.created_at),
        last_used_at: k.last_used_at.map(super::time),
        revoked_at: k.revoked_at.map(super::time),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyList {
    pub keys: Vec<ApiKey>,
}

/// A key just made: `token` is shown this once (send it as `Authorization: Bearer …`).
#[derive(Serialize, ToSchema)]
pub struct NewApiKey {
    pub key: ApiKey,
    pub token: String,
}

/// An agent just added; `password` is the one made for them when none was given (shown once).
#[derive(Serialize, ToSchema)]
pub struct NewAgent {
    pub agent: super::Agent,
    pub password: Option<String>,
}

/// The tenant's plan (`null` until an admin saves one), as `backstop_core::billing::Plan`.
#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    #[schema(value_type = Option<Object>)]
    pub plan: Option<serde_json::Value>,
}

/// A month's statement.
#[derive(Serialize, ToSchema)]
pub struct StatementOut {
    /// `2026-11`.
    pub month: String,
    /// Whether the tenant has a plan (else the usage is listed uncharged).
    pub has_plan: bool,
    #[schema(value_type = Object)]
    pub plan: serde_json::Value,
    /// Units used, per item (`ai_resolution`, `assisted`, `human_resolved`, `messages`,
    /// `model_tokens`, `action_calls`).
    pub usage: BTreeMap<String, u64>,
    /// Where usage came from, per item: `{"messages":{"web":120,"email":8},"model_tokens":{"qwen2.5":51234}}`
    /// (a model named `""` stands for calls counted before tokens were kept per model).
    pub breakdown: BTreeMap<String, BTreeMap<String, u64>>,
    /// Lines (item, used, included, billable, tier charges, amount, limit state), the fee and the
    /// total, amounts in minor units.
    #[schema(value_type = Object)]
    pub statement: serde_json::Value,
    /// Conversations of the month whose outcome may still change: final once zero.
    pub provisional: u64,
}

pub fn statement(m: &backstop_engine::insight::billing::MonthStatement) -> StatementOut {
    StatementOut {
        month: m.month.clone(),
        has_plan: m.has_plan,
        plan: super::json_of(&m.plan),
        usage: m.usage.0.iter().map(|(k, v)| (k.as_str().to_owned(), *v)).collect(),
        breakdown: m
            .breakdown
            .0
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
            .collect(),
        statement: super::json_of(&m.statement),
        provisional: m.provisional,
    }
}
