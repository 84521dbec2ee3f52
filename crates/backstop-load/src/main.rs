//! The `backstop-load` command: `run` (customers chatting over the real widget protocol, or idle
//! connections held) and `login` (a flood of wrong sign-ins), against a running server or one it
//! starts with `--spawn`.

use std::path::PathBuf;

use anyhow::Context;
use backstop_load::{command, login, server, Options, DEMO_AGENT, DEMO_PASSWORD, DEMO_TENANT};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "backstop-load",
    version,
    about = "Load-test a Backstop server from outside, over its real protocols"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Customers chatting at once over WebSockets, a share escalating to a simulated agent (or
    /// idle connections held with --idle); a table, a JSON report and a final JSON line.
    Run(RunArgs),
    /// A flood of wrong sign-ins (each from its own address and for its own account) while
    /// customers chat and an agent's inbox reads: the answers, the server's memory, and how fast
    /// the widget and the inbox answered meanwhile.
    Login(LoginArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// The server to load.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// Start `backstop demo` on a free port and a temporary data directory, and load that.
    #[arg(long)]
    spawn: bool,
    /// With --spawn: the `backstop` executable (default: the one beside this program).
    #[arg(long, requires = "spawn")]
    server_exe: Option<PathBuf>,
    /// With --spawn: words only (BM25), no embedding model.
    #[arg(long, requires = "spawn")]
    lexical: bool,
    /// With --spawn: store in this database (postgres://…) instead of a temporary SQLite file.
    #[arg(long, requires = "spawn")]
    database_url: Option<String>,
    /// The server's process id, to report its memory and CPU (found by itself with --spawn).
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long, default_value = DEMO_TENANT)]
    tenant: String,
    /// Customers chatting at once.
    #[arg(long, default_value_t = 50)]
    conversations: usize,
    /// Questions each customer asks (each waits for its answer).
    #[arg(long, default_value_t = 10)]
    messages: usize,
    /// Target customer messages per second across all customers (default: as fast as answered).
    #[arg(long)]
    rate: Option<f64>,
    /// Share of customers who ask for a person half-way (0–1).
    #[arg(long, default_value_t = 0.1)]
    escalate: f64,
    /// The simulated agent's e-mail (default for the demo tenant: lin@maple.example).
    #[arg(long)]
    agent: Option<String>,
    /// The simulated agent's password (default for the demo: backstop-demo).
    #[arg(long, env = "BACKSTOP_LOAD_AGENT_PASSWORD")]
    agent_password: Option<String>,
    /// Questions to ask, one per line (default: the demo knowledge base's sample questions).
    #[arg(long)]
    questions: Option<PathBuf>,
    /// Append a reference to every question so that no text repeats: nothing is answered from a
    /// cache, every message pays for the whole understanding path.
    #[arg(long)]
    unique: bool,
    /// Hold this many idle customer connections instead, and report the server's memory.
    #[arg(long)]
    idle: Option<usize>,
    /// With --idle: seconds to hold them.
    #[arg(long, default_value_t = 10)]
    hold: u64,
    /// Seconds to wait for an acknowledgement or a reply.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Write the JSON report here.
    #[arg(long)]
    report: Option<PathBuf>,
}

#[derive(clap::Args)]
struct LoginArgs {
    /// A running demo server (http://host:port); or --spawn.
    #[arg(long)]
    url: Option<String>,
    /// Start a `backstop demo` of its own (words only, default limits).
    #[arg(long)]
    spawn: bool,
    /// With --spawn: the `backstop` executable (default: the one beside this program).
    #[arg(long, requires = "spawn")]
    server_exe: Option<PathBuf>,
    /// The server's process id, to read its memory (with --url).
    #[arg(long)]
    pid: Option<u32>,
    #[arg(long, default_value_t = 1000)]
    logins: usize,
    #[arg(long, default_value_t = 128)]
    concurrency: usize,
    /// Customers chatting during the flood.
    #[arg(long, default_value_t = 10)]
    customers: usize,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| {
            rt.block_on(async {
                match cli.command {
                    Command::Run(a) => command::run(run_args(a)?).await,
                    Command::Login(a) => {
                        login::login(login::LoginFlood {
                            url: a.url,
                            spawn: a.spawn,
                            pid: a.pid,
                            logins: a.logins,
                            concurrency: a.concurrency,
                            customers: a.customers,
                            exe: a.server_exe,
                        })
                        .await
                    }
                }
            })
        });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run_args(a: RunArgs) -> anyhow::Result<command::Args> {
    let demo = a.tenant == DEMO_TENANT;
    let agent = match (a.agent, demo) {
        (Some(email), _) => {
            let password = a
                .agent_password
                .context("--agent needs the agent's password (--agent-password or BACKSTOP_LOAD_AGENT_PASSWORD)")?;
            Some((email, password))
        }
        (None, true) => Some((
            DEMO_AGENT.to_owned(),
            a.agent_password.unwrap_or_else(|| DEMO_PASSWORD.to_owned()),
        )),
        (None, false) => None,
    };
    anyhow::ensure!(
        agent.is_some() || a.escalate == 0.0,
        "escalating customers need an agent: give --agent EMAIL, or --escalate 0"
    );
    let questions = match &a.questions {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("reading {}", path.display()))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        None if demo => Vec::new(),
        None => anyhow::bail!("--questions FILE is needed for a tenant other than the demo"),
    };
    Ok(command::Args {
        options: Options {
            base: a.url.trim_end_matches('/').to_owned(),
            tenant: a.tenant,
            conversations: a.conversations,
            messages: a.messages,
            rate: a.rate,
            escalate: a.escalate,
            agent,
            server_pid: a.server_pid,
            questions,
            unique: a.unique,
            timeout: std::time::Duration::from_secs(a.timeout),
            reconnect: false,
            fallback: None,
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            answered: Default::default(),
        },
        spawn: a.spawn.then(|| server::SpawnOptions {
            lexical: a.lexical,
            database_url: a.database_url,
            exe: a.server_exe,
            ..Default::default()
        }),
        idle: a.idle,
        hold: std::time::Duration::from_secs(a.hold),
        report: a.report,
    })
}
