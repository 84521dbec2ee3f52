//! What crosses between the nodes of one deployment, and how: *signals* (live events every node
//! fans out to the sockets it holds — a new message, a conversation's change, presence, a changed
//! knowledge base or policy — and each node's heartbeat) over NATS core subjects, and *work*
//! (a conversation has unanswered customer messages) over a NATS JetStream work queue, taken by
//! whichever node is free and acknowledged only when done, so the work of a node that dies is
//! redelivered to another.
//!
//! Architecture invariant: the bus carries ids and small facts, never the data itself: the
//! database is the truth and a node receiving a signal reads what it needs from it. Losing a
//! signal costs liveness (a socket updates on its next event or reconnect), never data; losing
//! a work item is repaired by the periodic sweep of unanswered messages.
//!
//! A single node needs none of this: the engine runs without a bus.

mod nats;

pub use nats::{NatsBus, NatsOptions};

use backstop_core::assignment::Presence;
use backstop_core::ids::{AgentId, ConversationId, TeamId, TenantId};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("cannot reach NATS at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("NATS: {0}")]
    Nats(String),
}

/// A live event, fanned out to every other node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// A message was stored (the receiving node reads it by its sequence number).
    Message {
        tenant: TenantId,
        conversation: ConversationId,
        seq: i64,
    },
    /// A conversation changed (owner, status, …).
    Conversation {
        tenant: TenantId,
        conversation: ConversationId,
    },
    /// A team's queue changed: customers waiting in it see their new places.
    Queue { tenant: TenantId, team: TeamId },
    /// A first-reply target was missed (the alert, as JSON).
    Alert { tenant: TenantId, alert: serde_json::Value },
    /// An AI answer being written: the part the guard passed so far (see the engine's `Writing`).
    Writing {
        tenant: TenantId,
        conversation: ConversationId,
        text: String,
        withdrawn: bool,
    },
    /// An agent's presence changed.
    Presence {
        tenant: TenantId,
        agent: AgentId,
        presence: Presence,
    },
    /// An agent switched away on or off (on whichever node they asked).
    Away {
        tenant: TenantId,
        agent: AgentId,
        away: bool,
    },
    /// The tenant's knowledge base changed: rebuild its understanding.
    Knowledge { tenant: TenantId },
    /// The tenant saved a policy: forget the cached one.
    Policy { tenant: TenantId },
    /// The tenant saved its model settings: forget the cached client.
    Model { tenant: TenantId },
    /// The tenant saved its widget settings: forget the cached ones.
    Widget { tenant: TenantId },
    /// A node is alive, with the inbox sockets it holds: per tenant (anyone who could take a
    /// conversation) and per agent (their presence).
    Heartbeat {
        inboxes: Vec<(TenantId, u32)>,
        agents: Vec<(AgentId, u32)>,
    },
}

/// A unit of work for whichever node takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// The conversation has customer messages no turn has handled yet.
    Turn {
        tenant: TenantId,
        conversation: ConversationId,
    },
}

/// A signal from another node.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub signal: Signal,
}

/// A work item taken from the queue: call [`Taken::done`] when it is finished. Dropped without
/// it, the item is delivered again (to any node) once its acknowledgement time runs out.
pub struct Taken {
    pub work: Work,
    message: async_nats::jetstream::Message,
}

impl std::fmt::Debug for Taken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Taken")
            .field("work", &self.work)
            .finish_non_exhaustive()
    }
}

impl Taken {
    /// Acknowledges the item: it will not be delivered again.
    pub async fn done(self) -> Result<(), BusError> {
        self.message.ack().await.map_err(|e| BusError::Nats(e.to_string()))
    }

    /// Asks for more time (the work is still running).
    pub async fn still_working(&self) -> Result<(), BusError> {
        self.message
            .ack_with(async_nats::jetstream::AckKind::Progress)
            .await
            .map_err(|e| BusError::Nats(e.to_string()))
    }
}

/// The receiving ends of a connected bus.
#[derive(Debug)]
pub struct Inbox {
    pub signals: tokio::sync::mpsc::Receiver<Received>,
    pub work: tokio::sync::mpsc::Receiver<Taken>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_round_trip_as_tagged_json() {
        let tenant = TenantId::parse("demo").unwrap();
        let s = Signal::Message {
            tenant: tenant.clone(),
            conversation: ConversationId(uuid::Uuid::nil()),
            seq: 7,
        };
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains(r#""kind":"message""#), "{text}");
        assert_eq!(serde_json::from_str::<Signal>(&text).unwrap(), s);
        let w = Work::Turn {
            tenant,
            conversation: ConversationId(uuid::Uuid::nil()),
        };
        assert_eq!(
            serde_json::from_slice::<Work>(&serde_json::to_vec(&w).unwrap()).unwrap(),
            w
        );
    }
}
