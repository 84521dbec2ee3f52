//! The AI acting for the customer through the tenant's actions: which action a turn asks for (the
//! intents it serves, and a request rather than a how-to question), then, over as many turns as
//! it takes, its values gathered and each asked for at most twice, who the customer is (verified,
//! or the order's e-mail or phone given), the order read and checked to be theirs, the action
//! rules judged, the customer's explicit yes, the call, and the result told from the action's
//! template. An order that is missing and one that is someone else's get the same words. A
//! failure is told honestly and handed to a person, the action proposed in the packet; a change
//! is never sent twice except with its one idempotency key.
//!
//! Every step is an `action` event; every call is also a private note in the transcript, so the
//! agent sees what the AI did.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use backstop_actions::{masked, Call, Caller, Outcome};
use backstop_core::action::dialogue::{
    ActionEvent, CallResult, PendingAction, ProposedAction, Stage, Step, MAX_ASKS, MAX_CONTACT_TRIES,
};
use backstop_core::action::rules::{Facts, Verdict};
use backstop_core::action::{Action, Effect, Identity, Val};
use backstop_core::conversation::{Actor, Priority};
use backstop_core::directory::Customer;
use backstop_core::event::{Event, EventData, EventKind};
use backstop_core::handoff::FactKind;
use backstop_core::ids::MessageId;
use backstop_core::message::{Author, Lang, MessageKind};
use backstop_core::routing::{HandoffReason, ServiceTier, TeamRole};
use backstop_nlp::{act_words as say, entities, slots};
use backstop_store::{ActionRecord, ConversationRecord, NewMessage};
use serde_json::Value;

pub(crate) mod choose;
pub mod panel;
pub(crate) mod pick;
mod tell;

use crate::conversations::assess::Understanding;
use crate::conversations::turn::ai_message;
use crate::knowledge::actions::parsed;
use crate::{Engine, Result};

/// A person takes over from an action.
#[derive(Debug)]
pub(crate) struct Handover {
    pub reason: HandoffReason,
    pub role: TeamRole,
    pub priority: Priority,
    pub tier: ServiceTier,
    pub proposed: Option<ProposedAction>,
}

/// What a turn of an action did.
#[derive(Debug, Default)]
pub(crate) struct Acted {
    pub events: Vec<Event>,
    pub messages: Vec<NewMessage>,
    pub handover: Option<Handover>,
    /// What the tenant's model did telling the result (absent when the template told it).
    pub generation: Option<backstop_core::generation::Generation>,
}

impl Acted {
    /// Tells the customer `words` and hands the conversation to a person, with the action
    /// proposed.
    fn hand_over(
        mut self,
        conv: &ConversationRecord,
        words: &str,
        reason: HandoffReason,
        proposed: Option<ProposedAction>,
        at: backstop_core::Timestamp,
    ) -> Acted {
        self.messages.push(ai_message(conv, words.into(), vec![], at));
        self.handover = Some(handover(reason, proposed));
        self
    }
}

fn caller() -> &'static Caller {
    static C: OnceLock<Caller> = OnceLock::new();
    C.get_or_init(Caller::new)
}

/// What the tenant's site vouched for: the verified customer's e-mail.
fn verified_email(customer: Option<&Customer>) -> Option<String> {
    customer
        .filter(|c| c.email_verified)
        .and_then(|c| c.email.clone())
        .filter(|e| !e.trim().is_empty())
}

/// An e-mail or phone in `text`, for the order's contact check.
pub(super) fn contact_in(text: &str) -> Option<String> {
    let facts = entities::extract(text);
    facts
        .iter()
        .find(|f| f.kind == FactKind::Email)
        .or_else(|| facts.iter().find(|f| f.kind == FactKind::Phone))
        .map(|f| f.value.clone())
}

/// The values as the action rules and events see them.
fn as_json(values: &BTreeMap<String, Val>) -> BTreeMap<String, Value> {
    values.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()
}

fn call_result(o: &Outcome) -> CallResult {
    match o {
        Outcome::Done { .. } => CallResult::Done,
        Outcome::Refused { code, .. } => CallResult::Refused { code: code.clone() },
        Outcome::Failed(f) => CallResult::Failed {
            failure: serde_json::to_value(f)
                .ok()
                .and_then(|v| v.get("failure").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| "failed".into()),
        },
    }
}

/// One action's step, as an event.
fn step_event(a: &Action, parameters: BTreeMap<String, String>, step: Step, at: backstop_core::Timestamp) -> Event {
    let reason = match &step {
        Step::Called { result, .. } => Some(format!(
            "{} {}",
            a.name(),
            match result {
                CallResult::Done => "done",
                CallResult::Refused { .. } => "refused",
                CallResult::Failed { .. } => "failed",
            }
        )),
        _ => Some(a.name().to_string()),
    };
    Event::note(
        EventKind::Action,
        Actor::Ai,
        reason,
        EventData::Action(Box::new(ActionEvent {
            action: a.name().to_string(),
            effect: a.spec.effect,
            parameters,
            step,
        })),
        at,
    )
}

/// The agent's view of a call in the transcript: a private note (never sent to the customer).
fn call_note(conv: &ConversationRecord, call: &Call, at: backstop_core::Timestamp) -> NewMessage {
    let params: Vec<String> = call.record.parameters.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let outcome = match &call.outcome {
        Outcome::Done { .. } => "done".to_string(),
        Outcome::Refused { status, code } => format!(
            "refused ({status}{})",
            code.as_deref().map(|c| format!(", {c}")).unwrap_or_default()
        ),
        Outcome::Failed(f) => format!("failed ({})", serde_json::to_string(f).unwrap_or_default()),
    };
    NewMessage {
        id: MessageId::new_at(at),
        tenant: conv.tenant.clone(),
        conversation: conv.id,
        author: Author::Ai,
        kind: MessageKind::Note,
        body: format!(
            "⚙ {}({}) → {outcome} in {} ms, {} attempt(s)",
            call.record.action,
            params.join(", "),
            call.record.latency_ms,
            call.record.attempts
        ),
        client_id: None,
        citations: vec![],
        system: None,
        handled: true,
        created_at: at,
    }
}

/// The tenant's actions in force, read (a definition that no longer reads is skipped, logged).
pub(super) async fn live(engine: &Engine, conv: &ConversationRecord) -> Result<Vec<(ActionRecord, Action)>> {
    let records = engine.inner.store.current_actions(&conv.tenant).await?;
    Ok(records
        .into_iter()
        .filter_map(|r| match parsed(&r) {
            Ok(a) => Some((r, a)),
            Err(e) => {
                tracing::warn!(tenant = %conv.tenant, action = %r.name, error = %e, "stored action unreadable");
                None
            }
        })
        .collect())
}

impl Engine {
    /// One turn of the action `name` (see the module documentation).
    pub(crate) async fn action_turn(
        &self,
        conv: &mut ConversationRecord,
        name: &str,
        u: &Understanding,
        customer: Option<&Customer>,
        at: backstop_core::Timestamp,
    ) -> Result<Acted> {
        let actions = live(self, conv).await?;
        let lang = u.lang;
        let mut out = Acted::default();
        let Some((rec, action)) = actions.iter().find(|(_, a)| a.name() == name) else {
            conv.policy_state.action = None;
            return Ok(out.hand_over(conv, say::failed(lang, false), HandoffReason::ActionFailed, None, at));
        };
        let mut p = conv
            .policy_state
            .action
            .take()
            .filter(|p| p.action == name)
            .unwrap_or_else(|| PendingAction::new(name));
        let email = verified_email(customer);
        let verified = email.is_some();

        // The answer to the summary.
        if p.stage == Stage::Confirm {
            match slots::consent(&u.text) {
                Some(true) => return self.run_change(conv, rec, action, p, (u, customer), out, at).await,
                answer => {
                    let checked = action.schema.check(&p.values).unwrap_or_default();
                    if answer.is_none() && p.unclear == 0 {
                        p.unclear += 1;
                        let summary = p
                            .summary
                            .clone()
                            .unwrap_or_else(|| action.summary(lang, &checked, None));
                        out.messages
                            .push(ai_message(conv, say::confirm_again(lang, &summary), vec![], at));
                        conv.policy_state.action = Some(p);
                        return Ok(out);
                    }
                    out.events
                        .push(step_event(action, masked(action, &checked), Step::Declined, at));
                    out.messages.push(ai_message(
                        conv,
                        say::declined(lang, answer.is_none()).into(),
                        vec![],
                        at,
                    ));
                    return Ok(out);
                }
            }
        }

        // The contact details asked for.
        if p.stage == Stage::Contact {
            match contact_in(&u.text) {
                Some(c) => {
                    p.contact = Some(c);
                    p.stage = Stage::Values;
                }
                None => {
                    p.contact_tries += 1;
                    if p.contact_tries >= MAX_CONTACT_TRIES {
                        return Ok(out.hand_over(
                            conv,
                            say::failed(lang, false),
                            HandoffReason::ActionFailed,
                            Some(proposal(action, &p, lang, None, None)),
                            at,
                        ));
                    }
                    out.events.push(step_event(action, BTreeMap::new(), Step::Verify, at));
                    out.messages
                        .push(ai_message(conv, say::ask_contact(lang).into(), vec![], at));
                    conv.policy_state.action = Some(p);
                    return Ok(out);
                }
            }
        }

        // The values, from everything the customer wrote (newest first) and the verified e-mail.
        let history = self.recent_messages(&conv.tenant, conv.id, 30).await?;
        let texts: Vec<&str> = history
            .iter()
            .filter(|m| m.author == Author::Customer)
            .map(|m| m.body.as_str())
            .collect();
        let vouched = slots::Verified {
            email: email.as_deref(),
            phone: None,
        };
        let filling = slots::fill_hinted(&action.schema, &texts, &vouched, p.asking.as_deref(), &p.hints, lang);
        p.values = filling.values.clone();
        if let Some(ask) = filling.ask.first() {
            let n = p.asks.entry(ask.parameter.clone()).or_insert(0);
            *n += 1;
            if *n > MAX_ASKS {
                return Ok(out.hand_over(
                    conv,
                    say::for_a_person(lang),
                    HandoffReason::NoAnswer,
                    Some(proposal(action, &p, lang, None, None)),
                    at,
                ));
            }
            let problem = ask.given.as_ref().map(|_| format!("{:?}", ask.problem).to_lowercase());
            out.events.push(step_event(
                action,
                BTreeMap::new(),
                Step::Asked {
                    parameter: ask.parameter.clone(),
                    problem,
                },
                at,
            ));
            out.messages.push(ai_message(conv, ask.question.clone(), vec![], at));
            p.asking = Some(ask.parameter.clone());
            p.stage = Stage::Values;
            conv.policy_state.action = Some(p);
            return Ok(out);
        }
        p.asking = None;
        let checked = match action.schema.check(&p.values) {
            Ok(c) => c,
            Err(_) => {
                return Ok(out.hand_over(
                    conv,
                    say::for_a_person(lang),
                    HandoffReason::ActionFailed,
                    Some(proposal(action, &p, lang, None, None)),
                    at,
                ));
            }
        };
        let shown = masked(action, &checked);

        // Who the customer is. Details already given ("MM-…, my phone is 138…") count as given.
        if !verified && p.contact.is_none() && p.contact_tries == 0 {
            p.contact = texts.iter().rev().find_map(|t| contact_in(t));
        }
        match action.spec.identity {
            Identity::Anyone => {}
            Identity::Verified if !verified => {
                out.events.push(step_event(action, shown, Step::SignInNeeded, at));
                out.messages
                    .push(ai_message(conv, say::sign_in(lang).into(), vec![], at));
                return Ok(out);
            }
            Identity::VerifiedOrContact if !verified && p.contact.is_none() => {
                out.events.push(step_event(action, shown, Step::Verify, at));
                out.messages
                    .push(ai_message(conv, say::ask_contact(lang).into(), vec![], at));
                p.stage = Stage::Contact;
                conv.policy_state.action = Some(p);
                return Ok(out);
            }
            _ => {}
        }

        // The order read: the action itself, or a change's check.
        let reader = match action.spec.effect {
            Effect::Read => Some((rec, action)),
            Effect::Change => action
                .spec
                .check
                .as_deref()
                .and_then(|c| actions.iter().find(|(_, a)| a.name() == c))
                .map(|(r, a)| (r, a)),
        };
        if action.spec.effect == Effect::Change && action.spec.check.is_some() && reader.is_none() {
            tracing::warn!(tenant = %conv.tenant, action = name, "the action's check is not defined");
            return Ok(out.hand_over(
                conv,
                say::failed(lang, false),
                HandoffReason::ActionFailed,
                Some(proposal(action, &p, lang, None, None)),
                at,
            ));
        }
        let mut fields = BTreeMap::new();
        if let Some((read_rec, reader)) = reader {
            let own: BTreeMap<String, String> = p
                .values
                .iter()
                .filter(|(k, _)| reader.schema.get(k).is_some())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let Ok(read_values) = reader.schema.check(&own) else {
                return Ok(out.hand_over(
                    conv,
                    say::failed(lang, false),
                    HandoffReason::ActionFailed,
                    Some(proposal(action, &p, lang, None, None)),
                    at,
                ));
            };
            let call = caller()
                .call(reader, &read_values, read_rec.secret.as_deref(), None)
                .await;
            out.events.push(called(reader, &call, at));
            out.messages.push(call_note(conv, &call, at));
            match call.outcome {
                Outcome::Done { fields: f } => {
                    // Whose order: the verified e-mail, else the details given, against the
                    // order's own contact fields.
                    let given = email.clone().or_else(|| p.contact.clone());
                    let theirs = match (action.spec.identity, reader.spec.contact.is_empty()) {
                        (Identity::Anyone, _) => true,
                        (_, true) => verified,
                        (_, false) => given.as_deref().is_some_and(|g| reader.contact_matches(&f, g)),
                    };
                    if !theirs {
                        out.events.push(step_event(action, shown.clone(), Step::Withheld, at));
                        return Ok(self.not_found(conv, action, p, verified, lang, out, at));
                    }
                    fields = f;
                }
                Outcome::Refused { status, .. } if status == 404 || status == 410 => {
                    return Ok(self.not_found(conv, action, p, verified, lang, out, at));
                }
                Outcome::Refused { .. } | Outcome::Failed(_) => {
                    let failure = call_result(&call.outcome);
                    return Ok(out.hand_over(
                        conv,
                        say::failed(lang, false),
                        HandoffReason::ActionFailed,
                        Some(proposal(action, &p, lang, None, Some(failure))),
                        at,
                    ));
                }
            }
            if action.spec.effect == Effect::Read {
                let (words, generation) = self.tell_result(conv, u, reader, &fields, customer).await?;
                out.generation = generation;
                out.messages.push(ai_message(conv, words, vec![], at));
                return Ok(out);
            }
        }

        // A change: the rules, then the customer's yes.
        let policy = self.policy(&conv.tenant).await?;
        let mut facts = fields.clone();
        facts.extend(as_json(&checked));
        let judgement = policy.judge_action(
            name,
            &Facts {
                values: &facts,
                verified,
            },
        );
        out.events.push(step_event(
            action,
            shown.clone(),
            Step::Judged {
                judgement: judgement.clone(),
            },
            at,
        ));
        let checker = action
            .spec
            .check
            .as_deref()
            .and_then(|c| actions.iter().find(|(_, a)| a.name() == c))
            .map(|(_, a)| a);
        let summary = action.summary(lang, &checked, checker.map(|c| (c, &fields)));
        match judgement.verdict {
            Verdict::Refuse { message } => {
                let text = match message.get(lang).trim() {
                    "" => say::refused(lang).to_string(),
                    own => own.to_string(),
                };
                out.messages.push(ai_message(conv, text, vec![], at));
            }
            Verdict::Handoff {
                team,
                priority,
                tier,
                reason,
            } => {
                out.messages
                    .push(ai_message(conv, say::for_a_person(lang).into(), vec![], at));
                out.handover = Some(Handover {
                    reason,
                    role: team,
                    priority,
                    tier,
                    proposed: Some(proposal(action, &p, lang, judgement.rule.clone(), None).with_summary(summary)),
                });
            }
            Verdict::Allow => {
                out.events.push(step_event(
                    action,
                    shown,
                    Step::Confirming {
                        summary: summary.clone(),
                    },
                    at,
                ));
                out.messages
                    .push(ai_message(conv, say::confirm(lang, &summary), vec![], at));
                p.stage = Stage::Confirm;
                p.unclear = 0;
                p.summary = Some(summary);
                p.key = Some(format!("bs-{}", uuid::Uuid::now_v7()));
                conv.policy_state.action = Some(p);
            }
        }
        Ok(out)
    }

    /// The customer said yes: the change is sent, once, with the key made for it.
    #[allow(clippy::too_many_arguments)]
    async fn run_change(
        &self,
        conv: &mut ConversationRecord,
        rec: &ActionRecord,
        action: &Action,
        p: PendingAction,
        (u, customer): (&Understanding, Option<&Customer>),
        mut out: Acted,
        at: backstop_core::Timestamp,
    ) -> Result<Acted> {
        let lang = u.lang;
        let Ok(checked) = action.schema.check(&p.values) else {
            return Ok(out.hand_over(
                conv,
                say::for_a_person(lang),
                HandoffReason::ActionFailed,
                Some(proposal(action, &p, lang, None, None)),
                at,
            ));
        };
        let key = p.key.clone().unwrap_or_else(|| format!("bs-{}", uuid::Uuid::now_v7()));
        let call = caller().call(action, &checked, rec.secret.as_deref(), Some(&key)).await;
        out.events.push(called(action, &call, at));
        out.messages.push(call_note(conv, &call, at));
        let words = match &call.outcome {
            Outcome::Done { fields } => {
                let (words, generation) = self.tell_result(conv, u, action, fields, customer).await?;
                out.generation = generation;
                out.messages.push(ai_message(conv, words, vec![], at));
                return Ok(out);
            }
            Outcome::Refused { .. } => say::change_refused(lang),
            Outcome::Failed(_) => say::failed(lang, true),
        };
        let proposed = proposal(action, &p, lang, None, Some(call_result(&call.outcome)));
        Ok(out.hand_over(conv, words, HandoffReason::ActionFailed, Some(proposed), at))
    }

    /// The one "not found" answer (a missing order and someone else's alike). An unverified
    /// customer may try other details a limited number of times, then a person helps.
    #[allow(clippy::too_many_arguments)]
    fn not_found(
        &self,
        conv: &mut ConversationRecord,
        action: &Action,
        mut p: PendingAction,
        verified: bool,
        lang: Lang,
        mut out: Acted,
        at: backstop_core::Timestamp,
    ) -> Acted {
        out.messages
            .push(ai_message(conv, say::not_found(lang, verified).into(), vec![], at));
        if !verified {
            p.contact_tries += 1;
            if p.contact_tries >= MAX_CONTACT_TRIES {
                out.handover = Some(handover(
                    HandoffReason::ActionFailed,
                    Some(proposal(action, &p, lang, None, None)),
                ));
                return out;
            }
            out.events
                .push(step_event(action, BTreeMap::new(), Step::NotVerified, at));
            p.contact = None;
            p.stage = Stage::Contact;
            p.asks.clear();
            conv.policy_state.action = Some(p);
        }
        out
    }
}

fn called(a: &Action, call: &Call, at: backstop_core::Timestamp) -> Event {
    step_event(
        a,
        call.record.parameters.clone(),
        Step::Called {
            result: call_result(&call.outcome),
            status: call.record.status,
            latency_ms: call.record.latency_ms,
            attempts: call.record.attempts,
        },
        at,
    )
}

fn handover(reason: HandoffReason, proposed: Option<ProposedAction>) -> Handover {
    Handover {
        reason,
        role: TeamRole::General,
        priority: Priority::Normal,
        tier: ServiceTier::L2,
        proposed,
    }
}

fn proposal(
    a: &Action,
    p: &PendingAction,
    lang: Lang,
    rule: Option<String>,
    failure: Option<CallResult>,
) -> ProposedAction {
    let summary = a
        .schema
        .check(&p.values)
        .map(|v| a.summary(lang, &v, None))
        .unwrap_or_default();
    ProposedAction {
        action: a.name().to_string(),
        description: a.spec.description.clone(),
        effect: a.spec.effect,
        values: p.values.clone(),
        summary,
        rule,
        failure,
    }
}

trait WithSummary {
    fn with_summary(self, summary: String) -> Self;
}

impl WithSummary for ProposedAction {
    fn with_summary(mut self, summary: String) -> Self {
        if !summary.trim().is_empty() {
            self.summary = summary;
        }
        self
    }
}
