//! The customer panel: the tenant's panel action (a reading action with `panel`, such as the
//! customer's orders) run for an agent with the conversation's customer's verified e-mail, and
//! only the rows and columns the panel names returned. Never for a customer the shop has not
//! vouched for: a typed e-mail proves nothing.

use backstop_actions::Outcome;
use backstop_core::action::schema::Entity;
use backstop_core::ids::{ConversationId, TenantId};
use serde_json::Value;
use std::collections::BTreeMap;

use super::{caller, live};
use crate::knowledge::actions::OutcomeKind;
use crate::{Engine, Result};

/// What the panel shows.
#[derive(Clone, Debug, PartialEq)]
pub enum PanelView {
    /// The tenant has no panel action.
    NoAction,
    /// The customer's e-mail is not one the shop vouched for.
    NotVerified { action: String },
    /// The rows (each the panel's columns, in order).
    Shown {
        action: String,
        description: String,
        columns: Vec<String>,
        rows: Vec<Vec<Value>>,
    },
    /// The shop's system did not answer usably (`timeout`, `status` …).
    Failed { action: String, why: String },
}

impl Engine {
    /// The conversation's customer panel (see the module documentation).
    pub async fn customer_panel(&self, tenant: &TenantId, id: ConversationId) -> Result<PanelView> {
        let conv = self.conversation(tenant, id).await?;
        let actions = live(self, &conv).await?;
        let Some((rec, action)) = actions.into_iter().find(|(_, a)| a.spec.panel.is_some()) else {
            return Ok(PanelView::NoAction);
        };
        let name = action.name().to_string();
        let customer = self.inner.store.get_customer(tenant, conv.customer).await?;
        let Some(email) = customer.filter(|c| c.email_verified).and_then(|c| c.email) else {
            return Ok(PanelView::NotVerified { action: name });
        };
        let values: BTreeMap<String, String> = action
            .schema
            .parameters
            .iter()
            .filter(|p| p.entity == Entity::Email)
            .map(|p| (p.name.clone(), email.clone()))
            .collect();
        let Ok(checked) = action.schema.check(&values) else {
            return Ok(PanelView::Failed {
                action: name,
                why: "the customer's e-mail does not fit the action's parameters".into(),
            });
        };
        let call = caller().call(&action, &checked, rec.secret.as_deref(), None).await;
        tracing::info!(%tenant, conversation = %id, action = %name, outcome = call.outcome_kind(), "customer panel read");
        Ok(match call.outcome {
            Outcome::Done { fields } => PanelView::Shown {
                description: action.spec.description.clone(),
                columns: action
                    .spec
                    .panel
                    .as_ref()
                    .map(|p| p.columns.clone())
                    .unwrap_or_default(),
                rows: action.panel_rows(&fields),
                action: name,
            },
            Outcome::Refused { status, code } => PanelView::Failed {
                action: name,
                why: format!(
                    "refused ({status}{})",
                    code.map(|c| format!(", {c}")).unwrap_or_default()
                ),
            },
            Outcome::Failed(f) => PanelView::Failed {
                action: name,
                why: serde_json::to_value(&f)
                    .ok()
                    .and_then(|v| v.get("failure").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_else(|| "failed".into()),
            },
        })
    }
}
