//! What one conversation adds to the hourly rollups the dashboard and the ledger read.
//!
//! A conversation is counted in the hour it started, under its dimensions (team, channel,
//! language, topic). [`Contribution::of`] turns its [`Facts`] and [`Settlement`] into fixed sums
//! ([`Sum`], one rollup column each), keyed counts (a hand-over's reason, the rating, the mood,
//! the buckets of three durations) and, when a person answered, the agent's share. When the facts
//! change the store applies `new − old` ([`Contribution::minus`]) to the rollup rows, so the rollups
//! are always the sum of the conversations' latest contributions — and rebuilding them from the
//! event log gives the same numbers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::AgentId;
use crate::outcome::{Facts, Outcome, Settlement};

macro_rules! sums {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A summed rollup column.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Sum {
            $($(#[$doc])* $variant,)*
        }

        impl Sum {
            /// Every column, in storage order.
            pub const ALL: &'static [Sum] = &[$(Sum::$variant,)*];

            /// The column's name (also its name on the wire).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Sum::$variant => $name,)*
                }
            }
        }
    };
}

sums! {
    Conversations = "conversations",
    /// Still going: no outcome yet.
    Unsettled = "unsettled",
    AiResolved = "ai_resolved",
    /// AI resolutions the customer confirmed.
    AiConfirmed = "ai_confirmed",
    Assisted = "assisted",
    HumanResolved = "human_resolved",
    Abandoned = "abandoned",
    /// Outcomes that can no longer change.
    Final = "settled",
    HandedOver = "handed_over",
    /// Handed-over conversations a person answered.
    PersonReached = "person_reached",
    CustomerMessages = "customer_messages",
    AiMessages = "ai_messages",
    AgentMessages = "agent_messages",
    /// Customer turns the AI read (each one embedding).
    AiTurns = "ai_turns",
    TimeToPersonMs = "ttp_ms",
    TimeToPersonN = "ttp_n",
    FirstResponseMs = "frt_ms",
    FirstResponseN = "frt_n",
    ResolutionMs = "resolution_ms",
    ResolutionN = "resolution_n",
    SlaMet = "sla_met",
    SlaMissed = "sla_missed",
    Tickets = "tickets",
    CsatSum = "csat_sum",
    CsatN = "csat_n",
    Reopens = "reopens",
    CopilotAsIs = "copilot_as_is",
    CopilotEdited = "copilot_edited",
    CopilotIgnored = "copilot_ignored",
    PromptTokens = "prompt_tokens",
    CompletionTokens = "completion_tokens",
    ModelCalls = "model_calls",
    ActionCalls = "action_calls",
    /// Conversations whose customer was angry at some turn (the radar's anger ≥ 0.5).
    Angry = "angry",
    /// Mood inflections (anger rising, a drop after an answer).
    Inflections = "inflections",
}

/// How many summed columns a rollup row has.
pub const SUMS: usize = Sum::ALL.len();

/// An agent's summed columns, per hour.
pub const AGENT_SUMS: [&str; 6] = [
    "conversations",
    "replies",
    "assisted",
    "human_resolved",
    "csat_sum",
    "csat_n",
];

/// The upper bounds, in seconds, of the duration buckets (the last one is open).
pub const BUCKETS_SECS: [i64; 18] = [
    5,
    10,
    30,
    60,
    120,
    300,
    600,
    1200,
    1800,
    3600,
    7200,
    14_400,
    28_800,
    86_400,
    172_800,
    345_600,
    604_800,
    i64::MAX,
];

/// The bucket a duration falls in.
pub fn bucket(ms: i64) -> usize {
    let secs = (ms.max(0) + 999) / 1000;
    BUCKETS_SECS
        .iter()
        .position(|&b| secs <= b)
        .unwrap_or(BUCKETS_SECS.len() - 1)
}

/// The `q` quantile (0–1) of bucketed counts, as the upper bound of the bucket it falls in, in
/// seconds (`None` without data; the open last bucket reads as its lower bound).
pub fn quantile(counts: &[i64; BUCKETS_SECS.len()], q: f64) -> Option<i64> {
    let total: i64 = counts.iter().sum();
    if total <= 0 {
        return None;
    }
    let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as i64).max(1);
    let mut seen = 0;
    for (i, n) in counts.iter().enumerate() {
        seen += n;
        if seen >= rank {
            return Some(if i + 1 == BUCKETS_SECS.len() {
                BUCKETS_SECS[i - 1]
            } else {
                BUCKETS_SECS[i]
            });
        }
    }
    None
}

/// The three durations kept as buckets, by their count-key prefix.
pub const DURATIONS: [&str; 3] = ["ttp", "frt", "res"];

/// How many messages of each author a conversation holds (the messages table counts them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageCounts {
    pub customer: i64,
    pub ai: i64,
    pub agent: i64,
}

/// What one conversation adds to the rollups.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    /// One value per [`Sum`], in order.
    pub sums: Vec<i64>,
    /// Keyed counts: `reason:<hand-over reason>`, `csat:<1–5>`, `mood:<feeling>`,
    /// `<ttp|frt|res>:<bucket>`.
    pub counts: BTreeMap<String, i64>,
    /// The agent who answered last, with their share ([`AGENT_SUMS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<(AgentId, Vec<i64>)>,
}

impl Contribution {
    pub fn of(f: &Facts, s: &Settlement, m: MessageCounts) -> Contribution {
        let mut sums = vec![0i64; SUMS];
        let mut set = |k: Sum, v: i64| sums[Sum::ALL.iter().position(|x| *x == k).expect("a sum")] = v;
        let flag = |b: bool| i64::from(b);
        let mut counts = BTreeMap::new();
        set(Sum::Conversations, 1);
        set(Sum::Unsettled, flag(s.outcome.is_none()));
        set(Sum::AiResolved, flag(s.outcome == Some(Outcome::AiResolved)));
        set(
            Sum::AiConfirmed,
            flag(s.outcome == Some(Outcome::AiResolved) && s.confirmed),
        );
        set(Sum::Assisted, flag(s.outcome == Some(Outcome::Assisted)));
        set(Sum::HumanResolved, flag(s.outcome == Some(Outcome::HumanResolved)));
        set(Sum::Abandoned, flag(s.outcome == Some(Outcome::Abandoned)));
        set(Sum::Final, flag(s.is_final));
        set(Sum::HandedOver, flag(f.handoffs > 0));
        set(Sum::PersonReached, flag(f.handoffs > 0 && f.person_answered()));
        set(Sum::CustomerMessages, m.customer);
        set(Sum::AiMessages, m.ai);
        set(Sum::AgentMessages, m.agent);
        set(Sum::AiTurns, i64::from(f.customer_turns));
        let mut duration = |key: &str, ms: Option<i64>, total: Sum, n: Sum, sums: &mut dyn FnMut(Sum, i64)| {
            if let Some(ms) = ms {
                let ms = ms.max(0);
                sums(total, ms);
                sums(n, 1);
                counts.insert(format!("{key}:{}", bucket(ms)), 1);
            }
        };
        let ms = |a: Option<crate::Timestamp>| a.map(|at| (at - f.started_at).whole_milliseconds() as i64);
        duration(
            "ttp",
            f.time_to_person_ms(),
            Sum::TimeToPersonMs,
            Sum::TimeToPersonN,
            &mut set,
        );
        duration(
            "frt",
            ms(f.first_response_at),
            Sum::FirstResponseMs,
            Sum::FirstResponseN,
            &mut set,
        );
        let resolved = if s.outcome.is_some_and(|o| o != Outcome::Abandoned) {
            ms(f.resolved_at.or(s.outcome.map(|_| f.last_activity)))
        } else {
            None
        };
        duration("res", resolved, Sum::ResolutionMs, Sum::ResolutionN, &mut set);
        set(Sum::SlaMet, flag(f.sla_met == Some(true)));
        set(Sum::SlaMissed, flag(f.sla_met == Some(false)));
        set(Sum::Tickets, flag(f.ticket));
        if let Some(r) = f.csat {
            set(Sum::CsatSum, i64::from(r));
            set(Sum::CsatN, 1);
            counts.insert(format!("csat:{r}"), 1);
        }
        set(Sum::Reopens, i64::from(f.reopens));
        set(Sum::CopilotAsIs, i64::from(f.copilot[0]));
        set(Sum::CopilotEdited, i64::from(f.copilot[1]));
        set(Sum::CopilotIgnored, i64::from(f.copilot[2]));
        set(Sum::PromptTokens, f.prompt_tokens as i64);
        set(Sum::CompletionTokens, f.completion_tokens as i64);
        set(Sum::ModelCalls, i64::from(f.model_calls));
        set(Sum::ActionCalls, i64::from(f.action_calls));
        set(Sum::Angry, flag(f.peak_anger >= 50));
        set(Sum::Inflections, i64::from(f.inflections));
        if f.handoffs > 0 {
            if let Some(r) = f.handoff_reason {
                counts.insert(format!("reason:{}", r.as_str()), 1);
            }
        }
        counts.insert(format!("mood:{}", f.mood.unwrap_or("neutral")), 1);
        let agent = f.agent.map(|a| {
            (
                a,
                vec![
                    1,
                    i64::from(f.person_replies),
                    flag(s.outcome == Some(Outcome::Assisted)),
                    flag(s.outcome == Some(Outcome::HumanResolved)),
                    f.csat.map_or(0, i64::from),
                    flag(f.csat.is_some()),
                ],
            )
        });
        Contribution { sums, counts, agent }
    }

    /// What changes in the rollups when `old` (the stored contribution, if any) becomes `self`:
    /// the sums' differences, the counts that moved, and each agent's difference.
    pub fn minus(&self, old: Option<&Contribution>) -> Delta {
        let empty = Contribution::default();
        let old = old.unwrap_or(&empty);
        let sums = (0..SUMS)
            .map(|i| self.sums.get(i).copied().unwrap_or(0) - old.sums.get(i).copied().unwrap_or(0))
            .collect();
        let mut counts: BTreeMap<String, i64> = self.counts.clone();
        for (k, v) in &old.counts {
            *counts.entry(k.clone()).or_insert(0) -= v;
        }
        counts.retain(|_, v| *v != 0);
        let mut agents: BTreeMap<AgentId, Vec<i64>> = BTreeMap::new();
        for (sign, c) in [(1, self), (-1, old)] {
            if let Some((a, v)) = &c.agent {
                let e = agents.entry(*a).or_insert_with(|| vec![0; AGENT_SUMS.len()]);
                for (i, x) in v.iter().enumerate().take(AGENT_SUMS.len()) {
                    e[i] += sign * x;
                }
            }
        }
        agents.retain(|_, v| v.iter().any(|x| *x != 0));
        Delta { sums, counts, agents }
    }

    /// The value of one sum.
    pub fn get(&self, k: Sum) -> i64 {
        Sum::ALL
            .iter()
            .position(|x| *x == k)
            .and_then(|i| self.sums.get(i).copied())
            .unwrap_or(0)
    }
}

/// The change to apply to a conversation's rollup rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delta {
    pub sums: Vec<i64>,
    pub counts: BTreeMap<String, i64>,
    pub agents: BTreeMap<AgentId, Vec<i64>>,
}

impl Delta {
    pub fn is_zero(&self) -> bool {
        self.sums.iter().all(|x| *x == 0) && self.counts.is_empty() && self.agents.is_empty()
    }
}

/// What the tenant says a conversation costs, for the estimated savings (amounts in the
/// currency's units; examples by default, to be set per install).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Costs {
    pub currency: String,
    /// What a conversation handled by a person costs (their time, loaded).
    pub human_conversation: f64,
    /// What a million model tokens cost (prompt and completion alike).
    pub per_million_tokens: f64,
    /// What a thousand embeddings cost (0 for the local encoder).
    pub per_thousand_embeddings: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            currency: "USD".into(),
            human_conversation: 5.0,
            per_million_tokens: 0.6,
            per_thousand_embeddings: 0.0,
        }
    }
}

impl Costs {
    pub fn validate(&self) -> Result<(), String> {
        let c = self.currency.trim();
        if c.len() != 3 || !c.chars().all(|x| x.is_ascii_uppercase()) {
            return Err("currency must be a three-letter code such as USD or CNY".into());
        }
        for (name, v) in [
            ("human_conversation", self.human_conversation),
            ("per_million_tokens", self.per_million_tokens),
            ("per_thousand_embeddings", self.per_thousand_embeddings),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("{name} must be a number of at least 0"));
            }
        }
        Ok(())
    }

    /// The estimate over summed rollups (see [`Savings`]).
    pub fn savings(&self, sums: &Contribution) -> Savings {
        let tokens = sums.get(Sum::PromptTokens) + sums.get(Sum::CompletionTokens);
        let ai_cost = tokens as f64 / 1e6 * self.per_million_tokens
            + sums.get(Sum::AiTurns) as f64 / 1e3 * self.per_thousand_embeddings;
        let avoided = sums.get(Sum::AiResolved) as f64 * self.human_conversation;
        Savings {
            human_cost_avoided: avoided,
            ai_cost,
            net: avoided - ai_cost,
        }
    }
}

/// The estimated savings: every AI-resolved conversation is one a person did not have to handle
/// (`human_cost_avoided` = AI resolved × the cost of a human conversation), less what the AI cost
/// (model tokens and embeddings). Assisted conversations are not counted as saved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Savings {
    pub human_cost_avoided: f64,
    pub ai_cost: f64,
    pub net: f64,
}

#[cfg(test)]
#[path = "analytics_tests.rs"]
mod tests;
