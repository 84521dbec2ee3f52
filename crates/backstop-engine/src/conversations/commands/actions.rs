//! Each action's own rules: what the state machine must allow, what changes on the conversation,
//! what is recorded and what the customer is told. `Change` carries it to `finish`.

use backstop_core::conversation::{Actor, Command, Owner, Priority, Status};
use backstop_core::directory::{Agent, Customer};
use backstop_core::event::{CopilotUse, Event, EventData, EventKind};
use backstop_core::message::{Author, MessageBody, MessageKind, SystemCode};
use backstop_core::routing::{Scope, Signals};
use backstop_nlp::{lang, replies};
use backstop_store::Turn;

use super::{Change, CommandOutcome, TransferTo};
use crate::conversations::assess::Understanding;
use crate::{Engine, EngineError, Result};

impl Engine {
    /// An agent takes a queued or AI-owned conversation.
    pub(super) fn take(&self, c: &mut Change, agent: &Agent) -> Result<()> {
        if let (Owner::Queue { team, .. }, Some(since)) = (c.conv.owner, c.conv.queued_at) {
            self.inner.waits.record(team, since, c.at);
        }
        let t = c.machine().apply(Command::Take { agent: agent.id })?;
        c.conv.owner = t.to.owner;
        c.conv.status = t.to.status;
        c.conv.queued_at = None;
        c.events.push(Event::transition(&t, None, EventData::None, c.at));
        c.messages.push(c.system(
            SystemCode::AgentJoined,
            Some(agent),
            replies::agent_joined(c.conv.lang, &agent.name),
        ));
        Ok(())
    }

    /// An agent's reply: stored at once (idempotent on its client id), the copilot's use and the
    /// first reply recorded, a snoozed conversation woken.
    pub(super) async fn reply(
        &self,
        mut c: Change,
        agent: &Agent,
        body: &str,
        client_id: Option<String>,
        copilot: Option<CopilotUse>,
    ) -> Result<CommandOutcome> {
        let store = &self.inner.store;
        c.machine().agent_may_reply(agent.id)?;
        let body = MessageBody::parse(body)?.into_string();
        let appended = store
            .append_message(&c.agent_message(agent, MessageKind::Text, body, client_id))
            .await?;
        if !appended.duplicate {
            self.inner.hub.publish_message(&appended.message);
            self.inner.answers.forget(&c.tenant);
        }
        c.conv = self.conversation(&c.tenant, c.id).await?;
        // The copilot's record: was a suggestion sent as it was, edited, or not used?
        let mut events: Vec<Event> = match (copilot, appended.duplicate) {
            (Some(how), false) => vec![Event::note(
                EventKind::Copilot,
                Actor::Agent(agent.id),
                Some(how.as_str().into()),
                EventData::Copilot {
                    used: how,
                    message: appended.message.id,
                },
                c.at,
            )],
            _ => vec![],
        };
        // Every public reply of a person is in the log (analytics and the outcome read it).
        if !appended.duplicate {
            events.push(Event::note(
                EventKind::AgentReply,
                Actor::Agent(agent.id),
                None,
                EventData::Reply {
                    message: appended.message.id,
                },
                c.at,
            ));
        }
        // The first human reply stops the hand-over's clock.
        if let (Some(clock), false) = (c.conv.sla.as_mut(), appended.duplicate) {
            if let Some(met) = clock.replied(c.at) {
                let secs = clock.first_reply_secs().unwrap_or(0);
                events.push(Event::note(
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
                    c.at,
                ));
            }
        }
        if c.conv.status == Status::Snoozed || !events.is_empty() {
            if c.conv.status == Status::Snoozed {
                c.conv.status = Status::Open;
                c.conv.updated_at = c.at;
            }
            self.apply_turn(&Turn {
                conversation: c.conv.clone(),
                events,
                messages: vec![],
                handled: vec![],
            })
            .await?;
        }
        let view = self.view_of(c.conv).await?;
        self.inner.hub.publish_conversation(view.clone());
        Ok(CommandOutcome {
            view,
            message: Some(appended.message),
        })
    }

    /// A private note for colleagues.
    pub(super) async fn note(&self, c: Change, agent: &Agent, body: &str) -> Result<CommandOutcome> {
        let store = &self.inner.store;
        c.machine().agent_may_note()?;
        let body = MessageBody::parse(body)?.into_string();
        let appended = store
            .append_message(&c.agent_message(agent, MessageKind::Note, body, None))
            .await?;
        self.inner.hub.publish_message(&appended.message);
        let view = self.view(&c.tenant, c.id).await?;
        Ok(CommandOutcome {
            view,
            message: Some(appended.message),
        })
    }

    /// An agent gives the conversation back to the AI (the policy's cool-down starts).
    pub(super) fn hand_back(c: &mut Change, agent: &Agent, reason: Option<String>) -> Result<()> {
        let t = c.machine().apply(Command::HandBack { agent: agent.id })?;
        c.conv.owner = t.to.owner;
        c.conv.status = t.to.status;
        c.conv.failed_turns = 0;
        c.conv.queued_at = None;
        // The policy's hand-back cool-down starts: no straight hand-over back to people.
        c.conv.policy_state.turns_since_handback = Some(0);
        c.conv.policy_state.last_rule = None;
        if let Some(clock) = c.conv.sla.as_mut() {
            clock.stop();
        }
        c.events.push(Event::transition(&t, reason, EventData::None, c.at));
        c.messages
            .push(c.system(SystemCode::HandedBack, Some(agent), replies::handed_back(c.conv.lang)));
        Ok(())
    }

    /// The customer says the AI's answer solved it: only while the AI has the open conversation.
    pub(super) fn customer_resolve(c: &mut Change) -> Result<()> {
        let t = c.machine().apply(Command::Resolve { actor: Actor::Customer })?;
        c.conv.status = t.to.status;
        c.events.push(Event::transition(
            &t,
            Some("the customer said it is solved".into()),
            EventData::None,
            c.at,
        ));
        Ok(())
    }

    /// An agent resolves it (what they answered may teach the AI).
    pub(super) fn resolve(c: &mut Change, agent: &Agent) -> Result<()> {
        let t = c.machine().apply(Command::Resolve {
            actor: Actor::Agent(agent.id),
        })?;
        c.conv.status = t.to.status;
        c.conv.queued_at = None;
        if let Some(clock) = c.conv.sla.as_mut() {
            clock.stop();
        }
        c.learn = true;
        c.events.push(Event::transition(&t, None, EventData::None, c.at));
        c.messages
            .push(c.system(SystemCode::Resolved, Some(agent), replies::resolved(c.conv.lang)));
        Ok(())
    }

    /// An agent reopens it.
    pub(super) fn reopen(c: &mut Change, agent: &Agent) -> Result<()> {
        let t = c.machine().apply(Command::Reopen {
            actor: Actor::Agent(agent.id),
        })?;
        c.conv.status = t.to.status;
        if matches!(c.conv.owner, Owner::Queue { .. }) {
            c.conv.queued_at = Some(c.at);
        }
        c.events.push(Event::transition(&t, None, EventData::None, c.at));
        c.messages
            .push(c.system(SystemCode::Reopened, Some(agent), replies::reopened(c.conv.lang)));
        Ok(())
    }

    /// An agent passes it to a team's queue or a colleague, with a private note for them.
    pub(super) async fn transfer(
        &self,
        c: &mut Change,
        agent: &Agent,
        to: TransferTo,
        note: Option<String>,
    ) -> Result<()> {
        let store = &self.inner.store;
        let note = note
            .map(|n| MessageBody::parse(&n).map(MessageBody::into_string))
            .transpose()?;
        let supervisor = agent.role.may(backstop_core::permission::Permission::Supervise);
        let (target, joined) = match to {
            TransferTo::Team(team_id) => {
                let team = store
                    .list_teams(&c.tenant)
                    .await?
                    .into_iter()
                    .find(|t| t.id == team_id)
                    .ok_or_else(|| EngineError::InvalidInput("no such team".into()))?;
                let priority = match c.conv.owner {
                    Owner::Queue { priority, .. } => priority,
                    _ => c.conv.packet.as_ref().map_or(Priority::Normal, |p| p.priority),
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
                    .get_agent(&c.tenant, agent_id)
                    .await?
                    .filter(|a| a.active)
                    .ok_or_else(|| EngineError::InvalidInput("no such agent (or deactivated)".into()))?;
                (Owner::Agent { agent: colleague.id }, Ok(colleague))
            }
        };
        let t = c.machine().apply(Command::Transfer {
            by: agent.id,
            supervisor,
            to: target,
        })?;
        c.conv.owner = t.to.owner;
        c.conv.status = t.to.status;
        c.conv.queued_at = matches!(c.conv.owner, Owner::Queue { .. }).then_some(c.at);
        c.events
            .push(Event::transition(&t, note.clone(), EventData::None, c.at));
        if let Some(body) = note {
            let appended = store
                .append_message(&c.agent_message(agent, MessageKind::Note, body, None))
                .await?;
            self.inner.hub.publish_message(&appended.message);
        }
        match joined {
            Ok(colleague) => c.messages.push(c.system(
                SystemCode::AgentJoined,
                Some(&colleague),
                replies::agent_joined(c.conv.lang, &colleague.name),
            )),
            Err(team) => {
                let mut m = c.system(
                    SystemCode::Handoff,
                    None,
                    replies::handoff(c.conv.lang, team.display_name(c.conv.lang), None),
                );
                if let Some(s) = m.system.as_mut() {
                    s.team_name = Some(team.display_name(c.conv.lang).to_string());
                }
                c.messages.push(m);
            }
        }
        Ok(())
    }

    /// The customer rates the resolved conversation; "not satisfied, get me a person" reopens it.
    pub(super) fn rate(c: &mut Change, rating: u8, comment: Option<String>, person: bool) -> Result<()> {
        if c.conv.status != Status::Resolved {
            return Err(EngineError::Transition(
                backstop_core::conversation::TransitionError::WrongStatus {
                    command: "rate",
                    status: c.conv.status.as_str(),
                },
            ));
        }
        let csat = backstop_core::csat::Csat::new(rating, comment.as_deref(), c.at)
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        c.events.push(Event::note(
            EventKind::Csat,
            Actor::Customer,
            csat.is_low().then(|| format!("rated {rating}/5: flagged for review")),
            EventData::Csat {
                rating: csat.rating,
                comment: csat.comment.clone(),
            },
            c.at,
        ));
        if csat.is_low() {
            tracing::info!(tenant = %c.tenant, conversation = %c.id, rating, "low satisfaction rating");
        }
        c.conv.csat = Some(csat);
        if person {
            let t = c.machine().apply(Command::Reopen { actor: Actor::Customer })?;
            c.conv.status = t.to.status;
            c.events.push(Event::transition(
                &t,
                Some("not satisfied: asked for a person".into()),
                EventData::None,
                c.at,
            ));
            c.messages
                .push(c.system(SystemCode::Reopened, None, replies::reopened(c.conv.lang)));
            c.then_request_human = true;
        }
        Ok(())
    }

    /// An agent approves (as written or edited) or rejects the AI's draft.
    pub(super) fn decide_draft(c: &mut Change, agent: &Agent, approve: bool, edited: Option<String>) -> Result<()> {
        let mut packet = c
            .conv
            .packet
            .clone()
            .filter(|p| p.draft.is_some())
            .ok_or_else(|| EngineError::InvalidInput("no AI draft is waiting for approval".into()))?;
        // From the queue, the deciding agent takes it first.
        if matches!(c.conv.owner, Owner::Queue { .. }) {
            let t = c.machine().apply(Command::Take { agent: agent.id })?;
            c.conv.owner = t.to.owner;
            c.conv.status = t.to.status;
            c.conv.queued_at = None;
            c.events.push(Event::transition(
                &t,
                Some("to decide on the AI draft".into()),
                EventData::None,
                c.at,
            ));
        }
        // Only the agent who holds it decides.
        c.machine().agent_may_reply(agent.id)?;
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
            let t = c.machine().apply(Command::HandBack { agent: agent.id })?;
            c.conv.owner = t.to.owner;
            c.conv.status = t.to.status;
            c.conv.failed_turns = 0;
            if let Some(clock) = c.conv.sla.as_mut() {
                clock.replied(c.at);
            }
            c.events.push(Event::transition(
                &t,
                Some(format!("AI draft {how}")),
                EventData::None,
                c.at,
            ));
            let mut answer = crate::conversations::turn::ai_message(&c.conv, body, source.into_iter().collect(), c.at);
            answer.created_at = c.at;
            c.messages.push(answer);
        } else {
            c.events.push(Event::note(
                EventKind::DraftRejected,
                Actor::Agent(agent.id),
                Some("AI draft rejected".into()),
                EventData::DraftRejected { draft },
                c.at,
            ));
        }
        c.conv.packet = Some(packet);
        Ok(())
    }

    /// The customer's "talk to a human" button: handed over as explicitly as words ask it.
    pub(super) async fn request_human(&self, c: &mut Change) -> Result<()> {
        let store = &self.inner.store;
        let customer = store.get_customer(&c.tenant, c.conv.customer).await?;
        let brain = self.brain(&c.tenant).await?;
        let recent = self.recent_messages(&c.tenant, c.id, 5).await?;
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
        signals.failed_turns = c.conv.failed_turns;
        signals.anger = feel.get(backstop_nlp::emotion::Feeling::Anger);
        signals.emotion.anger = signals.anger;
        signals.vip = customer.as_ref().is_some_and(Customer::is_vip);
        signals.turn = c.conv.mood.last().map_or(1, |p| p.turn + 1);
        signals.threat = feel.threat;
        signals.profanity = feel.profanity;
        let policy = self.policy(&c.tenant).await?;
        let trace = policy.decide(&signals, &c.conv.policy_state);
        c.conv.policy_state = policy.next_state(&c.conv.policy_state, &trace);
        let u = Understanding {
            lang: lang::detect_or(&text, c.conv.lang),
            text,
            explicit: true,
            emotion: feel,
            small_talk: None,
            best: None,
            scope: Scope::Unknown,
        };
        let (ev, notices) = self
            .handoff(&mut c.conv, &trace, &u, customer.as_ref(), &brain.kb, c.at)
            .await?;
        c.events.extend(ev);
        c.messages.extend(notices);
        Ok(())
    }
}
