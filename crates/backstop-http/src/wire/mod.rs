//! The API's JSON shapes, typed (see docs/PROTOCOL.md and `/api/v1/openapi.json`, which is
//! generated from these types). Domain and store types become wire types here and nowhere else;
//! each wire type derives its OpenAPI schema, so the description cannot drift from what is sent.
//!
//! Layout: `conversation` (messages, conversations, the handoff packet, events, SLA clocks and alerts,
//! the widget's view), `copilot` (suggestions and the model's draft), `directory` (agents, teams, ratings, sessions),
//! `knowledge` (articles, versions, candidates, replay, understanding, the policy), `model` (the
//! tenant's generative model settings; the key never goes out), `reports` (the manager's report
//! and the conversations behind a number), `frames`
//! (the WebSocket frames of the widget and the inbox).
//!
//! Every answer is a named wire type (the OpenAPI test fails on a free-form answer), and so is every
//! part of one, with three exceptions that travel as free-form JSON objects inside their answers,
//! documented as such: a decision's trace (the policy's signals and rule evaluation), the policy's
//! settings and rules (the TOML's own structure, shown back to the admin who wrote it), and the
//! what-if replay's changed conversations. Each is the policy engine's vocabulary, which grows with
//! the policy language; giving each its wire mirror is still to do.

mod actions;
mod channels;
mod conversation;
mod copilot;
mod directory;
pub mod frames;
mod knowledge;
mod model;
mod reports;
mod settings;

pub use actions::*;
pub use channels::*;
pub use conversation::*;
pub use copilot::*;
pub use directory::*;
pub use knowledge::*;
pub use model::*;
pub use reports::*;
pub use settings::*;

use backstop_core::Timestamp;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

/// A time as RFC 3339 text.
pub fn time(t: Timestamp) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Any serializable domain value as free-form JSON (for the deep structures named above).
pub(crate) fn json_of(v: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Every error: `{"error": {"code": …, "message": …}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable: `invalid_input`, `rate_limited`, `forbidden_origin`, …
    pub code: String,
    /// For a person; never internal details.
    pub message: String,
    /// For a form (`invalid_input`): each field that cannot be used, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDetail>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldDetail {
    /// The field as the request spells it (`name`, `hours.timezone`, `greeting.zh`).
    pub field: String,
    pub message: String,
}
