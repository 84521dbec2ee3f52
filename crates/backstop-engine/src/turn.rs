//! The AI's turn: understand the customer's unhandled messages, decide with the routing policy,
//! and act — answer from the knowledge base, ask one clarifying question, or hand over with a
//! packet. The AI never sends unless it owns the open conversation, and never invents an answer:
//! what it sends is a knowledge-base article or one of the fixed sentences in `replies`.

use std::sync::Arc;

use backstop_core::conversation::{Command, Owner};
use backstop_core::directory::{Customer, Team};
use backstop_core::handoff::{AiAttempt, AngerReading, HandoffPacket, Tier};
use backstop_core::ids::MessageId;
use backstop_core::ids::{ConversationId, TenantId};
use backstop_core::message::{Author, Citation, Lang, MessageKind, SystemCode, SystemNote};
use backstop_core::routing::{Decision, DecisionTrace, HandoffReason, Retrieval, Scope, Signals};
use backstop_nlp::retrieval::{Hit, Retriever, CONFIDENT};
use backstop_nlp::{entities, replies, signals, summary};
use backstop_store::{ConversationRecord, MessageRecord, NewEvent, NewMessage, Turn};

use crate::brain::{blocking, Brain};
use crate::{now, Engine, EngineError, Result};

/// What understanding found for one turn.
pub(crate) struct Understanding {
    pub(crate) lang: Lang,
    pub(crate) text: String,
    pub(crate) explicit: bool,
    pub(crate) anger: signals::AngerSignal,
    pub(crate) small_talk: Option<signals::SmallTalk>,
    pub(crate) best: Option<Hit>,
    /// The intent classifier's verdict on the question.
    pub(crate) scope: Scope,
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
        let at = now();

        // A customer writing wakes a snoozed conversation and reopens a resolved one.
        let woke = Self::machine(&conv).apply(Command::CustomerMessage)?;
        if woke.changed() {
            events.push(transition_event(
                &woke,
                Some("customer wrote".into()),
                serde_json::Value::Null,
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
            store.apply_turn(&turn).await?;
            self.inner
                .hub
                .publish_conversation(self.view_of(turn.conversation).await?);
            return Ok(());
        }

        let customer = store.get_customer(tenant, conv.customer).await?;
        let brain = self.brain(tenant).await?;
        let kb = &brain.kb;
        let u = self.understand(&conv, &pending, brain.clone()).await?;
        conv.lang = u.lang;
        let vip = customer.as_ref().is_some_and(Customer::is_vip);
        let retrieval = match u.best {
            Some(h) if h.confidence >= CONFIDENT => Retrieval::Confident {
                confidence: h.confidence,
            },
            Some(h) => Retrieval::Weak {
                confidence: h.confidence,
            },
            None => Retrieval::NoMatch,
        };
        let signals = Signals {
            explicit_request: u.explicit,
            retrieval,
            failed_turns: conv.failed_turns,
            anger: u.anger.score,
            vip,
            scope: u.scope,
        };
        let trace = self.inner.config.policy.decide(&signals);

        let mut messages = Vec::new();
        match trace.decision {
            Decision::Handoff { .. } => {
                let (new_events, notice) = self.handoff(&mut conv, &trace, &u, customer.as_ref(), kb, at).await?;
                events.extend(new_events);
                messages.push(notice);
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
                events.push(decision_event("small_talk", &trace, at));
            }
            Decision::Answer => {
                let hit = u.best.expect("a confident decision has a hit");
                // In the customer's language when the knowledge base has it; otherwise the article
                // found (cross-lingual retrieval), introduced as being in its own language.
                let article = kb.translation(hit.article, u.lang).or_else(|| kb.article(hit.article));
                let article = article.ok_or_else(|| EngineError::Internal("hit without article".into()))?;
                let body = if article.lang == u.lang {
                    replies::answer(u.lang, &article.body)
                } else {
                    replies::answer_in_other_language(u.lang, article.lang, &article.body)
                };
                conv.failed_turns = 0;
                conv.topic = Some(article.topic.clone());
                let cite = Citation {
                    article_id: article.id,
                    title: article.title.clone(),
                };
                messages.push(ai_message(&conv, body, vec![cite], at));
                events.push(decision_event("answer", &trace, at));
            }
            Decision::Clarify => {
                let hint = u
                    .best
                    .and_then(|h| kb.article(h.article))
                    .map(|a| replies::topic_name(u.lang, &a.topic));
                conv.failed_turns += 1;
                messages.push(ai_message(&conv, replies::clarify(u.lang, hint.as_deref()), vec![], at));
                events.push(decision_event("clarify", &trace, at));
            }
        }
        conv.updated_at = at;
        let turn = Turn {
            conversation: conv,
            events,
            messages,
            handled,
        };
        let stored = store.apply_turn(&turn).await?;
        for m in &stored {
            self.inner.hub.publish_message(m);
        }
        let view = self.view_of(turn.conversation.clone()).await?;
        self.inner.hub.publish_conversation(view);
        if let Owner::Queue { team, .. } = turn.conversation.owner {
            self.refresh_queue(tenant, team).await?;
        }
        Ok(())
    }

    async fn understand(
        &self,
        conv: &ConversationRecord,
        pending: &[MessageRecord],
        brain: Arc<Brain>,
    ) -> Result<Understanding> {
        let texts: Vec<&str> = pending.iter().map(|m| m.body.as_str()).collect();
        let text = texts.join("\n");
        let explicit = texts.iter().any(|t| signals::asks_for_human(t));
        let anger = texts
            .iter()
            .map(|t| signals::anger(t))
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .expect("pending is not empty");
        let small_talk = if texts.len() == 1 {
            signals::small_talk(&text)
        } else {
            None
        };
        // Each message on its own, all of them together, and — when the customer is answering our
        // clarifying question — together with what they asked before. The last message comes
        // first: when nothing matches, its reading (language, scope) is the one that counts.
        let mut candidates: Vec<String> = texts.iter().rev().map(|t| t.to_string()).collect();
        if texts.len() > 1 {
            candidates.push(text.clone());
        }
        if conv.failed_turns > 0 {
            let before = self.recent_messages(&conv.tenant, conv.id, 10).await?;
            if let Some(prev) = before
                .iter()
                .rev()
                .find(|m| m.author == Author::Customer && !pending.iter().any(|p| p.id == m.id))
            {
                candidates.push(format!("{}\n{}", prev.body, text));
            }
        }
        let embedder = self.inner.config.embedder.clone();
        let fallback = conv.lang;
        // Embedding and search are CPU work: off the async threads.
        let readings = blocking(move || {
            Ok(candidates
                .iter()
                .map(|q| brain.read(embedder.as_deref(), q, fallback))
                .collect::<Vec<_>>())
        })
        .await?;
        let mut chosen = &readings[0];
        for r in &readings[1..] {
            if r.best
                .is_some_and(|h| chosen.best.is_none_or(|b| h.confidence > b.confidence))
            {
                chosen = r;
            }
        }
        let confident = chosen.best.is_some_and(|h| h.confidence >= CONFIDENT);
        Ok(Understanding {
            lang: if confident { chosen.lang } else { readings[0].lang },
            text,
            explicit,
            anger,
            small_talk,
            best: chosen.best,
            scope: chosen.scope(),
        })
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
    ) -> Result<(Vec<NewEvent>, NewMessage)> {
        let Decision::Handoff { reason, role, priority } = trace.decision else {
            return Err(EngineError::Internal("handoff without a handoff decision".into()));
        };
        let teams = self.inner.store.list_teams(&conv.tenant).await?;
        let team: Team = teams
            .iter()
            .find(|t| t.role == role)
            .or_else(|| teams.first())
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
        conv.packet = Some(self.packet(conv, trace, reason, &team, u, customer, kb, at).await?);
        let data = serde_json::json!({ "trace": trace });
        let events = vec![transition_event(&transition, Some(reason.as_str().into()), data, at)];
        let note = SystemNote {
            code: SystemCode::Handoff,
            team_name: Some(team.display_name(u.lang).to_string()),
            agent_name: None,
        };
        let mut msg = ai_message(
            conv,
            replies::handoff(u.lang, team.display_name(u.lang), None),
            vec![],
            at,
        );
        msg.author = Author::System;
        msg.system = Some(note);
        tracing::info!(tenant = %conv.tenant, conversation = %conv.id, reason = reason.as_str(), team = %team.name, "handed off");
        Ok((events, msg))
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
            reason_text: reason.explain(u.lang).to_string(),
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
                score: u.anger.score,
                cues: u.anger.cues.clone(),
            },
            trace: Some(trace.clone()),
            created_at: at,
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

pub(crate) fn transition_event(
    t: &backstop_core::conversation::Transition,
    reason: Option<String>,
    data: serde_json::Value,
    at: backstop_core::Timestamp,
) -> NewEvent {
    NewEvent {
        kind: t.kind.into(),
        actor: t.actor.label(),
        reason,
        from_owner: Some(t.from.owner),
        to_owner: Some(t.to.owner),
        from_status: Some(t.from.status),
        to_status: Some(t.to.status),
        data,
        at,
    }
}

fn decision_event(kind: &str, trace: &DecisionTrace, at: backstop_core::Timestamp) -> NewEvent {
    NewEvent {
        kind: format!("ai_{kind}"),
        actor: "ai".into(),
        reason: Some(trace.rule.clone()),
        from_owner: None,
        to_owner: None,
        from_status: None,
        to_status: None,
        data: serde_json::json!({ "trace": trace }),
        at,
    }
}
