//! The tenant's widget settings (cached per node, forgotten on every node when saved) and its API
//! keys: made with a random token shown once, stored as its SHA-256, scoped, revocable; a key
//! signs in as the admin who made it, limited to its scopes (`AgentSession::permit`), and stops
//! working when revoked or when that admin loses the role or the account.

use std::sync::Arc;

use backstop_core::apikey::{self, KeyRequest, Scope};
use backstop_core::directory::AgentRole;
use backstop_core::ids::{ApiKeyId, TenantId};
use backstop_core::widget::WidgetSettings;
use backstop_store::ApiKeyRecord;

use crate::people::auth::{random_token, sha256_hex, AgentSession};
use crate::{Engine, EngineError, Result};

/// A key's last use is written at most this often (a busy integration does not write per call).
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

impl Engine {
    /// The tenant's widget settings (the defaults until an admin saves some).
    pub async fn widget_settings(&self, tenant: &TenantId) -> Result<Arc<WidgetSettings>> {
        if let Some(w) = self.inner.widgets.read().unwrap_or_else(|p| p.into_inner()).get(tenant) {
            return Ok(w.clone());
        }
        let store = &self.inner.store;
        let w = Arc::new(match store.get_widget_settings(tenant).await? {
            Some(w) => w,
            // Only a tenant that exists is remembered: a stranger naming made-up tenants
            // cannot grow the cache.
            None if store.get_tenant(tenant).await?.is_none() => return Ok(Arc::default()),
            None => WidgetSettings::default(),
        });
        self.inner
            .widgets
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tenant.clone(), w.clone());
        Ok(w)
    }

    /// The tenant's name (what its widget calls it).
    pub async fn tenant_name(&self, tenant: &TenantId) -> Result<String> {
        let t = self.inner.store.get_tenant(tenant).await?;
        Ok(t.ok_or(EngineError::TenantNotFound)?.name)
    }

    /// Checks and saves the widget settings; sessions opened from now on use them.
    pub async fn save_widget_settings(
        &self,
        tenant: &TenantId,
        settings: WidgetSettings,
        by: &str,
    ) -> Result<WidgetSettings> {
        if self.inner.store.get_tenant(tenant).await?.is_none() {
            return Err(EngineError::TenantNotFound);
        }
        let settings = settings.normalized().map_err(EngineError::Invalid)?;
        self.inner
            .store
            .save_widget_settings(tenant, &settings, by, self.now())
            .await?;
        self.forget_widget(tenant);
        self.inner
            .hub
            .forward(backstop_bus::Signal::Widget { tenant: tenant.clone() });
        tracing::info!(%tenant, by, origins = settings.origins.len(), "widget settings saved");
        Ok(settings)
    }

    /// Drops the cached widget settings (saved here or on another node).
    pub(crate) fn forget_widget(&self, tenant: &TenantId) {
        self.inner
            .widgets
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(tenant);
    }

    /// Makes an API key for `by` (an admin); returns it with its token, which is shown this once.
    pub async fn create_api_key(&self, session: &AgentSession, request: KeyRequest) -> Result<(ApiKeyRecord, String)> {
        if session.scopes.is_some() {
            return Err(EngineError::Forbidden(
                "an API key cannot make API keys; sign in as an admin",
            ));
        }
        let request = request.normalized().map_err(EngineError::Invalid)?;
        let store = &self.inner.store;
        if store.list_api_keys(&session.tenant.id).await?.len() >= 100 {
            return Err(EngineError::Conflict(
                "a tenant holds at most 100 API keys; revoke one first".into(),
            ));
        }
        let token = format!("{}{}", apikey::TOKEN_PREFIX, &random_token()[..48]);
        let now = self.now();
        let key = ApiKeyRecord {
            id: ApiKeyId::new_at(now),
            tenant: session.tenant.id.clone(),
            name: request.name,
            scopes: request.scopes,
            shown: apikey::shown_part(&token),
            created_by: session.agent.id,
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        store.create_api_key(&key, &sha256_hex(&token)).await?;
        tracing::info!(tenant = %key.tenant, key = %key.id, by = %session.agent.id, "API key created");
        Ok((key, token))
    }

    pub async fn api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKeyRecord>> {
        Ok(self.inner.store.list_api_keys(tenant).await?)
    }

    /// Revokes a key at once: its next call is refused.
    pub async fn revoke_api_key(&self, tenant: &TenantId, id: ApiKeyId, by: &str) -> Result<()> {
        if !self.inner.store.revoke_api_key(tenant, id, self.now()).await? {
            return Err(EngineError::NotFound("API key"));
        }
        tracing::info!(%tenant, key = %id, by, "API key revoked");
        Ok(())
    }

    /// The session a key token stands for: its admin, limited to its scopes. A revoked key, or
    /// one whose admin was deactivated or is no longer an admin, is refused.
    pub(crate) async fn key_session(&self, token: &str) -> Result<AgentSession> {
        let store = &self.inner.store;
        let key = store
            .find_api_key(&sha256_hex(token))
            .await?
            .filter(|k| k.revoked_at.is_none())
            .ok_or(EngineError::Unauthenticated)?;
        let agent = store
            .get_agent(&key.tenant, key.created_by)
            .await?
            .filter(|a| a.active && a.role == AgentRole::Admin)
            .ok_or(EngineError::Unauthenticated)?;
        let tenant = store
            .get_tenant(&key.tenant)
            .await?
            .ok_or(EngineError::Unauthenticated)?;
        let now = self.now();
        if key.last_used_at.is_none_or(|t| t + TOUCH_EVERY <= now) {
            store.touch_api_key(key.id, now).await?;
        }
        Ok(AgentSession {
            agent,
            tenant,
            scopes: Some(key.scopes),
        })
    }
}

impl AgentSession {
    /// May this session reach the part of the API `scope` names? A person's session reaches
    /// everything (their role still decides each action); a key only its scopes.
    pub fn reaches(&self, scope: Scope) -> bool {
        self.scopes.as_ref().is_none_or(|s| s.contains(&scope))
    }
}
