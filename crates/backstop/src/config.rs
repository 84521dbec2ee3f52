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
# Mark the session cookie Secure (set this when Backstop is served over HTTPS).
secure_cookies = false

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub bus: BusConfig,
    pub engine: EngineSection,
    pub models: ModelsConfig,
    pub log: LogConfig,
    /// Seed and serve the demo tenant (set by `backstop demo`, not by files).
    #[serde(skip)]
    pub demo: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    pub secure_cookies: bool,
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
                secure_cookies: false,
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
            models: ModelsConfig {
                dir: PathBuf::new(),
                embeddings: true,
            },
            log: LogConfig { filter: "info".into() },
            demo: false,
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
        Ok(())
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
