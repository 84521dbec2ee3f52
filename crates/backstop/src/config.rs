//! One typed configuration, layered: built-in defaults, then a TOML file, then environment
//! variables named `BACKSTOP__SECTION__KEY` (e.g. `BACKSTOP__SERVER__LISTEN=0.0.0.0:8080`).
//! `backstop config print-default` prints [`DEFAULT_TOML`], which a test keeps equal to the defaults.

use std::path::{Path, PathBuf};

use anyhow::Context;
use backstop_core::policy::{Policy, DEFAULT_POLICY};
use serde::{Deserialize, Serialize};

/// The documented default configuration.
pub const DEFAULT_TOML: &str = r#"# Backstop configuration. Every key is optional; these are the defaults.
# Any key can also be set from the environment as BACKSTOP__SECTION__KEY.

[server]
# Address to listen on.
listen = "127.0.0.1:8080"
# Mark the session cookie Secure: "auto" (when the request came over HTTPS, as the proxy in front
# says with X-Forwarded-Proto, or the page's origin shows), "always" or "never".
secure_cookies = "auto"
# Proxies (their own addresses) whose X-Forwarded-For, -Host and -Proto are believed: the client
# address that rate limits count is the one they forwarded for. Anyone else's are ignored.
trusted_proxies = ["127.0.0.1", "::1"]
# Origins besides the server's own (its Host) from which the agents' pages may change anything,
# e.g. ["https://support.example.com"] when a proxy rewrites Host.
origins = []
# Sites allowed to embed the widget, e.g. ["https://shop.example.com"]; empty means any site.
widget_origins = []
# Seconds a client has to send a request's headers; also how long a kept-alive connection may
# sit idle between requests.
header_timeout_secs = 30
# Seconds a request's whole body may take to arrive, and one write of an answer may stall.
body_timeout_secs = 30
write_timeout_secs = 30
# Seconds a WebSocket may stay silent before it is closed (the pages ping every 25 s).
socket_idle_secs = 90
# Connections open at once at most; 0 means what the process's open-file limit allows, less a
# reserve for the database and files. At the cap, the longest-idle connection makes room.
max_connections = 0
# Connections open at once from one client address at most (0: no cap).
connections_per_ip = 1000
# The bearer token that opens GET /metrics (Prometheus text: requests and latencies, turns,
# hand-overs, SLA breaches, queue depth, model calls, sockets). Empty: /metrics answers 404.
# At least 24 characters; give it to the scraper as `authorization: Bearer …`.
metrics_token = ""

[limits]
# Rates are per client address (or visitor, or account) and per minute, in bursts of up to the
# same number; 0 turns one off. Past a rate the answer is 429 with Retry-After.
logins_per_ip = 20
logins_per_account = 10
widget_sessions_per_ip = 30
messages_per_visitor = 20
messages_per_ip = 240
requests_per_ip = 3000
# Sockets open at once.
sockets_per_visitor = 8
sockets_per_agent = 16
sockets_per_ip = 500

[auth]
# A session ends this many hours after sign-in, or after this many hours unused.
session_hours = 168
session_idle_hours = 12
# Password checks (argon2id, 19 MiB each) running at once; 0 means one per CPU core.
password_checks = 0
# After this many failed sign-ins in a row an account is locked for lockout_secs, doubling with
# each further failure up to lockout_max_secs (0 turns locking off). Admins unlock with
# `backstop agent unlock` or POST /api/v1/agents/{id}/unlock.
lockout_after = 5
lockout_secs = 30
lockout_max_secs = 900

[storage]
# Where the embedded database lives.
data_dir = "data"
# Database URL; empty means sqlite://<data_dir>/backstop.db.
database_url = ""

[bus]
# Several nodes: the NATS server (with JetStream) they share, e.g. "nats://10.0.0.5:4222". Empty
# means one node, all in process. Several nodes also need a shared PostgreSQL database_url.
url = ""
# This node's name among the nodes; empty means "<hostname>-<process id>".
node = ""
# Subject prefix and stream name stem: deployments sharing one NATS server use different ones.
prefix = "backstop"
# Seconds a node may work on a queued turn before another node may take it over.
ack_wait_secs = 30
# Turns this node runs at once.
concurrency = 64

[engine]
# The escalation policy of every tenant that has not saved its own (TOML; the format is in
# crates/backstop-core/src/default-policy.toml). Empty means the built-in policy.
policy_file = ""

[analytics]
# A conversation's outcome (AI resolved, assisted, human resolved, abandoned) is final once nothing
# has happened in it for this many seconds (5 minutes to 30 days); a reopen within it takes an AI
# resolution back. See the README's "Reports".
settle_window_secs = 86400
# How often the rollups catch up with the conversations' events.
sweep_secs = 2
# The estimated savings: AI-resolved conversations x the cost of one handled by a person, less
# the AI's cost (model tokens, embeddings). These are examples: set your own.
currency = "USD"
human_conversation_cost = 5.0
model_cost_per_million_tokens = 0.6
embedding_cost_per_thousand = 0.0

[models]
# Where local model files are kept; empty means ~/.cache/backstop/models.
dir = ""
# Understand meaning with the local embedding model (fetched on first use, about 91 MB):
# paraphrases, cross-lingual search, intents and out-of-scope detection. false = words only.
embeddings = true

[log]
# tracing filter, e.g. "info" or "backstop_engine=debug,info". RUST_LOG overrides it.
filter = "info"
"#;

/// The model `backstop demo --llm` answers with.
#[derive(Clone, Debug, PartialEq)]
pub enum DemoLlm {
    /// llama.cpp's server with the small Qwen model, provisioned and supervised by Backstop.
    Local,
    /// Any OpenAI-compatible endpoint: base URL, model, key.
    Remote {
        base_url: String,
        model: String,
        key: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub limits: backstop_http::limits::Limits,
    pub auth: AuthConfig,
    pub storage: StorageConfig,
    pub bus: BusConfig,
    pub engine: EngineSection,
    pub analytics: AnalyticsConfig,
    pub models: ModelsConfig,
    pub log: LogConfig,
    /// Seed and serve the demo tenant (set by `backstop demo`, not by files).
    #[serde(skip)]
    pub demo: bool,
    /// The demo's generative model (`backstop demo --llm`): `local` to fetch, build and run the
    /// local one, or an OpenAI-compatible base URL.
    #[serde(skip)]
    pub demo_llm: Option<DemoLlm>,
    /// Seed the demo with weeks of generated past conversations when it is first created (set by
    /// `backstop demo` unless --no-history; tests leave it off).
    #[serde(skip)]
    pub demo_history: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    pub secure_cookies: CookieMode,
    pub trusted_proxies: Vec<String>,
    pub origins: Vec<String>,
    pub widget_origins: Vec<String>,
    pub header_timeout_secs: u64,
    pub body_timeout_secs: u64,
    pub write_timeout_secs: u64,
    pub socket_idle_secs: u64,
    pub max_connections: usize,
    pub connections_per_ip: usize,
    pub metrics_token: String,
}

/// `secure_cookies`: "auto", "always" or "never" (`true`/`false` from older files mean always/never).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "toml::Value", into = "String")]
pub enum CookieMode {
    Auto,
    Always,
    Never,
}

impl TryFrom<toml::Value> for CookieMode {
    type Error = String;

    fn try_from(v: toml::Value) -> Result<Self, String> {
        match v {
            toml::Value::Boolean(true) => Ok(CookieMode::Always),
            toml::Value::Boolean(false) => Ok(CookieMode::Never),
            toml::Value::String(s) if s == "auto" => Ok(CookieMode::Auto),
            toml::Value::String(s) if s == "always" => Ok(CookieMode::Always),
            toml::Value::String(s) if s == "never" => Ok(CookieMode::Never),
            other => Err(format!(
                "secure_cookies = {other}: use \"auto\", \"always\" or \"never\""
            )),
        }
    }
}

impl From<CookieMode> for String {
    fn from(m: CookieMode) -> String {
        match m {
            CookieMode::Auto => "auto",
            CookieMode::Always => "always",
            CookieMode::Never => "never",
        }
        .to_owned()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub session_hours: u32,
    pub session_idle_hours: u32,
    pub password_checks: usize,
    pub lockout_after: u32,
    pub lockout_secs: u64,
    pub lockout_max_secs: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub data_dir: PathBuf,
    pub database_url: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSection {
    pub policy_file: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsConfig {
    pub settle_window_secs: u32,
    pub sweep_secs: u64,
    pub currency: String,
    pub human_conversation_cost: f64,
    pub model_cost_per_million_tokens: f64,
    pub embedding_cost_per_thousand: f64,
}

impl AnalyticsConfig {
    /// The engine's settings, or what is wrong with these.
    pub fn settings(&self) -> anyhow::Result<backstop_engine::insight::analytics::AnalyticsSettings> {
        let settle = backstop_core::outcome::SettleRule::new(self.settle_window_secs)
            .map_err(|e| anyhow::anyhow!("analytics.settle_window_secs: {e}"))?;
        anyhow::ensure!(
            (1..=3600).contains(&self.sweep_secs),
            "analytics.sweep_secs must be between 1 and 3600"
        );
        let costs = backstop_core::analytics::Costs {
            currency: self.currency.trim().to_string(),
            human_conversation: self.human_conversation_cost,
            per_million_tokens: self.model_cost_per_million_tokens,
            per_thousand_embeddings: self.embedding_cost_per_thousand,
        };
        costs.validate().map_err(|e| anyhow::anyhow!("analytics: {e}"))?;
        Ok(backstop_engine::insight::analytics::AnalyticsSettings {
            every: std::time::Duration::from_secs(self.sweep_secs),
            settle,
            costs,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsConfig {
    pub dir: PathBuf,
    pub embeddings: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusConfig {
    pub url: String,
    pub node: String,
    pub prefix: String,
    pub ack_wait_secs: u64,
    pub concurrency: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub filter: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: ServerConfig {
                listen: "127.0.0.1:8080".into(),
                secure_cookies: CookieMode::Auto,
                trusted_proxies: vec!["127.0.0.1".into(), "::1".into()],
                origins: vec![],
                widget_origins: vec![],
                header_timeout_secs: 30,
                body_timeout_secs: 30,
                write_timeout_secs: 30,
                socket_idle_secs: 90,
                max_connections: 0,
                connections_per_ip: 1000,
                metrics_token: String::new(),
            },
            limits: backstop_http::limits::Limits::default(),
            auth: AuthConfig {
                session_hours: 168,
                session_idle_hours: 12,
                password_checks: 0,
                lockout_after: 5,
                lockout_secs: 30,
                lockout_max_secs: 900,
            },
            storage: StorageConfig {
                data_dir: PathBuf::from("data"),
                database_url: String::new(),
            },
            bus: BusConfig {
                url: String::new(),
                node: String::new(),
                prefix: "backstop".into(),
                ack_wait_secs: 30,
                concurrency: 64,
            },
            engine: EngineSection {
                policy_file: PathBuf::new(),
            },
            analytics: AnalyticsConfig {
                settle_window_secs: 86_400,
                sweep_secs: 2,
                currency: "USD".into(),
                human_conversation_cost: 5.0,
                model_cost_per_million_tokens: 0.6,
                embedding_cost_per_thousand: 0.0,
            },
            models: ModelsConfig {
                dir: PathBuf::new(),
                embeddings: true,
            },
            log: LogConfig { filter: "info".into() },
            demo: false,
            demo_llm: None,
            demo_history: false,
        }
    }
}

impl EngineSection {
    /// The default policy and its text: the configured file, or the built-in one.
    pub fn policy(&self) -> anyhow::Result<(Policy, String)> {
        if self.policy_file.as_os_str().is_empty() {
            return Ok((Policy::builtin(), DEFAULT_POLICY.to_owned()));
        }
        let path = &self.policy_file;
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let policy = Policy::parse(&text).with_context(|| format!("{} is not a valid policy", path.display()))?;
        Ok((policy, text))
    }
}

impl Config {
    /// Defaults, then `file` (if given), then `BACKSTOP__…` variables from `env`.
    pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Config> {
        let mut merged: toml::Value = toml::from_str(DEFAULT_TOML).expect("the default config parses");
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
            let layer: toml::Value =
                toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))?;
            merge(&mut merged, layer);
        }
        for (key, value) in env {
            let Some(path) = key.strip_prefix("BACKSTOP__") else {
                continue;
            };
            let parts: Vec<String> = path.split("__").map(|p| p.to_ascii_lowercase()).collect();
            if parts.len() != 2 || parts.iter().any(String::is_empty) {
                anyhow::bail!("environment variable {key}: expected BACKSTOP__SECTION__KEY");
            }
            // Numbers and booleans are taken as such; anything else is a string.
            let v = toml::from_str::<toml::Table>(&format!("v = {value}"))
                .ok()
                .and_then(|mut t| t.remove("v"))
                .unwrap_or(toml::Value::String(value));
            let mut layer = toml::Table::new();
            let mut section = toml::Table::new();
            section.insert(parts[1].clone(), v);
            layer.insert(parts[0].clone(), toml::Value::Table(section));
            merge(&mut merged, toml::Value::Table(layer));
        }
        let config: Config = merged.try_into().context("invalid configuration")?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.server.listen.parse::<std::net::SocketAddr>().with_context(|| {
            format!(
                "server.listen {:?} is not an address like 127.0.0.1:8080",
                self.server.listen
            )
        })?;
        self.engine.policy()?;
        self.analytics.settings()?;
        for p in &self.server.trusted_proxies {
            p.parse::<std::net::IpAddr>()
                .with_context(|| format!("server.trusted_proxies: {p:?} is not an IP address"))?;
        }
        for o in self.server.origins.iter().chain(&self.server.widget_origins) {
            let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
            anyhow::ensure!(
                rest.is_some_and(|r| !r.is_empty() && !r.trim_end_matches('/').contains('/')),
                "origin {o:?} must look like https://host[:port]"
            );
        }
        let s = &self.server;
        anyhow::ensure!(
            s.metrics_token.is_empty() || s.metrics_token.trim().chars().count() >= 24,
            "server.metrics_token must be at least 24 characters (or empty: no /metrics)"
        );
        anyhow::ensure!(
            [
                s.header_timeout_secs,
                s.body_timeout_secs,
                s.write_timeout_secs,
                s.socket_idle_secs
            ]
            .iter()
            .all(|t| *t >= 1),
            "server.header_timeout_secs, body_timeout_secs, write_timeout_secs and socket_idle_secs must be at least 1"
        );
        anyhow::ensure!(
            self.auth.session_hours >= 1 && self.auth.session_idle_hours >= 1,
            "auth.session_hours and auth.session_idle_hours must be at least 1"
        );
        Ok(())
    }

    /// How agents sign in and how long sessions last.
    pub fn auth_settings(&self) -> backstop_engine::AuthSettings {
        let a = &self.auth;
        let defaults = backstop_engine::AuthSettings::default();
        backstop_engine::AuthSettings {
            session_ttl: time::Duration::hours(a.session_hours.into()),
            session_idle: time::Duration::hours(a.session_idle_hours.into()),
            password_checks: if a.password_checks == 0 {
                defaults.password_checks
            } else {
                a.password_checks
            },
            password_wait: defaults.password_wait,
            lockout: backstop_core::password::Lockout {
                after: a.lockout_after,
                base_secs: a.lockout_secs,
                max_secs: a.lockout_max_secs.max(a.lockout_secs),
            },
        }
    }

    /// Sets every rate and socket cap off (a load test from one address).
    pub fn lift_limits(&mut self) {
        self.limits = backstop_http::limits::Limits::off();
        self.server.connections_per_ip = 0;
    }

    pub fn database_url(&self) -> String {
        if self.storage.database_url.is_empty() {
            format!("sqlite://{}", self.storage.data_dir.join("backstop.db").display())
        } else {
            self.storage.database_url.clone()
        }
    }
}

fn merge(base: &mut toml::Value, layer: toml::Value) {
    match (base, layer) {
        (toml::Value::Table(b), toml::Value::Table(l)) => {
            for (k, v) in l {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, l) => *b = l,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_defaults_are_the_defaults() {
        assert_eq!(Config::load(None, []).unwrap(), Config::default());
    }

    #[test]
    fn file_then_env_override() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.toml");
        std::fs::write(
            &path,
            "[server]\nlisten = \"127.0.0.1:9000\"\n[models]\ndir = \"/opt/a\"\n",
        )
        .unwrap();
        let env = [
            ("BACKSTOP__MODELS__DIR".to_string(), "/opt/b".to_string()),
            ("PATH".into(), "/bin".into()),
        ];
        let c = Config::load(Some(&path), env).unwrap();
        assert_eq!(c.server.listen, "127.0.0.1:9000");
        assert_eq!(c.models.dir, PathBuf::from("/opt/b"));
    }

    #[test]
    fn bad_values_are_explained() {
        let env = [("BACKSTOP__SERVER__LISTEN".to_string(), "nowhere".to_string())];
        let e = format!("{:#}", Config::load(None, env).unwrap_err());
        assert!(e.contains("server.listen"), "{e}");
        let env = [("BACKSTOP__SERVER__NOPE".to_string(), "1".to_string())];
        assert!(Config::load(None, env).is_err());
        // A policy file that does not parse is refused at start, with the reason.
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("policy.toml");
        std::fs::write(
            &bad,
            "[[rule]]\nname = \"x\"\nwhen = { anger_at_least = 2.0 }\nthen = { action = \"answer\" }\n",
        )
        .unwrap();
        let env = [("BACKSTOP__ENGINE__POLICY_FILE".to_string(), bad.display().to_string())];
        let e = format!("{:#}", Config::load(None, env).unwrap_err());
        assert!(e.contains("not a valid policy") && e.contains("anger_at_least"), "{e}");
    }
}
