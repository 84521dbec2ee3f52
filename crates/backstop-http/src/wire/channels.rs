//! A tenant's channel connections as the admin pages see them: never a secret's value, only which
//! secrets are set, and the webhook address to give the provider.

use backstop_store::ConnectionRecord;
use serde::Serialize;
use utoipa::ToSchema;

use super::time;

/// One connection to a channel's provider.
#[derive(Serialize, ToSchema)]
pub struct Connection {
    #[schema(value_type = String, format = Uuid)]
    pub id: backstop_core::ids::ConnectionId,
    /// `whatsapp`, `messenger`, `instagram` or `telegram`.
    #[schema(example = "whatsapp")]
    pub channel: String,
    /// The provider's id of the business account (phone number id, Page or Instagram account id,
    /// bot name).
    pub account: String,
    pub name: String,
    pub enabled: bool,
    /// The names of the secrets stored (never their values).
    pub secrets_set: Vec<String>,
    /// The callback address to give the provider (path only; prefix it with this server's public
    /// address).
    #[schema(example = "/hooks/maple/0193a1b2-…")]
    pub webhook_path: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConnectionList {
    pub connections: Vec<Connection>,
}

/// What a webhook call brought (the providers only read the status).
#[derive(Serialize, ToSchema)]
pub struct WebhookReceipt {
    pub messages: usize,
    pub duplicates: usize,
    pub statuses: usize,
    pub ignored: usize,
}

pub fn connection(c: &ConnectionRecord, secrets_set: Vec<String>) -> Connection {
    Connection {
        id: c.id,
        channel: c.channel.as_str().to_owned(),
        account: c.account.clone(),
        name: c.name.clone(),
        enabled: c.enabled,
        secrets_set,
        webhook_path: format!("/hooks/{}/{}", c.tenant.as_str(), c.id),
        created_at: time(c.created_at),
        updated_at: time(c.updated_at),
    }
}
