//! The storage trait every backend implements, the records it stores, and (behind the `contract`
//! feature) the contract test suite every backend must pass.
//!
//! Architecture invariant: no business rules here. The store persists what the engine decided;
//! the only logic it owns is what must be atomic: per-conversation sequence numbers, idempotent
//! message ingestion, and applying a turn (state, events, messages, handled marks) all at once.

mod channels;
#[cfg(feature = "sql")]
pub mod codec;
#[cfg(feature = "contract")]
pub mod contract;
mod records;
mod rollups;
mod settings;

pub use channels::*;
pub use records::*;
pub use rollups::*;
pub use settings::*;

use async_trait::async_trait;
use backstop_core::directory::{Agent, Customer, Team, Tenant};
use backstop_core::ids::{AgentId, ConversationId, CustomerId, TenantId};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(&'static str),
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A hold on one conversation, released when dropped (see [`Store::lock_conversation`]).
pub struct ConversationLock(Option<Box<dyn std::any::Any + Send>>);

impl ConversationLock {
    /// A hold that holds nothing (one node: its actors already take turns).
    pub fn none() -> Self {
        ConversationLock(None)
    }

    /// A hold kept alive by `guard` (a backend's lock, released when the guard drops).
    pub fn held(guard: Box<dyn std::any::Any + Send>) -> Self {
        ConversationLock(Some(guard))
    }

    pub fn is_held(&self) -> bool {
        self.0.is_some()
    }
}

impl std::fmt::Debug for ConversationLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ConversationLock").field(&self.is_held()).finish()
    }
}

/// Persistence for everything Backstop keeps. Every method is scoped to a tenant: no query ever
/// reads across tenants (tested by the contract suite).
#[async_trait]
pub trait Store: SettingsStore + ChannelStore + Send + Sync + 'static {
    // Tenants, teams, agents, sessions.
    async fn create_tenant(&self, tenant: &Tenant) -> Result<()>;
    async fn get_tenant(&self, id: &TenantId) -> Result<Option<Tenant>>;
    /// Replaces the tenant's widget secret (signatures made with the old one stop verifying).
    async fn set_widget_secret(&self, tenant: &TenantId, secret: &str) -> Result<()>;
    async fn upsert_team(&self, team: &Team) -> Result<()>;
    async fn list_teams(&self, tenant: &TenantId) -> Result<Vec<Team>>;
    async fn upsert_agent(&self, agent: &Agent, password_hash: &str) -> Result<()>;
    /// Saves an existing agent's name, e-mail, role, teams, profile and active flag — not the
    /// password, nor the sign-in state — so a change made at the same time to those is kept.
    async fn update_agent(&self, agent: &Agent) -> Result<()>;
    async fn get_agent(&self, tenant: &TenantId, id: AgentId) -> Result<Option<Agent>>;
    /// Every agent of the tenant, ordered by name.
    async fn list_agents(&self, tenant: &TenantId) -> Result<Vec<Agent>>;
    /// The agent, its password hash and its failed sign-ins, by e-mail (case-insensitive).
    async fn find_agent_by_email(&self, tenant: &TenantId, email: &str) -> Result<Option<AgentCredentials>>;
    /// Replaces the agent's password hash and forgets their failed sign-ins and lock.
    async fn set_agent_password(&self, tenant: &TenantId, agent: AgentId, password_hash: &str) -> Result<()>;
    /// Counts one more failed sign-in of the agent (atomically) and returns the count since the
    /// last success.
    async fn note_login_failure(&self, tenant: &TenantId, agent: AgentId) -> Result<u32>;
    /// Locks the agent's sign-ins until `until` (`None` lifts the lock, keeping the count).
    async fn set_login_lock(
        &self,
        tenant: &TenantId,
        agent: AgentId,
        until: Option<backstop_core::Timestamp>,
    ) -> Result<()>;
    /// Forgets the agent's failed sign-ins and lifts any lock (a success, or an admin's unlock).
    async fn clear_login_failures(&self, tenant: &TenantId, agent: AgentId) -> Result<()>;
    /// Stores a session, unless the agent's sessions were ended after `session.created_at` (then
    /// `false`: a sign-in checked while its account was being revoked leaves nothing behind).
    async fn create_session(&self, session: &SessionRecord) -> Result<bool>;
    /// The session, unless it was issued before its agent's sessions were last ended.
    async fn get_session(&self, token_hash: &str) -> Result<Option<SessionRecord>>;
    /// Records that the session was used at `at` (for the idle timeout).
    async fn touch_session(&self, token_hash: &str, at: backstop_core::Timestamp) -> Result<()>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Ends every session of the agent ("sign out everywhere", a new password, deactivation) and
    /// any issued before `at` from now on; returns how many there were.
    async fn delete_agent_sessions(
        &self,
        tenant: &TenantId,
        agent: AgentId,
        at: backstop_core::Timestamp,
    ) -> Result<u64>;

    // Customers and widget visitors.
    async fn upsert_customer(&self, customer: &Customer) -> Result<()>;
    async fn get_customer(&self, tenant: &TenantId, id: CustomerId) -> Result<Option<Customer>>;
    /// The customer whose e-mail is `email` (case-insensitive) *and verified*; a customer who only
    /// claimed that e-mail is never returned.
    async fn find_verified_customer(&self, tenant: &TenantId, email: &str) -> Result<Option<Customer>>;
    /// Links a visitor token (stored as a hash) to a customer; a later link replaces an earlier one
    /// (and forgets a reserved conversation).
    async fn link_visitor(&self, tenant: &TenantId, token_hash: &str, customer: CustomerId) -> Result<()>;
    /// Remembers the id the visitor's next conversation will have, created with its first message.
    async fn reserve_visitor_conversation(
        &self,
        tenant: &TenantId,
        token_hash: &str,
        conversation: ConversationId,
    ) -> Result<()>;
    async fn find_visitor(&self, tenant: &TenantId, token_hash: &str) -> Result<Option<VisitorRecord>>;

    // Conversations.
    async fn create_conversation(&self, conv: &ConversationRecord) -> Result<()>;
    async fn get_conversation(&self, tenant: &TenantId, id: ConversationId) -> Result<Option<ConversationRecord>>;
    /// The customer's newest conversation that is not closed.
    async fn latest_open_conversation(
        &self,
        tenant: &TenantId,
        customer: CustomerId,
    ) -> Result<Option<ConversationRecord>>;
    async fn list_conversations(
        &self,
        tenant: &TenantId,
        filter: &ConversationFilter,
    ) -> Result<Vec<ConversationRecord>>;
    /// 1-based place in its team's queue (priority first, then waiting time), if it is queued.
    async fn queue_position(&self, tenant: &TenantId, id: ConversationId) -> Result<Option<u32>>;

    /// Holds the conversation for whoever works on it until the returned lock is dropped: with
    /// several nodes on one database, one node at a time (waiting for the holder). An embedded
    /// single-node store returns a lock that holds nothing.
    async fn lock_conversation(&self, _tenant: &TenantId, _conv: ConversationId) -> Result<ConversationLock> {
        Ok(ConversationLock::none())
    }

    // Messages.
    /// Stores a message with the next sequence number of its conversation. Idempotent on
    /// `client_id`: a second call with the same id returns the first message and `duplicate`.
    async fn append_message(&self, msg: &NewMessage) -> Result<Appended>;
    async fn list_messages(
        &self,
        tenant: &TenantId,
        conv: ConversationId,
        query: &MessageQuery,
    ) -> Result<Vec<MessageRecord>>;
    /// Customer messages of a conversation that no turn has handled yet, oldest first.
    async fn pending_customer_messages(&self, tenant: &TenantId, conv: ConversationId) -> Result<Vec<MessageRecord>>;
    /// Conversations with unhandled customer messages (for recovery after a restart).
    async fn conversations_with_pending(&self, limit: u32) -> Result<Vec<(TenantId, ConversationId)>>;

    /// Conversations whose SLA clock is due at `at` (across tenants, soonest first): the sweep
    /// that turns a missed first-reply target into an escalation.
    async fn sla_due(&self, at: backstop_core::Timestamp, limit: u32) -> Result<Vec<(TenantId, ConversationId)>>;
    /// The soonest SLA deadline watched, across tenants (when the sweep should next wake).
    async fn next_sla_due(&self) -> Result<Option<backstop_core::Timestamp>>;
    /// Every tenant's id, in order (the sweeps that run per tenant).
    async fn list_tenant_ids(&self) -> Result<Vec<TenantId>>;
    /// Open conversations of the tenant waiting in a team's queue for a person.
    async fn queued_count(&self, tenant: &TenantId) -> Result<u64>;
    /// The tenant's open conversations nobody has written to since `before`, the most recently
    /// active first (the idle automation rules' sweep).
    async fn idle_conversations(
        &self,
        tenant: &TenantId,
        before: backstop_core::Timestamp,
        limit: u32,
    ) -> Result<Vec<ConversationId>>;

    /// Applies one turn atomically: the conversation's new state, its events, the messages it
    /// sends, and which customer messages it handled. Returns the stored messages. A turn that
    /// claims a message some turn already handled (or one that does not exist) is refused whole
    /// with [`StoreError::Conflict`]: nothing of it is stored.
    async fn apply_turn(&self, turn: &Turn) -> Result<Vec<MessageRecord>>;
    async fn list_events(&self, tenant: &TenantId, conv: ConversationId) -> Result<Vec<EventRecord>>;
    /// The tenant's events of these kinds at or after `since`, across conversations, newest
    /// first, at most `limit` (what the AI did, for gap mining).
    async fn events_of_kinds(
        &self,
        tenant: &TenantId,
        kinds: &[backstop_core::event::EventKind],
        since: backstop_core::Timestamp,
        limit: u32,
    ) -> Result<Vec<EventRecord>>;

    // Knowledge base.
    /// Saves an article as its next version (change "import", author "system").
    async fn upsert_article(&self, article: &ArticleRecord) -> Result<()>;
    /// Saves an article (new or changed, archived or not) as its next version, recording how
    /// (`create`, `update`, `archive`, `restore`, `revert`, `import`) and by whom; returns it with
    /// its version number. Atomic.
    async fn save_article(&self, article: &ArticleRecord, change: &str, author: &str) -> Result<ArticleRecord>;
    /// [`Store::save_article`] for many articles in one transaction (an import): all or none.
    async fn save_articles(&self, articles: &[ArticleRecord], change: &str, author: &str)
        -> Result<Vec<ArticleRecord>>;
    /// Stores a candidate entry (new, or its decision).
    async fn put_candidate(&self, tenant: &TenantId, candidate: &backstop_core::learn::Candidate) -> Result<()>;
    /// The tenant's candidates (of one status, or all), newest first.
    async fn list_candidates(
        &self,
        tenant: &TenantId,
        status: Option<backstop_core::learn::CandidateStatus>,
        limit: u32,
    ) -> Result<Vec<backstop_core::learn::Candidate>>;
    async fn get_candidate(
        &self,
        tenant: &TenantId,
        id: backstop_core::ids::CandidateId,
    ) -> Result<Option<backstop_core::learn::Candidate>>;
    /// The tenant's named topics, by slug.
    async fn list_topics(&self, tenant: &TenantId) -> Result<Vec<backstop_core::kb::TopicNames>>;
    /// Names a topic (replacing its names); a topic saved with no names is forgotten.
    async fn save_topic(&self, tenant: &TenantId, topic: &backstop_core::kb::TopicNames) -> Result<()>;
    /// Every article of the tenant, archived ones included, by slug and language.
    async fn list_articles(&self, tenant: &TenantId) -> Result<Vec<ArticleRecord>>;
    async fn get_article(&self, tenant: &TenantId, id: backstop_core::ids::ArticleId) -> Result<Option<ArticleRecord>>;
    /// Every version of an article, newest first.
    async fn article_versions(
        &self,
        tenant: &TenantId,
        id: backstop_core::ids::ArticleId,
    ) -> Result<Vec<ArticleVersion>>;

    // Understanding: cached embeddings and intent examples.
    /// The cached vectors among `keys` for `model` (missing keys are simply absent).
    async fn get_embeddings(
        &self,
        tenant: &TenantId,
        model: &str,
        keys: &[String],
    ) -> Result<std::collections::HashMap<String, Vec<f32>>>;
    /// Caches vectors (replacing any with the same key).
    async fn put_embeddings(&self, tenant: &TenantId, model: &str, items: &[EmbeddingRecord]) -> Result<()>;
    /// Adds examples, skipping any whose (text, intent) the tenant already has; returns how many
    /// were new.
    async fn add_intent_examples(&self, examples: &[IntentExampleRecord]) -> Result<usize>;
    async fn list_intent_examples(&self, tenant: &TenantId) -> Result<Vec<IntentExampleRecord>>;

    /// The newest `limit` public agent replies of the tenant, each with the customer messages it
    /// answered: those after the previous public agent reply (replies with none are left out).
    async fn past_answers(&self, tenant: &TenantId, limit: u32) -> Result<Vec<PastAnswer>>;

    /// Conversations the customer rated `at_most` or lower, most recently rated first.
    async fn rated_conversations(&self, tenant: &TenantId, at_most: u8, limit: u32) -> Result<Vec<ConversationRecord>>;

    // Escalation policy, versioned.
    /// Saves `source` as the tenant's next policy version and returns the stored record.
    async fn save_policy(
        &self,
        tenant: &TenantId,
        source: &str,
        author: &str,
        at: backstop_core::Timestamp,
    ) -> Result<PolicyRecord>;
    /// The version in force (the highest), if the tenant ever saved one.
    async fn current_policy(&self, tenant: &TenantId) -> Result<Option<PolicyRecord>>;
    /// Every saved version, newest first.
    async fn list_policies(&self, tenant: &TenantId) -> Result<Vec<PolicyRecord>>;

    // The generative model.
    /// The tenant's model settings, if it ever saved any.
    async fn get_model_settings(&self, tenant: &TenantId) -> Result<Option<ModelRecord>>;
    /// Replaces the settings (and the key as `key` says) and returns what is stored.
    async fn save_model_settings(
        &self,
        tenant: &TenantId,
        settings: &backstop_core::generation::ModelSettings,
        key: &KeyChange,
        author: &str,
        at: backstop_core::Timestamp,
    ) -> Result<ModelRecord>;
    /// Adds one call's tokens to the tenant's usage of `month` (`2026-12`) with `model`.
    async fn add_model_usage(
        &self,
        tenant: &TenantId,
        month: &str,
        model: &str,
        prompt_tokens: u64,
        completion_tokens: u64,
    ) -> Result<()>;
    /// The tenant's usage of `month`, in all and per model (zero when nothing was used).
    async fn model_usage(&self, tenant: &TenantId, month: &str) -> Result<backstop_core::generation::ModelUsage>;

    // Actions on the merchant's systems, versioned per name.
    /// Saves the next version of action `name` (`spec` `None`: the action removed, its secret
    /// forgotten) and its secret as `secret` says; returns the stored version.
    async fn save_action(
        &self,
        tenant: &TenantId,
        name: &str,
        spec: Option<&str>,
        secret: &KeyChange,
        author: &str,
        at: backstop_core::Timestamp,
    ) -> Result<ActionRecord>;
    /// The newest version of each action the tenant has not removed, by name.
    async fn current_actions(&self, tenant: &TenantId) -> Result<Vec<ActionRecord>>;
    /// Every version of one action, newest first.
    async fn action_versions(&self, tenant: &TenantId, name: &str) -> Result<Vec<ActionRecord>>;

    // Analytics (the rollups: `backstop_core::analytics`).
    /// Replaces each conversation's facts row and moves its rollup rows by the difference, all in
    /// one transaction.
    async fn save_facts(&self, rows: &[FactsRow]) -> Result<()>;
    async fn get_facts(&self, tenant: &TenantId, conv: ConversationId) -> Result<Option<FactsRow>>;
    /// The newest event id any facts row has folded (0 with none): where a sweep starts.
    async fn facts_cursor(&self) -> Result<i64>;
    /// The conversations with events of ids in `(after_id, up_to_id]`, each with its newest event
    /// id in that range, in that order.
    async fn conversations_with_events_in(
        &self,
        after_id: i64,
        up_to_id: i64,
    ) -> Result<Vec<(TenantId, ConversationId, i64)>>;
    /// The newest event's id (0 with none).
    async fn max_event_id(&self) -> Result<i64>;
    /// Conversations whose outcome becomes final at or before `at` and is not marked so yet.
    async fn facts_due(&self, at: backstop_core::Timestamp, limit: u32) -> Result<Vec<(TenantId, ConversationId)>>;
    /// How many messages of each author a conversation has (notes and system lines aside).
    async fn message_counts(
        &self,
        tenant: &TenantId,
        conv: ConversationId,
    ) -> Result<backstop_core::analytics::MessageCounts>;
    /// The rollups' sums of the columns asked for, in that order, per group (`Sum::ALL` for all:
    /// a question that needs one column reads one).
    async fn rollup_sums(
        &self,
        tenant: &TenantId,
        filter: &RollupFilter,
        group: RollupGroup,
        columns: &[backstop_core::analytics::Sum],
    ) -> Result<Vec<(String, Vec<i64>)>>;
    /// The keyed counts starting with `prefix` (`reason:`, `csat:`, …) per group: (group, key, n).
    async fn rollup_counts(
        &self,
        tenant: &TenantId,
        filter: &RollupFilter,
        group: RollupGroup,
        prefix: &str,
    ) -> Result<Vec<(String, String, i64)>>;
    /// Each agent's sums over the filter's hours (its dimensions do not apply).
    async fn agent_rollups(&self, tenant: &TenantId, filter: &RollupFilter) -> Result<Vec<AgentRollup>>;
    /// The conversations behind a number, newest first.
    async fn list_facts(&self, tenant: &TenantId, q: &FactsQuery) -> Result<Vec<FactsRow>>;
    /// How many bytes the database takes (SQLite: its pages; PostgreSQL: this schema's tables
    /// with their indexes).
    async fn database_size(&self) -> Result<Option<u64>>;
    /// Has the planner read the analytics tables' statistics again (after a rebuild wrote them all
    /// at once, before any background analysis would).
    async fn refresh_analytics_statistics(&self) -> Result<()>;
    /// Writes whole past conversations (record, messages, events), many per transaction: a
    /// generated history, never live traffic.
    async fn import_conversations(&self, items: &[ImportedConversation]) -> Result<()>;
    /// Forgets every facts row and rollup (of one tenant, or all), to rebuild them from the log.
    async fn clear_analytics(&self, tenant: Option<&TenantId>) -> Result<()>;
}
