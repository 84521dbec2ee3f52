//! What agents and customers ask of a conversation, applied by its actor through the state machine:
//! take, reply, private note, hand back to the AI, resolve, reopen, and the customer's "talk to a
//! human" button. Each accepted change is stored with its event and announced live.

use backstop_core::conversation::{Actor, Command, Owner, Priority, Status};
use backstop_core::directory::{Agent, Customer};
use backstop_core::event::{CopilotUse, Event, EventData, EventKind};
use backstop_core::ids::{ConversationId, MessageId, TenantId};
use backstop_core::message::{Author, ClientMessageId, MessageBody, MessageKind, SystemCode, SystemNote};
use backstop_core::routing::{Scope, Signals};
use backstop_nlp::{lang, replies};
use backstop_store::{MessageRecord, NewMessage, Turn};

use crate::assess::Understanding;
use crate::views::ConversationView;
use crate::{Engine, EngineError, Result};

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

impl Engine {
    /// Runs an agent's action on a conversation of the agent's tenant.
    pub async fn act(&self, tenant: &TenantId, conv: ConversationId, action: AgentAction) -> Result<CommandOutcome> {
        // Validate cheap input before queueing on the actor.
        match &action {
            AgentAction::Reply { body, client_id, .. } => {
                MessageBody::parse(body)?;
                if let Some(c) = client_id {
                    ClientMessageId::parse(c).ok_or_else(|| {
                        EngineError::InvalidInput("client_id must be 1-64 printable ASCII characters".into())
                    })?;
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
        let store = &self.inner.store;
        let mut conv = self.conversation(tenant, id).await?;
        let at = self.now();
        let before_owner = conv.owner;
        let machine = Self::machine(&conv);
        let mut events = Vec::new();
        let mut messages = Vec::new();
        let agent_message = |agent: &Agent, kind, body, client_id| NewMessage {
            id: MessageId::new_at(at),
            tenant: tenant.clone(),
            conversation: id,
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
            created_at: at,
        };
        let system = |code, agent: Option<&Agent>, body: String| NewMessage {
            id: MessageId::new_at(at),
            tenant: tenant.clone(),
            conversation: id,
            author: Author::System,
            kind: MessageKind::Text,
            body,
            client_id: None,
            citations: vec![],
            system: Some(SystemNote {
                code,
                team_name: None,
                agent_name: agent.map(|a| a.name.clone()),
            }),
            handled: true,
            created_at: at,
        };
        let mut then_request_human = false;
        // A person resolved it: what they answered may teach the AI.
        let mut learn = false;
        match action {
            AgentAction::Take { agent } => {
                if let (Owner::Queue { team, .. }, Some(since)) = (conv.owner, conv.queued_at) {
                    self.inner.waits.record(team, since, at);
                }
                let t = machine.apply(Command::Take { agent: agent.id })?;
                conv.owner = t.to.owner;
                conv.status = t.to.status;
                conv.queued_at = None;
                events.push(Event::transition(&t, None, EventData::None, at));
                messages.push(system(
                    SystemCode::AgentJoined,
                    Some(&agent),
                    replies::agent_joined(conv.lang, &agent.name),
                ));
            }
            AgentAction::Reply {
                agent,
                body,
                client_id,
                copilot,
            } => {
                machine.agent_may_reply(agent.id)?;
                let body = MessageBody::parse(&body)?.into_string();
                let appended = store
                    .append_message(&agent_message(&agent, MessageKind::Text, body, client_id))
                    .await?;
                if !appended.duplicate {
                    self.inner.hub.publish_message(&appended.message);
                    self.inner.answers.forget(tenant);
                }
                let mut conv = self.conversation(tenant, id).await?;
                // The copilot's record: was a suggestion sent as it was, edited, or not used?
                let mut copilot_events: Vec<Event> = match (copilot, appended.duplicate) {
                    (Some(how), false) => vec![Event::note(
                        EventKind::Copilot,
                        Actor::Agent(agent.id),
                        Some(how.as_str().into()),
                        EventData::Copilot {
                            used: how,
                            message: appended.message.id,
                        },
                        at,
                    )],
                    _ => vec![],
                };
                // The first human reply stops the hand-over's clock.
                if let (Some(clock), false) = (conv.sla.as_mut(), appended.duplicate) {
                    if let Some(met) = clock.replied(at) {
                        let secs = clock.first_reply_secs().unwrap_or(0);
                        copilot_events.push(Event::note(
                            EventKind::FirstReply,
                            Actor::Agent(agent.id),
                            Some(format!(
                                "first human reply after {secs} s ({} the {} s target)",
                                if met { "within" } else { "missing" },
                                clock.target_secs
                            )),
                            EventData::FirstReply {
                                seconds: secs,
                                target_secs: clock.target_secs,
                                met,
                                breaches: clock.breaches,
                                ticket: clock.ticket,
                            },
                            at,
                        ));
                    }
                }
                if conv.status == Status::Snoozed || !copilot_events.is_empty() {
                    if conv.status == Status::Snoozed {
                        conv.status = Status::Open;
                        conv.updated_at = at;
                    }
                    store
                        .apply_turn(&Turn {
                            conversation: conv.clone(),
                            events: copilot_events,
                            messages: vec![],
                            handled: vec![],
                        })
                        .await?;
                }
                let view = self.view_of(conv).await?;
                self.inner.hub.publish_conversation(view.clone());
                return Ok(CommandOutcome {
                    view,
                    message: Some(appended.message),
                });
            }
            AgentAction::Note { agent, body } => {
                machine.agent_may_note()?;
                let body = MessageBody::parse(&body)?.into_string();
                let appended = store
                    .append_message(&agent_message(&agent, MessageKind::Note, body, None))
                    .await?;
                self.inner.hub.publish_message(&appended.message);
                let view = self.view(tenant, id).await?;
                return Ok(CommandOutcome {
                    view,
                    message: Some(appended.message),
                });
            }
            AgentAction::HandBack { agent, reason } => {
                let t = machine.apply(Command::HandBack { agent: agent.id })?;
                conv.owner = t.to.owner;
                conv.status = t.to.status;
                conv.failed_turns = 0;
                conv.queued_at = None;
                // The policy's hand-back cool-down starts: no straight hand-over back to people.
                conv.policy_state.turns_since_handback = Some(0);
                conv.policy_state.last_rule = None;
                if let Some(clock) = conv.sla.as_mut() {
                    clock.stop();
                }
                events.push(Event::transition(&t, reason, EventData::None, at));
                messages.push(system(
                    SystemCode::HandedBack,
                    Some(&agent),
                    replies::handed_back(conv.lang),
                ));
            }
            AgentAction::Resolve { agent } => {
                let t = machine.apply(Command::Resolve {
                    actor: Actor::Agent(agent.id),
                })?;
                conv.status = t.to.status;
                conv.queued_at = None;
                if let Some(clock) = conv.sla.as_mut() {
                    clock.stop();
                }
                learn = true;
                events.push(Event::transition(&t, None, EventData::None, at));
                messages.push(system(SystemCode::Resolved, Some(&agent), replies::resolved(conv.lang)));
            }
            AgentAction::Reopen { agent } => {
                let t = machine.apply(Command::Reopen {
                    actor: Actor::Agent(agent.id),
                })?;
                conv.status = t.to.status;
                if matches!(conv.owner, Owner::Queue { .. }) {
                    conv.queued_at = Some(at);
                }
                events.push(Event::transition(&t, None, EventData::None, at));
                messages.push(system(SystemCode::Reopened, Some(&agent), replies::reopened(conv.lang)));
            }
            AgentAction::Transfer { agent, to, note } => {
                let note = note
                    .map(|n| MessageBody::parse(&n).map(MessageBody::into_string))
                    .transpose()?;
                let supervisor = agent.role.may(backstop_core::permission::Permission::Supervise);
                let (target, joined) = match to {
                    TransferTo::Team(team_id) => {
                        let team = store
                            .list_teams(tenant)
                            .await?
                            .into_iter()
                            .find(|t| t.id == team_id)
                            .ok_or_else(|| EngineError::InvalidInput("no such team".into()))?;
                        let priority = match conv.owner {
                            Owner::Queue { priority, .. } => priority,
                            _ => conv.packet.as_ref().map_or(Priority::Normal, |p| p.priority),
                        };
                        (
                            Owner::Queue {
                                team: team.id,
                                priority,
                            },
                            Err(team),
                        )
                    }
                    TransferTo::Agent(agent_id) => {
                        let colleague = store
                            .get_agent(tenant, agent_id)
                            .await?
                            .filter(|a| a.active)
                            .ok_or_else(|| EngineError::InvalidInput("no such agent (or deactivated)".into()))?;
                        (Owner::Agent { agent: colleague.id }, Ok(colleague))
                    }
                };
                let t = machine.apply(Command::Transfer {
                    by: agent.id,
                    supervisor,
                    to: target,
                })?;
                conv.owner = t.to.owner;
                conv.status = t.to.status;
                conv.queued_at = matches!(conv.owner, Owner::Queue { .. }).then_some(at);
                events.push(Event::transition(&t, note.clone(), EventData::None, at));
                if let Some(body) = note {
                    let appended = store
                        .append_message(&agent_message(&agent, MessageKind::Note, body, None))
                        .await?;
                    self.inner.hub.publish_message(&appended.message);
                }
                match joined {
                    Ok(colleague) => messages.push(system(
                        SystemCode::AgentJoined,
                        Some(&colleague),
                        replies::agent_joined(conv.lang, &colleague.name),
                    )),
                    Err(team) => {
                        let mut m = system(
                            SystemCode::Handoff,
                            None,
                            replies::handoff(conv.lang, team.display_name(conv.lang), None),
                        );
                        if let Some(s) = m.system.as_mut() {
                            s.team_name = Some(team.display_name(conv.lang).to_string());
                        }
                        messages.push(m);
                    }
                }
            }
            AgentAction::Rate {
                rating,
                comment,
                person,
            } => {
                if conv.status != Status::Resolved {
                    return Err(EngineError::Transition(
                        backstop_core::conversation::TransitionError::WrongStatus {
                            command: "rate",
                            status: conv.status.as_str(),
                        },
                    ));
                }
                let csat = backstop_core::csat::Csat::new(rating, comment.as_deref(), at)
                    .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
                events.push(Event::note(
                    EventKind::Csat,
                    Actor::Customer,
                    csat.is_low().then(|| format!("rated {rating}/5: flagged for review")),
                    EventData::Csat {
                        rating: csat.rating,
                        comment: csat.comment.clone(),
                    },
                    at,
                ));
                if csat.is_low() {
                    tracing::info!(%tenant, conversation = %id, rating, "low satisfaction rating");
                }
                conv.csat = Some(csat);
                if person {
                    let t = machine.apply(Command::Reopen { actor: Actor::Customer })?;
                    conv.status = t.to.status;
                    events.push(Event::transition(
                        &t,
                        Some("not satisfied: asked for a person".into()),
                        EventData::None,
                        at,
                    ));
                    messages.push(system(SystemCode::Reopened, None, replies::reopened(conv.lang)));
                    then_request_human = true;
                }
            }
            AgentAction::DecideDraft { agent, approve, edited } => {
                let mut packet = conv
                    .packet
                    .clone()
                    .filter(|p| p.draft.is_some())
                    .ok_or_else(|| EngineError::InvalidInput("no AI draft is waiting for approval".into()))?;
                // From the queue, the deciding agent takes it first.
                if matches!(conv.owner, Owner::Queue { .. }) {
                    let t = machine.apply(Command::Take { agent: agent.id })?;
                    conv.owner = t.to.owner;
                    conv.status = t.to.status;
                    conv.queued_at = None;
                    events.push(Event::transition(
                        &t,
                        Some("to decide on the AI draft".into()),
                        EventData::None,
                        at,
                    ));
                }
                // Only the agent who holds it decides.
                Self::machine(&conv).agent_may_reply(agent.id)?;
                let draft = packet.draft.take().unwrap_or_default();
                let source = packet.draft_source.take();
                if approve {
                    let edited = edited.filter(|e| e.trim() != draft.trim());
                    let body = MessageBody::parse(edited.as_deref().unwrap_or(&draft))?.into_string();
                    let how = if edited.is_some() {
                        "approved with edits"
                    } else {
                        "approved"
                    };
                    let t = Self::machine(&conv).apply(Command::HandBack { agent: agent.id })?;
                    conv.owner = t.to.owner;
                    conv.status = t.to.status;
                    conv.failed_turns = 0;
                    if let Some(clock) = conv.sla.as_mut() {
                        clock.replied(at);
                    }
                    events.push(Event::transition(
                        &t,
                        Some(format!("AI draft {how}")),
                        EventData::None,
                        at,
                    ));
                    let mut answer = crate::turn::ai_message(&conv, body, source.into_iter().collect(), at);
                    answer.created_at = at;
                    messages.push(answer);
                } else {
                    events.push(Event::note(
                        EventKind::DraftRejected,
                        Actor::Agent(agent.id),
                        Some("AI draft rejected".into()),
                        EventData::DraftRejected { draft },
                        at,
                    ));
                }
                conv.packet = Some(packet);
            }
            AgentAction::RequestHuman => {
                if !machine.ai_may_send() {
                    // Already with a person (or finished): nothing to do, report where it stands.
                    let view = self.view_of(conv).await?;
                    return Ok(CommandOutcome { view, message: None });
                }
                let customer = store.get_customer(tenant, conv.customer).await?;
                let brain = self.brain(tenant).await?;
                let recent = self.recent_messages(tenant, id, 5).await?;
                let text = recent
                    .iter()
                    .filter(|m| m.author == Author::Customer)
                    .map(|m| m.body.as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                // The button is as explicit as words; the radar still reads the recent messages
                // (lexicon and rules: no embedding for a button press).
                let feel = self
                    .inner
                    .radar
                    .read(&text, None, &backstop_nlp::emotion::Context::default());
                let mut signals = Signals::quiet();
                signals.explicit_request = true;
                signals.failed_turns = conv.failed_turns;
                signals.anger = feel.get(backstop_nlp::emotion::Feeling::Anger);
                signals.emotion.anger = signals.anger;
                signals.vip = customer.as_ref().is_some_and(Customer::is_vip);
                signals.turn = conv.mood.last().map_or(1, |p| p.turn + 1);
                signals.threat = feel.threat;
                signals.profanity = feel.profanity;
                let policy = self.policy(tenant).await?;
                let trace = policy.decide(&signals, &conv.policy_state);
                conv.policy_state = policy.next_state(&conv.policy_state, &trace);
                let u = Understanding {
                    lang: lang::detect_or(&text, conv.lang),
                    text,
                    explicit: true,
                    emotion: feel,
                    small_talk: None,
                    best: None,
                    scope: Scope::Unknown,
                };
                let (ev, notice) = self
                    .handoff(&mut conv, &trace, &u, customer.as_ref(), &brain.kb, at)
                    .await?;
                events.extend(ev);
                messages.push(notice);
            }
        }
        conv.updated_at = at;
        let turn = Turn {
            conversation: conv,
            events,
            messages,
            handled: vec![],
        };
        let stored = store.apply_turn(&turn).await?;
        for m in &stored {
            self.inner.hub.publish_message(m);
        }
        let view = self.view_of(turn.conversation.clone()).await?;
        self.inner.hub.publish_conversation(view.clone());
        for owner in [before_owner, turn.conversation.owner] {
            if let Owner::Queue { team, .. } = owner {
                self.refresh_queue(tenant, team).await?;
            }
        }
        if learn {
            if let Err(e) = self.draft_candidate(tenant, id).await {
                tracing::warn!(%tenant, conversation = %id, error = %e, "drafting a knowledge candidate failed");
            }
        }
        // A hand-back may leave customer messages the AI should now answer.
        if turn.conversation.owner == Owner::Ai && before_owner != Owner::Ai {
            self.kick(tenant, id);
        }
        // Handed over: offer it to an agent. An agent let go of one: offer them the waiting ones.
        let now_owner = turn.conversation.owner;
        let freed = matches!(before_owner, Owner::Agent { .. })
            && (now_owner != before_owner || matches!(turn.conversation.status, Status::Resolved | Status::Snoozed));
        if let Owner::Queue { .. } = now_owner {
            self.assign(tenant, id).await?;
        }
        if freed {
            self.assign_waiting(tenant).await?;
        }
        // Reopened by an unhappy customer: a person takes it from here (the AI never answers them).
        if then_request_human && turn.conversation.owner == Owner::Ai {
            return Box::pin(self.command(tenant, id, AgentAction::RequestHuman)).await;
        }
        Ok(CommandOutcome {
            view,
            message: stored.into_iter().next(),
        })
    }
}
