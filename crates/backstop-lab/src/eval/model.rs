//! The generative model an evaluation runs the demo tenant with: any OpenAI-compatible endpoint
//! (`--llm-url`, `--llm-model`, the key in `BACKSTOP_LLM_KEY`), or the local llama-server with
//! the small Qwen model, fetched or built when missing and started here for the run.

use std::path::Path;

use anyhow::Context;
use backstop::{localllm, Config};
use backstop_core::generation::ModelSettings;
use backstop_core::ids::TenantId;
use backstop_engine::Engine;
use backstop_store::KeyChange;

/// The model in use; the local server, when one was started, stops when this is dropped.
pub struct Running {
    pub model: String,
    _local: Option<localllm::LocalLlm>,
}

/// Starts (or points at) the model and makes it `tenant`'s, answering deterministically with
/// generous deadlines (a CPU model is slow; the figures are about what it says).
pub async fn configure(
    config: &Config,
    engine: &Engine,
    tenant: &TenantId,
    scratch: &Path,
    url: Option<&str>,
    model: Option<&str>,
) -> anyhow::Result<Running> {
    let (base_url, name, key, local) = match url {
        Some(url) => (
            url.to_string(),
            model.context("--llm-url needs --llm-model")?.to_string(),
            std::env::var("BACKSTOP_LLM_KEY").ok().filter(|k| !k.is_empty()),
            None,
        ),
        None => {
            let models = backstop::models::dir(&config.models.dir);
            let (gguf, server) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                let say = &mut |m: &str| eprintln!("{m}");
                Ok((
                    localllm::ensure_model(&models, say)?,
                    localllm::ensure_server(&models, say)?,
                ))
            })
            .await??;
            let mut options = localllm::ServeOptions::new(scratch.join("llama-server.log"));
            options.slots = 1;
            let running = localllm::LocalLlm::start(&server, &gguf, options).await?;
            let url = running.base_url().to_string();
            (url, localllm::MODEL_NAME.to_string(), None, Some(running))
        }
    };
    let settings = ModelSettings {
        enabled: true,
        base_url: base_url.clone(),
        model: name.clone(),
        temperature: 0.0,
        max_tokens: 200,
        first_token_ms: 60_000,
        answer_ms: 120_000,
        persona: "Maple Market's assistant".into(),
        ..ModelSettings::default()
    };
    let key = key.map_or(KeyChange::Keep, KeyChange::Set);
    engine.save_model_settings(tenant, settings, key, "eval").await?;
    eprintln!("the model: {name} at {base_url}");
    Ok(Running {
        model: name,
        _local: local,
    })
}
