//! A tenant's actions on the merchant's systems, as configuration: saved as versions (each checked
//! by `backstop_core::action::Action::parse` first), listed, removed, and tried with sample values
//! from the admin page — a reading action is sent, a change only when the admin says so, with a
//! key of its own so the merchant makes it once. The secret is write-only: it is stored apart and
//! never answered.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use backstop_actions::{Caller, Outcome, Record};
use backstop_core::action::{Action, Effect, Problem, MAX_ACTIONS};
use backstop_core::ids::TenantId;
use backstop_store::{ActionRecord, KeyChange};

use crate::{Engine, EngineError, Result};

/// The longest secret an action may hold.
pub const MAX_SECRET: usize = 500;

/// What trying an action showed.
#[derive(Debug, Clone)]
pub struct Trial {
    pub method: &'static str,
    pub url: String,
    /// The headers as sent, a value holding the secret as `***`.
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    /// `None`: a change that was only shown, not sent.
    pub outcome: Option<Outcome>,
    pub record: Option<Record>,
    /// The result told from the outcome's fields, in English and Chinese.
    pub told: Option<(String, String)>,
}

fn caller() -> &'static Caller {
    static C: OnceLock<Caller> = OnceLock::new();
    C.get_or_init(Caller::new)
}

/// An action stored, read back (a stored definition that no longer parses is an internal error).
pub fn parsed(rec: &ActionRecord) -> Result<Action> {
    let spec = rec
        .spec
        .as_deref()
        .ok_or_else(|| EngineError::Internal(format!("action {} has no definition", rec.name)))?;
    let value: serde_json::Value =
        serde_json::from_str(spec).map_err(|e| EngineError::Internal(format!("action {}: {e}", rec.name)))?;
    Action::parse(&value).map_err(|e| EngineError::Internal(format!("action {}: {e}", rec.name)))
}

fn problem_words(name: &str, p: &Problem) -> String {
    let what = match p {
        Problem::Missing => "is required".to_string(),
        Problem::Pattern => "does not match the pattern".to_string(),
        Problem::NotAnEmail => "is not an e-mail address".to_string(),
        Problem::NotANumber => "is not a number".to_string(),
        Problem::TooSmall { minimum } => format!("is below {minimum}"),
        Problem::TooLarge { maximum } => format!("is above {maximum}"),
        Problem::NotAChoice { choices } => format!("is not one of {}", choices.join(", ")),
        Problem::TooLong { max_length } => format!("is longer than {max_length} characters"),
        Problem::Control => "holds control characters".to_string(),
    };
    format!("{name} {what}")
}

impl Engine {
    /// The tenant's actions in force, by name.
    pub async fn actions(&self, tenant: &TenantId) -> Result<Vec<ActionRecord>> {
        self.tenant(tenant).await?;
        Ok(self.inner.store.current_actions(tenant).await?)
    }

    /// Checks `spec` and saves it as the next version of its action; the secret as `secret` says.
    pub async fn save_action(
        &self,
        tenant: &TenantId,
        spec: &serde_json::Value,
        secret: KeyChange,
        author: &str,
    ) -> Result<ActionRecord> {
        self.tenant(tenant).await?;
        let action = Action::parse(spec).map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        if let KeyChange::Set(s) = &secret {
            if s.trim().is_empty() || s.chars().count() > MAX_SECRET || s.chars().any(char::is_control) {
                return Err(EngineError::InvalidInput(format!(
                    "secret must be 1-{MAX_SECRET} printable characters"
                )));
            }
        }
        let current = self.inner.store.current_actions(tenant).await?;
        if current.len() >= MAX_ACTIONS && !current.iter().any(|r| r.name == action.name()) {
            return Err(EngineError::InvalidInput(format!(
                "a tenant has at most {MAX_ACTIONS} actions"
            )));
        }
        let text = serde_json::to_string(&action.spec).map_err(|e| EngineError::Internal(e.to_string()))?;
        let rec = self
            .inner
            .store
            .save_action(tenant, action.name(), Some(&text), &secret, author, self.now())
            .await?;
        tracing::info!(%tenant, author, action = action.name(), version = rec.version, "action saved");
        Ok(rec)
    }

    /// The secret of another of the tenant's actions, to be stored with one being saved (several
    /// actions calling one API share its key; it is copied inside, never shown).
    pub async fn secret_of(&self, tenant: &TenantId, name: &str) -> Result<KeyChange> {
        let rec = self.current_action(tenant, name).await?;
        match rec.secret {
            Some(s) => Ok(KeyChange::Set(s)),
            None => Err(EngineError::InvalidInput(format!(
                "the action {name} has no secret to share"
            ))),
        }
    }

    /// Removes an action (a version without a definition; its secret is forgotten).
    pub async fn remove_action(&self, tenant: &TenantId, name: &str, author: &str) -> Result<()> {
        self.current_action(tenant, name).await?;
        self.inner
            .store
            .save_action(tenant, name, None, &KeyChange::Clear, author, self.now())
            .await?;
        tracing::info!(%tenant, author, action = name, "action removed");
        Ok(())
    }

    /// Every version of an action, newest first.
    pub async fn action_versions(&self, tenant: &TenantId, name: &str) -> Result<Vec<ActionRecord>> {
        self.tenant(tenant).await?;
        let versions = self.inner.store.action_versions(tenant, name).await?;
        if versions.is_empty() {
            return Err(EngineError::NotFound("action"));
        }
        Ok(versions)
    }

    async fn current_action(&self, tenant: &TenantId, name: &str) -> Result<ActionRecord> {
        self.tenant(tenant).await?;
        self.inner
            .store
            .current_actions(tenant)
            .await?
            .into_iter()
            .find(|r| r.name == name)
            .ok_or(EngineError::NotFound("action"))
    }

    /// Tries an action with sample `values`: the request it makes (the secret hidden) and, for a
    /// reading action or a change the admin chose to `send`, what the merchant answered.
    pub async fn try_action(
        &self,
        tenant: &TenantId,
        name: &str,
        values: &BTreeMap<String, String>,
        send: bool,
    ) -> Result<Trial> {
        let rec = self.current_action(tenant, name).await?;
        let action = parsed(&rec)?;
        let checked = action.schema.check(values).map_err(|problems| {
            let words: Vec<String> = problems.iter().map(|(n, p)| problem_words(n, p)).collect();
            EngineError::InvalidInput(words.join("; "))
        })?;
        let secret = rec.secret.as_deref();
        let key = format!("trial-{}", uuid::Uuid::now_v7());
        let change = action.spec.effect == Effect::Change;
        let request = action
            .request(&checked, secret, change.then_some(key.as_str()))
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        let mut trial = Trial {
            method: request.method.as_str(),
            url: request.url.clone(),
            headers: request.redacted_headers(secret),
            body: request.body.clone(),
            outcome: None,
            record: None,
            told: None,
        };
        if change && !send {
            return Ok(trial);
        }
        let call = caller()
            .call(&action, &checked, secret, change.then_some(key.as_str()))
            .await;
        if let Outcome::Done { fields } = &call.outcome {
            trial.told = Some((
                action.tell(backstop_core::message::Lang::En, fields),
                action.tell(backstop_core::message::Lang::Zh, fields),
            ));
        }
        tracing::info!(%tenant, action = name, outcome = ?call.outcome_kind(), "action tried");
        trial.outcome = Some(call.outcome);
        trial.record = Some(call.record);
        Ok(trial)
    }
}

/// The word a log line gives an outcome (never its fields: they may be personal).
pub(crate) trait OutcomeKind {
    fn outcome_kind(&self) -> &'static str;
}

impl OutcomeKind for backstop_actions::Call {
    fn outcome_kind(&self) -> &'static str {
        match self.outcome {
            Outcome::Done { .. } => "done",
            Outcome::Refused { .. } => "refused",
            Outcome::Failed(_) => "failed",
        }
    }
}
