//! Automatic assignment: a conversation waiting in a team's queue goes to an available agent of
//! that team, chosen by the team's strategy (`backstop_core::assignment`), when it is handed over
//! and whenever an agent could take more (comes online, returns from away, finishes one). An
//! agent's inbox opening ([`Engine::inbox_opened`]) and their away switch ([`Engine::set_away`])
//! are announced through presence (the people room) and then offered what waits, here.
//!
//! Assignment runs on the conversation's actor (so it is ordered with everything else that happens
//! to it) and under a per-tenant lock (so two conversations assigned at once cannot both take an
//! agent's last free place). Teams whose strategy is `manual` are never assigned automatically.

use backstop_core::event::{Event, EventData};
use std::collections::HashMap;
use std::sync::Arc;

use backstop_core::assignment::{choose, AgentLoad, Need, Presence, Waiting};
use backstop_core::conversation::{Command, Owner, Status};
use backstop_core::ids::{AgentId, ConversationId, TenantId};
use backstop_core::message::{SystemCode, SystemNote};
use backstop_core::routing::ServiceTier;
use backstop_core::Timestamp;
use backstop_nlp::replies;
use backstop_store::{ConversationFilter, NewMessage, Turn};

use crate::people::presence::Connected;
use crate::{Engine, Result};

/// When each agent of a tenant was last given a conversation, behind the tenant's assignment lock.
type LastAssigned = Arc<tokio::sync::Mutex<HashMap<AgentId, Timestamp>>>;

/// Overrides of the team's own way of assigning (after a missed first-reply target).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Route {
    /// Use this strategy instead of the team's (even for a manual team).
    pub strategy: Option<backstop_core::assignment::Strategy>,
    /// Consider every agent of the tenant, not only the team's.
    pub any_team: bool,
    /// Pass over this agent (the one who let the customer wait).
    pub exclude: Option<AgentId>,
}

/// Per tenant: the assignment lock and the agents' last assignments.
#[derive(Default)]
pub(crate) struct Assignments {
    tenants: std::sync::Mutex<HashMap<TenantId, LastAssigned>>,
}

impl Assignments {
    fn of(&self, tenant: &TenantId) -> LastAssigned {
        self.tenants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(tenant.clone())
            .or_default()
            .clone()
    }
}

/// An agent's open inbox: counted online while it lives; when it drops, the tenant hears the
/// agent's presence again (offline, if it was their last inbox).
pub struct Online {
    connected: Option<Connected>,
    engine: Engine,
    tenant: TenantId,
    agent: AgentId,
}

impl Drop for Online {
    fn drop(&mut self) {
        // The count drops first, then the tenant hears the new presence.
        drop(self.connected.take());
        self.engine.announce_presence(&self.tenant, self.agent);
    }
}

impl Engine {
    /// An agent's inbox opened: they are online while the returned guard lives, the tenant hears
    /// it, and what waits in their queues is offered to them.
    pub async fn inbox_opened(&self, tenant: &TenantId, agent: AgentId) -> Online {
        let online = Online {
            connected: Some(self.inner.presence.connect(agent)),
            engine: self.clone(),
            tenant: tenant.clone(),
            agent,
        };
        self.announce_presence(tenant, agent);
        // An agent arriving may take what waits.
        if let Err(e) = self.assign_waiting(tenant).await {
            tracing::warn!(error = %e, "offering waiting conversations failed");
        }
        online
    }

    /// An agent says they are away, or back: the tenant hears it, and an agent back online is
    /// offered what waits. Returns their presence now.
    pub async fn set_away(&self, tenant: &TenantId, agent: AgentId, away: bool) -> Result<Presence> {
        self.inner.presence.set_away(agent, away);
        self.announce_presence(tenant, agent);
        let now = self.inner.presence.presence(agent);
        if now == Presence::Online {
            self.assign_waiting(tenant).await?;
        }
        Ok(now)
    }

    /// Offers every conversation waiting in the tenant's queues, most urgent first, to the
    /// available agents (each on its own actor).
    pub async fn assign_waiting(&self, tenant: &TenantId) -> Result<()> {
        let queued = self
            .inner
            .store
            .list_conversations(
                tenant,
                &ConversationFilter {
                    owner_kind: Some("queue"),
                    statuses: vec![Status::Open],
                    limit: 500,
                    ..Default::default()
                },
            )
            .await?;
        let mut waiting: Vec<(Waiting, ConversationId)> = queued
            .iter()
            .filter_map(|c| {
                let Owner::Queue { priority, .. } = c.owner else {
                    return None;
                };
                let packet = c.packet.as_ref();
                Some((
                    Waiting {
                        tier: packet.map_or(ServiceTier::L2, |p| p.service_tier),
                        priority,
                        anger: packet.map_or(0.0, |p| p.anger.score),
                        since: c.queued_at.unwrap_or(c.updated_at),
                    },
                    c.id,
                ))
            })
            .collect();
        waiting.sort_by(|a, b| backstop_core::assignment::queue_order(&a.0, &b.0));
        for (_, id) in waiting {
            self.send_assign(tenant, id);
        }
        Ok(())
    }

    /// Assigns the conversation if it waits in a queue whose team assigns automatically and an
    /// agent is available. Runs on the conversation's actor.
    pub(crate) async fn assign(&self, tenant: &TenantId, id: ConversationId) -> Result<Option<AgentId>> {
        self.assign_by(tenant, id, Route::default()).await
    }

    /// [`Engine::assign`], with the team's way of assigning overridden by `route`.
    pub(crate) async fn assign_by(
        &self,
        tenant: &TenantId,
        id: ConversationId,
        route: Route,
    ) -> Result<Option<AgentId>> {
        let lock = self.inner.assignments.of(tenant);
        let mut last_assigned = lock.lock().await;
        let store = &self.inner.store;
        let mut conv = self.conversation(tenant, id).await?;
        let Owner::Queue { team, .. } = conv.owner else {
            return Ok(None);
        };
        if conv.status != Status::Open {
            return Ok(None);
        }
        let Some(team_rec) = store.list_teams(tenant).await?.into_iter().find(|t| t.id == team) else {
            return Ok(None);
        };
        let statuses = self.agent_statuses(tenant).await?;
        let strategy = route.strategy.unwrap_or(team_rec.strategy);
        let loads: Vec<AgentLoad> = statuses
            .iter()
            .filter(|s| Some(s.agent.id) != route.exclude && s.agent.active)
            .map(|s| AgentLoad {
                agent: s.agent.id,
                teams: if route.any_team {
                    vec![team]
                } else {
                    s.agent.team_ids.clone()
                },
                presence: s.presence,
                capacity: s.agent.profile.capacity,
                active: s.active,
                languages: s.agent.profile.languages.clone(),
                topics: s.agent.profile.topics.clone(),
                last_assigned: last_assigned.get(&s.agent.id).copied(),
            })
            .collect();
        // Sticky: the last person who held this conversation.
        let last_agent = store
            .list_events(tenant, id)
            .await?
            .iter()
            .rev()
            .find_map(|e| match e.event.to_owner {
                Some(Owner::Agent { agent }) => Some(agent),
                _ => None,
            });
        let need = Need {
            team,
            language: conv
                .packet
                .as_ref()
                .and_then(|p| p.language_code.clone())
                .unwrap_or_else(|| conv.lang.as_str().to_string()),
            topic: conv.topic.clone(),
            last_agent,
        };
        let Some(choice) = choose(strategy, &loads, &need) else {
            return Ok(None);
        };
        let agent = statuses
            .into_iter()
            .find(|s| s.agent.id == choice.agent)
            .expect("chosen among them")
            .agent;
        let at = self.now();
        if let Some(since) = conv.queued_at {
            self.inner.waits.record(team, since, self.now());
        }
        let t = Self::machine(&conv).apply(Command::Assign { agent: agent.id })?;
        conv.owner = t.to.owner;
        conv.status = t.to.status;
        conv.queued_at = None;
        conv.updated_at = at;
        let data = EventData::Assignment {
            why: choice.why.clone(),
            strategy,
            any_team: route.any_team,
        };
        let why = match (route.strategy.is_some(), route.any_team) {
            (_, true) => format!(
                "assigned by {} across teams after a missed first-reply target",
                strategy.as_str()
            ),
            (true, false) => format!("assigned by {} after a missed first-reply target", strategy.as_str()),
            _ => format!("assigned by {}", strategy.as_str()),
        };
        let event = Event::transition(&t, Some(why), data, at);
        let joined = NewMessage::system(
            &conv,
            SystemNote {
                code: SystemCode::AgentJoined,
                team_name: None,
                agent_name: Some(agent.name.clone()),
            },
            replies::agent_joined(conv.lang, &agent.name),
            at,
        );
        let mut events = vec![event];
        let mut messages = vec![joined];
        let automated = self
            .automate_event(&mut conv, backstop_core::automation::Trigger::Assigned, None, at)
            .await?;
        events.extend(automated.events);
        messages.extend(automated.messages);
        let turn = Turn {
            conversation: conv,
            events,
            messages,
            handled: vec![],
        };
        let stored = self.apply_turn(&turn).await?;
        last_assigned.insert(agent.id, at);
        drop(last_assigned);
        for m in &stored {
            self.inner.hub.publish_message(m);
        }
        let view = self.view_of(turn.conversation).await?;
        self.inner.hub.publish_conversation(view);
        self.refresh_queue(tenant, team).await?;
        tracing::info!(%tenant, conversation = %id, agent = %agent.id, why = ?choice.why, "assigned");
        Ok(Some(agent.id))
    }
}
