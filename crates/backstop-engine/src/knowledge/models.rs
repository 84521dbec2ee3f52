//! Each tenant's generative model: its settings (validated; the API key kept apart and never
//! returned), the client that calls it — one per tenant, cached, so its circuit breaker remembers
//! an endpoint that keeps failing — and the month's token usage against the budget.

use std::sync::Arc;
use std::time::Duration;

use backstop_core::generation::{month_of, ModelSettings, ModelUsage};
use backstop_core::ids::TenantId;
use backstop_llm::{ApiKey, Endpoint, Limits, OpenAiClient, Provider};
use backstop_store::{KeyChange, ModelRecord};

use crate::{Engine, EngineError, Result};

/// A tenant's model, ready to call.
pub struct TenantModel {
    pub settings: ModelSettings,
    /// Writes answers.
    pub answers: Arc<dyn Provider>,
    /// Writes summaries and drafts (the small model, or the same one).
    pub summaries: Arc<dyn Provider>,
}

/// An API key is at most this long.
const MAX_KEY: usize = 512;

fn client(settings: &ModelSettings, model: &str, key: Option<&str>) -> Result<Arc<dyn Provider>> {
    let first = Duration::from_millis(u64::from(settings.first_token_ms));
    let limits = Limits {
        first_token: first,
        stall: Duration::from_secs(10).min(Duration::from_millis(u64::from(settings.answer_ms))),
        total: Duration::from_millis(u64::from(settings.answer_ms)),
        retries: 1,
        backoff: Duration::from_millis(200),
        ..Limits::default()
    };
    let c = OpenAiClient::new(
        Endpoint {
            base_url: settings.base_url.clone(),
            model: model.to_string(),
            key: key.map(ApiKey::new),
        },
        limits,
    )
    .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
    Ok(Arc::new(c))
}

impl Engine {
    /// The tenant's stored model settings, if it saved any.
    pub async fn model_record(&self, tenant: &TenantId) -> Result<Option<ModelRecord>> {
        Ok(self.inner.store.get_model_settings(tenant).await?)
    }

    /// Validates and saves the tenant's model settings; the next answer uses them.
    pub async fn save_model_settings(
        &self,
        tenant: &TenantId,
        settings: ModelSettings,
        key: KeyChange,
        author: &str,
    ) -> Result<ModelRecord> {
        settings.validate().map_err(EngineError::Invalid)?;
        if let KeyChange::Set(k) = &key {
            if k.trim().is_empty() || k.len() > MAX_KEY || k.chars().any(char::is_control) {
                return Err(EngineError::Invalid(vec![backstop_core::FieldError::new(
                    "api_key",
                    format!("must be 1-{MAX_KEY} printable characters"),
                )]));
            }
        }
        let rec = self
            .inner
            .store
            .save_model_settings(tenant, &settings, &key, author, self.now())
            .await?;
        self.forget_model(tenant);
        self.inner
            .hub
            .forward(backstop_bus::Signal::Model { tenant: tenant.clone() });
        tracing::info!(%tenant, author, enabled = settings.enabled, model = %settings.model, "model settings saved");
        Ok(rec)
    }

    /// Drops the cached client (settings changed here or on another node).
    pub(crate) fn forget_model(&self, tenant: &TenantId) {
        self.inner
            .models
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(tenant);
    }

    /// May the tenant's model still be called this month: within the model settings' monthly token
    /// budget and below the plan's hard limit on model tokens? Past either, the AI answers from
    /// the articles' words only (and the billing page says so).
    pub(crate) async fn model_budget_left(&self, tenant: &TenantId, settings: &ModelSettings) -> Result<bool> {
        let used = self.model_usage(tenant).await?.total();
        if !settings.within_budget(used) {
            return Ok(false);
        }
        let plan = self.inner.store.get_plan(tenant).await?;
        let tokens = plan
            .as_ref()
            .and_then(|p| p.pricing_of(backstop_core::billing::Item::ModelTokens));
        Ok(tokens.is_none_or(|p| p.limit_state(used) != backstop_core::billing::LimitState::Reached))
    }

    /// Tokens the tenant used this month.
    pub async fn model_usage(&self, tenant: &TenantId) -> Result<ModelUsage> {
        Ok(self.inner.store.model_usage(tenant, &month_of(self.now())).await?)
    }

    /// The tenant's model when it is enabled (cached).
    pub(crate) async fn tenant_model(&self, tenant: &TenantId) -> Result<Option<Arc<TenantModel>>> {
        if let Some(m) = self.inner.models.read().unwrap_or_else(|p| p.into_inner()).get(tenant) {
            return Ok(m.clone());
        }
        let model = match self.inner.store.get_model_settings(tenant).await? {
            Some(rec) if rec.settings.enabled => {
                let key = rec.api_key.as_deref();
                let answers = client(&rec.settings, &rec.settings.model, key)?;
                let summaries = if rec.settings.summary_model() == rec.settings.model {
                    answers.clone()
                } else {
                    client(&rec.settings, rec.settings.summary_model(), key)?
                };
                Some(Arc::new(TenantModel {
                    settings: rec.settings,
                    answers,
                    summaries,
                }))
            }
            _ => None,
        };
        self.inner
            .models
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tenant.clone(), model.clone());
        Ok(model)
    }

    /// Adds a call's tokens to the month's usage of `model` (a failure to count is logged, not
    /// fatal).
    pub(crate) async fn count_tokens(&self, tenant: &TenantId, model: &str, usage: &backstop_llm::Usage) {
        let month = month_of(self.now());
        let (prompt, completion) = (u64::from(usage.prompt_tokens), u64::from(usage.completion_tokens));
        if let Err(e) = self
            .inner
            .store
            .add_model_usage(tenant, &month, model, prompt, completion)
            .await
        {
            tracing::warn!(%tenant, error = %e, "model usage not counted");
        }
    }
}
