//! The `backstop` command: serve, run the demo, print the default configuration.

use anyhow::Context;
use backstop::{accounts, admin, config::DEFAULT_TOML, seed, Config};
use clap::Parser;
use tracing_subscriber::EnvFilter;

mod cli;
use cli::*;

fn main() -> std::process::ExitCode {
    match run_cli(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The cause chain, without a backtrace: this is for the person at the terminal.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Loads the configuration once and runs the command on one runtime.
fn run_cli(cli: Cli) -> anyhow::Result<()> {
    if let Command::Config {
        command: ConfigCommand::PrintDefault,
    } = cli.command
    {
        print!("{DEFAULT_TOML}");
        return Ok(());
    }
    let config = Config::load(cli.config.as_deref(), std::env::vars())?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(dispatch(config, cli.command))
}

async fn dispatch(config: Config, command: Command) -> anyhow::Result<()> {
    let (args, demo) = match command {
        Command::Config { .. } => unreachable!("printed above"),
        Command::Serve(a) => (a, false),
        Command::Demo(a) => (a, true),
        Command::Models {
            command: ModelsCommand::Fetch { llm },
        } => {
            let dir = backstop::models::dir(&config.models.dir);
            let path = backstop::models::ensure_e5(&dir, &mut |m| eprintln!("{m}"))?;
            if !llm {
                println!("{}", path.display());
                return Ok(());
            }
            let model = tokio::task::spawn_blocking({
                let dir = dir.clone();
                move || backstop::localllm::ensure_model(&dir, &mut |m| eprintln!("{m}"))
            })
            .await??;
            let server =
                tokio::task::spawn_blocking(move || backstop::localllm::ensure_server(&dir, &mut |m| eprintln!("{m}")))
                    .await??;
            println!("BACKSTOP_E5_MODEL={}", path.display());
            println!("BACKSTOP_LLM_MODEL={}", model.display());
            println!("BACKSTOP_LLM_SERVER={}", server.display());
            return Ok(());
        }
        Command::Bench {
            command:
                BenchCommand::Store {
                    database_url,
                    conversations,
                    messages,
                },
        } => {
            return backstop::bench::store(database_url.as_deref(), conversations, messages).await;
        }
        Command::Bench {
            command:
                BenchCommand::Analytics {
                    database_url,
                    conversations,
                    tenants,
                    days,
                    runs,
                    reuse,
                },
        } => {
            return backstop::bench::analytics(backstop::bench::AnalyticsOptions {
                database_url,
                conversations,
                tenants,
                days,
                runs,
                reuse,
            })
            .await;
        }
        Command::Bench {
            command: BenchCommand::Sla { conversations, target },
        } => {
            return backstop::bench::sla(conversations, target).await;
        }
        Command::Replay(a) => {
            let options = backstop::replay::Options {
                tenant: a.tenant,
                dialogues: a.dialogues,
                limit: a.limit,
                kb: a.kb,
                archive: a.archive,
                policy: a.policy,
                without_actions: a.without_actions,
                lexical: a.lexical,
                details: a.details,
            };
            return backstop::replay::run(config, options).await;
        }
        admin => {
            return run_admin(config, admin).await;
        }
    };
    let mut config = config;
    if let Some(l) = args.listen {
        config.server.listen = l;
    }
    if let Some(url) = args.database_url {
        config.storage.database_url = url;
    }
    if let Some(url) = args.bus {
        config.bus.url = url;
    }
    if let Some(node) = args.node {
        config.bus.node = node;
    }
    if let Some(d) = args.data_dir {
        config.storage.data_dir = d;
    }
    config.demo = demo;
    config.demo_history = demo && !args.no_history;
    config.demo_llm = match args.llm.as_deref() {
        None => None,
        Some(_) if !demo => {
            anyhow::bail!("--llm is for `backstop demo`; a real install sets its model with PUT /api/v1/model")
        }
        Some("local") => Some(backstop::config::DemoLlm::Local),
        Some(url) => Some(backstop::config::DemoLlm::Remote {
            base_url: url.to_string(),
            model: args
                .llm_model
                .clone()
                .context("--llm URL needs --llm-model NAME (the model to ask there)")?,
            key: std::env::var("BACKSTOP_LLM_KEY").ok().filter(|k| !k.is_empty()),
        }),
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.filter));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    run(config).await
}

async fn run(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    if config.demo {
        println!(
            "Backstop demo — preparing (the first start downloads the language model and embeds the knowledge base)…"
        );
    }
    let demo = config.demo;
    let data = backstop::redact_url(&config.database_url());
    backstop::launch_then(config, listener, shutdown_signal(), move |addr| {
        let base = format!("http://{addr}");
        if demo {
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
            println!("  Data: {data}");
        } else {
            println!("Backstop listening on {base} (data: {data})");
        }
    })
    .await
}

/// The tenant, e-mail and change of an account command (`agent deactivate` …), if it is one.
fn account_command(c: &AgentCommand) -> Option<(String, String, accounts::AccountCommand)> {
    use accounts::AccountCommand as A;
    let (t, e, change) = match c {
        AgentCommand::Deactivate { tenant, email } => (tenant, email, A::Deactivate),
        AgentCommand::Reactivate { tenant, email } => (tenant, email, A::Reactivate),
        AgentCommand::Role { tenant, email, role } => (tenant, email, A::Role(role.clone())),
        AgentCommand::Password { tenant, email } => (tenant, email, A::Password),
        AgentCommand::Unlock { tenant, email } => (tenant, email, A::Unlock),
        AgentCommand::SignOut { tenant, email } => (tenant, email, A::SignOut),
        AgentCommand::Add { .. } | AgentCommand::Set { .. } => return None,
    };
    Some((t.clone(), e.clone(), change))
}

async fn run_admin(config: Config, command: Command) -> anyhow::Result<()> {
    let shared = backstop::open_store(&config).await?;
    let store = shared.as_ref();
    match command {
        Command::Tenant {
            command: TenantCommand::RotateSecret { id },
        } => {
            let secret = accounts::rotate_widget_secret(shared.clone(), &id).await?;
            println!("New widget secret of {id} (shown once; sign data-user-hash with it from now on):\n{secret}");
        }
        Command::Agent {
            command:
                command @ (AgentCommand::Deactivate { .. }
                | AgentCommand::Reactivate { .. }
                | AgentCommand::Role { .. }
                | AgentCommand::Password { .. }
                | AgentCommand::Unlock { .. }
                | AgentCommand::SignOut { .. }),
        } => {
            let (tenant, email, change) = account_command(&command).expect("an account command");
            if matches!(change, accounts::AccountCommand::Password)
                && std::io::IsTerminal::is_terminal(&std::io::stdin())
            {
                eprint!("New password for {email} (10-128 characters; typing is visible): ");
            }
            let what = match &change {
                accounts::AccountCommand::Deactivate => "deactivated; their sessions ended".to_string(),
                accounts::AccountCommand::Reactivate => "reactivated".to_string(),
                accounts::AccountCommand::Role(r) => format!("now {}", r.trim()),
                accounts::AccountCommand::Password => "has a new password; their sessions ended".to_string(),
                accounts::AccountCommand::Unlock => "may sign in again".to_string(),
                accounts::AccountCommand::SignOut => "signed out everywhere".to_string(),
            };
            let a = accounts::change_account(shared.clone(), &tenant, &email, change, std::io::stdin().lock()).await?;
            println!("{} <{}> {what}.", a.name, a.email);
        }
        Command::Tenant {
            command: TenantCommand::Add { id, name },
        } => {
            let secret = admin::add_tenant(store, &id, &name).await?;
            println!("Created tenant {id} ({name}).");
            println!("Embed the widget on your site:");
            println!("  <script src=\"https://YOUR-BACKSTOP-HOST/widget.js\" data-tenant=\"{id}\" async></script>");
            println!("Widget secret (for data-user-hash = hex HMAC-SHA256(secret, e-mail); keep it on your server):");
            println!("  {secret}");
        }
        Command::Team {
            command:
                TeamCommand::Add {
                    tenant,
                    name,
                    role,
                    display,
                },
        } => {
            let team = admin::add_team(store, &cli_engine(&shared), &tenant, &name, &role, &display).await?;
            println!("Added team {} ({}) to {tenant}.", team.name, team.role.as_str());
        }
        Command::Team {
            command:
                TeamCommand::Set {
                    tenant,
                    name,
                    strategy,
                    hours,
                    timezone,
                    vip_target,
                    standard_target,
                    ticket_reply,
                    languages,
                },
        } => {
            let changes = admin::TeamChanges {
                strategy,
                hours,
                timezone,
                vip_target_secs: vip_target,
                standard_target_secs: standard_target,
                ticket_reply_mins: ticket_reply,
                languages,
            };
            let team = admin::set_team(store, &cli_engine(&shared), &tenant, &name, &changes).await?;
            let serves = if team.languages.is_empty() {
                "every language".to_string()
            } else {
                team.languages.join(", ")
            };
            println!(
                "Team {}: serves {serves}; assigns by {}; open {} ({}); first reply within {} s (VIP {} s); tickets answered within {} min of opening.",
                team.name,
                team.strategy.as_str(),
                team.hours.spec(),
                team.hours.timezone(),
                team.sla.standard_secs,
                team.sla.vip_secs,
                team.sla.ticket_reply_mins
            );
        }
        Command::Agent {
            command:
                AgentCommand::Set {
                    tenant,
                    email,
                    capacity,
                    language,
                    topic,
                },
        } => {
            let a = admin::set_agent_profile(
                store,
                &cli_engine(&shared),
                &tenant,
                &email,
                capacity,
                &language,
                &topic,
            )
            .await?;
            let langs: Vec<&str> = a.profile.languages.iter().map(String::as_str).collect();
            println!(
                "{} <{}>: capacity {}, languages {}, topics {}.",
                a.name,
                a.email,
                a.profile.capacity,
                langs.join(", "),
                if a.profile.topics.is_empty() {
                    "none".to_string()
                } else {
                    a.profile.topics.join(", ")
                }
            );
        }
        Command::Agent {
            command:
                AgentCommand::Add {
                    tenant,
                    email,
                    name,
                    role,
                    team,
                },
        } => {
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                eprint!("Password for {email} (10-128 characters; typing is visible): ");
            }
            let agent = admin::add_agent(
                &cli_engine(&shared),
                &tenant,
                &email,
                &name,
                &role,
                &team,
                std::io::stdin().lock(),
            )
            .await?;
            println!(
                "Added {} <{}> as {} to {tenant}.",
                agent.name,
                agent.email,
                agent.role.as_str()
            );
        }
        Command::Kb {
            command: KbCommand::Import { tenant, files },
        } => {
            let started = std::time::Instant::now();
            let pb = backstop_report::bar(0, "importing");
            // The engine without models: importing saves versions; a server rebuilds the
            // understanding when it next loads the tenant.
            let engine = backstop_engine::Engine::new(shared.clone(), backstop_engine::EngineConfig::default());
            let report = admin::import_kb_files(&engine, &tenant, &files, &pb).await?;
            pb.finish_and_clear();
            for r in &report.rejected {
                eprintln!("rejected {r}");
            }
            println!(
                "{tenant}: {} created, {} updated, {} unchanged, {} rejected ({:.1} s).",
                report.created,
                report.updated,
                report.unchanged,
                report.rejected.len(),
                started.elapsed().as_secs_f64()
            );
            println!("A running server uses them after POST /api/v1/understanding/rebuild or a restart.");
            if report.created + report.updated + report.unchanged == 0 && !report.rejected.is_empty() {
                anyhow::bail!("nothing could be imported");
            }
        }
        Command::Kb {
            command: KbCommand::NameTopic { tenant, slug, name },
        } => {
            let engine = backstop_engine::Engine::new(shared.clone(), backstop_engine::EngineConfig::default());
            let t = admin::name_topic(store, &engine, &tenant, &slug, &name).await?;
            let names: Vec<String> = t.names.iter().map(|(l, n)| format!("{}={n}", l.as_str())).collect();
            println!(
                "Topic {} of {tenant} ({} articles): {}.",
                t.slug,
                t.articles,
                if names.is_empty() {
                    "no names".to_string()
                } else {
                    names.join(", ")
                }
            );
        }
        Command::Kb {
            command: KbCommand::Export { tenant, format, out },
        } => match admin::kb_export(store, &tenant, format.as_deref(), out.as_deref()).await? {
            (_, Some(text)) => println!("{text}"),
            (n, None) => eprintln!("{n} articles of {tenant} written."),
        },
        Command::Intents {
            command: IntentsCommand::Import { tenant, file },
        } => {
            let (added, skipped) = admin::import_intents(store, &tenant, &file).await?;
            println!(
                "{}: {added} examples added, {skipped} already present in {tenant}.",
                file.display()
            );
            println!(
                "They take effect when the server restarts or a supervisor calls POST /api/v1/understanding/rebuild."
            );
        }
        Command::Analytics {
            command: AnalyticsCommand::Rebuild { tenant },
        } => {
            let tenant = tenant
                .map(|t| backstop_core::ids::TenantId::parse(&t).map_err(|_| anyhow::anyhow!("no such tenant: {t}")))
                .transpose()?;
            if let Some(t) = &tenant {
                anyhow::ensure!(store.get_tenant(t).await?.is_some(), "no such tenant: {t}");
            }
            let engine = backstop_engine::Engine::new(
                shared.clone(),
                backstop_engine::EngineConfig {
                    analytics: config.analytics.settings()?,
                    ..Default::default()
                },
            );
            let started = std::time::Instant::now();
            let top = engine.max_event_id().await?;
            let pb = backstop_report::bar(top.max(0) as u64, "events folded");
            let shown = pb.clone();
            let written = engine
                .rebuild_analytics(tenant.as_ref(), std::sync::Arc::new(move |at| shown.set_position(at)))
                .await?;
            pb.finish_and_clear();
            println!(
                "Folded {written} conversations from {top} events into the rollups ({:.1} s).",
                started.elapsed().as_secs_f64()
            );
        }
        Command::Serve(_)
        | Command::Demo(_)
        | Command::Config { .. }
        | Command::Models { .. }
        | Command::Bench { .. }
        | Command::Replay(_) => {
            unreachable!("handled in main")
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
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

/// The engine a one-off command works through (no models, no background tasks): the same checks
/// and writes the API makes.
fn cli_engine(store: &std::sync::Arc<dyn backstop_store::Store>) -> backstop_engine::Engine {
    backstop_engine::Engine::new(store.clone(), backstop_engine::EngineConfig::default())
}
