//! Who takes a handed-over conversation, and in which order the queue is served: the pure part of
//! the human backstop (issue "The human backstop"). Each team picks among its available agents by
//! one [`Strategy`]; a customer goes back to the agent who served them last when that agent is
//! available and has room ("sticky"); nobody is ever given more than their capacity.
//!
//! The engine (`assign.rs`) feeds it presence, load and skills and applies the choice; a team
//! whose strategy is [`Strategy::Manual`] (the default) is never assigned automatically.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::conversation::Priority;
use crate::ids::{AgentId, TeamId};
use crate::routing::ServiceTier;
use crate::Timestamp;

/// Whether an agent can take conversations now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Online,
    Away,
    #[default]
    Offline,
}

/// How a team chooses among its available agents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// No automatic assignment: agents take conversations from the queue themselves.
    #[default]
    Manual,
    /// The available agent who was given a conversation longest ago.
    RoundRobin,
    /// The available agent with the smallest share of their capacity in use.
    LeastLoaded,
    /// Agents who speak the customer's language (and, better, know the topic), least loaded first.
    Skills,
}

impl Strategy {
    pub const ALL: [Strategy; 4] = [
        Strategy::Manual,
        Strategy::RoundRobin,
        Strategy::LeastLoaded,
        Strategy::Skills,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Manual => "manual",
            Strategy::RoundRobin => "round_robin",
            Strategy::LeastLoaded => "least_loaded",
            Strategy::Skills => "skills",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// An agent as assignment sees them.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentLoad {
    pub agent: AgentId,
    pub teams: Vec<TeamId>,
    pub presence: Presence,
    /// Conversations they may hold at once.
    pub capacity: u32,
    /// Conversations they hold now.
    pub active: u32,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    pub topics: Vec<String>,
    /// When they were last given a conversation.
    pub last_assigned: Option<Timestamp>,
}

impl AgentLoad {
    /// Online, in `team`, with room for one more.
    pub fn available_in(&self, team: TeamId) -> bool {
        self.presence == Presence::Online && self.teams.contains(&team) && self.active < self.capacity
    }

    fn load(&self) -> f64 {
        if self.capacity == 0 {
            f64::INFINITY
        } else {
            self.active as f64 / self.capacity as f64
        }
    }
}

/// What the conversation needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    pub team: TeamId,
    /// The customer's language, as an ISO 639-1 code.
    pub language: String,
    pub topic: Option<String>,
    /// The agent who last served this customer, for sticky assignment.
    pub last_agent: Option<AgentId>,
}

/// Why an agent was chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// The customer's last agent.
    Sticky,
    RoundRobin,
    LeastLoaded,
    /// Matched on language, and on topic when `topic` is true.
    Skills {
        language: bool,
        topic: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub agent: AgentId,
    pub why: Why,
}

/// The earliest time first (never assigned counts as earliest), then the agent id, so the choice
/// is the same on every node.
fn longest_idle(a: &AgentLoad, b: &AgentLoad) -> Ordering {
    a.last_assigned.cmp(&b.last_assigned).then(a.agent.cmp(&b.agent))
}

fn least_loaded(a: &AgentLoad, b: &AgentLoad) -> Ordering {
    a.load().total_cmp(&b.load()).then_with(|| longest_idle(a, b))
}

/// Chooses an agent for `need` by `strategy`, or `None` when nobody in the team is available
/// (or the team assigns by hand).
pub fn choose(strategy: Strategy, agents: &[AgentLoad], need: &Need) -> Option<Choice> {
    if strategy == Strategy::Manual {
        return None;
    }
    let available: Vec<&AgentLoad> = agents.iter().filter(|a| a.available_in(need.team)).collect();
    if let Some(last) = need.last_agent {
        if available.iter().any(|a| a.agent == last) {
            return Some(Choice {
                agent: last,
                why: Why::Sticky,
            });
        }
    }
    match strategy {
        Strategy::Manual => None,
        Strategy::RoundRobin => available.into_iter().min_by(|a, b| longest_idle(a, b)).map(|a| Choice {
            agent: a.agent,
            why: Why::RoundRobin,
        }),
        Strategy::LeastLoaded => available.into_iter().min_by(|a, b| least_loaded(a, b)).map(|a| Choice {
            agent: a.agent,
            why: Why::LeastLoaded,
        }),
        Strategy::Skills => {
            let speaks = |a: &&AgentLoad| a.languages.contains(&need.language);
            let knows = |a: &&AgentLoad| need.topic.as_ref().is_some_and(|t| a.topics.contains(t));
            // Best first: language and topic, language only, topic only, anyone available.
            let score = |a: &&AgentLoad| (speaks(a) as u8) * 2 + knows(a) as u8;
            available
                .into_iter()
                .max_by(|a, b| score(a).cmp(&score(b)).then_with(|| least_loaded(b, a)))
                .map(|a| Choice {
                    agent: a.agent,
                    why: Why::Skills {
                        language: speaks(&a),
                        topic: knows(&a),
                    },
                })
        }
    }
}

/// A conversation waiting in a queue.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    pub tier: ServiceTier,
    pub priority: Priority,
    /// The radar's anger at the hand-over.
    pub anger: f32,
    pub since: Timestamp,
}

/// Anger at or above this puts a conversation ahead of calm ones of the same tier and priority.
pub const ANGRY: f32 = 0.5;

/// The order a queue is served in: specialists' tier (L3) first, then priority, then angry before
/// calm, then who has waited longest. (Anger only orders within a priority, so an angry newcomer
/// never jumps a more urgent conversation.)
pub fn queue_order(a: &Waiting, b: &Waiting) -> Ordering {
    b.tier
        .cmp(&a.tier)
        .then(b.priority.cmp(&a.priority))
        .then((b.anger >= ANGRY).cmp(&(a.anger >= ANGRY)))
        .then(a.since.cmp(&b.since))
}

#[cfg(test)]
#[path = "assignment_tests.rs"]
mod tests;
