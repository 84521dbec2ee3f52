//! Backstop's pipeline: a customer message is stored, handed to its conversation's actor, understood,
//! decided on, acted on, and pushed live to everyone watching.
//!
//! Layout: the [`Engine`] handle and its plumbing (this file; [`clock`], the one source of time;
//! [`hub`], live fan-out to widgets and inboxes; [`model`], the read models the hub carries), then
//! four rooms, each a directory, each depending only on the rooms before it:
//! - [`people`]: sign-in and sessions, accounts, presence, widget visitors.
//! - [`knowledge`]: a tenant's understanding, the knowledge base, candidate entries, the policy.
//! - [`conversations`]: ingesting, the actor, the AI's turn, commands, assignment, the SLA, the
//!   copilot, read models.
//! - [`insight`]: replays, what-if against a draft, gap mining.
//!
//! Every room adds methods to the one [`Engine`] (its state — store, clock, hub, actors, caches — is
//! shared by all); which room may call which is checked by `rooms_tests.rs`.
//!
//! Architecture invariant: the engine does no HTTP and no SQL; it talks to storage only through
//! [`backstop_store::Store`]. Password hashing and index building run on blocking threads.

pub mod channels;
pub mod clock;
pub mod conversations;
pub mod hub;
pub mod insight;
pub mod knowledge;
pub mod meter;
pub mod model;
pub mod people;
#[cfg(test)]
mod rooms_tests;

// The engine's state is each room's state, composed here (behaviour stays in the rooms).
use conversations::{actor, assign, cluster, copilot};
use knowledge::brain;
use people::{auth, presence};

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use backstop_core::conversation::{Conversation, TransitionError};
use backstop_core::ids::{ConversationId, TenantId};
use backstop_core::message::{BodyError, ClientMessageId};
use backstop_core::policy::{Policy, PolicyError};
use backstop_core::Timestamp;
use backstop_nlp::embed::Embedder;
use backstop_nlp::emotion::Radar;
use backstop_nlp::retrieval::KbArticle;
use backstop_store::{ConversationRecord, Store, StoreError};

pub use conversations::act::panel::PanelView;
pub use conversations::assign::Online;
pub use conversations::commands::{AgentAction, TransferTo};
pub use knowledge::brain::{Brain, KbReport, Reading};
pub use knowledge::kb::Imported;
pub use model::SlaAlert;
pub use people::accounts::AccountChange;
pub use people::auth::{hash_password, AgentSession, AuthSettings};
pub use people::visitors::{user_hash, VisitorConversation, WidgetSession, WidgetSessionRequest};

/// A client message id as the API takes it (1–64 printable ASCII characters).
pub(crate) fn parse_client_id(c: &str) -> Result<ClientMessageId> {
    ClientMessageId::parse(c)
        .ok_or_else(|| EngineError::InvalidInput("client_id must be 1-64 printable ASCII characters".into()))
}

/// Errors the engine reports; the HTTP layer maps each to a stable code.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("no such tenant")]
    TenantNotFound,
    #[error("no such conversation")]
    ConversationNotFound,
    #[error("no such article")]
    ArticleNotFound,
    #[error("no such candidate")]
    CandidateNotFound,
    /// Something else asked for by id does not exist (an agent, …).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The change clashes with what is stored (e.g. a slug already used in that language).
    #[error("{0}")]
    Conflict(String),
    #[error("the conversation is closed")]
    ConversationClosed,
    #[error("not signed in")]
    Unauthenticated,
    /// The signed-in agent's role does not hold the permission (the words say who may).
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// Too many failed sign-ins: the account is locked for a while.
    #[error("too many failed sign-ins; try again in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Every password check is in use for longer than a sign-in waits.
    #[error("too many sign-ins at once; try again in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error("{0}")]
    InvalidInput(String),
    /// A form with fields that cannot be used, each named with the reason.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<backstop_core::FieldError>),
    #[error("invalid policy: {0}")]
    InvalidPolicy(#[from] PolicyError),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// Tunables of the engine.
#[derive(Clone)]
pub struct EngineConfig {
    /// The sentence-embedding model; without one, understanding is lexical only.
    pub embedder: Option<Arc<dyn Embedder>>,
    /// The policy of tenants that saved none of their own, and its text.
    pub policy: Policy,
    pub policy_source: String,
    /// An idle conversation actor stops after this long (it restarts on the next event).
    pub actor_idle: std::time::Duration,
    /// How agents sign in, and how long sessions last.
    pub auth: AuthSettings,
    /// Where the engine reads the time (tests move a [`clock::ManualClock`]).
    pub clock: Arc<dyn clock::Clock>,
    /// How often the SLA sweep looks for missed deadlines.
    pub sla_sweep: std::time::Duration,
    /// A directory where the vectors of the built-in texts every tenant learns from are kept
    /// between runs (beside the model), so a new process's first tenant does not embed them again.
    pub vector_cache: Option<std::path::PathBuf>,
    /// How the rollups are kept (sweep interval, settlement window, costs for the savings).
    pub analytics: insight::analytics::AnalyticsSettings,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            embedder: None,
            policy: Policy::builtin(),
            policy_source: backstop_core::policy::DEFAULT_POLICY.to_owned(),
            actor_idle: std::time::Duration::from_secs(60),
            auth: AuthSettings::default(),
            clock: Arc::new(clock::SystemClock),
            sla_sweep: std::time::Duration::from_secs(1),
            vector_cache: None,
            analytics: Default::default(),
        }
    }
}

/// The engine handle: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub store: Arc<dyn Store>,
    pub hub: hub::Hub,
    pub config: EngineConfig,
    kb: RwLock<HashMap<TenantId, Arc<brain::Brain>>>,
    policies: RwLock<HashMap<TenantId, Arc<Policy>>>,
    /// Each tenant's generative model (None: not enabled), read on first use.
    models: RwLock<HashMap<TenantId, Option<Arc<knowledge::models::TenantModel>>>>,
    /// What this node counted for operators (`/metrics`).
    pub meter: meter::Meter,
    /// Each tenant's widget settings, read on first use.
    widgets: RwLock<HashMap<TenantId, Arc<backstop_core::widget::WidgetSettings>>>,
    presence: presence::PresenceBook,
    assignments: assign::Assignments,
    waits: presence::Waits,
    answers: copilot::AnswerBooks,
    drafts: conversations::assist::Drafts,
    /// Customer answers being written by a model now: background model work waits for none.
    answering: std::sync::atomic::AtomicUsize,
    sign_ins: auth::SignIns,
    /// The soonest SLA deadline set since the last sweep, and the sweep's doorbell.
    sla_next: Mutex<Option<Timestamp>>,
    sla_wake: tokio::sync::Notify,
    /// Where the analytics sweep is in the event log.
    analytics: insight::analytics::AnalyticsState,
    /// The emotion radar, with the trained head when it matches the embedding model.
    pub radar: Radar,
    actors: Mutex<HashMap<ConversationId, tokio::sync::mpsc::UnboundedSender<actor::Job>>>,
    /// Set when this node joined a cluster (several nodes on one database).
    cluster: std::sync::OnceLock<Arc<cluster::Cluster>>,
}

/// A stored article as retrieval sees it — and as the AI quotes it and the model reads it: without
/// text addressed to the AI (`guard::addressed`), which is an instruction planted in the data.
pub fn kb_article(a: backstop_store::ArticleRecord) -> KbArticle {
    let body = backstop_nlp::guard::addressed::strip(&a.body);
    if body.len() != a.body.len() {
        tracing::warn!(tenant = %a.tenant, article = %a.slug, "the article speaks to the AI; that text is left out of answers");
    }
    KbArticle {
        id: a.id,
        slug: a.slug,
        lang: a.lang,
        topic: a.topic,
        title: a.title,
        body,
        questions: a.questions,
    }
}

impl Engine {
    /// Commits a turn (`Store::apply_turn`) and counts its events for operators.
    pub(crate) async fn apply_turn(
        &self,
        turn: &backstop_store::Turn,
    ) -> backstop_store::Result<Vec<backstop_store::MessageRecord>> {
        let stored = self.inner.store.apply_turn(turn).await;
        if stored.is_ok() {
            self.inner.meter.events(&turn.events);
        }
        stored
    }

    /// What this node counted since it started (for `/metrics`).
    pub fn meter(&self) -> meter::Counts {
        self.inner.meter.counts()
    }

    /// Each tenant's open conversations waiting in a queue for a person (for `/metrics`).
    pub async fn queue_depths(&self) -> Result<Vec<(TenantId, u64)>> {
        let store = &self.inner.store;
        let mut out = Vec::new();
        for t in store.list_tenant_ids().await? {
            let n = store.queued_count(&t).await?;
            out.push((t, n));
        }
        Ok(out)
    }

    /// The engine's time (the configured clock).
    pub fn now(&self) -> Timestamp {
        self.inner.config.clock.now()
    }

    pub fn new(store: Arc<dyn Store>, config: EngineConfig) -> Self {
        let radar = Radar::builtin(config.embedder.as_ref().map(|e| e.model_id()));
        if config.embedder.is_some() && radar.head().is_none() {
            tracing::warn!("no emotion head for this embedding model: the radar reads the lexicon only");
        }
        let sign_ins = auth::SignIns::new(&config.auth);
        Engine {
            inner: Arc::new(Inner {
                sign_ins,
                store,
                hub: hub::Hub::default(),
                config,
                kb: RwLock::new(HashMap::new()),
                policies: RwLock::new(HashMap::new()),
                models: RwLock::new(HashMap::new()),
                meter: meter::Meter::default(),
                widgets: RwLock::new(HashMap::new()),
                presence: presence::PresenceBook::default(),
                assignments: assign::Assignments::default(),
                waits: presence::Waits::default(),
                answers: copilot::AnswerBooks::default(),
                drafts: Default::default(),
                answering: Default::default(),
                sla_next: Mutex::new(None),
                sla_wake: tokio::sync::Notify::new(),
                analytics: Default::default(),
                radar,
                actors: Mutex::new(HashMap::new()),
                cluster: std::sync::OnceLock::new(),
            }),
        }
    }

    pub fn auth_settings(&self) -> &AuthSettings {
        &self.inner.config.auth
    }

    pub fn hub(&self) -> &hub::Hub {
        &self.inner.hub
    }

    pub(crate) async fn conversation(&self, tenant: &TenantId, id: ConversationId) -> Result<ConversationRecord> {
        self.inner
            .store
            .get_conversation(tenant, id)
            .await?
            .ok_or(EngineError::ConversationNotFound)
    }

    /// The state-machine part of a stored conversation.
    pub(crate) fn machine(c: &ConversationRecord) -> Conversation {
        Conversation {
            owner: c.owner,
            status: c.status,
        }
    }
}
