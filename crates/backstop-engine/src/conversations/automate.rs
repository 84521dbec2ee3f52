//! Automation rules on a conversation (the policy's `[[automation]]` tables, see
//! `backstop_core::automation`): run on the conversation's first customer turn, on each turn,
//! on a hand-over (before the team is picked), on assignment, resolution and rating, and by the
//! idle sweep. What a firing does lands in the same write as the event that caused it: a greeting
//! from the AI, a private note, the conversation's memory (tags, priority, team), the action the
//! AI's turn runs, and one `automation` event naming the rule.

use backstop_core::automation::{self, AutomationRule, Facts, Firing, Trigger};
use backstop_core::conversation::{Actor, Status};
use backstop_core::directory::{team_named, Customer, Team};
use backstop_core::event::{Event, EventData, EventKind};
use backstop_core::ids::{ConversationId, MessageId, TenantId};
use backstop_core::message::{Author, MessageKind, SystemCode, SystemNote};
use backstop_core::routing::{DecisionTrace, HandoffReason, Signals};
use backstop_nlp::retrieval::{Retriever, CONFIDENT};
use backstop_store::{ConversationRecord, NewMessage, Turn};

use crate::conversations::assess::Understanding;
use crate::conversations::turn::ai_message;
use crate::{Engine, Result};

/// What firings add to a write.
#[derive(Default)]
pub(crate) struct Automated {
    pub events: Vec<Event>,
    pub messages: Vec<NewMessage>,
    /// The action a rule runs on this turn (`run_action`), when nothing else chose one.
    pub action: Option<String>,
}

impl Automated {
    pub(crate) fn extend(&mut self, other: Automated) {
        self.events.extend(other.events);
        self.messages.extend(other.messages);
        if self.action.is_none() {
            self.action = other.action;
        }
    }
}

/// What a turn is about, as rules name it: the answering article's slug and topic (when it is
/// confident), the classifier's label, the sensitive matters.
pub(crate) fn turn_intents(u: &Understanding, signals: &Signals, kb: &dyn Retriever) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = u
        .best
        .filter(|h| h.confidence >= CONFIDENT)
        .and_then(|h| kb.article(h.article))
    {
        out.push(a.slug.clone());
        out.push(a.topic.clone());
    }
    out.extend(signals.intent.clone());
    out.extend(signals.sensitive.iter().map(|s| s.as_str().to_string()));
    out.dedup();
    out
}

/// Runs the rules due for `facts` on `conv` (no I/O): each firing's messages, memory and event.
/// `teams` are the tenant's, `actions` the names of those the AI may run.
pub(crate) fn fire(
    conv: &mut ConversationRecord,
    rules: &[AutomationRule],
    facts: &Facts,
    (teams, actions): (&[Team], &[String]),
    at: backstop_core::Timestamp,
) -> Automated {
    let mut out = Automated::default();
    let due: Vec<AutomationRule> = automation::due(rules, facts, &conv.policy_state.automation)
        .into_iter()
        .cloned()
        .collect();
    for rule in due {
        let mut firing = Firing {
            rule: rule.name.clone(),
            trigger: facts.trigger,
            did: Vec::new(),
            failed: Vec::new(),
        };
        let mut kept = rule.clone();
        if let Some(greet) = &rule.then.greet {
            out.messages.push(ai_message(
                conv,
                automation::say(greet, conv.lang).to_string(),
                vec![],
                at,
            ));
            firing.did.push("greet".into());
        }
        if let Some(note) = &rule.then.note {
            out.messages.push(note_message(conv, &rule.name, note, at));
            firing.did.push("note".into());
        }
        firing.did.extend(rule.then.tag.iter().map(|t| format!("tag:{t}")));
        if let Some(p) = rule.then.priority {
            firing.did.push(format!("priority:{}", p.as_str()));
        }
        if let Some(name) = &rule.then.assign_team {
            match team_named(teams, name) {
                Some(t) => {
                    kept.then.assign_team = Some(t.name.clone());
                    firing.did.push(format!("assign_team:{}", t.name));
                }
                None => {
                    kept.then.assign_team = None;
                    firing.failed.push(format!("assign_team:{name}: no team of this name"));
                }
            }
        }
        if let Some(name) = &rule.then.run_action {
            if actions.iter().any(|a| a == name) {
                out.action.get_or_insert_with(|| name.clone());
                firing.did.push(format!("run_action:{name}"));
            } else {
                firing
                    .failed
                    .push(format!("run_action:{name}: no such action of the AI's"));
            }
        }
        if let Some(close) = &rule.then.close {
            out.messages.push(NewMessage::system(
                conv,
                SystemNote {
                    code: SystemCode::Resolved,
                    team_name: None,
                    agent_name: None,
                },
                automation::say(close, conv.lang).to_string(),
                at,
            ));
            firing.did.push("close".into());
        }
        conv.policy_state.automation.record(&kept);
        tracing::info!(tenant = %conv.tenant, conversation = %conv.id, rule = %rule.name, on = facts.trigger.as_str(), "automation fired");
        out.events.push(Event::note(
            EventKind::Automation,
            Actor::System,
            Some(rule.name.clone()),
            EventData::Automation(firing),
            at,
        ));
    }
    out
}

/// A rule's note for the agents (never sent to the customer).
fn note_message(conv: &ConversationRecord, rule: &str, body: &str, at: backstop_core::Timestamp) -> NewMessage {
    NewMessage {
        id: MessageId::new_at(at),
        tenant: conv.tenant.clone(),
        conversation: conv.id,
        author: Author::System,
        kind: MessageKind::Note,
        body: format!("⚡ {rule}: {}", body.trim()),
        client_id: None,
        citations: vec![],
        system: None,
        handled: true,
        created_at: at,
    }
}

/// The facts every trigger shares.
pub(crate) struct Scene<'a> {
    pub language: &'a str,
    pub customer: Option<&'a Customer>,
    pub business_hours: bool,
    /// The channel the conversation runs on.
    pub channel: &'a str,
}

impl Scene<'_> {
    pub(crate) fn facts<'f>(&'f self, trigger: Trigger, page: Option<&'f str>, intents: &'f [String]) -> Facts<'f> {
        Facts {
            trigger,
            language: self.language,
            channel: self.channel,
            page,
            intents,
            customer_tags: self.customer.map_or(&[], |c| c.tags.as_slice()),
            customer_value: None,
            business_hours: self.business_hours,
            idle_minutes: None,
            rating: None,
            handoff_reason: None,
        }
    }
}

impl Engine {
    /// The customer turn's rules: `conversation_started` on the first, then `message`.
    pub(crate) async fn automate_turn(
        &self,
        conv: &mut ConversationRecord,
        u: &Understanding,
        signals: &Signals,
        kb: &dyn Retriever,
        customer: Option<&Customer>,
        at: backstop_core::Timestamp,
    ) -> Result<Automated> {
        let policy = self.policy(&conv.tenant).await?;
        let first = !conv.policy_state.automation.started;
        conv.policy_state.automation.started = true;
        if policy.automations.is_empty() {
            return Ok(Automated::default());
        }
        let teams = self.inner.store.list_teams(&conv.tenant).await?;
        let code = self.language_code(conv, &u.text, u.lang).await?;
        let scene = Scene {
            language: &code,
            customer,
            business_hours: signals.business_hours,
            channel: conv.channel.as_str(),
        };
        let intents = turn_intents(u, signals, kb);
        let page = conv.policy_state.automation.page.clone();
        let actions: Vec<String> = if policy.automations.iter().any(|r| r.then.run_action.is_some()) {
            crate::conversations::act::live(self, conv)
                .await?
                .into_iter()
                .filter(|(_, a)| a.spec.panel.is_none())
                .map(|(_, a)| a.name().to_string())
                .collect()
        } else {
            Vec::new()
        };
        let mut out = Automated::default();
        if first {
            let facts = scene.facts(Trigger::ConversationStarted, page.as_deref(), &intents);
            out.extend(fire(conv, &policy.automations, &facts, (&teams, &actions), at));
        }
        let facts = scene.facts(Trigger::Message, page.as_deref(), &intents);
        out.extend(fire(conv, &policy.automations, &facts, (&teams, &actions), at));
        Ok(out)
    }

    /// The hand-over's rules, before its team is picked.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn automate_handoff(
        &self,
        conv: &mut ConversationRecord,
        trace: &DecisionTrace,
        u: &Understanding,
        reason: HandoffReason,
        code: &str,
        teams: &[Team],
        kb: &dyn Retriever,
        customer: Option<&Customer>,
        at: backstop_core::Timestamp,
    ) -> Result<Automated> {
        let policy = self.policy(&conv.tenant).await?;
        if !policy.automations.iter().any(|r| r.on == Trigger::Handoff) {
            return Ok(Automated::default());
        }
        let intents = turn_intents(u, &trace.signals, kb);
        let scene = Scene {
            language: code,
            customer,
            business_hours: trace.signals.business_hours,
            channel: conv.channel.as_str(),
        };
        let page = conv.policy_state.automation.page.clone();
        let mut facts = scene.facts(Trigger::Handoff, page.as_deref(), &intents);
        facts.handoff_reason = Some(reason);
        Ok(fire(conv, &policy.automations, &facts, (teams, &[]), at))
    }

    /// The rules of an event a person caused (assigned, resolved, rated), on `conv` as it is
    /// about to be stored.
    pub(crate) async fn automate_event(
        &self,
        conv: &mut ConversationRecord,
        trigger: Trigger,
        rating: Option<u8>,
        at: backstop_core::Timestamp,
    ) -> Result<Automated> {
        self.automate_settled(conv, trigger, rating, None, at).await
    }

    /// The rules of an event with no customer text (assigned, resolved, rated, idle).
    async fn automate_settled(
        &self,
        conv: &mut ConversationRecord,
        trigger: Trigger,
        rating: Option<u8>,
        idle_minutes: Option<u32>,
        at: backstop_core::Timestamp,
    ) -> Result<Automated> {
        let policy = self.policy(&conv.tenant).await?;
        if !policy.automations.iter().any(|r| r.on == trigger) {
            return Ok(Automated::default());
        }
        let teams = self.inner.store.list_teams(&conv.tenant).await?;
        let customer = self.inner.store.get_customer(&conv.tenant, conv.customer).await?;
        let code = conv.lang.as_str().to_string();
        let scene = Scene {
            language: &code,
            customer: customer.as_ref(),
            business_hours: teams.iter().any(|t| t.hours.is_open(at)),
            channel: conv.channel.as_str(),
        };
        let page = conv.policy_state.automation.page.clone();
        let mut facts = scene.facts(trigger, page.as_deref(), &[]);
        facts.rating = rating;
        facts.idle_minutes = idle_minutes;
        Ok(fire(conv, &policy.automations, &facts, (&teams, &[]), at))
    }

    /// Sends each tenant's conversations that have been idle as long as its shortest idle rule
    /// waits to their actors (at most 200 per tenant per sweep, the most recently active first);
    /// returns how many were sent.
    pub(crate) async fn idle_sweep(&self) -> Result<usize> {
        let at = self.now();
        let mut sent = 0;
        for tenant in self.inner.store.list_tenant_ids().await? {
            let policy = self.policy(&tenant).await?;
            let shortest = policy
                .automations
                .iter()
                .filter(|r| r.on == Trigger::Idle)
                .filter_map(|r| r.when.idle_minutes)
                .min();
            let Some(minutes) = shortest else { continue };
            let before = at - time::Duration::minutes(i64::from(minutes));
            for id in self.inner.store.idle_conversations(&tenant, before, 200).await? {
                self.send_idle(&tenant, id);
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// The idle rules of one open conversation: run on its actor by the sweep. A rule that
    /// closes resolves the conversation with its notice.
    pub(crate) async fn automate_idle(&self, tenant: &TenantId, id: ConversationId) -> Result<bool> {
        let mut conv = self.conversation(tenant, id).await?;
        let at = self.now();
        let Some(last) = conv.last_message_at else {
            return Ok(false);
        };
        if conv.status != Status::Open {
            return Ok(false);
        }
        let minutes = ((at - last).whole_minutes().max(0)).min(i64::from(u32::MAX)) as u32;
        let fired = self
            .automate_settled(&mut conv, Trigger::Idle, None, Some(minutes), at)
            .await?;
        if fired.events.is_empty() {
            return Ok(false);
        }
        let mut events = fired.events;
        let closes = events
            .iter()
            .any(|e| matches!(&e.data, EventData::Automation(f) if f.did.iter().any(|d| d == "close")));
        if closes {
            let t =
                Self::machine(&conv).apply(backstop_core::conversation::Command::Resolve { actor: Actor::System })?;
            events.push(Event::transition(&t, Some("idle".into()), EventData::None, at));
            conv.owner = t.to.owner;
            conv.status = t.to.status;
        }
        conv.updated_at = at;
        let turn = Turn {
            conversation: conv,
            events,
            messages: fired.messages,
            handled: vec![],
        };
        let stored = self.apply_turn(&turn).await?;
        for m in &stored {
            self.inner.hub.publish_message(m);
        }
        self.inner
            .hub
            .publish_conversation(self.view_of(turn.conversation).await?);
        Ok(true)
    }
}
