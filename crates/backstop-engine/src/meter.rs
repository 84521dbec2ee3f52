//! What the engine counts for operators (the `/metrics` endpoint): every event it commits, by kind
//! (a hand-over also by its first reason), the customer messages it takes in, and the tenants'
//! generative models — calls, failed calls, tokens, how each turn ended and how long a call took —
//! read from the decision events' traces. In memory, for this process since it started (what a
//! Prometheus counter is); the typed events stay the record.

use std::collections::BTreeMap;
use std::sync::Mutex;

use backstop_core::event::{Event, EventData, EventKind};
use backstop_core::generation::Outcome;

/// Upper bounds (milliseconds) of the model-call latency histogram's buckets.
pub const MODEL_MS_BUCKETS: [u32; 10] = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 120_000];

/// The counts at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Committed events by (kind, first hand-over reason or "").
    pub events: BTreeMap<(&'static str, &'static str), u64>,
    pub customer_messages: u64,
    pub model_calls: u64,
    pub model_failed_calls: u64,
    pub model_tokens: u64,
    /// How turns the model was asked about ended (`sent`, `fallback`, `handoff`, `declined`).
    pub model_outcomes: BTreeMap<&'static str, u64>,
    /// Calls per latency bucket (the last: above every bound), with their sum.
    pub model_ms: [u64; MODEL_MS_BUCKETS.len() + 1],
    pub model_ms_sum: u64,
}

#[derive(Default)]
pub struct Meter(Mutex<Counts>);

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Sent => "sent",
        Outcome::Fallback => "fallback",
        Outcome::Handoff => "handoff",
        Outcome::Declined => "declined",
    }
}

impl Meter {
    fn with(&self, f: impl FnOnce(&mut Counts)) {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// Counts the events of a committed write.
    pub fn events(&self, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        self.with(|c| {
            for e in events {
                let reason = match (&e.data, e.kind) {
                    (EventData::Decision { trace, .. }, EventKind::Handoff) => {
                        trace.reasons.first().map_or("", |r| r.as_str())
                    }
                    _ => "",
                };
                *c.events.entry((e.kind.as_str(), reason)).or_default() += 1;
                let EventData::Decision { trace, .. } = &e.data else {
                    continue;
                };
                let Some(g) = &trace.generation else { continue };
                *c.model_outcomes.entry(outcome(g.outcome)).or_default() += 1;
                for a in &g.attempts {
                    c.model_calls += 1;
                    c.model_failed_calls += u64::from(a.error.is_some());
                    c.model_tokens += u64::from(a.prompt_tokens) + u64::from(a.completion_tokens);
                    let bucket = MODEL_MS_BUCKETS
                        .iter()
                        .position(|b| a.total_ms <= *b)
                        .unwrap_or(MODEL_MS_BUCKETS.len());
                    c.model_ms[bucket] += 1;
                    c.model_ms_sum += u64::from(a.total_ms);
                }
            }
        });
    }

    pub fn customer_message(&self) {
        self.with(|c| c.customer_messages += 1);
    }

    pub fn counts(&self) -> Counts {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstop_core::conversation::Actor;
    use backstop_core::generation::{Attempt, Generation};
    use backstop_core::policy::{Policy, PolicyState};
    use backstop_core::routing::{HandoffReason, Signals};

    fn event(kind: EventKind, generation: Option<Generation>, reason: Option<HandoffReason>) -> Event {
        let mut trace = Policy::builtin().decide(&Signals::quiet(), &PolicyState::default());
        trace.generation = generation;
        trace.reasons = reason.into_iter().collect();
        Event {
            kind,
            actor: Actor::Ai,
            reason: None,
            from_owner: None,
            to_owner: None,
            from_status: None,
            to_status: None,
            data: EventData::Decision {
                trace: Box::new(trace),
                question: "q".into(),
            },
            at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn attempt(ms: u32, error: Option<&str>) -> Attempt {
        Attempt {
            verdict: None,
            findings: vec![],
            error: error.map(str::to_owned),
            first_token_ms: None,
            total_ms: ms,
            prompt_tokens: 100,
            completion_tokens: 20,
            first_shown_ms: None,
            stream_guard_us: 0,
        }
    }

    #[test]
    fn events_hand_overs_and_model_calls_are_counted() {
        let m = Meter::default();
        let generation = Generation {
            model: "m".into(),
            outcome: Outcome::Fallback,
            attempts: vec![attempt(300, Some("timeout")), attempt(200_000, None)],
            skipped: None,
            before_call_ms: None,
        };
        m.events(&[
            event(EventKind::AiAnswer, Some(generation), None),
            event(EventKind::Handoff, None, Some(HandoffReason::Anger)),
            event(EventKind::AiAnswer, None, None),
        ]);
        m.customer_message();
        let c = m.counts();
        assert_eq!(c.events[&("ai_answer", "")], 2);
        assert_eq!(c.events[&("handoff", HandoffReason::Anger.as_str())], 1);
        assert_eq!((c.model_calls, c.model_failed_calls, c.model_tokens), (2, 1, 240));
        assert_eq!(c.model_outcomes[&"fallback"], 1);
        assert_eq!(
            (c.model_ms[1], c.model_ms[MODEL_MS_BUCKETS.len()]),
            (1, 1),
            "300 ms ≤ 500; 200 s above all"
        );
        assert_eq!((c.model_ms_sum, c.customer_messages), (200_300, 1));
    }
}
