//! A tenant's actions on the wire: the definition as an admin writes and reads it (the secret goes
//! in and never comes out — only whether one is set), its versions, and what trying it showed.

use std::collections::BTreeMap;

use backstop_engine::knowledge::actions::Trial;
use backstop_store::ActionRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::time;

/// An action in force.
#[derive(Serialize, ToSchema)]
pub struct ActionView {
    pub name: String,
    pub version: u32,
    /// The definition as saved (`backstop_core::action::ActionSpec`).
    #[schema(value_type = Object)]
    pub spec: serde_json::Value,
    /// Whether a secret is stored (it is never shown).
    pub has_secret: bool,
    pub updated_by: String,
    pub updated_at: String,
}

pub fn action_view(rec: &ActionRecord) -> ActionView {
    ActionView {
        name: rec.name.clone(),
        version: rec.version,
        spec: rec
            .spec
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(serde_json::Value::Null),
        has_secret: rec.secret.is_some(),
        updated_by: rec.author.clone(),
        updated_at: time(rec.created_at),
    }
}

/// The tenant's actions.
#[derive(Serialize, ToSchema)]
pub struct ActionList {
    pub actions: Vec<ActionView>,
}

/// One saved version (`spec` null: this version removed the action).
#[derive(Serialize, ToSchema)]
pub struct ActionVersion {
    pub version: u32,
    #[schema(value_type = Option<Object>)]
    pub spec: Option<serde_json::Value>,
    pub author: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ActionVersions {
    pub versions: Vec<ActionVersion>,
}

pub fn action_versions(recs: &[ActionRecord]) -> ActionVersions {
    ActionVersions {
        versions: recs
            .iter()
            .map(|r| ActionVersion {
                version: r.version,
                spec: r.spec.as_deref().and_then(|s| serde_json::from_str(s).ok()),
                author: r.author.clone(),
                created_at: time(r.created_at),
            })
            .collect(),
    }
}

/// Saves an action: its definition, and the secret to set (or `clear_secret`; neither keeps it).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    #[schema(value_type = Object)]
    pub spec: serde_json::Value,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub clear_secret: bool,
    /// Store the secret of this other action of the tenant (copied inside, never shown).
    #[serde(default)]
    pub secret_from: Option<String>,
}

/// Tries an action with sample values; a change is only shown unless `send` is true.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrialBody {
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    #[serde(default)]
    pub send: bool,
}

/// What trying an action showed: the request (the secret as `***`) and, when it was sent, the
/// outcome, the call's record and the result as the customer would be told it.
#[derive(Serialize, ToSchema)]
pub struct TrialView {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[schema(value_type = Option<Object>)]
    pub body: Option<serde_json::Value>,
    pub sent: bool,
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub record: Option<serde_json::Value>,
    pub told_en: Option<String>,
    pub told_zh: Option<String>,
}

pub fn trial_view(t: Trial) -> TrialView {
    TrialView {
        method: t.method.to_string(),
        url: t.url,
        headers: t.headers,
        body: t.body,
        sent: t.outcome.is_some(),
        outcome: t.outcome.and_then(|o| serde_json::to_value(o).ok()),
        record: t.record.and_then(|r| serde_json::to_value(r).ok()),
        told_en: t.told.as_ref().map(|(en, _)| en.clone()),
        told_zh: t.told.map(|(_, zh)| zh),
    }
}

/// The action a person is handed with a conversation: what the customer asked to have done and
/// why the AI did not do it.
#[derive(Serialize, ToSchema)]
pub struct Proposed {
    pub action: String,
    pub description: String,
    /// `read` or `change`.
    pub effect: String,
    /// The values found, as the customer gave them.
    pub values: BTreeMap<String, String>,
    /// What the customer would confirm, in the conversation's language.
    pub summary: String,
    /// The action rule that wanted a person, if one did.
    pub rule: Option<String>,
    /// What went wrong when the merchant's system failed or refused (`{"result": "failed",
    /// "failure": "timeout"}`, `{"result": "refused", "code": …}`).
    #[schema(value_type = Option<Object>)]
    pub failure: Option<serde_json::Value>,
}

pub fn proposed(p: &backstop_core::action::dialogue::ProposedAction) -> Proposed {
    Proposed {
        action: p.action.clone(),
        description: p.description.clone(),
        effect: match p.effect {
            backstop_core::action::Effect::Read => "read".into(),
            backstop_core::action::Effect::Change => "change".into(),
        },
        values: p.values.clone(),
        summary: p.summary.clone(),
        rule: p.rule.clone(),
        failure: p.failure.as_ref().and_then(|f| serde_json::to_value(f).ok()),
    }
}

/// The conversation's customer panel.
#[derive(Serialize, ToSchema)]
pub struct CustomerPanel {
    /// `shown`, `no_action` (the tenant has no panel action), `not_verified` (the customer's
    /// e-mail is not one the shop vouched for) or `failed` (the shop's system did not answer).
    pub state: String,
    /// The panel action.
    pub action: Option<String>,
    pub description: Option<String>,
    /// The keys of each row, in order.
    pub columns: Vec<String>,
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Why it failed (`timeout`, `status`, `refused (404)` …).
    pub failure: Option<String>,
}

pub fn customer_panel(p: backstop_engine::PanelView) -> CustomerPanel {
    use backstop_engine::PanelView as P;
    let empty = |state: &str, action: Option<String>, failure: Option<String>| CustomerPanel {
        state: state.into(),
        action,
        description: None,
        columns: vec![],
        rows: vec![],
        failure,
    };
    match p {
        P::NoAction => empty("no_action", None, None),
        P::NotVerified { action } => empty("not_verified", Some(action), None),
        P::Failed { action, why } => empty("failed", Some(action), Some(why)),
        P::Shown {
            action,
            description,
            columns,
            rows,
        } => CustomerPanel {
            state: "shown".into(),
            action: Some(action),
            description: Some(description),
            columns,
            rows,
            failure: None,
        },
    }
}
