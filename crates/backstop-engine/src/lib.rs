//! Backstop's pipeline: a customer message is stored, handed to its conversation's actor, understood,
//! decided on, acted on, and pushed live to everyone watching.
//!
//! Layout:
//! - [`Engine`] (this file): the handle the HTTP layer holds; ingestion and queries.
//! - `actor`: one task per conversation; every change to a conversation runs there, in order.
//! - `brain`: a tenant's understanding (hybrid retrieval index, intent classifier, cached
//!   embeddings), rebuilt from the store.
//! - [`assess`]: one customer turn read into the policy's signals (understanding, emotion,
//!   trajectory, stakes); shared by the live turn and replays.
//! - `policies`: each tenant's escalation policy, versioned and cached.
//! - [`presence`]: who is online (inbox sockets, the away switch) and each agent's load.
//! - [`replay`]: a conversation's customer turns through understanding and policy, off the store.
//! - [`whatif`]: past conversations replayed against the current and a draft knowledge base and
//!   policy, side by side (`backstop replay`).
//! - `assign`: automatic assignment of queued conversations to available agents (by the team's
//!   strategy, sticky, within capacity), on hand-over and whenever an agent could take more.
//! - [`copilot`]: suggested replies from the knowledge base (with sources), a running summary and
//!   de-escalation phrasing for the agent; how each reply used them is recorded.
//! - `sla` and [`clock`]: the first-reply clock of each hand-over, the sweep that escalates a
//!   missed target, offline tickets; every time the engine reads comes from one clock.
//! - [`gaps`]: unanswered and handed-over questions grouped by meaning (gap mining), and each
//!   newly published topic's hand-over rate before and after.
//! - [`learn`]: candidate entries drafted from what people answered, and the trainer's review.
//! - `kb`: knowledge-base management (create, edit, archive, restore, revert; versioned; used at once).
//! - `turn`: the AI's turn (understand → decide → act) and the handoff packet.
//! - `commands`: what agents and customers ask for (take, reply, note, hand back, resolve, reopen,
//!   talk to a human).
//! - [`hub`]: live fan-out to widgets and inboxes.
//! - `auth`: agent sign-in (bounded password checks, lockouts) and sessions (expiry, idle
//!   timeout, revocation); `accounts`: what admins do to accounts (deactivate, role, password,
//!   unlock, rotate the widget secret).
//! - `visitors`: widget visitors, verified e-mails, conversations reserved until the first message.
//! - [`views`]: read models the HTTP layer turns into JSON.
//!
//! Architecture invariant: the engine does no HTTP and no SQL; it talks to storage only through
//! [`backstop_store::Store`]. Password hashing and index building run on blocking threads.

mod accounts;
mod actor;
pub mod assess;
mod assign;
mod auth;
pub mod brain;
pub mod clock;
mod cluster;
mod commands;
pub mod copilot;
pub mod gaps;
pub mod hub;
mod kb;
pub mod learn;
mod policies;
pub mod presence;
pub mod replay;
mod sla;
mod turn;
pub mod views;
mod visitors;
pub mod whatif;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use backstop_core::conversation::{Conversation, Status, TransitionError};
use backstop_core::ids::{ConversationId, MessageId, TenantId};
use backstop_core::message::{Author, BodyError, ClientMessageId, MessageBody, MessageKind};
use backstop_core::policy::{Policy, PolicyError};
use backstop_core::Timestamp;
use backstop_nlp::embed::Embedder;
use backstop_nlp::emotion::Radar;
use backstop_nlp::retrieval::KbArticle;
use backstop_store::{Appended, ConversationRecord, NewMessage, Store, StoreError};

pub use accounts::AccountChange;
pub use auth::{hash_password, AgentSession, AuthSettings};
pub use brain::{Brain, KbReport, Reading};
pub use commands::{AgentAction, TransferTo};
pub use kb::Imported;
pub use sla::SlaAlert;
pub use visitors::{user_hash, VisitorConversation, WidgetSession, WidgetSessionRequest};

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
    presence: presence::PresenceBook,
    assignments: assign::Assignments,
    waits: presence::Waits,
    answers: copilot::AnswerBooks,
    sign_ins: auth::SignIns,
    /// The soonest SLA deadline set since the last sweep, and the sweep's doorbell.
    sla_next: Mutex<Option<Timestamp>>,
    sla_wake: tokio::sync::Notify,
    /// The emotion radar, with the trained head when it matches the embedding model.
    pub radar: Radar,
    actors: Mutex<HashMap<ConversationId, tokio::sync::mpsc::UnboundedSender<actor::Job>>>,
    /// Set when this node joined a cluster (several nodes on one database).
    cluster: std::sync::OnceLock<Arc<cluster::Cluster>>,
}

/// A stored article as retrieval sees it.
pub fn kb_article(a: backstop_store::ArticleRecord) -> KbArticle {
    KbArticle {
        id: a.id,
        slug: a.slug,
        lang: a.lang,
        topic: a.topic,
        title: a.title,
        body: a.body,
        questions: a.questions,
    }
}

impl Engine {
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
                presence: presence::PresenceBook::default(),
                assignments: assign::Assignments::default(),
                waits: presence::Waits::default(),
                answers: copilot::AnswerBooks::default(),
                sla_next: Mutex::new(None),
                sla_wake: tokio::sync::Notify::new(),
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

    /// Re-queues every customer message that was stored but not yet handled (after a crash or
    /// restart), so no acknowledged message goes unanswered.
    pub async fn recover(&self) -> Result<usize> {
        let pending = self.inner.store.conversations_with_pending(10_000).await?;
        for (tenant, conv) in &pending {
            self.kick(tenant, *conv);
        }
        if !pending.is_empty() {
            tracing::info!(conversations = pending.len(), "resuming unhandled customer messages");
        }
        Ok(pending.len())
    }

    pub(crate) async fn conversation(&self, tenant: &TenantId, id: ConversationId) -> Result<ConversationRecord> {
        self.inner
            .store
            .get_conversation(tenant, id)
            .await?
            .ok_or(EngineError::ConversationNotFound)
    }

    /// Stores a customer message (durably, before returning) and schedules the conversation's turn.
    /// Resending the same `client_id` returns the stored message and triggers nothing new.
    pub async fn ingest_customer_message(
        &self,
        tenant: &TenantId,
        conversation: ConversationId,
        client_id: Option<&str>,
        body: &str,
    ) -> Result<Appended> {
        let client_id = client_id.map(parse_client_id).transpose()?;
        // Bad input is refused before anything is read.
        MessageBody::parse(body)?;
        let conv = self.conversation(tenant, conversation).await?;
        self.ingest_into(&conv, client_id.as_ref().map(|c| c.as_str()), body)
            .await
    }

    /// [`Engine::ingest_customer_message`] into a conversation the caller has just read (the
    /// widget's REST call checks the visitor against it first, so it is not read again).
    pub async fn ingest_into(
        &self,
        conv: &ConversationRecord,
        client_id: Option<&str>,
        body: &str,
    ) -> Result<Appended> {
        let client_id = client_id.map(parse_client_id).transpose()?;
        let body = MessageBody::parse(body)?;
        let (tenant, conversation) = (&conv.tenant, conv.id);
        if conv.status == Status::Closed {
            return Err(EngineError::ConversationClosed);
        }
        let now = self.now();
        let appended = self
            .inner
            .store
            .append_message(&NewMessage {
                id: MessageId::new_at(now),
                tenant: tenant.clone(),
                conversation,
                author: Author::Customer,
                kind: MessageKind::Text,
                body: body.into_string(),
                client_id: client_id.map(|c| c.as_str().to_owned()),
                citations: vec![],
                system: None,
                handled: false,
                created_at: now,
            })
            .await?;
        if !appended.duplicate {
            self.inner.hub.publish_message(&appended.message);
        }
        if !appended.message.handled {
            self.kick(tenant, conversation);
        }
        Ok(appended)
    }

    /// The state-machine part of a stored conversation.
    pub(crate) fn machine(c: &ConversationRecord) -> Conversation {
        Conversation {
            owner: c.owner,
            status: c.status,
        }
    }
}
