//! The AI's turn: understand the customer's unhandled messages, decide with the routing policy,
//! and act — answer from the knowledge base, ask one clarifying question, or hand over with a
//! packet. The AI never sends unless it owns the open conversation, and never invents an answer:
//! what it sends is a knowledge-base article or one of the fixed sentences in `replies`.

use std::sync::Arc;

use backstop_core::conversation::Actor;
use backstop_core::conversation::Priority;
use backstop_core::conversation::{Command, Owner};
use backstop_core::directory::{Customer, Team};
use backstop_core::emotion as mood;
use backstop_core::event::{Event, EventData, EventKind};
use backstop_core::handoff::{AiAttempt, AngerReading, HandoffPacket, Tier};
use backstop_core::ids::MessageId;
use backstop_core::ids::{ConversationId, TenantId};
use backstop_core::message::{Author, Citation, MessageKind, SystemCode, SystemNote};
use backstop_core::routing::{Decision, DecisionTrace, HandoffReason, ServiceTier, TeamRole};
use backstop_nlp::emotion::Feeling;
use backstop_nlp::retrieval::{Retriever, CONFIDENT};
use backstop_nlp::{entities, replies, signals, summary};
use backstop_store::{ConversationRecord, MessageRecord, NewMessage, StoreError, Turn};

use crate::conversations::assess::{assess, Assessment, TurnInput, Understanding};
use crate::conversations::generate::Written;
use crate::knowledge::brain::{blocking, Brain};
use crate::{Engine, EngineError, Result};

/// Where a hand-over goes: reason, team role, priority, tier; `None` unless the decision hands over.
pub(crate) fn handoff_target(d: Decision) -> Option<(HandoffReason, TeamRole, Priority, ServiceTier)> {
    match d {
        Decision::Handoff {
            reason,
            role,
            priority,
            tier,
        } => Some((reason, role, priority, tier)),
        Decision::Draft { role, priority } => Some((HandoffReason::Review, role, priority, ServiceTier::L2)),
        Decision::Answer | Decision::Clarify | Decision::Act => None,
    }
}

/// The confidence from which a clarifying question names the topic of the best (not confident
/// enough) article; below it, the question is open. `CONFIDENT` is 0.5: this is most of the way.
const CLARIFY_HINT_MIN: f32 = 0.4;

/// The topic a clarifying question may offer: the best article's, when it is plausible (it nearly
/// reached the answer bar and the classifier reads the question as in scope). Otherwise none —
/// the question is asked openly, never as a guess about something the customer did not mention.
pub(crate) fn clarify_topic(kb: &backstop_nlp::hybrid::HybridIndex, u: &Understanding) -> Option<String> {
    u.best
        .filter(|h| h.confidence >= CLARIFY_HINT_MIN && u.scope != backstop_core::routing::Scope::OutOfScope)
        .and_then(|h| kb.article(h.article))
        .map(|a| a.topic.clone())
}

/// The hand-over's reason in words, with the other reasons that held after it ("Also: …").
fn explain_reasons(reason: HandoffReason, all: &[HandoffReason], lang: backstop_core::message::Lang) -> String {
    let others: Vec<&str> = all.iter().filter(|r| **r != reason).map(|r| r.explain(lang)).collect();
    match (others.is_empty(), lang) {
        (true, _) => reason.explain(lang).to_string(),
        (false, backstop_core::message::Lang::En) => format!("{}. Also: {}", reason.explain(lang), others.join("; ")),
        (false, backstop_core::message::Lang::Zh) => format!("{}。另外：{}", reason.explain(lang), others.join("；")),
    }
}

/// Whether a turn was stored. A turn the store refuses because its messages were handled in the
/// meantime (by a worker that took over) is dropped, not an error: that worker answered them.
fn applied<T>(r: std::result::Result<T, StoreError>, tenant: &TenantId, id: ConversationId) -> Result<bool> {
    match r {
        Ok(_) => Ok(true),
        Err(StoreError::Conflict(what)) => {
            tracing::info!(tenant = %tenant, conversation = %id, "turn dropped: {what}");
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

impl Engine {
    /// Handles the conversation's unhandled customer messages as one turn.
    pub(crate) async fn ai_turn(&self, tenant: &TenantId, id: ConversationId) -> Result<()> {
        let store = &self.inner.store;
        let pending = store.pending_customer_messages(tenant, id).await?;
        if pending.is_empty() {
            return Ok(());
        }
        let mut conv = self.conversation(tenant, id).await?;
        let handled: Vec<MessageId> = pending.iter().map(|m| m.id).collect();
        let mut events = Vec::new();
        let at = self.now();

        // A customer writing wakes a snoozed conversation and reopens a resolved one.
        let woke = Self::machine(&conv).apply(Command::CustomerMessage)?;
        if woke.changed() {
            events.push(Event::transition(
                &woke,
                Some("customer wrote".into()),
                EventData::None,
                at,
            ));
            conv.status = woke.to.status;
        }
        if !Self::machine(&conv).ai_may_send() {
            // A person owns it: the message waits for them, and the AI stays silent.
            conv.updated_at = at;
            let turn = Turn {
                conversation: conv,
                events,
                messages: vec![],
                handled,
            };
            if !applied(self.apply_turn(&turn).await, tenant, id)? {
                return Ok(());
            }
            self.inner
                .hub
                .publish_conversation(self.view_of(turn.conversation).await?);
            return Ok(());
        }

        let customer = store.get_customer(tenant, conv.customer).await?;
        let brain = self.brain(tenant).await?;
        let kb = &brain.kb;
        let mut a = self
            .read_turn(&conv, &pending, customer.as_ref(), brain.clone(), at)
            .await?;
        let u = a.understanding;
        conv.lang = u.lang;
        // The tenant's action this turn asks for, or the one under way.
        let (action, pick) = self.action_for_turn(&mut conv, &u, kb, &a.signals).await?;
        a.signals.action = action;
        // The automation rules of the turn (a greeting, the team for buying intent …) come first.
        let automated = self
            .automate_turn(&mut conv, &u, &a.signals, kb, customer.as_ref(), at)
            .await?;
        events.extend(automated.events);
        let mut messages = automated.messages;
        // A rule's action runs when the turn chose none (it starts as if the customer asked).
        if a.signals.action.is_none() {
            a.signals.action = automated.action;
        }
        let policy = self.policy(tenant).await?;
        let mut trace = policy.decide(&a.signals, &conv.policy_state);
        trace.pick = pick;
        conv.policy_state = policy.next_state(&conv.policy_state, &trace);
        mood::push(&mut conv.mood, a.point);

        // Whatever else the turn decides, an action under way ends unless it carries on.
        let under_way = conv.policy_state.action.take();
        match trace.decision {
            Decision::Act => {
                conv.policy_state.action = under_way;
                let name = trace.signals.action.clone().unwrap_or_default();
                let acted = self.action_turn(&mut conv, &name, &u, customer.as_ref(), at).await?;
                trace.generation = acted.generation;
                events.extend(acted.events);
                messages.extend(acted.messages);
                match acted.handover {
                    Some(h) => {
                        trace.decision = Decision::Handoff {
                            reason: h.reason,
                            role: h.role,
                            priority: h.priority,
                            tier: h.tier,
                        };
                        trace.reasons = vec![h.reason];
                        conv.policy_state.action = None;
                        let (new_events, notices) =
                            self.handoff(&mut conv, &trace, &u, customer.as_ref(), kb, at).await?;
                        if let Some(packet) = conv.packet.as_mut() {
                            packet.action = h.proposed;
                        }
                        events.extend(new_events);
                        messages.extend(notices);
                    }
                    None => {
                        conv.failed_turns = 0;
                        events.push(decision_event(EventKind::AiAnswer, &trace, &u.text, at));
                    }
                }
            }
            Decision::Handoff { .. } | Decision::Draft { .. } => {
                let (new_events, notices) = self.handoff(&mut conv, &trace, &u, customer.as_ref(), kb, at).await?;
                events.extend(new_events);
                messages.extend(notices);
            }
            Decision::Answer | Decision::Clarify
                if u.small_talk.is_some() && u.best.is_none_or(|h| h.confidence < CONFIDENT) =>
            {
                let tenant_name = store.get_tenant(tenant).await?.map(|t| t.name).unwrap_or_default();
                let kind = u.small_talk.expect("checked above");
                messages.push(ai_message(
                    &conv,
                    replies::small_talk(u.lang, kind, &tenant_name),
                    vec![],
                    at,
                ));
                events.push(decision_event(EventKind::AiSmallTalk, &trace, &u.text, at));
            }
            Decision::Answer => {
                let hit = u.best.expect("a confident decision has a hit");
                // In the customer's language when the knowledge base has it; otherwise the article
                // found (cross-lingual retrieval), introduced as being in its own language.
                let article = kb.translation(hit.article, u.lang).or_else(|| kb.article(hit.article));
                let article = article.ok_or_else(|| EngineError::Internal("hit without article".into()))?;
                // The passage(s) that answer, not the whole body (which the citation carries).
                let passage = kb.excerpt(article.id, &u.text).unwrap_or_else(|| article.body.clone());
                let cite = Citation {
                    article_id: article.id,
                    title: article.title.clone(),
                    article: (passage.trim() != article.body.trim()).then(|| article.body.clone()),
                };
                // The tenant's model may write it (checked before it is sent).
                let written = self.write_answer(&conv, &u, article, customer.as_ref()).await?;
                let mut written = written.map(|(w, g)| {
                    trace.generation = Some(g);
                    w
                });
                // The extractive answer passes the guard too: what no article should make the AI
                // say (someone's personal data, an insult, the instructions) hands over instead.
                if matches!(written, None | Some(Written::Fallback))
                    && self.extractive_blocked(&conv, &u, article, &passage).await?
                {
                    written = Some(Written::Handoff);
                }
                match written {
                    Some(Written::Answer(text)) => {
                        conv.failed_turns = 0;
                        conv.topic = Some(article.topic.clone());
                        messages.push(ai_message(&conv, text, vec![cite], at));
                        events.push(decision_event(EventKind::AiAnswer, &trace, &u.text, at));
                    }
                    Some(Written::Declined) => {
                        conv.failed_turns += 1;
                        messages.push(ai_message(&conv, replies::clarify(u.lang, None), vec![], at));
                        events.push(decision_event(EventKind::AiClarify, &trace, &u.text, at));
                    }
                    Some(Written::Handoff) => {
                        trace.decision = Decision::Handoff {
                            reason: HandoffReason::Guard,
                            role: TeamRole::General,
                            priority: Priority::Normal,
                            tier: ServiceTier::L2,
                        };
                        trace.reasons = vec![HandoffReason::Guard];
                        let (new_events, notices) =
                            self.handoff(&mut conv, &trace, &u, customer.as_ref(), kb, at).await?;
                        events.extend(new_events);
                        messages.extend(notices);
                    }
                    None | Some(Written::Fallback) => {
                        // A customer writing neither Chinese nor English is told, in their
                        // language, that the answer is in the article's.
                        let code = self.language_code(&conv, &u.text, u.lang).await?;
                        let body = if code != "zh" && code != "en" {
                            format!("{}\n\n{}", replies::only_in(&code, article.lang), passage.trim())
                        } else if article.lang == u.lang {
                            replies::answer(u.lang, &passage)
                        } else {
                            replies::answer_in_other_language(u.lang, article.lang, &passage)
                        };
                        conv.failed_turns = 0;
                        conv.topic = Some(article.topic.clone());
                        messages.push(ai_message(&conv, body, vec![cite], at));
                        events.push(decision_event(EventKind::AiAnswer, &trace, &u.text, at));
                    }
                }
            }
            Decision::Clarify => {
                // A topic is offered only when it is plausible: the article nearly reached the
                // answer bar and the classifier reads the question as in scope. Otherwise the
                // question is open (never a guess about something the customer did not mention).
                let hint = match clarify_topic(kb, &u) {
                    // Without the names (a failed read), the topic is offered by its slug.
                    Some(t) => Some(
                        self.topic_names(tenant)
                            .await
                            .inspect_err(|e| tracing::warn!(error = %e, "topic names unread"))
                            .unwrap_or_default()
                            .label(u.lang, &t),
                    ),
                    None => None,
                };
                conv.failed_turns += 1;
                messages.push(ai_message(&conv, replies::clarify(u.lang, hint.as_deref()), vec![], at));
                events.push(decision_event(EventKind::AiClarify, &trace, &u.text, at));
            }
        }
        conv.updated_at = at;
        let turn = Turn {
            conversation: conv,
            events,
            messages,
            handled,
        };
        let result = self.apply_turn(&turn).await;
        let stored = match result {
            Ok(stored) => stored,
            Err(e) => {
                applied::<()>(Err(e), tenant, id)?;
                return Ok(());
            }
        };
        for m in &stored {
            self.inner.hub.publish_message(m);
        }
        // The view from what the turn holds: its customer and the last message it stored.
        let view = match stored.last() {
            Some(last) => {
                self.view_with(turn.conversation.clone(), customer.clone(), Some(last.clone()))
                    .await?
            }
            None => self.view_of(turn.conversation.clone()).await?,
        };
        self.inner.hub.publish_conversation(view);
        if turn.events.iter().any(|e| e.kind == EventKind::Handoff) {
            self.summarize_later(&turn.conversation);
        }
        if let Owner::Queue { team, .. } = turn.conversation.owner {
            self.refresh_queue(tenant, team).await?;
            self.assign(tenant, id).await?;
        }
        Ok(())
    }

    /// Reads the turn (understanding, emotion, stakes) on a blocking thread.
    async fn read_turn(
        &self,
        conv: &ConversationRecord,
        pending: &[MessageRecord],
        customer: Option<&Customer>,
        brain: Arc<Brain>,
        at: backstop_core::Timestamp,
    ) -> Result<Assessment> {
        let texts: Vec<String> = pending.iter().map(|m| m.body.clone()).collect();
        let history = self.recent_messages(&conv.tenant, conv.id, 30).await?;
        let earlier: Vec<String> = history
            .iter()
            .rev()
            .filter(|m| m.author == Author::Customer && !pending.iter().any(|p| p.id == m.id))
            .map(|m| m.body.clone())
            .rev()
            .collect();
        // The AI's last word before this turn: was it an answer from the knowledge base?
        let first_pending = pending.first().map(|m| m.seq).unwrap_or(i64::MAX);
        let after_answer = history
            .iter()
            .filter(|m| m.seq < first_pending && m.author != Author::Customer)
            .max_by_key(|m| m.seq)
            .is_some_and(|m| m.author == Author::Ai && !m.citations.is_empty());
        // How long the customer has waited since their previous unanswered message.
        let waited_minutes = pending
            .first()
            .map(|m| ((at - m.created_at).whole_seconds().max(0) as f32) / 60.0)
            .filter(|m| *m >= 1.0);
        let embedder = self.inner.config.embedder.clone();
        let radar = self.inner.radar.clone();
        let mood = conv.mood.clone();
        let (lang, failed_turns) = (conv.lang, conv.failed_turns);
        let vip = customer.is_some_and(Customer::is_vip);
        let channel = conv.channel;
        let agents_available = Some(self.agents_online(&conv.tenant));
        // Open when any team is within its business hours.
        let business_hours = self
            .inner
            .store
            .list_teams(&conv.tenant)
            .await?
            .iter()
            .any(|t| t.hours.is_open(at));
        blocking(move || {
            Ok(assess(
                &brain,
                embedder.as_deref(),
                &radar,
                &TurnInput {
                    texts: &texts,
                    earlier: &earlier,
                    lang,
                    failed_turns,
                    mood: &mood,
                    after_answer,
                    vip,
                    customer_value: None,
                    channel: channel.as_str(),
                    business_hours,
                    agents_available,
                    waited_minutes,
                    at,
                },
            ))
        })
        .await
    }

    /// Moves the conversation to the right team's queue and builds the handoff packet.
    pub(crate) async fn handoff(
        &self,
        conv: &mut ConversationRecord,
        trace: &DecisionTrace,
        u: &Understanding,
        customer: Option<&Customer>,
        kb: &dyn Retriever,
        at: backstop_core::Timestamp,
    ) -> Result<(Vec<Event>, Vec<NewMessage>)> {
        let Some((reason, role, priority, _tier)) = handoff_target(trace.decision) else {
            return Err(EngineError::Internal("handoff without a handoff decision".into()));
        };
        // The customer's language, any of them: it picks among the teams of the role, and the
        // agent who speaks it.
        let code = self.language_code(conv, &u.text, u.lang).await?;
        let teams = self.inner.store.list_teams(&conv.tenant).await?;
        // The hand-over's automation rules, then the team a rule chose (buying intent to sales)
        // or the policy's, at the higher of the two priorities.
        let automated = self
            .automate_handoff(conv, trace, u, reason, &code, &teams, kb, customer, at)
            .await?;
        let memory = &conv.policy_state.automation;
        let priority = memory.priority.map_or(priority, |p| p.max(priority));
        let chosen = memory
            .team
            .as_deref()
            .and_then(|n| backstop_core::directory::team_named(&teams, n));
        let team: Team = chosen
            .or_else(|| backstop_core::directory::team_for(&teams, role, &code))
            .cloned()
            .ok_or_else(|| EngineError::Internal(format!("tenant {} has no team to hand over to", conv.tenant)))?;
        let transition = Self::machine(conv).apply(Command::Handoff {
            team: team.id,
            priority,
            reason,
        })?;
        conv.owner = transition.to.owner;
        conv.queued_at = Some(at);
        conv.handoff_reason = Some(reason);
        if let Some(h) = u.best {
            conv.topic = conv
                .topic
                .clone()
                .or_else(|| kb.article(h.article).map(|a| a.topic.clone()));
        }
        let mut packet = self.packet(conv, trace, reason, &team, u, customer, kb, at).await?;
        packet.language_code = Some(code);
        conv.packet = Some(packet);
        // The first-reply clock starts now; nobody to answer makes it a ticket at once.
        let vip = customer.is_some_and(Customer::is_vip) || priority == Priority::Urgent;
        let ticket = self.start_sla(conv, &team, vip, at).await?;
        let data = EventData::decision(trace, &u.text);
        let mut events = automated.events;
        events.push(Event::transition(&transition, Some(reason.as_str().into()), data, at));
        let mut messages = automated.messages;
        if let Some(ticket) = ticket {
            events.push(Self::ticket_event(&team, ticket, at));
            conv.lang = u.lang;
            messages.push(Self::ticket_notice(conv, &team, ticket, at));
            tracing::info!(tenant = %conv.tenant, conversation = %conv.id, reason = reason.as_str(), team = %team.name, ticket = ticket.reason.as_str(), "handed off as a ticket");
            return Ok((events, messages));
        }
        let note = SystemNote {
            code: SystemCode::Handoff,
            team_name: Some(team.display_name(u.lang).to_string()),
            agent_name: None,
        };
        let msg = NewMessage::system(
            conv,
            note,
            replies::handoff(u.lang, team.display_name(u.lang), None),
            at,
        );
        tracing::info!(tenant = %conv.tenant, conversation = %conv.id, reason = reason.as_str(), team = %team.name, "handed off");
        messages.push(msg);
        Ok((events, messages))
    }

    #[allow(clippy::too_many_arguments)]
    async fn packet(
        &self,
        conv: &ConversationRecord,
        trace: &DecisionTrace,
        reason: HandoffReason,
        team: &Team,
        u: &Understanding,
        customer: Option<&Customer>,
        kb: &dyn Retriever,
        at: backstop_core::Timestamp,
    ) -> Result<HandoffPacket> {
        let history = self.recent_messages(&conv.tenant, conv.id, 200).await?;
        let customer_turns: Vec<&str> = history
            .iter()
            .filter(|m| m.author == Author::Customer)
            .map(|m| m.body.as_str())
            .collect();
        let mut facts = Vec::new();
        // The summary is about what the customer wants; a bare "转人工" adds nothing to it.
        let asked: Vec<&str> = customer_turns
            .iter()
            .copied()
            .filter(|t| !(signals::asks_for_human(t) && t.chars().count() <= 24))
            .collect();
        for t in &customer_turns {
            for f in entities::extract(t) {
                if !facts.contains(&f) {
                    facts.push(f);
                }
            }
        }
        // What the AI tried: each customer question and the AI message that followed it.
        let mut attempts = Vec::new();
        for (i, m) in history.iter().enumerate() {
            if m.author != Author::Customer {
                continue;
            }
            if let Some(reply) = history[i + 1..].iter().find(|r| r.author != Author::Customer) {
                if reply.author == Author::Ai {
                    let cite = reply.citations.first();
                    attempts.push(AiAttempt {
                        question: m.body.clone(),
                        answer_title: cite.map(|c| c.title.clone()),
                        article_id: cite.map(|c| c.article_id),
                        confident: cite.is_some(),
                    });
                }
            }
        }
        let current = u.best.and_then(|h| kb.article(h.article).map(|a| (h, a)));
        // The turn that triggered the handoff is an attempt too, unless it was only the customer
        // asking for a person (words or button): then the AI tried nothing new.
        if reason != HandoffReason::CustomerRequest && !u.text.is_empty() {
            attempts.push(AiAttempt {
                question: u.text.clone(),
                answer_title: current.map(|(_, a)| a.title.clone()),
                article_id: current.map(|(_, a)| a.id),
                confident: current.is_some_and(|(h, _)| h.confidence >= CONFIDENT),
            });
        }
        let topic = conv.topic.clone().or_else(|| current.map(|(_, a)| a.topic.clone()));
        Ok(HandoffPacket {
            summary: summary::summarize(u.lang, &asked, 280),
            topic,
            reason,
            reason_text: explain_reasons(reason, &trace.reasons, u.lang),
            team_id: team.id,
            team_name: team.name.clone(),
            priority: match conv.owner {
                Owner::Queue { priority, .. } => priority,
                _ => backstop_core::conversation::Priority::Normal,
            },
            tier: if customer.is_some_and(Customer::is_vip) {
                Tier::Vip
            } else {
                Tier::Standard
            },
            language: u.lang,
            facts,
            ai_attempts: attempts,
            anger: AngerReading {
                score: u.emotion.get(Feeling::Anger),
                cues: u.emotion.cues.clone(),
            },
            trace: Some(trace.clone()),
            created_at: at,
            service_tier: handoff_target(trace.decision).map_or(ServiceTier::L2, |t| t.3),
            emotion: Some(backstop_core::emotion::EmotionScores {
                anger: u.emotion.get(Feeling::Anger),
                frustration: u.emotion.get(Feeling::Frustration),
                anxiety: u.emotion.get(Feeling::Anxiety),
                sadness: u.emotion.get(Feeling::Sadness),
                satisfaction: u.emotion.get(Feeling::Satisfaction),
            }),
            mood: conv.mood.clone(),
            inflection: trace.signals.inflection,
            draft: match trace.decision {
                Decision::Draft { .. } => current
                    .filter(|(h, _)| h.confidence >= CONFIDENT)
                    .map(|(_, a)| replies::answer(u.lang, &a.body)),
                _ => None,
            },
            ai_summary: None,
            action: None,
            tags: conv.policy_state.automation.tags.clone(),
            language_code: None,
            draft_source: match trace.decision {
                Decision::Draft { .. } => current
                    .filter(|(h, _)| h.confidence >= CONFIDENT)
                    .map(|(_, a)| Citation {
                        article_id: a.id,
                        title: a.title.clone(),
                        article: None,
                    }),
                _ => None,
            },
        })
    }
}

pub(crate) fn ai_message(
    conv: &ConversationRecord,
    body: String,
    citations: Vec<Citation>,
    at: backstop_core::Timestamp,
) -> NewMessage {
    NewMessage {
        id: MessageId::new_at(at),
        tenant: conv.tenant.clone(),
        conversation: conv.id,
        author: Author::Ai,
        kind: MessageKind::Text,
        body,
        client_id: None,
        citations,
        system: None,
        handled: true,
        created_at: at,
    }
}

/// What the AI decided on a turn; `question` (the turn's customer text) is what gap mining reads.
fn decision_event(kind: EventKind, trace: &DecisionTrace, question: &str, at: backstop_core::Timestamp) -> Event {
    Event::note(
        kind,
        Actor::Ai,
        Some(trace.rule.clone()),
        EventData::decision(trace, question),
        at,
    )
}
