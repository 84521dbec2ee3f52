//! A tenant's channels (issue 21, in progress): connecting a provider's business account (its
//! secrets checked, kept apart, never shown again), and what the provider posts — verified
//! against the connection's own secrets, read by the channel's reader (`backstop-channels`), each
//! customer message stored once in the customer's open conversation on that connection (or a new
//! one) and answered by the same turn as the widget's.
//!
//! Not yet here: sending the answers back through the provider, attachments' files, delivery
//! statuses, bursts answered once.

mod inbound;

use std::collections::BTreeMap;

use backstop_core::channel::connection::ConnectionDraft;
use backstop_core::ids::{ConnectionId, TenantId};
use backstop_store::ConnectionRecord;

pub use backstop_channels::meta::SIGNATURE_HEADER as HUB_SIGNATURE_HEADER;
pub use backstop_channels::telegram::SECRET_HEADER as TELEGRAM_SECRET_HEADER;
pub use inbound::{Received, WebhookAuth};

use crate::people::auth::random_token;
use crate::{Engine, EngineError, Result};

/// A connection with the names of its stored secrets (never their values).
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionView {
    pub record: ConnectionRecord,
    pub secrets_set: Vec<String>,
}

/// The most connections one tenant keeps.
const MAX_CONNECTIONS: usize = 50;

impl Engine {
    /// Connects a channel, or (with `id`) changes a connection; secrets left out of a change are
    /// kept. A Telegram bot without a webhook secret gets one made here.
    pub async fn save_connection(
        &self,
        tenant: &TenantId,
        id: Option<ConnectionId>,
        draft: ConnectionDraft,
        enabled: bool,
        by: &str,
    ) -> Result<ConnectionView> {
        let store = &self.inner.store;
        let now = self.now();
        let existing = match id {
            Some(id) => Some(
                store
                    .get_connection(tenant, id)
                    .await?
                    .ok_or(EngineError::NotFound("connection"))?,
            ),
            None => {
                if store.list_connections(tenant).await?.len() >= MAX_CONNECTIONS {
                    return Err(EngineError::Conflict(format!(
                        "a tenant keeps at most {MAX_CONNECTIONS} channel connections; remove one first"
                    )));
                }
                None
            }
        };
        let kept = match &existing {
            Some(c) if c.channel == draft.channel => store.connection_secrets(tenant, c.id).await?.unwrap_or_default(),
            _ => BTreeMap::new(),
        };
        let mut draft = draft.normalized(&kept).map_err(EngineError::Invalid)?;
        if draft.channel == backstop_core::channel::Channel::Telegram && !draft.secrets.contains_key("webhook_secret") {
            draft
                .secrets
                .insert("webhook_secret".into(), random_token()[..48].to_owned());
        }
        let record = ConnectionRecord {
            id: existing.as_ref().map_or_else(|| ConnectionId::new_at(now), |c| c.id),
            tenant: tenant.clone(),
            channel: draft.channel,
            account: draft.account,
            name: draft.name,
            settings: existing
                .as_ref()
                .map_or_else(|| serde_json::json!({}), |c| c.settings.clone()),
            enabled,
            created_at: existing.as_ref().map_or(now, |c| c.created_at),
            updated_at: now,
        };
        match store.save_connection(&record, Some(&draft.secrets)).await {
            Ok(()) => {}
            Err(backstop_store::StoreError::Conflict(_)) => {
                return Err(EngineError::Conflict(format!(
                    "this {} account is already connected",
                    record.channel
                )))
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(%tenant, connection = %record.id, channel = %record.channel, by, "channel connection saved");
        Ok(ConnectionView {
            record,
            secrets_set: draft.secrets.into_keys().collect(),
        })
    }

    /// The tenant's connections, each with the names of its stored secrets.
    pub async fn connections(&self, tenant: &TenantId) -> Result<Vec<ConnectionView>> {
        let store = &self.inner.store;
        let mut out = Vec::new();
        for record in store.list_connections(tenant).await? {
            let secrets = store.connection_secrets(tenant, record.id).await?.unwrap_or_default();
            out.push(ConnectionView {
                record,
                secrets_set: secrets.into_keys().collect(),
            });
        }
        Ok(out)
    }

    /// Removes a connection: its webhook stops being accepted at once.
    pub async fn remove_connection(&self, tenant: &TenantId, id: ConnectionId, by: &str) -> Result<()> {
        if !self.inner.store.delete_connection(tenant, id).await? {
            return Err(EngineError::NotFound("connection"));
        }
        tracing::info!(%tenant, connection = %id, by, "channel connection removed");
        Ok(())
    }
}
