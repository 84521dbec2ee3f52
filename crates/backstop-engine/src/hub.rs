//! Live fan-out. Agents subscribe to their tenant (every message, notes included, and every
//! conversation change); a widget subscribes to its one conversation (public messages and its
//! state). Slow subscribers that fall behind are told so (`Lagged`) and resynchronize.
//!
//! On several nodes, what is published here is also handed to the bus (as ids: see
//! `backstop-bus`), and what other nodes publish comes back through the `deliver_*` methods, which
//! reach this node's sockets only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use backstop_bus::Signal;
use backstop_core::ids::{ConversationId, TenantId};
use backstop_core::message::MessageKind;
use backstop_store::MessageRecord;
use tokio::sync::broadcast;

use crate::model::{ConversationView, WidgetState, Writing};

/// What agents of a tenant receive.
#[derive(Clone, Debug)]
pub enum AgentEvent {
    Message(Arc<MessageRecord>),
    Conversation(Arc<ConversationView>),
    /// A first-reply target was missed.
    Alert(Arc<crate::model::SlaAlert>),
    /// An agent came online, went away or offline.
    Presence {
        agent: backstop_core::ids::AgentId,
        presence: backstop_core::assignment::Presence,
    },
    /// Every session of this agent ended (signed out everywhere, new password, deactivated): their
    /// open sockets close.
    SignedOut(backstop_core::ids::AgentId),
    /// An AI answer being written (`Writing`).
    Writing(Arc<Writing>),
}

/// What one conversation's widget receives.
#[derive(Clone, Debug)]
pub enum WidgetEvent {
    Message(Arc<MessageRecord>),
    State(WidgetState),
    /// The AI answer being written (`Writing`).
    Writing(Arc<Writing>),
}

const AGENT_BUFFER: usize = 1024;
const WIDGET_BUFFER: usize = 64;

#[derive(Default)]
pub struct Hub {
    tenants: Mutex<HashMap<TenantId, broadcast::Sender<AgentEvent>>>,
    conversations: Mutex<HashMap<ConversationId, broadcast::Sender<WidgetEvent>>>,
    /// Where local events go for the other nodes (set when the node joins a cluster).
    outbox: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<Signal>>,
}

impl Hub {
    pub fn subscribe_tenant(&self, tenant: &TenantId) -> broadcast::Receiver<AgentEvent> {
        let mut map = self.tenants.lock().expect("hub lock");
        map.entry(tenant.clone())
            .or_insert_with(|| broadcast::channel(AGENT_BUFFER).0)
            .subscribe()
    }

    /// Inbox connections open for the tenant (an agent with two tabs counts twice): who could
    /// take a conversation right now.
    pub fn agents_online(&self, tenant: &TenantId) -> u32 {
        let map = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        map.get(tenant).map_or(0, |s| s.receiver_count() as u32)
    }

    pub fn subscribe_conversation(&self, conv: ConversationId) -> broadcast::Receiver<WidgetEvent> {
        let mut map = self.conversations.lock().expect("hub lock");
        map.entry(conv)
            .or_insert_with(|| broadcast::channel(WIDGET_BUFFER).0)
            .subscribe()
    }

    /// Sends local events to other nodes from now on.
    pub(crate) fn forward_to(&self, outbox: tokio::sync::mpsc::UnboundedSender<Signal>) {
        self.outbox.set(outbox).ok();
    }

    pub(crate) fn forward(&self, signal: Signal) {
        if let Some(tx) = self.outbox.get() {
            tx.send(signal).ok();
        }
    }

    /// Inbox sockets open on this node, per tenant (for the other nodes).
    pub(crate) fn inboxes(&self) -> Vec<(TenantId, u32)> {
        let map = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        map.iter()
            .map(|(t, s)| (t.clone(), s.receiver_count() as u32))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub(crate) fn publish_message(&self, m: &MessageRecord) {
        self.forward(Signal::Message {
            tenant: m.tenant.clone(),
            conversation: m.conversation,
            seq: m.seq,
        });
        self.deliver_message(m);
    }

    /// A message stored by another node, to this node's sockets.
    pub(crate) fn deliver_message(&self, m: &MessageRecord) {
        let m = Arc::new(m.clone());
        self.to_tenant(&m.tenant, AgentEvent::Message(m.clone()));
        if m.kind == MessageKind::Text {
            self.to_conversation(m.conversation, WidgetEvent::Message(m));
        }
    }

    pub(crate) fn publish_conversation(&self, view: ConversationView) {
        self.forward(Signal::Conversation {
            tenant: view.record.tenant.clone(),
            conversation: view.record.id,
        });
        self.deliver_conversation(view);
    }

    pub(crate) fn deliver_conversation(&self, view: ConversationView) {
        let state = view.widget_state();
        let id = view.record.id;
        let tenant = view.record.tenant.clone();
        self.to_tenant(&tenant, AgentEvent::Conversation(Arc::new(view)));
        self.to_conversation(id, WidgetEvent::State(state));
    }

    pub(crate) fn publish_alert(&self, tenant: &TenantId, alert: Arc<crate::model::SlaAlert>) {
        if let Ok(json) = serde_json::to_value(alert.as_ref()) {
            self.forward(Signal::Alert {
                tenant: tenant.clone(),
                alert: json,
            });
        }
        self.deliver_alert(tenant, alert);
    }

    pub(crate) fn deliver_alert(&self, tenant: &TenantId, alert: Arc<crate::model::SlaAlert>) {
        self.to_tenant(tenant, AgentEvent::Alert(alert));
    }

    pub(crate) fn publish_presence(
        &self,
        tenant: &TenantId,
        agent: backstop_core::ids::AgentId,
        presence: backstop_core::assignment::Presence,
    ) {
        self.forward(Signal::Presence {
            tenant: tenant.clone(),
            agent,
            presence,
        });
        self.deliver_presence(tenant, agent, presence);
    }

    pub(crate) fn deliver_presence(
        &self,
        tenant: &TenantId,
        agent: backstop_core::ids::AgentId,
        presence: backstop_core::assignment::Presence,
    ) {
        self.to_tenant(tenant, AgentEvent::Presence { agent, presence });
    }

    /// Closes this node's sockets of `agent` (other nodes' sockets find the session gone when they
    /// next check it, within a minute).
    pub(crate) fn publish_signed_out(&self, tenant: &TenantId, agent: backstop_core::ids::AgentId) {
        self.to_tenant(tenant, AgentEvent::SignedOut(agent));
    }

    pub(crate) fn publish_writing(&self, w: Writing) {
        self.forward(Signal::Writing {
            tenant: w.tenant.clone(),
            conversation: w.conversation,
            text: w.text.clone(),
            withdrawn: w.withdrawn,
        });
        self.deliver_writing(w);
    }

    /// An answer being written on another node, to this node's sockets.
    pub(crate) fn deliver_writing(&self, w: Writing) {
        let w = Arc::new(w);
        self.to_tenant(&w.tenant, AgentEvent::Writing(w.clone()));
        self.to_conversation(w.conversation, WidgetEvent::Writing(w));
    }

    pub(crate) fn publish_state(&self, conv: ConversationId, state: WidgetState) {
        self.to_conversation(conv, WidgetEvent::State(state));
    }

    fn to_tenant(&self, tenant: &TenantId, ev: AgentEvent) {
        let map = self.tenants.lock().expect("hub lock");
        if let Some(tx) = map.get(tenant) {
            tx.send(ev).ok();
        }
    }

    fn to_conversation(&self, conv: ConversationId, ev: WidgetEvent) {
        let mut map = self.conversations.lock().expect("hub lock");
        if let Some(tx) = map.get(&conv) {
            if tx.send(ev).is_err() {
                // Nobody is listening any more.
                map.remove(&conv);
            }
        }
    }
}
