//! Which of the tenant's actions a turn asks for: the one under way unless the customer clearly
//! moved on, else the best fit — an article, topic or intent it serves with a request to do
//! something, or one of its values with any fit — and, when nothing else would answer, the action
//! that finds the most of its values in the words.

use backstop_core::action::dialogue::{PendingAction, Stage};
use backstop_core::action::Action;
use backstop_core::generation::{ActionPick, PickedBy};
use backstop_core::message::Lang;
use backstop_nlp::retrieval::{Retriever, CONFIDENT};
use backstop_nlp::{act_words as say, slots};
use backstop_store::ConversationRecord;

use super::{contact_in, live};
use crate::conversations::assess::Understanding;
use crate::{Engine, Result};

/// The retrieval confidence from which the article found names the intent an action serves …
const ACT_MIN: f32 = 0.35;
/// … and from which it does when the message also holds one of the action's values.
const ACT_MIN_VALUED: f32 = 0.1;

/// Does `text` carry something for the action under way (the value asked for, a yes or no, the
/// contact details)?
fn answers(a: &Action, p: &PendingAction, text: &str, lang: Lang) -> bool {
    match p.stage {
        Stage::Confirm => slots::consent(text).is_some(),
        Stage::Contact => contact_in(text).is_some(),
        Stage::Values => {
            let found = slots::fill(&a.schema, &[text], &slots::Verified::default(), None, lang);
            match &p.asking {
                Some(name) => found.values.contains_key(name),
                None => !found.values.is_empty(),
            }
        }
    }
}

/// What [`choose`] found.
#[derive(Debug, PartialEq)]
pub(crate) enum Chosen {
    /// The action for this turn (the one under way, or a new one), or none.
    Action(Option<String>),
    /// The action under way ended (the customer moved on, or it no longer exists); then, as
    /// [`Chosen::Action`], what the turn asks for instead.
    Dropped { was: String, now: Option<String> },
}

impl Chosen {
    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            Chosen::Action(a) | Chosen::Dropped { now: a, .. } => a.as_deref(),
        }
    }
}

/// How well an action fits the turn: the article found is one it serves (3), the article's topic
/// or the classifier's intent is (2), a sensitive matter it serves (1); 0: not at all.
fn fit_of(
    a: &Action,
    art: Option<&backstop_nlp::retrieval::KbArticle>,
    signals: &backstop_core::routing::Signals,
) -> u8 {
    if art.is_some_and(|x| a.serves(&x.slug)) {
        3
    } else if art.is_some_and(|x| a.serves(&x.topic)) || signals.intent.as_deref().is_some_and(|i| a.serves(i)) {
        2
    } else if signals.sensitive.iter().any(|s| a.serves(s.as_str())) {
        1
    } else {
        0
    }
}

/// May the model start `a` on this turn (no I/O)? Its tool call is evidence of which action,
/// not of whether to act — a small model calls a tool on "hello" — so the turn must also show a
/// request for it: one of `a`'s values in the words ("MM-… 不要了"), or a request to do something
/// ("I want my money back", 帮我) about a matter `a` serves, however weakly the article found says
/// so.
pub(crate) fn admits(
    a: &Action,
    u: &Understanding,
    kb: &dyn Retriever,
    signals: &backstop_core::routing::Signals,
) -> bool {
    let valued = !slots::fill(&a.schema, &[u.text.as_str()], &slots::Verified::default(), None, u.lang)
        .values
        .is_empty();
    let article = u
        .best
        .filter(|h| h.confidence >= ACT_MIN_VALUED)
        .and_then(|h| kb.article(h.article));
    valued || (say::asks_to_act(&u.text) && fit_of(a, article, signals) >= 1)
}

/// The action this turn is for (no I/O): the one under way (unless the customer clearly moved on
/// to something else), or one of `actions` that serves what the customer asks. An intent it
/// serves — the article found, the classifier's intent — with a request to do something ("my
/// order", 帮我) or a value it needs in the words; or a sensitive matter it serves ("refund") with
/// such a value (a keyword alone is too little: "has my refund arrived?").
pub(crate) fn choose(
    actions: &[&Action],
    pending: Option<&PendingAction>,
    u: &Understanding,
    kb: &dyn Retriever,
    signals: &backstop_core::routing::Signals,
) -> Chosen {
    // A panel action is the agents' (the customer panel), never the AI's.
    let actions: Vec<&Action> = actions.iter().copied().filter(|a| a.spec.panel.is_none()).collect();
    let actions = actions.as_slice();
    let article = u
        .best
        .filter(|h| h.confidence >= ACT_MIN)
        .and_then(|h| kb.article(h.article));
    // With one of an action's values in the words ("where is MM-…?"), a weaker reading of the
    // article will do: the number says what the message is about.
    let weak_article = u
        .best
        .filter(|h| h.confidence >= ACT_MIN_VALUED)
        .and_then(|h| kb.article(h.article));
    let valued = |a: &Action| {
        !slots::fill(&a.schema, &[u.text.as_str()], &slots::Verified::default(), None, u.lang)
            .values
            .is_empty()
    };
    let fit = |a: &Action, art: Option<&backstop_nlp::retrieval::KbArticle>| fit_of(a, art, signals);
    let serves = |a: &Action| fit(a, article) >= 2;
    let mut dropped = None;
    if let Some(p) = pending {
        if let Some(a) = actions.iter().find(|a| a.name() == p.action) {
            let moved_on =
                u.best.is_some_and(|h| h.confidence >= CONFIDENT) && !serves(a) && !answers(a, p, &u.text, u.lang);
            if !moved_on {
                return Chosen::Action(Some(p.action.clone()));
            }
        }
        dropped = Some(p.action.clone());
    }
    let now = fresh(actions, u, &valued, &fit, article, weak_article);
    match dropped {
        Some(was) => Chosen::Dropped { was, now },
        None => Chosen::Action(now),
    }
}

/// The best fit among the actions the turn may start: one of its values with any fit, or a
/// request to do something with its intent; with nothing else to answer, the one finding the
/// most of its values.
fn fresh<'k>(
    actions: &[&Action],
    u: &Understanding,
    valued: &dyn Fn(&Action) -> bool,
    fit: &dyn Fn(&Action, Option<&'k backstop_nlp::retrieval::KbArticle>) -> u8,
    article: Option<&'k backstop_nlp::retrieval::KbArticle>,
    weak_article: Option<&'k backstop_nlp::retrieval::KbArticle>,
) -> Option<String> {
    let wants = say::asks_to_act(&u.text);
    let found = actions
        .iter()
        .filter_map(|a| {
            let (score, floor) = if valued(a) {
                (fit(a, weak_article).max(fit(a, article)), 1)
            } else if wants {
                (fit(a, article), 2)
            } else {
                (0, 1)
            };
            (score >= floor).then_some((score, a))
        })
        .max_by_key(|(score, _)| *score);
    if let Some((_, a)) = found {
        return Some(a.name().to_string());
    }
    // Nothing else to answer with ("where is MM-…?", "MM-… 到哪了", a friend's order): the
    // action that finds the most of its values in the words, a reading one on a tie — what a
    // person would do with an order number and nothing else.
    if u.best.is_some_and(|h| h.confidence >= CONFIDENT) {
        return None;
    }
    let most = actions
        .iter()
        .map(|a| {
            let n = slots::fill(&a.schema, &[u.text.as_str()], &slots::Verified::default(), None, u.lang)
                .values
                .len();
            (n, a.spec.effect == backstop_core::action::Effect::Read, a)
        })
        .filter(|(n, _, _)| *n > 0)
        .max_by_key(|(n, read, _)| (*n, *read));
    most.map(|(_, _, a)| a.name().to_string())
}

impl Engine {
    /// The action this turn is for: [`choose`] over the tenant's actions; when it finds none and
    /// the tenant's model is on, the model's choice by tool calling ([`Engine::model_pick`]) among
    /// the actions the turn shows a request for ([`admits`]; none: the model is not asked),
    /// started with the model's arguments as hints. The model adds what the rules miss and never overrides them: on the demo's
    /// dialogues the small local model picked a lookup where the rules rightly cancelled, and
    /// called a tool on "hello" (ARCHITECTURE.md, "Tool calling"). An action under way that ends
    /// is dropped from the conversation. Also how the model chose, for the trace.
    pub(crate) async fn action_for_turn(
        &self,
        conv: &mut ConversationRecord,
        u: &Understanding,
        kb: &dyn Retriever,
        signals: &backstop_core::routing::Signals,
    ) -> Result<(Option<String>, Option<ActionPick>)> {
        let actions = live(self, conv).await?;
        let list: Vec<&Action> = actions.iter().map(|(_, a)| a).collect();
        let chosen = choose(&list, conv.policy_state.action.as_ref(), u, kb, signals);
        if let Chosen::Dropped { was, .. } = &chosen {
            tracing::info!(tenant = %conv.tenant, conversation = %conv.id, action = %was, "action dropped: the customer moved on, or it no longer exists");
            conv.policy_state.action = None;
        }
        let rules = chosen.name().map(str::to_string);
        if rules.is_some() {
            return Ok((rules, None));
        }
        // The AI's own actions (a panel action is the agents') that the turn shows a request for:
        // only those are offered, and with none the model is not asked (a question costs no call).
        let offered: Vec<&Action> = list
            .iter()
            .copied()
            .filter(|a| a.spec.panel.is_none() && admits(a, u, kb, signals))
            .collect();
        if offered.is_empty() {
            return Ok((None, None));
        }
        let Some(pick) = self.model_pick(conv, u, &offered).await? else {
            return Ok((None, None));
        };
        // The rules found nothing, so nothing is under way: the model's action starts here.
        if let (PickedBy::Model, Some(name)) = (pick.record.used, &pick.action) {
            conv.policy_state.action = Some(PendingAction {
                hints: pick.hints.clone(),
                ..PendingAction::new(name)
            });
        }
        Ok((pick.action, Some(pick.record)))
    }
}
