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
    /// Before a change ships: replay past conversations against the current knowledge base and
    /// policy and against a draft, side by side (what the AI would answer, hand over, and which
    /// conversations change), then one JSON line.
    Replay(ReplayArgs),
    /// Load-test a running server over real WebSockets (or one it starts with --spawn): customers
    /// chatting at once, a share escalating to a simulated agent; a table, a JSON report and a
    /// final JSON line.
    Load(LoadArgs),
}

#[derive(clap::Args)]
pub(crate) struct LoadArgs {
    /// The server to load.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub(crate) url: String,
    /// Start `backstop demo` on a free port and a temporary data directory, and load that.
    #[arg(long)]
    pub(crate) spawn: bool,
    /// With --spawn: words only (BM25), no embedding model.
    #[arg(long, requires = "spawn")]
    pub(crate) lexical: bool,
    /// With --spawn: store in this database (postgres://…) instead of a temporary SQLite file.
    #[arg(long, requires = "spawn")]
    pub(crate) database_url: Option<String>,
    /// The server's process id, to report its memory and CPU (found by itself with --spawn).
    #[arg(long)]
    pub(crate) server_pid: Option<u32>,
    #[arg(long, default_value = "demo")]
    pub(crate) tenant: String,
    /// Customers chatting at once.
    #[arg(long, default_value_t = 50)]
    pub(crate) conversations: usize,
    /// Questions each customer asks (each waits for its answer).
    #[arg(long, default_value_t = 10)]
    pub(crate) messages: usize,
    /// Target customer messages per second across all customers (default: as fast as answered).
    #[arg(long)]
    pub(crate) rate: Option<f64>,
    /// Share of customers who ask for a person half-way (0–1).
    #[arg(long, default_value_t = 0.1)]
    pub(crate) escalate: f64,
    /// The simulated agent's e-mail (default for the demo tenant: lin@maple.example).
    #[arg(long)]
    pub(crate) agent: Option<String>,
    /// The simulated agent's password (default for the demo: backstop-demo).
    #[arg(long, env = "BACKSTOP_LOAD_AGENT_PASSWORD")]
    pub(crate) agent_password: Option<String>,
    /// Questions to ask, one per line (default: the demo knowledge base's sample questions).
    #[arg(long)]
    pub(crate) questions: Option<PathBuf>,
    /// Append a reference to every question so that no text repeats: nothing is answered from a
    /// cache, every message pays for the whole understanding path.
    #[arg(long)]
    pub(crate) unique: bool,
    /// Hold this many idle customer connections instead, and report the server's memory.
    #[arg(long)]
    pub(crate) idle: Option<usize>,
    /// With --idle: seconds to hold them.
    #[arg(long, default_value_t = 10)]
    pub(crate) hold: u64,
    /// Seconds to wait for an acknowledgement or a reply.
    #[arg(long, default_value_t = 60)]
    pub(crate) timeout: u64,
    /// Write the JSON report here.
    #[arg(long)]
    pub(crate) report: Option<PathBuf>,
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
    /// Words only, without the embedding model.
    #[arg(long)]
    pub(crate) lexical: bool,
    /// List every conversation whose outcome changes (otherwise the first 20).
    #[arg(long)]
    pub(crate) details: bool,
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
        /// A language they serve customers in: zh or en (repeatable).
        #[arg(long)]
        language: Vec<String>,
        /// A knowledge-base topic they know well, e.g. refunds (repeatable).
        #[arg(long)]
        topic: Vec<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum EvalCommand {
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
    /// Requests for a person: JSONL {"text","lang","human":bool}; recall and false requests of the
    /// lexicon, the demo tenant's classifier (its built-in `human` intent), and both.
    Requests {
        #[arg(long)]
        test: PathBuf,
        /// The lexicon only, without the embedding model and classifier.
        #[arg(long)]
        lexical: bool,
        /// Print every message read wrongly on standard error.
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
pub(crate) enum TrainCommand {
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
pub(crate) enum BenchCommand {
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
    /// A flood of wrong sign-ins (each from its own address and for its own account) while
    /// customers chat and an agent's inbox reads: the answers, the server's memory, and how fast
    /// the widget and the inbox answered meanwhile.
    Login {
        /// A running demo server (http://host:port); or --spawn.
        #[arg(long)]
        url: Option<String>,
        /// Start a `backstop demo` of its own (words only, default limits).
        #[arg(long)]
        spawn: bool,
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
    Fetch,
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
}

#[derive(Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print the documented default configuration.
    PrintDefault,
}
