//! The Backstop binary's library half: configuration, wiring and the demo seed, so integration
//! tests start the very server the binary runs, through [`launch`].
//!
//! Architecture invariant: only this crate reads the environment and chooses backends.

pub mod accounts;
pub mod admin;
pub mod bench;
pub mod config;
pub mod history;
pub mod jsonl;
pub mod kbfile;
pub mod localllm;
pub mod models;
pub mod replay;
pub mod seed;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use backstop_engine::{Engine, EngineConfig};
use backstop_http::{AppState, CookieSecurity, DemoShopper, HttpConfig};
use backstop_store::Store;
use backstop_store_sqlite::SqliteStore;
use tokio::net::TcpListener;

pub use config::Config;

/// Opens the configured store.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.database_url();
    if let Some(path) = url.strip_prefix("sqlite://") {
        if let Some(dir) = std::path::Path::new(path).parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating data directory {}", dir.display()))?;
        }
        let store = SqliteStore::connect(&url)
            .await
            .with_context(|| format!("opening {url}"))?;
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = backstop_store_postgres::PgStore::connect(&url)
            .await
            .with_context(|| format!("opening {}", redact_url(&url)))?;
        Ok(Arc::new(store))
    } else {
        anyhow::bail!(
            "unsupported database url {:?}: use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE",
            redact_url(&url)
        )
    }
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_once('/').map_or((rest, None), |(a, p)| (a, Some(p)));
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    match path {
        Some(p) => format!("{scheme}://{authority}/{p}"),
        None => format!("{scheme}://{authority}"),
    }
}

/// The HTTP layer's settings from the configuration.
fn http_config(config: &Config) -> HttpConfig {
    let server = &config.server;
    HttpConfig {
        secure_cookies: match server.secure_cookies {
            config::CookieMode::Auto => CookieSecurity::Auto,
            config::CookieMode::Always => CookieSecurity::Always,
            config::CookieMode::Never => CookieSecurity::Never,
        },
        demo_tenant: config.demo.then(seed::demo_tenant_id),
        demo_shopper: config.demo.then(|| DemoShopper {
            name: seed::VIP_NAME.into(),
            email: seed::VIP_EMAIL.into(),
        }),
        // Checked when the configuration was loaded.
        trusted_proxies: server.trusted_proxies.iter().filter_map(|p| p.parse().ok()).collect(),
        origins: server
            .origins
            .iter()
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect(),
        widget_origins: server
            .widget_origins
            .iter()
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect(),
        limits: config.limits.clone(),
        connections: backstop_http::serve::ConnectionSettings {
            header_timeout: std::time::Duration::from_secs(server.header_timeout_secs),
            body_timeout: std::time::Duration::from_secs(server.body_timeout_secs),
            write_timeout: std::time::Duration::from_secs(server.write_timeout_secs),
            max_connections: server.max_connections,
            per_ip: server.connections_per_ip,
            trusted: server.trusted_proxies.iter().filter_map(|p| p.parse().ok()).collect(),
            ..Default::default()
        },
        socket_idle: std::time::Duration::from_secs(server.socket_idle_secs),
        metrics_token: Some(server.metrics_token.trim().to_owned()).filter(|t| !t.is_empty()),
        ..HttpConfig::default()
    }
}

/// Connects to the configured NATS server and makes this engine one node of the cluster.
async fn join_cluster(config: &Config, engine: &Engine) -> anyhow::Result<()> {
    anyhow::ensure!(
        !config.database_url().starts_with("sqlite:"),
        "several nodes (bus.url = {}) need a database they share: set storage.database_url to postgres://…",
        config.bus.url
    );
    let node = if config.bus.node.is_empty() {
        let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        let host = host.trim();
        format!("{}-{}", if host.is_empty() { "node" } else { host }, std::process::id())
    } else {
        config.bus.node.clone()
    };
    let (bus, inbox) = backstop_bus::NatsBus::connect(backstop_bus::NatsOptions {
        url: config.bus.url.clone(),
        node: node.clone(),
        prefix: config.bus.prefix.clone(),
        ack_wait: std::time::Duration::from_secs(config.bus.ack_wait_secs.max(1)),
        concurrency: config.bus.concurrency.max(1),
    })
    .await
    .context("joining the cluster")?;
    engine.join_cluster(bus, inbox);
    tracing::info!(node, url = %config.bus.url, "this node is part of a cluster");
    Ok(())
}

/// Builds the engine on `store` with the configured policy and, when enabled, the embedding
/// model (provisioned on first use). A model that cannot be had is reported, with the manual
/// steps, and the engine runs on words only.
pub async fn engine(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<Engine> {
    engine_on(config, store, Arc::new(backstop_engine::clock::SystemClock)).await
}

/// [`engine`] reading the time from `clock`.
pub async fn engine_on(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn backstop_engine::clock::Clock>,
) -> anyhow::Result<Engine> {
    let embedder = if config.models.embeddings {
        let dir = config.models.dir.clone();
        match tokio::task::spawn_blocking(move || models::embedder(&dir)).await {
            Ok(Ok(e)) => Some(e),
            Ok(Err(e)) => {
                tracing::warn!("the embedding model is unavailable, understanding words only: {e:#}");
                None
            }
            Err(e) => {
                tracing::warn!("loading the embedding model failed, understanding words only: {e}");
                None
            }
        }
    } else {
        None
    };
    let (policy, policy_source) = config.engine.policy()?;
    let engine_config = EngineConfig {
        vector_cache: embedder
            .is_some()
            .then(|| models::vector_cache(&models::dir(&config.models.dir))),
        embedder,
        policy,
        policy_source,
        clock,
        auth: config.auth_settings(),
        analytics: config.analytics.settings()?,
        ..EngineConfig::default()
    };
    Ok(Engine::new(store, engine_config))
}

/// Starts Backstop on `listener` and serves until `shutdown` completes. Unhandled customer
/// messages from before a restart are answered first.
pub async fn launch(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    launch_then(config, listener, shutdown, |_| {}).await
}

/// [`launch`], calling `ready` once everything is prepared (store, models, indexes) and requests
/// are about to be served — the moment to tell a person the URLs.
pub async fn launch_then(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<()> {
    launch_on(
        config,
        Arc::new(backstop_engine::clock::SystemClock),
        listener,
        shutdown,
        ready,
    )
    .await
}

/// [`launch_then`] on `clock` (tests move a `ManualClock` to pass SLA deadlines at once).
pub async fn launch_on(
    config: Config,
    clock: Arc<dyn backstop_engine::clock::Clock>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    let created = match config.demo {
        true => seed::demo(store.as_ref()).await.context("seeding the demo tenant")?,
        false => false,
    };
    if created && config.demo_history {
        let made = seed::demo_history(store.as_ref(), clock.now())
            .await
            .context("generating the demo's past conversations")?;
        tracing::info!(
            conversations = made.conversations,
            messages = made.messages,
            "demo history generated (demo data, tagged demo-history)"
        );
    }
    let engine = engine_on(&config, store, clock).await?;
    // Load the segmentation dictionary and the demo index now, not on the first customer message.
    tokio::task::spawn_blocking(backstop_nlp::text::jieba).await?;
    if !config.bus.url.is_empty() {
        join_cluster(&config, &engine).await?;
    }
    if config.demo {
        engine
            .load_kb(&seed::demo_tenant_id())
            .await
            .context("indexing the demo knowledge base")?;
    }
    // The demo merchant's own order system, on its own port, as long as the server.
    let _merchant = match config.demo {
        true => {
            let tenant = engine.tenant(&seed::demo_tenant_id()).await?;
            let m = demo_merchant(&seed::demo_merchant_key(&tenant.widget_secret)).await?;
            seed::demo_actions(&engine, &m.base_url, &m.key)
                .await
                .context("defining the demo actions")?;
            Some(m)
        }
        false => None,
    };
    // The demo's model, kept running as long as the server.
    let _local_llm = match &config.demo_llm {
        Some(llm) => demo_model(&config, &engine, llm).await?,
        None => None,
    };
    engine.recover().await.context("recovering unhandled messages")?;
    let http = http_config(&config);
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "backstop listening");
    ready(addr);
    let sweeper = engine.spawn_sla_sweeper();
    let rollups = engine.spawn_analytics();
    let served = backstop_http::serve(AppState::new(engine, http), listener, shutdown)
        .await
        .context("serving http");
    sweeper.abort();
    rollups.abort();
    served
}

/// The demo merchant's usual port (a free one when it is taken).
const DEMO_MERCHANT_PORT: u16 = 8781;

/// Maple Market's order system (`backstop-merchant`), serving on its usual local port (or a free
/// one) with `key` until the returned guard is dropped.
async fn demo_merchant(key: &str) -> anyhow::Result<DemoMerchant> {
    let key = key.to_string();
    let at = |port| std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let (addr, task) = match backstop_merchant::spawn(at(DEMO_MERCHANT_PORT), &key).await {
        Ok(started) => started,
        Err(_) => backstop_merchant::spawn(at(0), &key)
            .await
            .context("starting the demo merchant's order system")?,
    };
    tracing::info!(%addr, "demo merchant's order system listening");
    Ok(DemoMerchant {
        base_url: format!("http://{addr}"),
        key,
        task,
    })
}

/// The running demo merchant: where it answers and the key it takes.
pub struct DemoMerchant {
    pub base_url: String,
    pub key: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DemoMerchant {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Points the demo tenant at its generative model; for `local`, provisions and starts it first.
async fn demo_model(
    config: &Config,
    engine: &Engine,
    llm: &config::DemoLlm,
) -> anyhow::Result<Option<localllm::LocalLlm>> {
    use backstop_core::generation::ModelSettings;
    let (local, base_url, model, key) = match llm {
        config::DemoLlm::Local => {
            let dir = models::dir(&config.models.dir);
            println!(
                "Backstop demo — the local model (the first start fetches 491 MB and builds llama-server, ~8 minutes)…"
            );
            let (gguf, server) = tokio::task::spawn_blocking({
                let dir = dir.clone();
                move || -> anyhow::Result<_> {
                    let say = &mut |m: &str| println!("  {m}");
                    Ok((localllm::ensure_model(&dir, say)?, localllm::ensure_server(&dir, say)?))
                }
            })
            .await??;
            let log = config.storage.data_dir.join("llama-server.log");
            let running = localllm::LocalLlm::start(&server, &gguf, localllm::ServeOptions::new(log)).await?;
            let url = running.base_url().to_string();
            (Some(running), url, localllm::MODEL_NAME.to_string(), None)
        }
        config::DemoLlm::Remote { base_url, model, key } => (None, base_url.clone(), model.clone(), key.clone()),
    };
    let settings = ModelSettings {
        enabled: true,
        base_url: base_url.clone(),
        model,
        temperature: 0.0,
        max_tokens: 200,
        first_token_ms: 30_000,
        answer_ms: 60_000,
        persona: "Maple Market's assistant".into(),
        ..ModelSettings::default()
    };
    let key = match key {
        Some(k) => backstop_store::KeyChange::Set(k),
        None => backstop_store::KeyChange::Keep,
    };
    engine
        .save_model_settings(&seed::demo_tenant_id(), settings, key, "demo")
        .await
        .context("setting the demo's model")?;
    println!("  Generative answers: {base_url}");
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden_in_database_urls() {
        assert_eq!(
            redact_url("postgres://backstop:s3cret@db.internal:5432/backstop?sslmode=require"),
            "postgres://backstop:***@db.internal:5432/backstop?sslmode=require"
        );
        assert_eq!(redact_url("postgres://me@db/backstop"), "postgres://me@db/backstop");
        assert_eq!(redact_url("sqlite://data/backstop.db"), "sqlite://data/backstop.db");
        assert_eq!(redact_url("postgres://u:p@ss@host/db"), "postgres://u:***@host/db");
    }
}
