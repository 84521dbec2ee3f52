//! What agents and customers ask of a conversation, applied by its actor through the state machine:
//! take, reply, private note, hand back to the AI, resolve, reopen, transfer, decide on the AI's
//! draft, rate, and the customer's "talk to a human" button. Each accepted change is stored with its
//! events and announced live. Here: the actions, the dispatch and what every change does after it
//! is stored (`finish`); each action's own rules are in `actions`.

mod actions;

use backstop_core::automation::Trigger;
use backstop_core::conversation::{Conversation, Owner, Status};
use backstop_core::directory::Agent;
use backstop_core::event::{CopilotUse, Event, EventData, EventKind};
use backstop_core::ids::{ConversationId, MessageId, TenantId};
use backstop_core::message::{Author, MessageBody, MessageKind, SystemCode, SystemNote};
use backstop_core::Timestamp;
use backstop_store::{ConversationRecord, MessageRecord, NewMessage, Turn};

use crate::model::ConversationView;
use crate::{Engine, Result};

/// A request to change a conversation.
#[derive(Clone, Debug)]
pub enum AgentAction {
    Take {
        agent: Agent,
    },
    Reply {
        agent: Agent,
        body: String,
        client_id: Option<String>,
        /// How the reply used the copilot's suggestions, when the inbox showed some.
        copilot: Option<CopilotUse>,
    },
    Note {
        agent: Agent,
        body: String,
    },
    HandBack {
        agent: Agent,
        reason: Option<String>,
    },
    Resolve {
        agent: Agent,
    },
    Reopen {
        agent: Agent,
    },
    /// The customer pressed "talk to a human".
    RequestHuman,
    /// The customer says the AI's answer solved it (the conversation is resolved, an AI
    /// resolution confirmed by the customer).
    CustomerResolve,
    /// An agent decides on the AI's draft answer: approve it (as written, or with `edited` text)
    /// and it is sent as the AI's answer, the conversation back with the AI; or reject it and keep
    /// the conversation.
    DecideDraft {
        agent: Agent,
        approve: bool,
        edited: Option<String>,
    },
    /// The customer rates the resolved conversation (1–5, a comment); `person`: "not satisfied,
    /// get me a person" — the conversation reopens to a human.
    Rate {
        rating: u8,
        comment: Option<String>,
        person: bool,
    },
    /// The model's summary of the conversation, for the packet of the hand-over made at
    /// `handed_at` (a later hand-over has its own packet and keeps it).
    PacketSummary {
        summary: backstop_core::handoff::ModelSummary,
        handed_at: Timestamp,
    },
    /// Pass the conversation to a team's queue or a colleague, with a private note for them.
    /// Supervisors and admins may reassign any queued or agent-held conversation.
    Transfer {
        agent: Agent,
        to: TransferTo,
        note: Option<String>,
    },
}

/// Where a transfer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferTo {
    Team(backstop_core::ids::TeamId),
    Agent(backstop_core::ids::AgentId),
}

/// What a command produced.
#[derive(Clone, Debug)]
pub struct CommandOutcome {
    pub view: ConversationView,
    pub message: Option<MessageRecord>,
}

/// One command's work in progress: the conversation as it will be stored, and what the change
/// records (events) and says (messages).
pub(crate) struct Change {
    pub(crate) tenant: TenantId,
    pub(crate) id: ConversationId,
    pub(crate) at: Timestamp,
    pub(crate) conv: ConversationRecord,
    pub(crate) events: Vec<Event>,
    pub(crate) messages: Vec<NewMessage>,
    /// Reopened by an unhappy customer: a person takes it from here.
    pub(crate) then_request_human: bool,
    /// A person resolved it: what they answered may teach the AI.
    pub(crate) learn: bool,
}

impl Change {
    fn new(conv: ConversationRecord, at: Timestamp) -> Change {
        Change {
            tenant: conv.tenant.clone(),
            id: conv.id,
            at,
            conv,
            events: Vec::new(),
            messages: Vec::new(),
            then_request_human: false,
            learn: false,
        }
    }

    /// The state machine at the conversation's state now.
    pub(crate) fn machine(&self) -> Conversation {
        Engine::machine(&self.conv)
    }

    /// A message by `agent` in this conversation.
    pub(crate) fn agent_message(
        &self,
        agent: &Agent,
        kind: MessageKind,
        body: String,
        client_id: Option<String>,
    ) -> NewMessage {
        NewMessage {
            id: MessageId::new_at(self.at),
            tenant: self.tenant.clone(),
            conversation: self.id,
            author: Author::Agent {
                id: agent.id,
                name: agent.name.clone(),
            },
            kind,
            body,
            client_id,
            citations: vec![],
            system: None,
            handled: true,
            created_at: self.at,
        }
    }

    /// A system line (`code`, naming `agent` when one acted) in this conversation.
    pub(crate) fn system(&self, code: SystemCode, agent: Option<&Agent>, body: String) -> NewMessage {
        let note = SystemNote {
            code,
            team_name: None,
            agent_name: agent.map(|a| a.name.clone()),
        };
        NewMessage::system(&self.conv, note, body, self.at)
    }
}

impl Engine {
    /// Runs an agent's action on a conversation of the agent's tenant.
    pub async fn act(&self, tenant: &TenantId, conv: ConversationId, action: AgentAction) -> Result<CommandOutcome> {
        // Validate cheap input before queueing on the actor.
        match &action {
            AgentAction::Reply { body, client_id, .. } => {
                MessageBody::parse(body)?;
                if let Some(c) = client_id {
                    crate::parse_client_id(c)?;
                }
            }
            AgentAction::Note { body, .. } => {
                MessageBody::parse(body)?;
            }
            _ => {}
        }
        self.conversation(tenant, conv).await?;
        self.run(tenant, conv, action).await
    }

    pub(crate) async fn command(
        &self,
        tenant: &TenantId,
        id: ConversationId,
        action: AgentAction,
    ) -> Result<CommandOutcome> {
        let mut c = Change::new(self.conversation(tenant, id).await?, self.now());
        let before_owner = c.conv.owner;
        match action {
            AgentAction::Take { agent } => self.take(&mut c, &agent)?,
            AgentAction::Reply {
                agent,
                body,
                client_id,
                copilot,
            } => return self.reply(c, &agent, &body, client_id, copilot).await,
            AgentAction::Note { agent, body } => return self.note(c, &agent, &body).await,
            AgentAction::HandBack { agent, reason } => Self::hand_back(&mut c, &agent, reason)?,
            AgentAction::Resolve { agent } => Self::resolve(&mut c, &agent)?,
            AgentAction::Reopen { agent } => Self::reopen(&mut c, &agent)?,
            AgentAction::Transfer { agent, to, note } => self.transfer(&mut c, &agent, to, note).await?,
            AgentAction::Rate {
                rating,
                comment,
                person,
            } => Self::rate(&mut c, rating, comment, person)?,
            AgentAction::DecideDraft { agent, approve, edited } => Self::decide_draft(&mut c, &agent, approve, edited)?,
            AgentAction::PacketSummary { summary, handed_at } => {
                let packet = c
                    .conv
                    .packet
                    .as_mut()
                    .filter(|p| p.created_at == handed_at && p.ai_summary.is_none());
                let Some(packet) = packet else {
                    let view = self.view_of(c.conv).await?;
                    return Ok(CommandOutcome { view, message: None });
                };
                packet.ai_summary = Some(summary);
            }
            AgentAction::RequestHuman => {
                if !c.machine().ai_may_send() {
                    // Already with a person (or finished): nothing to do, report where it stands.
                    let view = self.view_of(c.conv).await?;
                    return Ok(CommandOutcome { view, message: None });
                }
                self.request_human(&mut c).await?;
            }
            AgentAction::CustomerResolve => Self::customer_resolve(&mut c)?,
        }
        self.finish(c, before_owner).await
    }

    /// Stores the change, announces it, and does what follows from it: queues refreshed, an
    /// answer drafted for the knowledge base, the AI woken, the conversation (or what waits)
    /// offered to an agent.
    async fn finish(&self, mut c: Change, before_owner: Owner) -> Result<CommandOutcome> {
        let (tenant, id) = (c.tenant.clone(), c.id);
        let (then_request_human, learn) = (c.then_request_human, c.learn);
        c.conv.updated_at = c.at;
        // The automation rules of what a person (or the customer's rating) just did.
        for (trigger, rating) in automation_triggers(&c.events) {
            let automated = self.automate_event(&mut c.conv, trigger, rating, c.at).await?;
            c.events.extend(automated.events);
            c.messages.extend(automated.messages);
        }
        let turn = Turn {
            conversation: c.conv,
            events: c.events,
            messages: c.messages,
            handled: vec![],
        };
        let stored = self.apply_turn(&turn).await?;
        for m in &stored {
            self.inner.hub.publish_message(m);
        }
        let view = self.view_of(turn.conversation.clone()).await?;
        self.inner.hub.publish_conversation(view.clone());
        if turn
            .events
            .iter()
            .any(|e| e.kind == backstop_core::event::EventKind::Handoff)
        {
            self.summarize_later(&turn.conversation);
        }
        for owner in [before_owner, turn.conversation.owner] {
            if let Owner::Queue { team, .. } = owner {
                self.refresh_queue(&tenant, team).await?;
            }
        }
        if learn {
            if let Err(e) = self.draft_candidate(&tenant, id).await {
                tracing::warn!(%tenant, conversation = %id, error = %e, "drafting a knowledge candidate failed");
            }
        }
        // A hand-back may leave customer messages the AI should now answer.
        if turn.conversation.owner == Owner::Ai && before_owner != Owner::Ai {
            self.kick(&tenant, id);
        }
        // Handed over: offer it to an agent. An agent let go of one: offer them the waiting ones.
        let now_owner = turn.conversation.owner;
        let freed = matches!(before_owner, Owner::Agent { .. })
            && (now_owner != before_owner || matches!(turn.conversation.status, Status::Resolved | Status::Snoozed));
        if let Owner::Queue { .. } = now_owner {
            self.assign(&tenant, id).await?;
        }
        if freed {
            self.assign_waiting(&tenant).await?;
        }
        // Reopened by an unhappy customer: a person takes it from here (the AI never answers them).
        if then_request_human && turn.conversation.owner == Owner::Ai {
            return Box::pin(self.command(&tenant, id, AgentAction::RequestHuman)).await;
        }
        Ok(CommandOutcome {
            view,
            message: stored.into_iter().next(),
        })
    }
}

/// The automation triggers a command's events are: an agent taking or being given the
/// conversation, a resolution, a rating (with its value).
fn automation_triggers(events: &[Event]) -> Vec<(Trigger, Option<u8>)> {
    let mut out = Vec::new();
    for e in events {
        let t = match (&e.kind, &e.data) {
            (EventKind::Take | EventKind::Assign, _) => (Trigger::Assigned, None),
            (EventKind::Transfer, _) if matches!(e.to_owner, Some(Owner::Agent { .. })) => (Trigger::Assigned, None),
            (EventKind::Resolve, _) => (Trigger::Resolved, None),
            (EventKind::Csat, EventData::Csat { rating, .. }) => (Trigger::Rated, Some(*rating)),
            _ => continue,
        };
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}
