//! The analytics records: one conversation's facts row (its rollup key, outcome and stored
//! contribution) and the questions the dashboard asks of the rollups.

use backstop_core::analytics::Contribution;
use backstop_core::ids::{AgentId, ConversationId, TenantId};
use backstop_core::outcome::Outcome;
use backstop_core::Timestamp;

use crate::{ConversationRecord, NewMessage};

/// Where a conversation is counted: the hour it started (Unix hours) and its dimensions (empty
/// text for none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RollupKey {
    pub hour: i64,
    pub team: String,
    pub channel: String,
    pub lang: String,
    pub topic: String,
}

/// One conversation as the rollups hold it: replaced whole when its facts change, the rollups
/// moved by the difference in the same transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct FactsRow {
    pub tenant: TenantId,
    pub conversation: ConversationId,
    pub key: RollupKey,
    /// None while the conversation is going.
    pub outcome: Option<Outcome>,
    pub is_final: bool,
    /// When the outcome becomes final if nothing else happens.
    pub final_at: Timestamp,
    /// The newest event folded into it.
    pub last_event_id: i64,
    pub contribution: Contribution,
}

/// Which rollup rows a question reads: hours `[from_hour, to_hour)` and any dimension named.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RollupFilter {
    pub from_hour: i64,
    pub to_hour: i64,
    pub team: Option<String>,
    pub channel: Option<String>,
    pub lang: Option<String>,
    pub topic: Option<String>,
}

/// How the rows are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollupGroup {
    /// One group, named "".
    All,
    /// By hour (the group is the Unix hour as text).
    Hour,
    Team,
    Channel,
    Lang,
    Topic,
}

impl RollupGroup {
    /// The column grouped by (none for [`RollupGroup::All`]).
    pub fn column(self) -> Option<&'static str> {
        match self {
            RollupGroup::All => None,
            RollupGroup::Hour => Some("hour"),
            RollupGroup::Team => Some("team"),
            RollupGroup::Channel => Some("channel"),
            RollupGroup::Lang => Some("lang"),
            RollupGroup::Topic => Some("topic"),
        }
    }
}

/// An agent's summed columns over a period (`backstop_core::analytics::AGENT_SUMS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentRollup {
    pub agent: AgentId,
    pub sums: Vec<i64>,
}

/// Which conversations a drill-down lists: those of the filter's rows, optionally of one outcome
/// (`unsettled` for none yet) or with one keyed count (`reason:anger`), newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactsQuery {
    pub filter: RollupFilter,
    pub outcome: Option<String>,
    pub limit: u32,
}

/// A whole past conversation, written at once by [`crate::Store::import_conversations`]: the record
/// (its `last_seq` is the number of messages), its messages in order and its events in order.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedConversation {
    pub record: ConversationRecord,
    pub messages: Vec<NewMessage>,
    pub events: Vec<backstop_core::event::Event>,
}
