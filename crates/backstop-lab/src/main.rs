//! The `backstop-lab` command, Backstop's ML workbench: `eval` measures the AI on labelled data,
//! `train emotion` fits the emotion radar's head the product ships, and `bench embed|understand`
//! times the models on this machine. It uses the product's own understanding (through the
//! `backstop` library), so what it measures is what the server runs.

use std::path::PathBuf;

use backstop::Config;
use clap::{Parser, Subcommand};

mod bench;
mod eval;
mod vectors;

#[derive(Parser)]
#[command(
    name = "backstop-lab",
    version,
    about = "Measure, train and time Backstop's AI on labelled data"
)]
struct Cli {
    /// A TOML configuration file (the server's; the models directory is read from it).
    #[arg(long, global = true, env = "BACKSTOP_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    /// The models on this machine.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
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
    /// Generative answers end to end on labelled questions (JSONL {"id","lang","kind","turns",
    /// "article","facts"}), with the local model or any OpenAI-compatible endpoint.
    Answers {
        #[arg(long)]
        questions: PathBuf,
        /// The knowledge base the AI answers from (.json, .csv or .md files, or directories of
        /// them, as `backstop kb import` reads them; repeatable): it replaces the demo's. The
        /// questions' `article` slugs refer to it.
        #[arg(long)]
        kb: Vec<PathBuf>,
        /// An OpenAI-compatible base URL (default: the local llama-server, started here).
        #[arg(long)]
        llm_url: Option<String>,
        /// The model to ask at --llm-url (the key, if any, in BACKSTOP_LLM_KEY).
        #[arg(long)]
        llm_model: Option<String>,
        /// Only the first N questions.
        #[arg(long)]
        limit: Option<usize>,
        /// Print every question, reply, cited article and outcome on standard error.
        #[arg(long)]
        details: bool,
    },
    /// Telling a customer's language (JSONL {"id","lang","text"}, ISO 639-1 codes).
    Languages {
        #[arg(long)]
        set: PathBuf,
        /// Print every message read wrongly on standard error.
        #[arg(long)]
        details: bool,
    },
    /// The pre-send guard on labelled answers (JSONL {"id","lang","article","source_lang",
    /// "customer","answer","planted"}): planted faults caught, correct answers blocked, its cost.
    Guard {
        #[arg(long)]
        set: PathBuf,
        /// The knowledge base the answers cite (JSON array; default: the demo's).
        #[arg(long)]
        kb: Option<PathBuf>,
        /// Print every missed fault and false block on standard error.
        #[arg(long)]
        details: bool,
    },
    /// Actions in dialogues: JSONL {"id","lang","who","turns","expect":{"outcome","action",
    /// "change","must_say","must_not_say"}} replayed against the demo shop's order system;
    /// resolved by actions, wrong disclosures and changes nobody confirmed.
    Actions {
        #[arg(long)]
        set: PathBuf,
        /// Only the first N dialogues.
        #[arg(long)]
        limit: Option<usize>,
        /// Print every dialogue judged wrong, with its transcript, on standard error.
        #[arg(long)]
        details: bool,
        /// With the local generative model choosing actions (tool calling) and telling results.
        #[arg(long)]
        llm: bool,
        /// With the model at this OpenAI-compatible base URL instead.
        #[arg(long)]
        llm_url: Option<String>,
        /// The model to ask at --llm-url (the key, if any, in BACKSTOP_LLM_KEY).
        #[arg(long)]
        llm_model: Option<String>,
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
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = Config::load(cli.config.as_deref(), std::env::vars()).and_then(|config| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(dispatch(config, cli.command))
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The embedding model's file, fetched on first use.
fn e5(config: &Config) -> anyhow::Result<PathBuf> {
    let dir = backstop::models::dir(&config.models.dir);
    backstop::models::ensure_e5(&dir, &mut |m| eprintln!("{m}"))
}

async fn dispatch(config: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Bench {
            command: BenchCommand::Embed { rounds },
        } => bench::embed(&e5(&config)?, rounds),
        Command::Bench {
            command: BenchCommand::Understand { articles, rounds },
        } => bench::understand(&e5(&config)?, articles, rounds),
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
            let model = backstop_nlp::embed::E5::load(&e5(&config)?)?;
            let data = eval::emotion::TrainData {
                emotion,
                sentiment,
                max_rows,
                epochs,
            };
            let cache = backstop::models::vector_cache(&backstop::models::dir(&config.models.dir));
            eval::emotion::run_train(&model, &data, Some(&cache), &out)
        }
        Command::Eval { command } => run_eval(config, command).await,
    }
}

async fn run_eval(config: Config, command: EvalCommand) -> anyhow::Result<()> {
    // The embedding model, unless the lexical baseline was asked for (fetched on first use).
    let model = |lexical: bool| -> anyhow::Result<Option<PathBuf>> {
        if lexical {
            return Ok(None);
        }
        Ok(Some(e5(&config)?))
    };
    match command {
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
            eval::dialogues::run(config, options).await
        }
        EvalCommand::Requests { test, lexical, details } => {
            eval::requests::run(config, eval::requests::Options { test, lexical, details }).await
        }
        EvalCommand::Answers {
            questions,
            kb,
            llm_url,
            llm_model,
            limit,
            details,
        } => {
            eval::answers::run(
                config,
                eval::answers::Options {
                    questions,
                    kb,
                    llm_url,
                    llm_model,
                    details,
                    limit,
                },
            )
            .await
        }
        EvalCommand::Languages { set, details } => eval::languages::run(set, details),
        EvalCommand::Guard { set, kb, details } => eval::guard::run(eval::guard::Options { set, kb, details }),
        EvalCommand::Actions {
            set,
            limit,
            details,
            llm,
            llm_url,
            llm_model,
        } => {
            eval::actions::run(
                config,
                eval::actions::Options {
                    set,
                    details,
                    limit,
                    llm,
                    llm_url,
                    llm_model,
                },
            )
            .await
        }
        EvalCommand::Faq { kb, queries, lexical } => eval::faq::run(&kb, &queries, model(lexical)?.as_deref()),
    }
}
