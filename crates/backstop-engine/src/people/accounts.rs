//! What an admin does to agents' accounts and the tenant's secrets: deactivate and reactivate an
//! agent, set a new password, change a role, lift a sign-in lock, rotate the widget secret. Each
//! change that takes access away ends the agent's sessions and closes their live sockets at once.
//! An admin cannot lock themselves out, and a tenant always keeps one active admin.

use backstop_core::directory::{Agent, AgentRole};
use backstop_core::ids::{AgentId, TenantId};
use backstop_core::password::Password;

use crate::people::auth::random_token;
use crate::{Engine, EngineError, Result};

/// A change an admin makes to an agent's account.
#[derive(Clone, Debug)]
pub enum AccountChange {
    Deactivate,
    Reactivate,
    Role(AgentRole),
    /// A new password (the policy applies); every session of the agent ends.
    Password(String),
    /// Lift a sign-in lock and forget the failures.
    Unlock,
    /// End every session of the agent.
    SignOut,
}

impl Engine {
    /// Agent `id` of the tenant.
    pub async fn agent(&self, tenant: &TenantId, id: AgentId) -> Result<Agent> {
        self.agent_of(tenant, id).await
    }

    async fn agent_of(&self, tenant: &TenantId, id: AgentId) -> Result<Agent> {
        self.inner
            .store
            .get_agent(tenant, id)
            .await?
            .ok_or(EngineError::NotFound("agent"))
    }

    /// Applies `change` to agent `target` of `tenant`, on behalf of `by` (an admin: the HTTP layer
    /// and the CLI check who may). Returns the agent as it is now.
    pub async fn change_account(
        &self,
        tenant: &TenantId,
        by: Option<AgentId>,
        target: AgentId,
        change: AccountChange,
    ) -> Result<Agent> {
        let store = &self.inner.store;
        let mut agent = self.agent_of(tenant, target).await?;
        let takes_admin_away = match &change {
            AccountChange::Deactivate => true,
            AccountChange::Role(r) => *r != AgentRole::Admin,
            _ => false,
        };
        if matches!(change, AccountChange::Password(_)) && by == Some(target) {
            // Your own password takes the current one (`change_password`): a stolen session must
            // not be enough to keep the account.
            return Err(EngineError::Conflict(
                "change your own password with your current one (POST /api/v1/auth/password)".into(),
            ));
        }
        if takes_admin_away && by == Some(target) {
            return Err(EngineError::Conflict(
                "you cannot deactivate yourself or give up your own admin role; ask another admin".into(),
            ));
        }
        if takes_admin_away
            && agent.role == AgentRole::Admin
            && agent.active
            && self.is_last_admin(tenant, target).await?
        {
            return Err(EngineError::Conflict(
                "this is the tenant's last active admin; make someone else an admin first".into(),
            ));
        }
        match change {
            AccountChange::Deactivate => {
                agent.active = false;
                store.update_agent(&agent).await?;
                self.sign_out_everywhere(tenant, target).await?;
                tracing::info!(tenant = %tenant, agent = %target, "agent deactivated");
            }
            AccountChange::Reactivate => {
                agent.active = true;
                store.update_agent(&agent).await?;
                tracing::info!(tenant = %tenant, agent = %target, "agent reactivated");
            }
            AccountChange::Role(role) => {
                let before = agent.role;
                agent.role = role;
                store.update_agent(&agent).await?;
                if role_rank(role) < role_rank(before) {
                    // Less access: sessions carrying the old role end.
                    self.sign_out_everywhere(tenant, target).await?;
                }
                tracing::info!(tenant = %tenant, agent = %target, role = role.as_str(), "agent role changed");
            }
            AccountChange::Password(p) => {
                let p = Password::parse(&p, &[&agent.email, &agent.name])
                    .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
                self.set_password(tenant, target, p).await?;
            }
            AccountChange::Unlock => {
                store.clear_login_failures(tenant, target).await?;
                tracing::info!(tenant = %tenant, agent = %target, "agent sign-in unlocked");
            }
            AccountChange::SignOut => {
                self.sign_out_everywhere(tenant, target).await?;
            }
        }
        self.agent_of(tenant, target).await
    }

    async fn is_last_admin(&self, tenant: &TenantId, agent: AgentId) -> Result<bool> {
        let agents = self.inner.store.list_agents(tenant).await?;
        Ok(!agents
            .iter()
            .any(|a| a.id != agent && a.active && a.role == AgentRole::Admin))
    }

    /// Replaces the tenant's widget secret with a new random one and returns it (shown once).
    /// Host sites must sign e-mails with the new secret from now on.
    pub async fn rotate_widget_secret(&self, tenant: &TenantId) -> Result<String> {
        let secret = random_token();
        self.inner.store.set_widget_secret(tenant, &secret).await?;
        tracing::info!(tenant = %tenant, "widget secret rotated");
        Ok(secret)
    }
}

fn role_rank(r: AgentRole) -> u8 {
    match r {
        AgentRole::Agent => 0,
        AgentRole::Supervisor => 1,
        AgentRole::Admin => 2,
    }
}
