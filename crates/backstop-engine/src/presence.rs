//! Agents' presence: online while at least one inbox socket of theirs is open, unless they set
//! themselves away; offline otherwise. Kept in memory per process (several nodes: issue "Scale
//! and proof"), and the per-agent load the supervisor view and assignment read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use backstop_core::assignment::Presence;
use backstop_core::conversation::{Owner, Status};
use backstop_core::directory::Agent;
use backstop_core::ids::{AgentId, TenantId};
use backstop_store::ConversationFilter;

use crate::{Engine, Result};

#[derive(Default)]
struct Entry {
    sockets: u32,
    away: bool,
}

/// Who is connected, and who said they are away.
#[derive(Clone, Default)]
pub struct PresenceBook {
    agents: Arc<Mutex<HashMap<AgentId, Entry>>>,
}

/// Keeps an agent counted as connected until dropped (when their socket closes).
pub struct Connected {
    book: PresenceBook,
    agent: AgentId,
}

impl Drop for Connected {
    fn drop(&mut self) {
        let mut map = self.book.agents.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = map.get_mut(&self.agent) {
            e.sockets = e.sockets.saturating_sub(1);
        }
    }
}

impl PresenceBook {
    /// Counts one more open inbox socket of `agent` for as long as the guard lives.
    pub fn connect(&self, agent: AgentId) -> Connected {
        self.agents
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(agent)
            .or_default()
            .sockets += 1;
        Connected {
            book: self.clone(),
            agent,
        }
    }

    /// The agent's own switch: away keeps them connected but out of assignment.
    pub fn set_away(&self, agent: AgentId, away: bool) {
        self.agents
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(agent)
            .or_default()
            .away = away;
    }

    pub fn presence(&self, agent: AgentId) -> Presence {
        let map = self.agents.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(&agent) {
            Some(e) if e.sockets > 0 && e.away => Presence::Away,
            Some(e) if e.sockets > 0 => Presence::Online,
            _ => Presence::Offline,
        }
    }
}

/// An agent with their presence and load, for supervisors (and assignment).
#[derive(Clone, Debug)]
pub struct AgentStatus {
    pub agent: Agent,
    pub presence: Presence,
    /// Open or snoozed conversations they own.
    pub active: u32,
}

impl Engine {
    pub fn presence(&self) -> &PresenceBook {
        &self.inner.presence
    }

    /// Every agent of the tenant with presence and current load.
    pub async fn agent_statuses(&self, tenant: &TenantId) -> Result<Vec<AgentStatus>> {
        let agents = self.inner.store.list_agents(tenant).await?;
        let owned = self
            .inner
            .store
            .list_conversations(
                tenant,
                &ConversationFilter {
                    owner_kind: Some("agent"),
                    statuses: vec![Status::Open, Status::Snoozed],
                    limit: 100_000,
                    ..Default::default()
                },
            )
            .await?;
        let mut load: HashMap<AgentId, u32> = HashMap::new();
        for c in &owned {
            if let Owner::Agent { agent } = c.owner {
                *load.entry(agent).or_default() += 1;
            }
        }
        Ok(agents
            .into_iter()
            .map(|a| AgentStatus {
                presence: self.inner.presence.presence(a.id),
                active: load.get(&a.id).copied().unwrap_or(0),
                agent: a,
            })
            .collect())
    }
}
