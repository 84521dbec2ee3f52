//! Agents' presence: online while at least one inbox socket of theirs is open (on this node or,
//! in a cluster, on another: the nodes' heartbeats say how many each holds), unless they set
//! themselves away; offline otherwise. And the per-agent load the supervisor view and assignment
//! read.

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
    /// Inbox sockets other nodes hold, per agent (from their latest heartbeats).
    remote: Arc<Mutex<HashMap<AgentId, u32>>>,
    /// Rung when this node's sockets change (the cluster sends a heartbeat at once).
    pub(crate) changed: Arc<tokio::sync::Notify>,
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
        self.book.changed.notify_one();
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
        self.changed.notify_one();
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
        let remote = self
            .remote
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&agent)
            .copied()
            .unwrap_or(0);
        let map = self.agents.lock().unwrap_or_else(|p| p.into_inner());
        let (sockets, away) = map.get(&agent).map_or((0, false), |e| (e.sockets, e.away));
        match (sockets + remote, away) {
            (0, _) => Presence::Offline,
            (_, true) => Presence::Away,
            (_, false) => Presence::Online,
        }
    }

    /// Whether the agent said they are away.
    pub(crate) fn away(&self, agent: AgentId) -> bool {
        let map = self.agents.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&agent).is_some_and(|e| e.away)
    }

    /// The inbox sockets this node holds, per agent.
    pub(crate) fn local_sockets(&self) -> Vec<(AgentId, u32)> {
        let map = self.agents.lock().unwrap_or_else(|p| p.into_inner());
        map.iter()
            .filter(|(_, e)| e.sockets > 0)
            .map(|(a, e)| (*a, e.sockets))
            .collect()
    }

    /// Replaces what other nodes hold (summed over the live ones).
    pub(crate) fn set_remote(&self, sockets: HashMap<AgentId, u32>) {
        *self.remote.lock().unwrap_or_else(|p| p.into_inner()) = sockets;
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

    /// Tells the tenant's inboxes (the supervisor view) the agent's presence now.
    pub fn announce_presence(&self, tenant: &TenantId, agent: AgentId) {
        self.inner.hub.forward(backstop_bus::Signal::Away {
            tenant: tenant.clone(),
            agent,
            away: self.inner.presence.away(agent),
        });
        let now = self.inner.presence.presence(agent);
        self.inner.hub.publish_presence(tenant, agent, now);
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

/// How long conversations recently waited in each team's queue before a person took them: the
/// basis of the wait the customer is shown. The last [`Waits::KEEP`] per team, in memory.
#[derive(Default)]
pub(crate) struct Waits {
    teams: Mutex<HashMap<backstop_core::ids::TeamId, std::collections::VecDeque<f64>>>,
}

impl Waits {
    const KEEP: usize = 20;

    /// Records that a conversation queued at `since` was taken at `at`.
    pub(crate) fn record(
        &self,
        team: backstop_core::ids::TeamId,
        since: backstop_core::Timestamp,
        at: backstop_core::Timestamp,
    ) {
        let secs = (at - since).as_seconds_f64().max(0.0);
        let mut map = self.teams.lock().unwrap_or_else(|p| p.into_inner());
        let q = map.entry(team).or_default();
        q.push_back(secs);
        while q.len() > Self::KEEP {
            q.pop_front();
        }
    }

    /// The estimated wait at `position` (1 = next), rounded up to half a minute; `None` before any
    /// conversation of the team was taken.
    pub(crate) fn eta(&self, team: backstop_core::ids::TeamId, position: u32) -> Option<u32> {
        let map = self.teams.lock().unwrap_or_else(|p| p.into_inner());
        let q = map.get(&team).filter(|q| !q.is_empty())?;
        let mean = q.iter().sum::<f64>() / q.len() as f64;
        let secs = (mean * position as f64).max(1.0);
        Some(((secs / 30.0).ceil() * 30.0) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_is_the_recent_mean_times_the_position() {
        let w = Waits::default();
        let team = backstop_core::ids::TeamId(uuid::Uuid::from_u128(7));
        assert_eq!(w.eta(team, 1), None, "no history, no promise");
        let t0 = time::OffsetDateTime::UNIX_EPOCH;
        w.record(team, t0, t0 + time::Duration::seconds(40));
        w.record(team, t0, t0 + time::Duration::seconds(80));
        // mean 60 s: first in line ~1 min, third ~3 min; rounded up to half minutes.
        assert_eq!(w.eta(team, 1), Some(60));
        assert_eq!(w.eta(team, 3), Some(180));
        w.record(team, t0, t0 + time::Duration::seconds(5));
        assert_eq!(w.eta(team, 1), Some(60), "mean 41.7 s rounds up to 60");
    }
}
