//! What an admin sets for a tenant outside the conversation path, kept apart from [`crate::Store`]
//! (which extends it): the widget's settings, the billing plan and the tenant's API keys (stored as the SHA-256 of
//! the token; the token itself is never stored).

use async_trait::async_trait;
use backstop_core::apikey::Scope;
use backstop_core::ids::{AgentId, ApiKeyId, TenantId};
use backstop_core::widget::WidgetSettings;
use backstop_core::Timestamp;

use crate::Result;

/// One API key as stored: everything but the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub tenant: TenantId,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The token's first characters (`bsk_1a2b3c4d`), to tell keys apart in a list.
    pub shown: String,
    /// The admin who made it; the key acts on their behalf and never beyond their role.
    pub created_by: AgentId,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

#[async_trait]
pub trait SettingsStore: Send + Sync + 'static {
    /// The tenant's widget settings, if an admin ever saved any.
    async fn get_widget_settings(&self, tenant: &TenantId) -> Result<Option<WidgetSettings>>;
    /// Replaces the tenant's widget settings.
    async fn save_widget_settings(
        &self,
        tenant: &TenantId,
        settings: &WidgetSettings,
        author: &str,
        at: Timestamp,
    ) -> Result<()>;

    /// The tenant's billing plan (the one saved last), if one was ever saved.
    async fn get_plan(&self, tenant: &TenantId) -> Result<Option<backstop_core::billing::Plan>>;
    /// The plan in effect just before `before`: the last one saved earlier (a month is priced by
    /// the plan in effect when it ends).
    async fn plan_in_effect(
        &self,
        tenant: &TenantId,
        before: Timestamp,
    ) -> Result<Option<backstop_core::billing::Plan>>;
    /// Saves a new version of the tenant's billing plan, in effect from `at`; earlier ones are kept.
    async fn save_plan(
        &self,
        tenant: &TenantId,
        plan: &backstop_core::billing::Plan,
        author: &str,
        at: Timestamp,
    ) -> Result<()>;

    /// Stores a new key under the SHA-256 (hex) of its token.
    async fn create_api_key(&self, key: &ApiKeyRecord, token_hash: &str) -> Result<()>;
    /// The tenant's keys, revoked ones too, newest first.
    async fn list_api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKeyRecord>>;
    /// The key whose token has this SHA-256, revoked or not.
    async fn find_api_key(&self, token_hash: &str) -> Result<Option<ApiKeyRecord>>;
    /// Revokes a key of the tenant; false when it has no such key or it was already revoked.
    async fn revoke_api_key(&self, tenant: &TenantId, id: ApiKeyId, at: Timestamp) -> Result<bool>;
    /// Notes that the key was used at `at`.
    async fn touch_api_key(&self, id: ApiKeyId, at: Timestamp) -> Result<()>;
}
