//! One customer turn read in full — what the customer asks (retrieval, intent, scope), how they
//! feel (the emotion radar and the conversation's trajectory), what is at stake (a request for a
//! person, threats, sensitive topics, money) — turned into the [`Signals`] the tenant's policy
//! decides on. Pure CPU work shared by the live turn and by replays (`backstop-lab eval dialogues`):
//! call it from a blocking thread.

use backstop_core::emotion::{self as mood, EmotionScores, MoodPoint};
use backstop_core::message::Lang;
use backstop_core::routing::{Retrieval, Signals};
use backstop_core::Timestamp;
use backstop_nlp::embed::Embedder;
use backstop_nlp::emotion::{self, Feeling, Radar};
use backstop_nlp::retrieval::{Hit, Retriever, CONFIDENT};
use backstop_nlp::signals;

use crate::knowledge::brain::Brain;

/// What understanding found for one turn.
#[derive(Clone, Debug)]
pub struct Understanding {
    pub lang: Lang,
    /// The turn's customer messages, joined.
    pub text: String,
    pub explicit: bool,
    pub emotion: emotion::Reading,
    pub small_talk: Option<signals::SmallTalk>,
    pub best: Option<Hit>,
    /// The intent classifier's verdict on the question.
    pub scope: backstop_core::routing::Scope,
}

/// Everything about the conversation that the turn's reading needs.
#[derive(Clone, Debug)]
pub struct TurnInput<'a> {
    /// The customer's new messages, oldest first.
    pub texts: &'a [String],
    /// The customer's earlier messages in the conversation, oldest first.
    pub earlier: &'a [String],
    /// The conversation's language so far.
    pub lang: Lang,
    pub failed_turns: u32,
    /// The emotion trajectory so far.
    pub mood: &'a [MoodPoint],
    /// The AI's last message was a knowledge-base answer.
    pub after_answer: bool,
    pub vip: bool,
    pub customer_value: Option<f64>,
    pub channel: &'a str,
    pub business_hours: bool,
    pub agents_available: Option<u32>,
    /// Minutes since the customer's previous message went unanswered, when known.
    pub waited_minutes: Option<f32>,
    pub at: Timestamp,
}

/// A turn read: understanding, the policy's signals, and the point to add to the trajectory.
#[derive(Clone, Debug)]
pub struct Assessment {
    pub understanding: Understanding,
    pub signals: Signals,
    pub point: MoodPoint,
}

/// Reads one turn. `radar` scores emotion on the same embeddings understanding computed.
pub fn assess(brain: &Brain, embedder: Option<&dyn Embedder>, radar: &Radar, input: &TurnInput) -> Assessment {
    let texts = input.texts;
    let text = texts.join("\n");
    // Each message on its own, all of them together, and — when the customer is answering our
    // clarifying question — together with what they asked before. The last message comes first:
    // when nothing matches, its reading (language, scope) is the one that counts.
    let mut candidates: Vec<String> = texts.iter().rev().cloned().collect();
    if texts.len() > 1 {
        candidates.push(text.clone());
    }
    if input.failed_turns > 0 {
        if let Some(prev) = input.earlier.last() {
            candidates.push(format!("{prev}\n{text}"));
        }
    }
    let readings: Vec<_> = candidates.iter().map(|q| brain.read(embedder, q, input.lang)).collect();
    let mut chosen = &readings[0];
    for r in &readings[1..] {
        if r.best
            .is_some_and(|h| chosen.best.is_none_or(|b| h.confidence > b.confidence))
        {
            chosen = r;
        }
    }
    let confident = chosen.best.is_some_and(|h| h.confidence >= CONFIDENT);
    let lang = if confident { chosen.lang } else { readings[0].lang };

    // Emotion: each message on its own (its vector is the one its own reading computed), the
    // strongest reading of each feeling kept.
    let earlier: Vec<&str> = input.earlier.iter().map(String::as_str).collect();
    let ctx = emotion::Context {
        earlier: &earlier,
        waited_minutes: input.waited_minutes,
    };
    let mut feel: Option<emotion::Reading> = None;
    for (i, t) in texts.iter().enumerate() {
        let vector = readings[texts.len() - 1 - i].vector.as_deref();
        let r = radar.read(t, vector, &ctx);
        feel = Some(match feel {
            None => r,
            Some(mut acc) => {
                for f in Feeling::ALL {
                    acc.scores.0[f.index()] = acc.scores.0[f.index()].max(r.get(f));
                }
                for c in r.cues {
                    if !acc.cues.contains(&c) {
                        acc.cues.push(c);
                    }
                }
                acc.threat |= r.threat;
                acc.profanity |= r.profanity;
                acc.model |= r.model;
                acc
            }
        });
    }
    let feel = feel.expect("a turn has at least one message");
    let scores = EmotionScores {
        anger: feel.get(Feeling::Anger),
        frustration: feel.get(Feeling::Frustration),
        anxiety: feel.get(Feeling::Anxiety),
        sadness: feel.get(Feeling::Sadness),
        satisfaction: feel.get(Feeling::Satisfaction),
    };
    let turn = input.mood.last().map_or(1, |p| p.turn + 1);
    let point = MoodPoint {
        turn,
        scores,
        after_answer: input.after_answer,
        at: input.at,
    };
    let mut trajectory: Vec<MoodPoint> = input.mood.to_vec();
    mood::push(&mut trajectory, point);

    // A topic the knowledge base does not cover: its closest article shares words, not meaning.
    let uncovered = chosen.uncovered.as_ref().map(|u| u.topic.clone());
    let scope = if uncovered.is_some() {
        backstop_core::routing::Scope::OutOfScope
    } else {
        chosen.scope()
    };
    let retrieval = match chosen.best {
        Some(h) if h.confidence >= CONFIDENT && uncovered.is_none() => Retrieval::Confident {
            confidence: h.confidence,
        },
        Some(h) => Retrieval::Weak {
            confidence: h.confidence,
        },
        None => Retrieval::NoMatch,
    };
    let intent = chosen
        .best
        .and_then(|h| brain.kb.article(h.article))
        .map(|a| a.topic.clone());
    // A request for a person: the lexicon (the floor), or the classifier's `human` intent on any
    // one of the messages.
    let explicit = texts.iter().any(|t| signals::asks_for_human(t))
        || texts.iter().rev().zip(&readings).any(|(t, r)| r.asks_for_person(t));
    let mut sensitive = Vec::new();
    for t in texts {
        for s in emotion::sensitive(t) {
            if !sensitive.contains(&s) {
                sensitive.push(s);
            }
        }
    }
    // The stakes classifier, on each message.
    for (t, r) in texts.iter().rev().zip(&readings) {
        if let Some(s) = r.at_stake(t) {
            if !sensitive.contains(&s) {
                sensitive.push(s);
            }
        }
    }
    // What is at stake may be told across two messages ("when will my refund arrive" … "nine
    // working days and my bank has nothing"): the turn read with the customer's previous message.
    if let Some(prev) = input.earlier.last() {
        for s in backstop_nlp::stakes::stakes(&format!("{prev}\n{text}")) {
            if !sensitive.contains(&s) {
                sensitive.push(s);
            }
        }
    }
    let signals = Signals {
        explicit_request: explicit,
        retrieval,
        failed_turns: input.failed_turns,
        anger: scores.anger,
        vip: input.vip,
        scope,
        emotion: scores,
        anger_rise: mood::anger_rise(&trajectory),
        inflection: mood::inflection(&trajectory),
        turn,
        intent,
        threat: feel.threat,
        profanity: feel.profanity,
        sensitive,
        amount: texts.iter().filter_map(|t| emotion::largest_amount(t)).reduce(f64::max),
        customer_value: input.customer_value,
        channel: input.channel.to_owned(),
        business_hours: input.business_hours,
        agents_available: input.agents_available,
        uncovered,
        // The engine names it (the tenant's actions are not read here).
        action: None,
    };
    let small_talk = if texts.len() == 1 {
        signals::small_talk(&text)
    } else {
        None
    };
    Assessment {
        understanding: Understanding {
            lang,
            text,
            explicit,
            emotion: feel,
            small_talk,
            best: chosen.best,
            scope,
        },
        signals,
        point,
    }
}

/// The customer's language as an ISO 639-1 code: Chinese or English as understanding read the
/// turn (`lang`), else what the detector tells — a short message read with the customer's
/// `earlier` messages, oldest first.
pub(crate) fn customer_code(text: &str, earlier: &[&str], lang: Lang) -> String {
    match backstop_nlp::lang::code_in(text, earlier) {
        "zh" | "en" => lang.as_str().to_string(),
        other => other.to_string(),
    }
}

impl crate::Engine {
    /// [`customer_code`] for a turn of `conv`, with what the customer wrote before it.
    pub(crate) async fn language_code(
        &self,
        conv: &backstop_store::ConversationRecord,
        text: &str,
        lang: Lang,
    ) -> crate::Result<String> {
        let history = self.recent_messages(&conv.tenant, conv.id, 30).await?;
        let said: Vec<&str> = history
            .iter()
            .filter(|m| m.author == backstop_core::message::Author::Customer && m.handled)
            .map(|m| m.body.as_str())
            .collect();
        Ok(customer_code(text, &said, lang))
    }
}
