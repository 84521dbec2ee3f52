//! Running the local `llama-server`: started on a loopback port, ready when `/health` answers
//! 200 (it answers 503 while the model loads), restarted with back-off if it dies, stopped with
//! its owner. Its own log goes to a file, not to ours.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// CPU threads for generation.
    pub threads: usize,
    /// Context per request slot, in tokens.
    pub context: u32,
    /// Requests answered at once (each gets `context` tokens).
    pub slots: u32,
    /// The loopback port; a free one when `None`.
    pub port: Option<u16>,
    /// Where the server's own log goes (appended).
    pub log: PathBuf,
}

impl ServeOptions {
    pub fn new(log: PathBuf) -> Self {
        ServeOptions {
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            context: 4096,
            slots: 2,
            port: None,
            log,
        }
    }
}

/// A running, supervised `llama-server`. Dropping it stops the server.
pub struct LocalLlm {
    base_url: String,
    pid: Arc<Mutex<Option<u32>>>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for LocalLlm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalLlm").field("base_url", &self.base_url).finish()
    }
}

/// How long a model may take to load.
const READY_WITHIN: Duration = Duration::from_secs(180);

impl LocalLlm {
    /// Starts the server and waits until it answers.
    pub async fn start(server: &Path, model: &Path, options: ServeOptions) -> anyhow::Result<Self> {
        let port = match options.port {
            Some(p) => p,
            None => std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port(),
        };
        let launch = Launch {
            server: server.to_path_buf(),
            model: model.to_path_buf(),
            port,
            options,
        };
        let child = launch.spawn_ready().await?;
        let pid = Arc::new(Mutex::new(child.id()));
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(supervise(launch, child, pid.clone(), stopped));
        Ok(LocalLlm {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            pid,
            stop: Some(stop),
            task,
        })
    }

    /// The OpenAI-compatible base URL (`http://127.0.0.1:<port>/v1`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The running server's process id (tests kill it to see the fallback).
    pub fn pid(&self) -> Option<u32> {
        *self.pid.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stops the server and waits for it to exit.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for LocalLlm {
    fn drop(&mut self) {
        // The child is spawned with kill_on_drop: ending the task ends the server.
        self.task.abort();
    }
}

struct Launch {
    server: PathBuf,
    model: PathBuf,
    port: u16,
    options: ServeOptions,
}

impl Launch {
    fn spawn(&self) -> anyhow::Result<Child> {
        let o = &self.options;
        if let Some(dir) = o.log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&o.log)
            .with_context(|| format!("opening {}", o.log.display()))?;
        let mut cmd = Command::new(&self.server);
        cmd.arg("-m")
            .arg(&self.model)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["-c", &(o.context * o.slots).to_string()])
            .args(["-np", &o.slots.to_string()])
            .args(["-t", &o.threads.to_string()])
            // No web page; no weight repacking (its AMX path crashes on some virtual CPUs that
            // announce AMX, and the plain kernels are as fast for a model this small).
            .args(["--no-webui", "--no-repack"])
            // Chat templates run as Jinja, which tool calling needs (the default in this build;
            // said so it stays so).
            .arg("--jinja")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        cmd.spawn()
            .with_context(|| format!("starting {}", self.server.display()))
    }

    /// Spawns the server and waits until `/health` answers 200.
    async fn spawn_ready(&self) -> anyhow::Result<Child> {
        let mut child = self.spawn()?;
        let until = tokio::time::Instant::now() + READY_WITHIN;
        loop {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "llama-server exited while starting ({status}); its log: {}\n{}",
                    self.options.log.display(),
                    tail(&self.options.log, 15)
                );
            }
            if healthy(self.port).await {
                return Ok(child);
            }
            if tokio::time::Instant::now() >= until {
                let _ = child.kill().await;
                bail!(
                    "llama-server did not become ready within {} s; its log: {}",
                    READY_WITHIN.as_secs(),
                    self.options.log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

async fn supervise(launch: Launch, mut child: Child, pid: Arc<Mutex<Option<u32>>>, mut stopped: oneshot::Receiver<()>) {
    let mut backoff = Duration::from_secs(1);
    loop {
        tokio::select! {
            status = child.wait() => {
                tracing::warn!(status = ?status.ok(), log = %launch.options.log.display(), "llama-server exited; restarting it");
                *pid.lock().unwrap_or_else(|p| p.into_inner()) = None;
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = &mut stopped => return,
                    }
                    match launch.spawn_ready().await {
                        Ok(c) => {
                            child = c;
                            *pid.lock().unwrap_or_else(|p| p.into_inner()) = child.id();
                            tracing::info!(port = launch.port, "llama-server is back");
                            backoff = Duration::from_secs(1);
                            break;
                        }
                        Err(e) => {
                            tracing::warn!(error = %format!("{e:#}"), "llama-server did not restart");
                            backoff = (backoff * 2).min(Duration::from_secs(30));
                        }
                    }
                }
            }
            _ = &mut stopped => {
                let _ = child.kill().await;
                return;
            }
        }
    }
}

/// Does the server answer `GET /health` with 200?
async fn healthy(port: u16) -> bool {
    let check = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut buf = [0u8; 32];
        let n = s.read(&mut buf).await.ok()?;
        let line = String::from_utf8_lossy(&buf[..n]).to_string();
        Some(line.starts_with("HTTP/1.1 200") || line.starts_with("HTTP/1.0 200"))
    };
    tokio::time::timeout(Duration::from_secs(2), check)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// The last lines of a log file.
fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
