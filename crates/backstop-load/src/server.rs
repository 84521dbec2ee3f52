//! The server under load: started by `backstop-load run --spawn` (a child `backstop demo` on a free port
//! and a temporary data directory) or found by pid, and its memory and CPU read from `/proc`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;

/// A `backstop demo` child process the load generator started (killed when dropped).
pub struct Spawned {
    pub child: tokio::process::Child,
    pub base: String,
    pub pid: u32,
    /// The temporary data directory (kept while the server runs).
    _dir: Option<tempfile::TempDir>,
}

/// How to start the child.
#[derive(Clone, Debug, Default)]
pub struct SpawnOptions {
    /// Words only (BM25), no embedding model: the cache/BM25 answer path.
    pub lexical: bool,
    /// A database URL (PostgreSQL) instead of SQLite in a temporary directory.
    pub database_url: Option<String>,
    /// An existing data directory (for restarts) instead of a fresh temporary one.
    pub data_dir: Option<PathBuf>,
    /// Listen on this port (0: any free one).
    pub port: u16,
    /// The `backstop` executable (default: the one beside this program, as `cargo build` puts it).
    pub exe: Option<PathBuf>,
    /// More arguments for `backstop demo` (e.g. `--bus`, `--node`).
    pub args: Vec<String>,
    /// More environment variables (e.g. `BACKSTOP__BUS__PREFIX`).
    pub env: Vec<(String, String)>,
    /// Keep the per-address rate limits and socket caps (by default they are lifted: every
    /// simulated customer comes from this one address).
    pub keep_limits: bool,
    /// Start the server with this limit on open files (`ulimit -n`), e.g. to test exhaustion.
    pub fd_limit: Option<u32>,
}

/// The settings that lift every per-address limit (a load test speaks from one address).
pub const NO_LIMITS: &[(&str, &str)] = &[
    ("BACKSTOP__LIMITS__LOGINS_PER_IP", "0"),
    ("BACKSTOP__LIMITS__LOGINS_PER_ACCOUNT", "0"),
    ("BACKSTOP__LIMITS__WIDGET_SESSIONS_PER_IP", "0"),
    ("BACKSTOP__LIMITS__MESSAGES_PER_VISITOR", "0"),
    ("BACKSTOP__LIMITS__MESSAGES_PER_IP", "0"),
    ("BACKSTOP__LIMITS__REQUESTS_PER_IP", "0"),
    ("BACKSTOP__LIMITS__SOCKETS_PER_VISITOR", "0"),
    ("BACKSTOP__LIMITS__SOCKETS_PER_AGENT", "0"),
    ("BACKSTOP__LIMITS__SOCKETS_PER_IP", "0"),
    ("BACKSTOP__SERVER__CONNECTIONS_PER_IP", "0"),
];

/// A free TCP port on 127.0.0.1 (bound and released: fine for a benchmark on one machine).
pub fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// The `backstop` executable next to this one (`target/release/backstop` beside
/// `target/release/backstop-load`), with a clear error when it has not been built.
fn beside_this_program() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("finding this program's path")?;
    let exe = me.with_file_name(format!("backstop{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        exe.is_file(),
        "no backstop executable beside {} to start: build it (cargo build --release builds both) or give --server-exe PATH",
        me.display()
    );
    Ok(exe)
}

/// Starts `backstop demo` as a child and waits until it answers its health check.
pub async fn spawn(opts: &SpawnOptions) -> anyhow::Result<Spawned> {
    let exe = match &opts.exe {
        Some(e) => e.clone(),
        None => beside_this_program()?,
    };
    let (dir, data_dir) = match &opts.data_dir {
        Some(d) => (None, d.clone()),
        None => {
            let t = tempfile::tempdir().context("creating a data directory")?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let port = if opts.port == 0 { free_port()? } else { opts.port };
    let mut cmd = match opts.fd_limit {
        // `ulimit -n` in a shell that then becomes the server.
        Some(n) => {
            let mut c = tokio::process::Command::new("sh");
            c.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\" \"$@\"")).arg(exe);
            c
        }
        None => tokio::process::Command::new(exe),
    };
    // Without the generated past conversations: their folding into the rollups would share the
    // cores with what is measured.
    cmd.arg("demo")
        .arg("--no-history")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(&data_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if opts.lexical {
        cmd.env("BACKSTOP__MODELS__EMBEDDINGS", "false");
    }
    if !opts.keep_limits {
        cmd.envs(NO_LIMITS.iter().copied());
    }
    if let Some(url) = &opts.database_url {
        cmd.arg("--database-url").arg(url);
    }
    cmd.args(&opts.args).envs(opts.env.iter().map(|(k, v)| (k, v)));
    let mut child = cmd.spawn().context("starting the server")?;
    let pid = child.id().context("the server exited at once")?;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let started = Instant::now();
    // The first start embeds the demo knowledge base (about a minute on 2 cores, debug builds longer).
    while started.elapsed() < Duration::from_secs(600) {
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("the server exited while starting ({status})");
        }
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(Spawned {
                child,
                base,
                pid,
                _dir: dir,
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the server did not answer {base}/healthz within 10 minutes")
}

/// A reading of a process's memory and CPU time.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcSample {
    /// Resident memory, bytes.
    pub rss: u64,
    /// Peak resident memory so far (VmHWM), bytes.
    pub peak_rss: u64,
    /// User + system CPU time, seconds.
    pub cpu_secs: f64,
}

/// Reads `/proc/PID` (Linux); `None` when the process is gone or this is not Linux.
pub fn sample(pid: u32) -> Option<ProcSample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(key))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
            .map(|k| k * 1024)
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at ") ".
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ProcSample {
        rss: kb("VmRSS:")?,
        peak_rss: kb("VmHWM:").unwrap_or(0),
        cpu_secs: ticks as f64 / clock_ticks(),
    })
}

/// Clock ticks per second for `/proc/PID/stat` times.
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}
