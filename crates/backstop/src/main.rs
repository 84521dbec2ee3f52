//! The `backstop` command: serve, run the demo, print the default configuration.

use std::path::PathBuf;

use anyhow::Context;
use backstop::{admin, config::DEFAULT_TOML, eval, seed, Config};
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
    /// Client companies (tenants).
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Teams of agents, each with its own queue.
    Team {
        #[command(subcommand)]
        command: TeamCommand,
    },
    /// Agent accounts.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Measure the AI on labelled data (progress bars, a table, and a final JSON line).
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
    /// Train the artefacts the product ships (see the README's "Emotion radar").
    Train {
        #[command(subcommand)]
        command: TrainCommand,
    },
    /// Benchmarks of this machine.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Local model files.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// The knowledge base the AI answers from.
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
    /// Examples the tenant's intent classifier learns from.
    Intents {
        #[command(subcommand)]
        command: IntentsCommand,
    },
}

#[derive(Subcommand)]
enum IntentsCommand {
    /// Import labelled examples from JSONL {"text","label"} (label: an article slug, any intent
    /// name, or "oos" for out of scope). Examples already present are skipped.
    Import {
        #[arg(long)]
        tenant: String,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant and print its widget snippet and secret.
    Add {
        /// Short id used in URLs and the widget snippet: a-z, 0-9 and '-'.
        id: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum TeamCommand {
    /// Add a team.
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// general (questions the AI could not settle) or escalation (angry or VIP customers).
        #[arg(long, default_value = "general")]
        role: String,
        /// The name customers see in another language, e.g. --display zh=综合客服 (repeatable).
        #[arg(long)]
        display: Vec<String>,
    },
    /// Change a team: how its queue is assigned, its business hours and its service targets
    /// (what is not given stays as it is).
    Set {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// manual (agents take), round_robin, least_loaded or skills.
        #[arg(long)]
        strategy: Option<String>,
        /// Business hours, e.g. "mon-fri 09:00-18:00, sat 10:00-14:00", or "always".
        #[arg(long)]
        hours: Option<String>,
        /// The hours' time zone (IANA name), e.g. Asia/Shanghai.
        #[arg(long)]
        timezone: Option<String>,
        /// Seconds to the first human reply for VIP or urgent hand-overs (default 30).
        #[arg(long)]
        vip_target: Option<u32>,
        /// Seconds to the first human reply otherwise (default 120).
        #[arg(long)]
        standard_target: Option<u32>,
        /// Minutes after opening within which an offline ticket is promised a reply (default 120).
        #[arg(long)]
        ticket_reply: Option<u32>,
    },
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Add an agent; the password is read from standard input (one line, at least 10 characters).
    Add {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// agent, supervisor or admin.
        #[arg(long, default_value = "agent")]
        role: String,
        /// A team the agent works in, by name (repeatable).
        #[arg(long)]
        team: Vec<String>,
    },
    /// Set an agent's capacity and skills (what is not given stays as it was).
    Set {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// Conversations they may hold at once (1-100).
        #[arg(long)]
        capacity: Option<u32>,
        /// A language they serve customers in: zh or en (repeatable).
        #[arg(long)]
        language: Vec<String>,
        /// A knowledge-base topic they know well, e.g. refunds (repeatable).
        #[arg(long)]
        topic: Vec<String>,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Intent recognition with out-of-scope detection: JSONL {"text","label"}, label "oos" = out of scope.
    Intents {
        #[arg(long)]
        train: PathBuf,
        #[arg(long)]
        test: PathBuf,
        /// A fixed out-of-scope threshold (0-1) instead of calibrating one on held-out training data.
        #[arg(long)]
        threshold: Option<f32>,
        /// Lexical features only, without the embedding model (the baseline).
        #[arg(long)]
        lexical: bool,
    },
    /// Question matching: JSONL {"a","b","label"} (1 = same question); threshold chosen on --dev.
    Pairs {
        #[arg(long)]
        dev: PathBuf,
        #[arg(long)]
        test: PathBuf,
        /// Score with TF-IDF vectors instead of the embedding model (the baseline).
        #[arg(long)]
        lexical: bool,
    },
    /// Emotion radar: JSONL {"text","labels","anger"}; precision/recall/F1 of `anger` and of each feeling.
    Emotion {
        #[arg(long)]
        test: PathBuf,
        /// Train a head on these emotion files first instead of using the built-in one.
        #[arg(long)]
        train: Vec<PathBuf>,
        /// Sentiment files ({"text","label":"pos"|"neg"}) to train on as well (with --train).
        #[arg(long)]
        train_sentiment: Vec<PathBuf>,
        /// At most this many training rows per file (0 = all).
        #[arg(long, default_value_t = 12_000)]
        max_rows: usize,
        /// The lexicon and rules alone, without the embedding model (the baseline).
        #[arg(long)]
        lexical: bool,
    },
    /// Escalation: replays JSONL {"id","lang","turns":[{"role","text"}],"escalate"} through the
    /// tenant's understanding and policy; precision/recall/F1 and the turn of the hand-over.
    Dialogues {
        #[arg(long)]
        test: PathBuf,
        /// Replay with this knowledge base (`backstop kb import`'s JSON format).
        #[arg(long, conflicts_with = "knowledge")]
        kb: Option<PathBuf>,
        /// Without --kb: "assumed" (every question counts as answered, so only the customer's
        /// side can hand over; the default) or "demo" (the demo's knowledge base).
        #[arg(long, default_value = "assumed", value_parser = ["assumed", "demo"])]
        knowledge: String,
        /// A policy TOML file (default: the built-in policy).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Words only, without the embedding model (the baseline).
        #[arg(long)]
        lexical: bool,
        /// Print each dialogue's outcome on standard error.
        #[arg(long)]
        details: bool,
    },
    /// FAQ retrieval: --kb JSONL {"id","question","answer"}, --queries JSONL {"text","answer_id"}.
    Faq {
        #[arg(long)]
        kb: PathBuf,
        #[arg(long)]
        queries: PathBuf,
        /// BM25 only, without the embedding model (the baseline).
        #[arg(long)]
        lexical: bool,
    },
}

#[derive(Subcommand)]
enum TrainCommand {
    /// The emotion radar's head on the embedding model: logistic regressions per feeling.
    Emotion {
        /// Emotion files, JSONL {"text","labels","anger"} (GoEmotions, CLUEmotion).
        #[arg(long = "emotion", required = true)]
        emotion: Vec<PathBuf>,
        /// Sentiment files, JSONL {"text","label":"pos"|"neg"}.
        #[arg(long = "sentiment")]
        sentiment: Vec<PathBuf>,
        /// At most this many rows from each file, sampled evenly (0 = all).
        #[arg(long, default_value_t = 12_000)]
        max_rows: usize,
        #[arg(long, default_value_t = 300)]
        epochs: usize,
        /// Where to write the head (the shipped one is crates/backstop-nlp/data/emotion-head.txt).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Latency of the embedding model (fetches it first if needed).
    Embed {
        /// How many times to embed the fixed set of 10 texts.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
    },
    /// A customer message through the live understanding path (embed, intent, hybrid retrieval)
    /// over a large knowledge base: the demo's articles plus re-worded copies.
    Understand {
        /// Knowledge-base size.
        #[arg(long, default_value_t = 10_000)]
        articles: usize,
        /// How many times to understand the fixed set of 10 messages (per core).
        #[arg(long, default_value_t = 20)]
        rounds: usize,
    },
    /// How late a missed first-reply target is noticed: hands over demo conversations nobody
    /// takes and times each supervisor alert against its deadline.
    Sla {
        #[arg(long, default_value_t = 200)]
        conversations: usize,
        /// The first-reply target set on the demo teams, in seconds.
        #[arg(long, default_value_t = 5)]
        target: u32,
    },
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// Download and check the multilingual embedding model (idempotent); prints its path.
    Fetch,
}

#[derive(Subcommand)]
enum KbCommand {
    /// Import articles from a JSON array of {slug, lang, topic, title, body, questions}.
    Import {
        #[arg(long)]
        tenant: String,
        file: PathBuf,
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

fn run_cli(cli: Cli) -> anyhow::Result<()> {
    let (args, demo) = match cli.command {
        Command::Config {
            command: ConfigCommand::PrintDefault,
        } => {
            print!("{DEFAULT_TOML}");
            return Ok(());
        }
        Command::Serve(a) => (a, false),
        Command::Demo(a) => (a, true),
        Command::Models {
            command: ModelsCommand::Fetch,
        } => {
            let config = Config::load(cli.config.as_deref(), std::env::vars())?;
            let dir = backstop::models::dir(&config.models.dir);
            let path = backstop::models::ensure_e5(&dir, &mut |m| eprintln!("{m}"))?;
            println!("{}", path.display());
            return Ok(());
        }
        Command::Bench {
            command: BenchCommand::Embed { rounds },
        } => {
            let config = Config::load(cli.config.as_deref(), std::env::vars())?;
            let dir = backstop::models::dir(&config.models.dir);
            let path = backstop::models::ensure_e5(&dir, &mut |m| eprintln!("{m}"))?;
            return backstop::bench::embed(&path, rounds);
        }
        Command::Bench {
            command: BenchCommand::Understand { articles, rounds },
        } => {
            let config = Config::load(cli.config.as_deref(), std::env::vars())?;
            let dir = backstop::models::dir(&config.models.dir);
            let path = backstop::models::ensure_e5(&dir, &mut |m| eprintln!("{m}"))?;
            return backstop::bench::understand(&path, articles, rounds);
        }
        Command::Bench {
            command: BenchCommand::Sla { conversations, target },
        } => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            return rt.block_on(backstop::bench::sla(conversations, target));
        }
        Command::Train {
            command:
                TrainCommand::Emotion {
                    emotion,
                    sentiment,
                    max_rows,
                    epochs,
                    out,
                },
        } => {
            let config = Config::load(cli.config.as_deref(), std::env::vars())?;
            let dir = backstop::models::dir(&config.models.dir);
            let path = backstop::models::ensure_e5(&dir, &mut |m| eprintln!("{m}"))?;
            let e5 = backstop_nlp::embed::E5::load(&path)?;
            let data = eval::emotion::TrainData {
                emotion,
                sentiment,
                max_rows,
                epochs,
            };
            return eval::emotion::run_train(&e5, &data, Some(&backstop::models::vector_cache(&dir)), &out);
        }
        Command::Eval { command } => {
            // The embedding model, unless the lexical baseline was asked for (fetched on first use).
            let model = |lexical: bool| -> anyhow::Result<Option<PathBuf>> {
                if lexical {
                    return Ok(None);
                }
                let config = Config::load(cli.config.as_deref(), std::env::vars())?;
                let dir = backstop::models::dir(&config.models.dir);
                Ok(Some(backstop::models::ensure_e5(&dir, &mut |m| eprintln!("{m}"))?))
            };
            return match command {
                EvalCommand::Intents {
                    train,
                    test,
                    threshold,
                    lexical,
                } => eval::intents::run(&train, &test, threshold, model(lexical)?.as_deref()),
                EvalCommand::Pairs { dev, test, lexical } => eval::pairs::run(&dev, &test, model(lexical)?.as_deref()),
                EvalCommand::Emotion {
                    test,
                    train,
                    train_sentiment,
                    max_rows,
                    lexical,
                } => {
                    let e5 = match model(lexical)? {
                        Some(p) => Some(backstop_nlp::embed::E5::load(&p)?),
                        None => None,
                    };
                    let data = (!train.is_empty()).then_some(eval::emotion::TrainData {
                        emotion: train,
                        sentiment: train_sentiment,
                        max_rows,
                        epochs: 300,
                    });
                    let config = Config::load(cli.config.as_deref(), std::env::vars())?;
                    let cache = backstop::models::vector_cache(&backstop::models::dir(&config.models.dir));
                    eval::emotion::run_eval(
                        e5.as_ref().map(|e| e as &dyn backstop_nlp::embed::Embedder),
                        &test,
                        data.as_ref(),
                        Some(&cache),
                    )
                }
                EvalCommand::Dialogues {
                    test,
                    kb,
                    knowledge,
                    policy,
                    lexical,
                    details,
                } => {
                    let config = Config::load(cli.config.as_deref(), std::env::vars())?;
                    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
                    let options = eval::dialogues::Options {
                        test,
                        knowledge: match (kb, knowledge.as_str()) {
                            (Some(path), _) => eval::dialogues::Knowledge::File(path),
                            (None, "demo") => eval::dialogues::Knowledge::Demo,
                            (None, _) => eval::dialogues::Knowledge::Assumed,
                        },
                        policy,
                        lexical,
                        details,
                    };
                    rt.block_on(eval::dialogues::run(config, options))
                }
                EvalCommand::Faq { kb, queries, lexical } => eval::faq::run(&kb, &queries, model(lexical)?.as_deref()),
            };
        }
        admin => {
            let config = Config::load(cli.config.as_deref(), std::env::vars())?;
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            return rt.block_on(run_admin(config, admin));
        }
    };
    let mut config = Config::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(l) = args.listen {
        config.server.listen = l;
    }
    if let Some(d) = args.data_dir {
        config.storage.data_dir = d;
    }
    config.demo = demo;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.filter));
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
    if config.demo {
        println!(
            "Backstop demo — preparing (the first start downloads the language model and embeds the knowledge base)…"
        );
    }
    let demo = config.demo;
    let data = config.database_url();
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

async fn run_admin(config: Config, command: Command) -> anyhow::Result<()> {
    let store = backstop::open_store(&config).await?;
    let store = store.as_ref();
    match command {
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
            let team = admin::add_team(store, &tenant, &name, &role, &display).await?;
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
                },
        } => {
            let changes = admin::TeamChanges {
                strategy,
                hours,
                timezone,
                vip_target_secs: vip_target,
                standard_target_secs: standard_target,
                ticket_reply_mins: ticket_reply,
            };
            let team = admin::set_team(store, &tenant, &name, &changes).await?;
            println!(
                "Team {}: assigns by {}; open {} ({}); first reply within {} s (VIP {} s); tickets answered within {} min of opening.",
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
            let a = admin::set_agent_profile(store, &tenant, &email, capacity, &language, &topic).await?;
            let langs: Vec<&str> = a.profile.languages.iter().map(|l| l.as_str()).collect();
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
                eprint!("Password for {email} (at least 10 characters; typing is visible): ");
            }
            let agent = admin::add_agent(store, &tenant, &email, &name, &role, &team, std::io::stdin().lock()).await?;
            println!(
                "Added {} <{}> as {} to {tenant}.",
                agent.name,
                agent.email,
                agent.role.as_str()
            );
        }
        Command::Kb {
            command: KbCommand::Import { tenant, file },
        } => {
            let json = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let (created, updated) = admin::import_kb(store, &tenant, &json).await?;
            println!(
                "{}: {created} articles created, {updated} updated in {tenant}.",
                file.display()
            );
            println!("A running server picks the change up when it restarts.");
        }
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
        Command::Serve(_)
        | Command::Demo(_)
        | Command::Config { .. }
        | Command::Eval { .. }
        | Command::Models { .. }
        | Command::Train { .. }
        | Command::Bench { .. } => {
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
