//! Several nodes on one database: this node's part of the cluster.
//!
//! - **Work.** A conversation with unanswered customer messages is put on the bus's work queue
//!   instead of this node's actor; whichever node takes the item runs the turn on its own actor
//!   and acknowledges it after. Every job of a conversation's actor (turns, agent commands,
//!   assignment, SLA escalation) holds the conversation's lock in the database while it runs, so
//!   one node at a time works on it, in order, wherever its messages arrive; the store refuses a
//!   second turn for an answered message, so a redelivered item never answers twice.
//! - **Signals.** What the hub publishes goes to the other nodes as ids; what they publish is read
//!   back from the database and delivered to this node's sockets.
//! - **Presence.** Every node says, every couple of seconds and at once when it changes, which
//!   inbox sockets it holds; an agent is online if any live node holds one of theirs.
//! - **Sweep.** Unanswered messages whose work item was lost (a node died between storing and
//!   queueing) are queued again every [`SWEEP`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backstop_bus::{Inbox, NatsBus, Received, Signal, Taken, Work};
use backstop_core::ids::{AgentId, ConversationId, TenantId};
use backstop_store::MessageQuery;
use tokio::sync::mpsc;

use crate::Engine;

/// How often a node says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// A node not heard from for this long is gone: its sockets no longer count.
const NODE_TIMEOUT: Duration = Duration::from_secs(7);
/// How often unanswered messages are queued again.
const SWEEP: Duration = Duration::from_secs(15);

/// This node's membership.
pub(crate) struct Cluster {
    bus: NatsBus,
    /// The latest heartbeat of each other node: when, inbox sockets per tenant and per agent.
    peers: Mutex<HashMap<String, Peer>>,
}

struct Peer {
    seen: Instant,
    inboxes: HashMap<TenantId, u32>,
    agents: HashMap<AgentId, u32>,
}

impl Cluster {
    /// Inbox sockets live peers hold for the tenant.
    pub(crate) fn inboxes(&self, tenant: &TenantId) -> u32 {
        let peers = self.peers.lock().unwrap_or_else(|p| p.into_inner());
        peers
            .values()
            .filter(|p| p.seen.elapsed() < NODE_TIMEOUT)
            .map(|p| p.inboxes.get(tenant).copied().unwrap_or(0))
            .sum()
    }

    fn remote_agents(&self) -> HashMap<AgentId, u32> {
        let peers = self.peers.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: HashMap<AgentId, u32> = HashMap::new();
        for p in peers.values().filter(|p| p.seen.elapsed() < NODE_TIMEOUT) {
            for (a, n) in &p.agents {
                *out.entry(*a).or_default() += n;
            }
        }
        out
    }
}

impl Engine {
    /// Joins the cluster on `bus`: from now on turns go through its work queue, this node's events
    /// reach the other nodes and theirs reach this node's sockets. Runs until the bus closes.
    pub fn join_cluster(&self, bus: NatsBus, inbox: Inbox) -> tokio::task::JoinHandle<()> {
        let cluster = Arc::new(Cluster {
            bus,
            peers: Mutex::new(HashMap::new()),
        });
        if self.inner.cluster.set(cluster.clone()).is_err() {
            tracing::warn!("this node already joined a cluster");
        }
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        self.inner.hub.forward_to(out_tx);
        tracing::info!(node = cluster.bus.node(), "joined the cluster");
        let engine = self.clone();
        tokio::spawn(async move {
            let Inbox { signals, work } = inbox;
            tokio::join!(
                engine.clone().send_signals(cluster.clone(), out_rx),
                engine.clone().receive_signals(cluster.clone(), signals),
                engine.clone().take_work(work),
                engine.clone().heartbeats(cluster.clone()),
                engine.clone().sweep_unanswered(),
            );
        })
    }

    pub(crate) fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.inner.cluster.get()
    }

    /// Queues the conversation's turn for whichever node is free (this one when alone or when
    /// the bus cannot take it).
    pub(crate) fn queue_turn(&self, tenant: &TenantId, conv: ConversationId) -> bool {
        let Some(cluster) = self.cluster().cloned() else {
            return false;
        };
        let engine = self.clone();
        let tenant = tenant.clone();
        tokio::spawn(async move {
            let work = Work::Turn {
                tenant: tenant.clone(),
                conversation: conv,
            };
            if let Err(e) = cluster.bus.enqueue(&work).await {
                tracing::warn!(%tenant, conversation = %conv, "bus: cannot queue the turn, running it here: {e}");
                engine.send(&tenant, conv, crate::conversations::actor::Job::Kick);
            }
        });
        true
    }

    /// Inbox sockets open for the tenant on every live node: who could take a conversation now.
    pub(crate) fn agents_online(&self, tenant: &TenantId) -> u32 {
        self.inner.hub.agents_online(tenant) + self.cluster().map_or(0, |c| c.inboxes(tenant))
    }

    async fn send_signals(self, cluster: Arc<Cluster>, mut out: mpsc::UnboundedReceiver<Signal>) {
        while let Some(signal) = out.recv().await {
            if let Err(e) = cluster.bus.publish(&signal).await {
                tracing::warn!("bus: a signal was not sent: {e}");
            }
        }
    }

    async fn receive_signals(self, cluster: Arc<Cluster>, mut signals: mpsc::Receiver<Received>) {
        while let Some(r) = signals.recv().await {
            let from = r.from.clone();
            if let Err(e) = self.on_signal(&cluster, r).await {
                tracing::debug!(node = %from, "bus: a signal could not be applied: {e}");
            }
        }
    }

    async fn on_signal(&self, cluster: &Cluster, r: Received) -> crate::Result<()> {
        let hub = &self.inner.hub;
        match r.signal {
            Signal::Message {
                tenant,
                conversation,
                seq,
            } => {
                let query = MessageQuery {
                    after_seq: seq - 1,
                    limit: 1,
                    include_notes: true,
                    newest: false,
                };
                let found = self.inner.store.list_messages(&tenant, conversation, &query).await?;
                if let Some(m) = found.first() {
                    hub.deliver_message(m);
                }
            }
            Signal::Conversation { tenant, conversation } => {
                let record = self.conversation(&tenant, conversation).await?;
                hub.deliver_conversation(self.view_of(record).await?);
            }
            Signal::Queue { tenant, team } => self.queue_positions(&tenant, team).await?,
            Signal::Alert { tenant, alert } => {
                if let Ok(alert) = serde_json::from_value(alert) {
                    hub.deliver_alert(&tenant, Arc::new(alert));
                }
            }
            Signal::Writing {
                tenant,
                conversation,
                text,
                withdrawn,
            } => hub.deliver_writing(crate::model::Writing {
                tenant,
                conversation,
                text,
                withdrawn,
            }),
            Signal::Presence {
                tenant,
                agent,
                presence,
            } => hub.deliver_presence(&tenant, agent, presence),
            Signal::Away { agent, away, .. } => self.inner.presence.set_away(agent, away),
            Signal::Knowledge { tenant } => {
                self.load_kb(&tenant).await?;
            }
            Signal::Model { tenant } => self.forget_model(&tenant),
            Signal::Widget { tenant } => self.forget_widget(&tenant),
            Signal::Policy { tenant } => {
                self.inner
                    .policies
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&tenant);
            }
            Signal::Heartbeat { inboxes, agents } => {
                cluster.peers.lock().unwrap_or_else(|p| p.into_inner()).insert(
                    r.from,
                    Peer {
                        seen: Instant::now(),
                        inboxes: inboxes.into_iter().collect(),
                        agents: agents.into_iter().collect(),
                    },
                );
                self.inner.presence.set_remote(cluster.remote_agents());
            }
        }
        Ok(())
    }

    async fn take_work(self, mut work: mpsc::Receiver<Taken>) {
        while let Some(taken) = work.recv().await {
            let engine = self.clone();
            tokio::spawn(async move {
                match &taken.work {
                    Work::Turn { tenant, conversation } => {
                        let (tx, rx) = tokio::sync::oneshot::channel();
                        engine.send(
                            tenant,
                            *conversation,
                            crate::conversations::actor::Job::Turn { done: tx },
                        );
                        // The actor drops `tx` only after the turn: done or failed, the item is
                        // finished (a failed turn's messages stay pending for the sweep).
                        rx.await.ok();
                    }
                }
                if let Err(e) = taken.done().await {
                    tracing::warn!("bus: a finished work item was not acknowledged (it will run again): {e}");
                }
            });
        }
    }

    async fn heartbeats(self, cluster: Arc<Cluster>) {
        let changed = self.inner.presence.changed.clone();
        loop {
            let signal = Signal::Heartbeat {
                inboxes: self.inner.hub.inboxes(),
                agents: self.inner.presence.local_sockets(),
            };
            if let Err(e) = cluster.bus.publish(&signal).await {
                tracing::warn!("bus: heartbeat not sent: {e}");
            }
            // Forget nodes that went quiet.
            cluster
                .peers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|_, p| p.seen.elapsed() < NODE_TIMEOUT * 4);
            self.inner.presence.set_remote(cluster.remote_agents());
            tokio::select! {
                _ = tokio::time::sleep(HEARTBEAT) => {}
                _ = changed.notified() => {}
            }
        }
    }

    async fn sweep_unanswered(self) {
        loop {
            tokio::time::sleep(SWEEP).await;
            match self.inner.store.conversations_with_pending(10_000).await {
                Ok(pending) => {
                    for (tenant, conv) in pending {
                        self.queue_turn(&tenant, conv);
                    }
                }
                Err(e) => tracing::warn!("sweep of unanswered messages failed: {e}"),
            }
        }
    }
}
