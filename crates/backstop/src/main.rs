//! The `backstop` command: serve, run the demo, print the default configuration.

use std::path::PathBuf;

use anyhow::Context;
use backstop::{config::DEFAULT_TOML, seed, Config};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "backstop",
    version,
    about = "AI answers first, humans back it up: a self-hosted customer-service platform"
)]
struct Cli {
    /// A TOML configuration file (see `backstop config print-default`).
    #[arg(long, global = true, env = "BACKSTOP_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API, the widget and the inbox.
    Serve(ServeArgs),
    /// Seed the demo store (Maple Market) if needed, and serve it.
    Demo(ServeArgs),
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on (overrides server.listen), e.g. 127.0.0.1:8080; port 0 picks a free port.
    #[arg(long)]
    listen: Option<String>,
    /// Data directory (overrides storage.data_dir).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the documented default configuration.
    PrintDefault,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let (args, demo) = match cli.command {
        Command::Config {
            command: ConfigCommand::PrintDefault,
        } => {
            print!("{DEFAULT_TOML}");
            return Ok(());
        }
        Command::Serve(a) => (a, false),
        Command::Demo(a) => (a, true),
    };
    let mut config = Config::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(l) = args.listen {
        config.server.listen = l;
    }
    if let Some(d) = args.data_dir {
        config.storage.data_dir = d;
    }
    config.demo = demo;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.filter));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(config))
}

async fn run(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");
    if config.demo {
        println!("Backstop demo — Maple Market (枫叶商城)");
        println!("  Demo store with the chat widget: {base}/demo/store");
        println!("  …signed in as a VIP customer:    {base}/demo/store?as=alice");
        println!(
            "  Agent inbox:                     {base}/inbox   (tenant: {})",
            seed::DEMO_TENANT
        );
        for (name, email, role, _) in seed::DEMO_AGENTS {
            println!(
                "    {name:<11} {email:<20} password: {}  ({})",
                seed::DEMO_PASSWORD,
                role.as_str()
            );
        }
        println!("  Data: {}", config.database_url());
    } else {
        println!(
            "Backstop listening on {base} (data: {})",
            config.database_url()
        );
    }
    backstop::launch(config, listener, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
