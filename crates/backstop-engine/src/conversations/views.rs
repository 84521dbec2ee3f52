//! Read models built from the store: a conversation as the inbox shows it (the types are in
//! [`crate::model`], where the hub can carry them), its transcript, and the inbox's views.

use backstop_core::conversation::{Owner, Status};
use backstop_core::directory::{Customer, Team};
use backstop_core::ids::{ConversationId, TenantId};
use backstop_store::{ConversationFilter, ConversationRecord, MessageQuery, MessageRecord};

use crate::model::{ConversationView, WidgetState};
use crate::{Engine, EngineError, Result};

/// The inbox's views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboxView {
    /// Waiting for a human, in queue order.
    Queue,
    /// Owned by the asking agent and not finished.
    Mine,
    /// Handled by the AI right now.
    Ai,
    Resolved,
    All,
}

impl InboxView {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queue" => Some(InboxView::Queue),
            "mine" => Some(InboxView::Mine),
            "ai" => Some(InboxView::Ai),
            "resolved" => Some(InboxView::Resolved),
            "all" => Some(InboxView::All),
            _ => None,
        }
    }
}

/// A conversation with its full transcript, for the agent's conversation view.
#[derive(Clone, Debug)]
pub struct ConversationDetail {
    pub view: ConversationView,
    pub messages: Vec<MessageRecord>,
    pub events: Vec<backstop_store::EventRecord>,
}

impl Engine {
    /// The tenant's teams (hours, targets, assignment).
    pub async fn teams(&self, tenant: &TenantId) -> Result<Vec<Team>> {
        Ok(self.inner.store.list_teams(tenant).await?)
    }

    /// The tenant's conversations rated `at_most` or lower, newest rating first, at most `limit`
    /// (the supervisor's review list).
    pub async fn rated_conversations(
        &self,
        tenant: &TenantId,
        at_most: u8,
        limit: u32,
    ) -> Result<Vec<ConversationRecord>> {
        Ok(self.inner.store.rated_conversations(tenant, at_most, limit).await?)
    }

    pub async fn view(&self, tenant: &TenantId, id: ConversationId) -> Result<ConversationView> {
        let record = self.conversation(tenant, id).await?;
        self.view_of(record).await
    }

    pub(crate) async fn view_of(&self, record: ConversationRecord) -> Result<ConversationView> {
        let customer = self.inner.store.get_customer(&record.tenant, record.customer).await?;
        let last_message = self.recent_messages(&record.tenant, record.id, 1).await?.pop();
        self.view_with(record, customer, last_message).await
    }

    /// [`Engine::view_of`] with the customer and the last message the caller already holds (a
    /// turn just read the one and stored the other).
    pub(crate) async fn view_with(
        &self,
        record: ConversationRecord,
        customer: Option<Customer>,
        last_message: Option<MessageRecord>,
    ) -> Result<ConversationView> {
        let store = &self.inner.store;
        let tenant = record.tenant.clone();
        let (team, agent) = match record.owner {
            Owner::Queue { team, .. } => (
                store.list_teams(&tenant).await?.into_iter().find(|t| t.id == team),
                None,
            ),
            Owner::Agent { agent } => (None, store.get_agent(&tenant, agent).await?),
            Owner::Ai => (None, None),
        };
        // Only a waiting conversation has a place in a queue.
        let queued =
            matches!(record.owner, Owner::Queue { .. }) && matches!(record.status, Status::Open | Status::Snoozed);
        let queue_position = match queued {
            true => store.queue_position(&tenant, record.id).await?,
            false => None,
        };
        Ok(ConversationView {
            record,
            customer,
            team,
            agent,
            last_message,
            queue_position,
        })
    }

    /// The state shown in the customer's widget.
    pub async fn widget_state(&self, tenant: &TenantId, id: ConversationId) -> Result<WidgetState> {
        Ok(self.view(tenant, id).await?.widget_state())
    }

    /// What a visitor sees of their conversation: public messages after `after_seq`, and its state
    /// (a reserved, unwritten one has none and is the AI's).
    pub async fn visitor_transcript(
        &self,
        tenant: &TenantId,
        conv: &crate::VisitorConversation,
        after_seq: i64,
    ) -> Result<(Vec<MessageRecord>, WidgetState)> {
        match conv {
            crate::VisitorConversation::Stored(c) => Ok((
                self.public_messages(tenant, c.id, after_seq).await?,
                self.widget_state(tenant, c.id).await?,
            )),
            crate::VisitorConversation::Reserved { .. } => {
                if after_seq < 0 {
                    return Err(EngineError::InvalidInput("after must be 0 or more".into()));
                }
                Ok((Vec::new(), WidgetState::unstarted()))
            }
        }
    }

    pub async fn list(
        &self,
        session: &crate::AgentSession,
        which: InboxView,
        limit: u32,
    ) -> Result<Vec<ConversationView>> {
        use Status::*;
        let filter = match which {
            InboxView::Queue => ConversationFilter {
                owner_kind: Some("queue"),
                statuses: vec![Open, Snoozed],
                limit,
                ..Default::default()
            },
            InboxView::Mine => ConversationFilter {
                owner_kind: Some("agent"),
                agent: Some(session.agent.id),
                statuses: vec![Open, Snoozed],
                limit,
                ..Default::default()
            },
            InboxView::Ai => ConversationFilter {
                owner_kind: Some("ai"),
                statuses: vec![Open],
                with_messages: true,
                limit,
                ..Default::default()
            },
            InboxView::Resolved => ConversationFilter {
                statuses: vec![Resolved, Closed],
                with_messages: true,
                limit,
                ..Default::default()
            },
            InboxView::All => ConversationFilter {
                with_messages: true,
                limit,
                ..Default::default()
            },
        };
        let records = self
            .inner
            .store
            .list_conversations(&session.agent.tenant, &filter)
            .await?;
        let mut out = Vec::with_capacity(records.len());
        for r in records {
            out.push(self.view_of(r).await?);
        }
        Ok(out)
    }

    pub async fn detail(&self, tenant: &TenantId, id: ConversationId) -> Result<ConversationDetail> {
        let view = self.view(tenant, id).await?;
        let messages = self
            .inner
            .store
            .list_messages(
                tenant,
                id,
                &MessageQuery {
                    include_notes: true,
                    ..Default::default()
                },
            )
            .await?;
        let events = self.inner.store.list_events(tenant, id).await?;
        Ok(ConversationDetail { view, messages, events })
    }

    /// The newest `n` public messages of a conversation, oldest first.
    pub(crate) async fn recent_messages(
        &self,
        tenant: &TenantId,
        id: ConversationId,
        n: u32,
    ) -> Result<Vec<MessageRecord>> {
        let query = MessageQuery {
            limit: n,
            newest: true,
            ..Default::default()
        };
        Ok(self.inner.store.list_messages(tenant, id, &query).await?)
    }

    /// Public messages after `after_seq`, for a widget catching up.
    pub async fn public_messages(
        &self,
        tenant: &TenantId,
        id: ConversationId,
        after_seq: i64,
    ) -> Result<Vec<MessageRecord>> {
        if after_seq < 0 {
            return Err(EngineError::InvalidInput("after must be 0 or more".into()));
        }
        Ok(self
            .inner
            .store
            .list_messages(
                tenant,
                id,
                &MessageQuery {
                    after_seq,
                    ..Default::default()
                },
            )
            .await?)
    }

    /// Tells every widget waiting in `team`'s queue its new position.
    pub(crate) async fn refresh_queue(&self, tenant: &TenantId, team: backstop_core::ids::TeamId) -> Result<()> {
        self.inner.hub.forward(backstop_bus::Signal::Queue {
            tenant: tenant.clone(),
            team,
        });
        self.queue_positions(tenant, team).await
    }

    /// Tells this node's widgets waiting in the team's queue their places.
    pub(crate) async fn queue_positions(&self, tenant: &TenantId, team: backstop_core::ids::TeamId) -> Result<()> {
        let filter = ConversationFilter {
            owner_kind: Some("queue"),
            statuses: vec![Status::Open, Status::Snoozed],
            limit: 500,
            ..Default::default()
        };
        let team_record = self
            .inner
            .store
            .list_teams(tenant)
            .await?
            .into_iter()
            .find(|t| t.id == team);
        let queued = self.inner.store.list_conversations(tenant, &filter).await?;
        let in_team = queued
            .into_iter()
            .filter(|c| matches!(c.owner, Owner::Queue { team: t, .. } if t == team));
        for (i, c) in in_team.enumerate() {
            let team_name = team_record.as_ref().map(|t| t.display_name(c.lang).to_string());
            self.inner.hub.publish_state(
                c.id,
                WidgetState {
                    owner: "queue",
                    agent_name: None,
                    team_name,
                    status: c.status,
                    queue_position: Some(i as u32 + 1),
                    rated: c.csat.is_some(),
                    eta_seconds: self.inner.waits.eta(team, i as u32 + 1),
                    ticket: c
                        .sla
                        .as_ref()
                        .filter(|s| s.first_reply_at.is_none())
                        .and_then(|s| s.ticket),
                },
            );
        }
        Ok(())
    }
}
