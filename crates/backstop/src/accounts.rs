//! Changing agents' accounts and the tenant's secrets from the command line, as an admin would in
//! the API: deactivate, reactivate, change a role, set a password (read from standard input, the
//! password policy applied), lift a sign-in lock, sign out everywhere; rotate the widget secret.

use std::io::BufRead;

use anyhow::Context;
use backstop_core::directory::{Agent, AgentRole};
use backstop_core::password::Password;
use backstop_engine::AccountChange;
use backstop_store::Store;

/// The first line of `source`, checked against the password policy (`personal`: the person's
/// e-mail and name, which a password must not be).
pub(crate) fn read_password(source: impl BufRead, personal: &[&str]) -> anyhow::Result<Password> {
    let line = source.lines().next().context("no password given on standard input")??;
    Password::parse(&line, personal).map_err(|e| anyhow::anyhow!("{e}"))
}

/// An agent's account, changed as an admin would: deactivate, reactivate, a role, a new password
/// (read from `password_source`), unlock, sign out everywhere. Sessions end as the change needs;
/// a running server's open inbox notices within a minute.
pub async fn change_account(
    store: std::sync::Arc<dyn Store>,
    tenant_id: &str,
    email: &str,
    change: AccountCommand,
    password_source: impl BufRead,
) -> anyhow::Result<Agent> {
    let tenant = crate::admin::tenant(store.as_ref(), tenant_id).await?;
    let creds = store
        .find_agent_by_email(&tenant, email)
        .await?
        .with_context(|| format!("tenant {tenant} has no agent {email:?}"))?;
    let change = match change {
        AccountCommand::Deactivate => AccountChange::Deactivate,
        AccountCommand::Reactivate => AccountChange::Reactivate,
        AccountCommand::Unlock => AccountChange::Unlock,
        AccountCommand::SignOut => AccountChange::SignOut,
        AccountCommand::Role(r) => AccountChange::Role(
            AgentRole::parse(r.trim()).with_context(|| format!("agent role {r:?}: use agent, supervisor or admin"))?,
        ),
        AccountCommand::Password => {
            let p = read_password(password_source, &[&creds.agent.email, &creds.agent.name])?;
            AccountChange::Password(p.as_str().to_owned())
        }
    };
    let engine = backstop_engine::Engine::new(store, backstop_engine::EngineConfig::default());
    Ok(engine.change_account(&tenant, None, creds.agent.id, change).await?)
}

/// What `backstop agent deactivate|reactivate|role|password|unlock|sign-out` asks for.
#[derive(Clone, Debug)]
pub enum AccountCommand {
    Deactivate,
    Reactivate,
    Role(String),
    Password,
    Unlock,
    SignOut,
}

/// A new random widget secret for the tenant (printed once); the old one stops verifying.
pub async fn rotate_widget_secret(store: std::sync::Arc<dyn Store>, tenant_id: &str) -> anyhow::Result<String> {
    let tenant = crate::admin::tenant(store.as_ref(), tenant_id).await?;
    let engine = backstop_engine::Engine::new(store, backstop_engine::EngineConfig::default());
    Ok(engine.rotate_widget_secret(&tenant).await?)
}
