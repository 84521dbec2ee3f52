//! A tenant's channels, kept apart from [`crate::Store`] (which extends it): its connections to
//! the providers (one business account on one channel each, found by that account when the
//! provider posts; the secrets kept in a table of their own and read only to verify or send), and
//! each customer's identities per channel — the one way a channel's contact becomes a customer.

use std::collections::BTreeMap;

use async_trait::async_trait;
use backstop_core::channel::Channel;
use backstop_core::directory::Customer;
use backstop_core::ids::{ConnectionId, ConversationId, CustomerId, TenantId};
use backstop_core::Timestamp;

use crate::{Reach, Result};

/// A tenant's connection to one business account on a channel.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionRecord {
    pub id: ConnectionId,
    pub tenant: TenantId,
    pub channel: Channel,
    /// The provider's id of the business account — a WhatsApp phone number id, a Page or
    /// Instagram account id, a bot's name, a mailbox — at most one connection per channel has it.
    pub account: String,
    /// What the admin calls it.
    pub name: String,
    /// What the channel needs besides secrets (API version, templates …), as the engine reads it.
    pub settings: serde_json::Value,
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A connection's named secrets (an access token, the app secret, the verify token, a bot token,
/// a mail password). Never listed, never returned by the API.
pub type Secrets = BTreeMap<String, String>;

/// Who a customer is on one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityRecord {
    pub tenant: TenantId,
    pub channel: Channel,
    /// The channel's id for the person (a WhatsApp id, a page-scoped id, a Telegram user id, an
    /// e-mail address in lower case).
    pub external_id: String,
    pub customer: CustomerId,
    /// The name the channel shows, not verified.
    pub name: Option<String>,
    /// Linked to `customer` by a verification (a code sent, a signed-in site), not by a claim.
    pub verified: bool,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

#[async_trait]
pub trait ChannelStore: Send + Sync + 'static {
    /// Creates or replaces the connection `c.id`; `secrets` replaces the stored secrets, `None`
    /// keeps them. `Conflict("connection")` when another connection, of any tenant, already has
    /// the same channel and account.
    async fn save_connection(&self, c: &ConnectionRecord, secrets: Option<&Secrets>) -> Result<()>;
    /// The tenant's connections, by channel then name; no secrets.
    async fn list_connections(&self, tenant: &TenantId) -> Result<Vec<ConnectionRecord>>;
    async fn get_connection(&self, tenant: &TenantId, id: ConnectionId) -> Result<Option<ConnectionRecord>>;
    /// The connection that has this business account on `channel`, with its secrets: how a
    /// provider's post is routed to its tenant and verified.
    async fn connection_for_account(
        &self,
        channel: Channel,
        account: &str,
    ) -> Result<Option<(ConnectionRecord, Secrets)>>;
    /// A connection's secrets, to send through it.
    async fn connection_secrets(&self, tenant: &TenantId, id: ConnectionId) -> Result<Option<Secrets>>;
    /// Removes a connection and its secrets; false when the tenant has no such connection.
    async fn delete_connection(&self, tenant: &TenantId, id: ConnectionId) -> Result<bool>;

    /// The customer behind this channel identity. The first time it is seen, `new` is stored as
    /// the customer and linked to it, unverified, in one transaction (two first messages at once
    /// make one customer); later, its last sighting (and name, if given) is updated. Returns the
    /// identity and whether it was new.
    async fn resolve_identity(
        &self,
        tenant: &TenantId,
        channel: Channel,
        external_id: &str,
        name: Option<&str>,
        new: &Customer,
        at: Timestamp,
    ) -> Result<(IdentityRecord, bool)>;
    /// Links an identity to `customer` as verified (after a verification), replacing the link it
    /// had; creates the identity if it was never seen.
    async fn link_identity(
        &self,
        tenant: &TenantId,
        channel: Channel,
        external_id: &str,
        customer: CustomerId,
        at: Timestamp,
    ) -> Result<()>;
    /// Every identity of a customer, by channel.
    async fn identities_of(&self, tenant: &TenantId, customer: CustomerId) -> Result<Vec<IdentityRecord>>;

    /// Moves a conversation to `channel`, answered at `reach` (`None` on the widget); false when
    /// the tenant has no such conversation.
    async fn set_conversation_reach(
        &self,
        tenant: &TenantId,
        conversation: ConversationId,
        channel: Channel,
        reach: Option<&Reach>,
    ) -> Result<bool>;
}
