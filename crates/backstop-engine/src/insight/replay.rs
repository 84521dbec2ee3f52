//! Replaying a conversation's customer turns through a tenant's understanding and policy without
//! touching the store: what the AI would decide at each turn, and where it would hand over.
//! `backstop-lab eval dialogues` measures escalation with it; the same steps as the live turn
//! (`turn.rs`) — a confident answer resets the clarification count, a clarifying question adds one,
//! small talk counts as neither, the first hand-over ends the replay. The tenant's actions are
//! chosen as in a live turn, so the policy's `action_available` rule can decide `act`; the
//! merchant is never called, so what an action's rules would judge on its answer (a refund's
//! amount against the order) is not known here: `act` means the AI runs the action. A change, a
//! check of who the customer is, or values still missing keep the action under way to the next
//! turn, as the live dialogue does.

use std::sync::Arc;

use backstop_core::action::dialogue::PendingAction;
use backstop_core::action::{Action, Effect, Identity};
use backstop_core::emotion::{self as mood, MoodPoint};
use backstop_core::ids::TenantId;
use backstop_core::message::Lang;
use backstop_core::policy::{Policy, PolicyState};
use backstop_core::routing::{Decision, DecisionTrace};
use backstop_nlp::retrieval::{Retriever, CONFIDENT};

use crate::conversations::assess::{assess, TurnInput};
use crate::knowledge::brain::Brain;
use crate::{Engine, Result};

impl Replayer {
    /// Whether the action `name`, run on this turn, goes on into the next: a change waits for the
    /// customer's yes, a check of who they are for their e-mail or phone, a value still missing
    /// for their answer.
    fn still_under_way(&self, name: &str, earlier: &[String], texts: &[String], lang: Lang) -> Option<PendingAction> {
        let a = self.actions.iter().find(|a| a.name() == name)?;
        let said: Vec<&str> = earlier.iter().chain(texts).map(String::as_str).collect();
        let missing =
            !backstop_nlp::slots::fill(&a.schema, &said, &backstop_nlp::slots::Verified::default(), None, lang)
                .ask
                .is_empty();
        let waits = a.spec.effect == Effect::Change || a.spec.identity == Identity::VerifiedOrContact || missing;
        waits.then(|| PendingAction::new(name))
    }
}

/// One replayed customer turn.
#[derive(Clone, Debug)]
pub struct ReplayStep {
    /// 1-based.
    pub turn: u32,
    pub text: String,
    pub trace: DecisionTrace,
    /// What the AI would send: "answer", "clarify", "small_talk", "act" (it runs one of the
    /// tenant's actions), or nothing after a hand-over.
    pub action: &'static str,
    /// The slug of the article an answer would cite.
    pub article: Option<String>,
    /// The topic a clarifying question would name (`None`: asked openly).
    pub clarify_topic: Option<String>,
    /// The common shop topic the turn asked about, when the knowledge base does not cover it.
    pub uncovered: Option<String>,
}

/// Everything needed to replay conversations of one tenant on any thread.
#[derive(Clone)]
pub struct Replayer {
    brain: Arc<Brain>,
    policy: Arc<Policy>,
    engine: Engine,
    assume_answered: bool,
    /// The tenant's actions the AI may run.
    actions: Arc<Vec<Action>>,
}

impl Engine {
    /// A replayer with the tenant's current understanding and policy.
    pub async fn replayer(&self, tenant: &TenantId) -> Result<Replayer> {
        Ok(
            Replayer::new(self.brain(tenant).await?, self.policy(tenant).await?, self.clone())
                .with_actions(self.tenant_actions(tenant).await?),
        )
    }

    /// The tenant's current actions, as the AI would run them (an unreadable one left out).
    pub async fn tenant_actions(&self, tenant: &TenantId) -> Result<Vec<Action>> {
        Ok(self
            .actions(tenant)
            .await?
            .iter()
            .filter_map(|r| crate::knowledge::actions::parsed(r).ok())
            .collect())
    }
}

impl Replayer {
    /// A replayer with this understanding and policy (e.g. a draft's).
    pub fn new(brain: Arc<Brain>, policy: Arc<Policy>, engine: Engine) -> Replayer {
        Replayer {
            brain,
            policy,
            engine,
            assume_answered: false,
            actions: Arc::new(Vec::new()),
        }
    }

    /// The actions the AI may run in the replay (none: as before the tenant had any).
    pub fn with_actions(mut self, actions: Vec<Action>) -> Self {
        self.actions = Arc::new(actions);
        self
    }

    /// Treats every question as one the knowledge base answers (in scope, confident), so that
    /// only the customer's side — requests, emotion, threats, stakes — can hand over: the
    /// policy measured apart from the knowledge base's coverage.
    pub fn assume_answered(mut self, yes: bool) -> Self {
        self.assume_answered = yes;
        self
    }

    /// What the knowledge base covers of the built-in shop-question taxonomy, when a model built it.
    pub fn coverage(&self) -> Option<&backstop_nlp::coverage::Coverage> {
        self.brain.coverage.as_ref()
    }

    /// The topic of the article with this slug, if the knowledge base has one.
    pub fn topic_of(&self, slug: &str) -> Option<String> {
        self.brain.kb.topic_of_slug(slug)
    }

    /// Whether `text` asks for a person: by the lexicon, and the tenant classifier's confidence in
    /// its `human` intent when that is its best guess. CPU-bound: call from a blocking thread.
    pub fn asks_for_person(&self, text: &str, lang: Lang) -> (bool, Option<f32>) {
        let embedder = self.engine.inner.config.embedder.as_deref();
        let reading = self.brain.read(embedder, text, lang);
        let confidence = reading
            .person_confidence()
            .filter(|_| backstop_nlp::person::mentions_person(text));
        (backstop_nlp::signals::asks_for_human(text), confidence)
    }

    /// Replays `turns` (each the customer's messages between two replies) until the first
    /// hand-over. CPU-bound: call from a blocking thread.
    pub fn replay(&self, turns: &[Vec<String>], lang: Lang) -> Vec<ReplayStep> {
        let inner = &self.engine.inner;
        let embedder = inner.config.embedder.as_deref();
        let (mut failed, mut after_answer, mut lang) = (0u32, false, lang);
        let mut trajectory: Vec<MoodPoint> = Vec::new();
        let mut state = PolicyState::default();
        let mut earlier: Vec<String> = Vec::new();
        let mut steps = Vec::new();
        let actions: Vec<&Action> = self.actions.iter().collect();
        let mut pending: Option<PendingAction> = None;
        for (i, texts) in turns.iter().enumerate() {
            let texts: Vec<String> = texts.iter().filter(|t| !t.trim().is_empty()).cloned().collect();
            if texts.is_empty() {
                continue;
            }
            let a = assess(
                &self.brain,
                embedder,
                &inner.radar,
                &TurnInput {
                    texts: &texts,
                    earlier: &earlier,
                    lang,
                    failed_turns: failed,
                    mood: &trajectory,
                    after_answer,
                    vip: false,
                    customer_value: None,
                    channel: "web",
                    business_hours: true,
                    agents_available: None,
                    waited_minutes: None,
                    at: self.engine.now(),
                },
            );
            let mut signals = a.signals.clone();
            if self.assume_answered {
                signals.retrieval = backstop_core::routing::Retrieval::Confident { confidence: 1.0 };
                signals.scope = backstop_core::routing::Scope::InScope;
            }
            let chosen = crate::conversations::act::choose::choose(
                &actions,
                pending.as_ref(),
                &a.understanding,
                &self.brain.kb,
                &signals,
            );
            signals.action = chosen.name().map(str::to_string);
            let trace = self.policy.decide(&signals, &state);
            state = self.policy.next_state(&state, &trace);
            mood::push(&mut trajectory, a.point);
            let u = &a.understanding;
            lang = u.lang;
            let confident = self.assume_answered || u.best.is_some_and(|h| h.confidence >= CONFIDENT);
            let action = match trace.decision {
                Decision::Handoff { .. } | Decision::Draft { .. } => "",
                _ if u.small_talk.is_some() && !confident => "small_talk",
                Decision::Answer => {
                    failed = 0;
                    after_answer = true;
                    "answer"
                }
                Decision::Clarify => {
                    failed += 1;
                    after_answer = false;
                    "clarify"
                }
                Decision::Act => {
                    failed = 0;
                    after_answer = false;
                    "act"
                }
            };
            pending = match (action, signals.action.as_deref()) {
                ("act", Some(name)) => self.still_under_way(name, &earlier, &texts, u.lang),
                _ => None,
            };
            let handed_over = action.is_empty();
            let article = match action {
                "answer" => u
                    .best
                    .and_then(|h| self.brain.kb.article(h.article))
                    .map(|a| a.slug.clone()),
                _ => None,
            };
            let clarify_topic = match action {
                "clarify" => crate::conversations::turn::clarify_topic(&self.brain.kb, u),
                _ => None,
            };
            steps.push(ReplayStep {
                turn: i as u32 + 1,
                text: texts.join("\n"),
                trace,
                action,
                article,
                clarify_topic,
                uncovered: signals.uncovered.clone(),
            });
            if handed_over {
                break;
            }
            earlier.extend(texts);
        }
        steps
    }
}
