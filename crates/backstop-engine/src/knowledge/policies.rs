//! Each tenant's escalation policy: the version in force, cached, and saving a new one (validated
//! first; the next customer turn follows it).

use std::sync::Arc;

use backstop_core::ids::TenantId;
use backstop_core::policy::Policy;
use backstop_store::PolicyRecord;

use crate::{Engine, EngineError, Result};

/// A policy's text may be at most this long (inside the API's 64 KB body limit).
pub const MAX_POLICY_BYTES: usize = 48 * 1024;

impl Engine {
    /// The policy in force for `tenant`: its newest saved version, or the engine's default.
    pub async fn policy(&self, tenant: &TenantId) -> Result<Arc<Policy>> {
        if let Some(p) = self
            .inner
            .policies
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(tenant)
        {
            return Ok(p.clone());
        }
        let policy = match self.inner.store.current_policy(tenant).await? {
            Some(rec) => {
                let mut p = Policy::parse(&rec.source).map_err(|e| {
                    EngineError::Internal(format!(
                        "stored policy v{} of {tenant} no longer parses: {e}",
                        rec.version
                    ))
                })?;
                p.version = rec.version;
                p
            }
            None => self.inner.config.policy.clone(),
        };
        let policy = Arc::new(policy);
        self.inner
            .policies
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tenant.clone(), policy.clone());
        Ok(policy)
    }

    /// The text of the policy in force and its version (0 and the default's text when the tenant
    /// has saved none).
    pub async fn policy_source(&self, tenant: &TenantId) -> Result<(u32, String)> {
        Ok(match self.inner.store.current_policy(tenant).await? {
            Some(rec) => (rec.version, rec.source),
            None => (0, self.inner.config.policy_source.clone()),
        })
    }

    /// Parses and validates `source` for the tenant: the policy's own checks, then that every team
    /// an automation rule assigns to exists (by name, in any of its languages) and every action it
    /// runs is one of the tenant's that the AI may run.
    pub async fn check_policy(&self, tenant: &TenantId, source: &str) -> Result<Policy> {
        let policy = Policy::parse(source)?;
        let refuse = |r: &backstop_core::automation::AutomationRule, message: String| -> EngineError {
            backstop_core::policy::PolicyError::Automation {
                line: r.line,
                rule: r.name.clone(),
                message,
            }
            .into()
        };
        if policy.automations.iter().any(|r| r.then.assign_team.is_some()) {
            let teams = self.inner.store.list_teams(tenant).await?;
            for r in policy.automations.iter().filter(|r| r.then.assign_team.is_some()) {
                let name = r.then.assign_team.as_deref().unwrap_or_default();
                if backstop_core::directory::team_named(&teams, name).is_none() {
                    let known: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
                    return Err(refuse(
                        r,
                        format!(
                            "then.assign_team: no team is called {name:?} (teams: {})",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        if policy.automations.iter().any(|r| r.then.run_action.is_some()) {
            let actions = self.inner.store.current_actions(tenant).await?;
            let runnable: Vec<String> = actions
                .iter()
                .filter_map(|rec| crate::knowledge::actions::parsed(rec).ok())
                .filter(|a| a.spec.panel.is_none())
                .map(|a| a.name().to_string())
                .collect();
            for r in policy.automations.iter().filter(|r| r.then.run_action.is_some()) {
                let name = r.then.run_action.as_deref().unwrap_or_default();
                if !runnable.iter().any(|a| a == name) {
                    return Err(refuse(
                        r,
                        format!(
                            "then.run_action: the AI has no action called {name:?} (actions: {})",
                            if runnable.is_empty() {
                                "none".to_string()
                            } else {
                                runnable.join(", ")
                            }
                        ),
                    ));
                }
            }
        }
        Ok(policy)
    }

    /// Validates `source` and saves it as the tenant's next version; it decides from the next turn.
    pub async fn save_policy(&self, tenant: &TenantId, source: &str, author: &str) -> Result<PolicyRecord> {
        if source.len() > MAX_POLICY_BYTES {
            return Err(EngineError::InvalidInput(format!(
                "a policy is at most {MAX_POLICY_BYTES} bytes"
            )));
        }
        let mut policy = self.check_policy(tenant, source).await?;
        let rec = self.inner.store.save_policy(tenant, source, author, self.now()).await?;
        policy.version = rec.version;
        self.inner
            .policies
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tenant.clone(), Arc::new(policy));
        self.inner
            .hub
            .forward(backstop_bus::Signal::Policy { tenant: tenant.clone() });
        tracing::info!(%tenant, version = rec.version, author, "policy saved");
        Ok(rec)
    }

    /// Every saved version, newest first.
    pub async fn policy_versions(&self, tenant: &TenantId) -> Result<Vec<PolicyRecord>> {
        Ok(self.inner.store.list_policies(tenant).await?)
    }
}
