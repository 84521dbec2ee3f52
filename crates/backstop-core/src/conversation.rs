//! The conversation ownership state machine.
//!
//! A conversation has exactly one [`Owner`] (the AI, a team queue, or one agent) and, separately, a
//! [`Status`]. Every change goes through [`Conversation::apply`], which either returns the
//! [`Transition`] to store as an event or says why the command is not allowed. The AI may send to
//! the customer only when [`Conversation::ai_may_send`] holds.

use serde::{Deserialize, Serialize};

use crate::event::EventKind;
use crate::ids::{AgentId, TeamId};
use crate::routing::HandoffReason;

/// How urgently a queued conversation should be picked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "normal" => Some(Priority::Normal),
            "high" => Some(Priority::High),
            "urgent" => Some(Priority::Urgent),
            _ => None,
        }
    }
}

/// Who is responsible for the next reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Owner {
    Ai,
    Queue { team: TeamId, priority: Priority },
    Agent { agent: AgentId },
}

impl Owner {
    pub fn kind(&self) -> &'static str {
        match self {
            Owner::Ai => "ai",
            Owner::Queue { .. } => "queue",
            Owner::Agent { .. } => "agent",
        }
    }
}

/// Where the conversation is in its life, independent of who owns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Snoozed,
    Resolved,
    /// Terminal: a closed conversation accepts nothing; the customer's next message starts a new one.
    Closed,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Open, Status::Snoozed, Status::Resolved, Status::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Snoozed => "snoozed",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    fn is_active(self) -> bool {
        matches!(self, Status::Open | Status::Snoozed)
    }
}

/// Who asked for a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    Customer,
    Ai,
    Agent(AgentId),
    System,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::Customer => "customer".into(),
            Actor::Ai => "ai".into(),
            Actor::Agent(id) => format!("agent:{id}"),
            Actor::System => "system".into(),
        }
    }
}

/// A request to change ownership or status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// The AI (or the customer's button) hands the conversation to a team's queue.
    Handoff {
        team: TeamId,
        priority: Priority,
        reason: HandoffReason,
    },
    /// An agent takes a queued or AI-owned conversation.
    Take {
        agent: AgentId,
    },
    /// Automatic assignment gives a queued conversation to an agent.
    Assign {
        agent: AgentId,
    },
    /// The owning agent passes the conversation to a team's queue or to a colleague; a supervisor
    /// may do it for any queued or agent-owned conversation (reassignment).
    Transfer {
        by: AgentId,
        supervisor: bool,
        /// A queue or an agent (never the AI: that is a hand-back).
        to: Owner,
    },
    /// The service clock ran out: the conversation goes (back) to a team's queue at a higher
    /// priority, taken from an agent who had not answered.
    Escalate {
        team: TeamId,
        priority: Priority,
    },
    /// The owning agent gives the conversation back to the AI.
    HandBack {
        agent: AgentId,
    },
    Resolve {
        actor: Actor,
    },
    Reopen {
        actor: Actor,
    },
    /// The owning agent parks the conversation until the customer writes again.
    Snooze {
        agent: AgentId,
    },
    /// A customer message arrived: wakes a snoozed conversation, reopens a resolved one.
    CustomerMessage,
    Close {
        actor: Actor,
    },
}

impl Command {
    /// The event kind stored for this command.
    pub fn event_kind(&self) -> EventKind {
        match self {
            Command::Handoff { .. } => EventKind::Handoff,
            Command::Take { .. } => EventKind::Take,
            Command::Assign { .. } => EventKind::Assign,
            Command::Transfer { .. } => EventKind::Transfer,
            Command::Escalate { .. } => EventKind::Escalate,
            Command::HandBack { .. } => EventKind::HandBack,
            Command::Resolve { .. } => EventKind::Resolve,
            Command::Reopen { .. } => EventKind::Reopen,
            Command::Snooze { .. } => EventKind::Snooze,
            Command::CustomerMessage => EventKind::CustomerMessage,
            Command::Close { .. } => EventKind::Close,
        }
    }

    pub fn actor(&self) -> Actor {
        match *self {
            Command::Handoff { .. } => Actor::Ai,
            Command::Take { agent } | Command::HandBack { agent } | Command::Snooze { agent } => Actor::Agent(agent),
            Command::Assign { .. } | Command::Escalate { .. } => Actor::System,
            Command::Transfer { by, .. } => Actor::Agent(by),
            Command::Resolve { actor } | Command::Reopen { actor } | Command::Close { actor } => actor,
            Command::CustomerMessage => Actor::Customer,
        }
    }
}

/// Why a command was refused. These map to stable API error codes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the conversation is closed")]
    Closed,
    #[error("cannot {command} a conversation that is {status}")]
    WrongStatus {
        command: &'static str,
        status: &'static str,
    },
    #[error("cannot {command} a conversation owned by {owner}")]
    WrongOwner { command: &'static str, owner: &'static str },
    #[error("only the agent who owns the conversation can do that")]
    NotOwner,
}

/// The state part of a conversation that the machine governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conversation {
    pub owner: Owner,
    pub status: Status,
}

/// One accepted change, stored as an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub kind: EventKind,
    pub actor: Actor,
    pub from: Conversation,
    pub to: Conversation,
}

impl Transition {
    pub fn changed(&self) -> bool {
        self.from != self.to
    }
}

impl Conversation {
    pub fn new() -> Self {
        Conversation {
            owner: Owner::Ai,
            status: Status::Open,
        }
    }

    /// The AI may send to the customer only while it owns an open conversation.
    pub fn ai_may_send(&self) -> bool {
        self.owner == Owner::Ai && self.status == Status::Open
    }

    /// Whether `agent` may send a public reply now.
    pub fn agent_may_reply(&self, agent: AgentId) -> Result<(), TransitionError> {
        self.require_not_closed()?;
        match self.owner {
            Owner::Agent { agent: a } if a == agent => {}
            Owner::Agent { .. } => return Err(TransitionError::NotOwner),
            other => return Err(wrong_owner("reply to", other)),
        }
        if self.status.is_active() {
            Ok(())
        } else {
            Err(wrong_status("reply to", self.status))
        }
    }

    /// Private notes: any agent of the tenant, on any conversation that is not closed.
    pub fn agent_may_note(&self) -> Result<(), TransitionError> {
        self.require_not_closed()
    }

    fn require_not_closed(&self) -> Result<(), TransitionError> {
        if self.status == Status::Closed {
            Err(TransitionError::Closed)
        } else {
            Ok(())
        }
    }

    /// Validate `cmd` against the current state and return the transition to record.
    pub fn apply(&self, cmd: Command) -> Result<Transition, TransitionError> {
        self.require_not_closed()?;
        let kind = cmd.event_kind();
        let name = kind.as_str();
        let mut to = *self;
        match cmd {
            Command::Handoff { team, priority, .. } => {
                if self.owner != Owner::Ai {
                    return Err(wrong_owner("hand off", self.owner));
                }
                if self.status != Status::Open {
                    return Err(wrong_status(name, self.status));
                }
                to.owner = Owner::Queue { team, priority };
            }
            Command::Take { agent } => {
                match self.owner {
                    Owner::Ai | Owner::Queue { .. } => {}
                    Owner::Agent { agent: a } if a == agent => {
                        return Err(wrong_owner("take", self.owner));
                    }
                    Owner::Agent { .. } => return Err(TransitionError::NotOwner),
                }
                if !self.status.is_active() {
                    return Err(wrong_status(name, self.status));
                }
                to.owner = Owner::Agent { agent };
                to.status = Status::Open;
            }
            Command::Assign { agent } => {
                if !matches!(self.owner, Owner::Queue { .. }) {
                    return Err(wrong_owner("assign", self.owner));
                }
                if !self.status.is_active() {
                    return Err(wrong_status(name, self.status));
                }
                to.owner = Owner::Agent { agent };
                to.status = Status::Open;
            }
            Command::Transfer {
                by,
                supervisor,
                to: target,
            } => {
                match (self.owner, supervisor) {
                    (Owner::Agent { agent }, false) if agent != by => return Err(TransitionError::NotOwner),
                    (Owner::Agent { .. }, _) => {}
                    (Owner::Queue { .. }, true) => {}
                    (other, _) => return Err(wrong_owner("transfer", other)),
                }
                if !self.status.is_active() {
                    return Err(wrong_status(name, self.status));
                }
                match target {
                    Owner::Ai => return Err(wrong_owner("transfer to", Owner::Ai)),
                    t if t == self.owner => return Err(wrong_owner("transfer to", t)),
                    _ => {}
                }
                to.owner = target;
                to.status = Status::Open;
            }
            Command::Escalate { team, priority } => {
                if self.owner == Owner::Ai {
                    return Err(wrong_owner(name, self.owner));
                }
                if self.status != Status::Open {
                    return Err(wrong_status(name, self.status));
                }
                to.owner = Owner::Queue { team, priority };
            }
            Command::HandBack { agent } => {
                self.require_owner(agent, "hand back")?;
                if !self.status.is_active() {
                    return Err(wrong_status("hand back", self.status));
                }
                to.owner = Owner::Ai;
                to.status = Status::Open;
            }
            Command::Resolve { actor } => {
                if !self.status.is_active() {
                    return Err(wrong_status(name, self.status));
                }
                match (actor, self.owner) {
                    (Actor::System, _) => {}
                    (Actor::Agent(a), Owner::Agent { agent }) if a != agent => return Err(TransitionError::NotOwner),
                    (Actor::Agent(_), _) => {}
                    (Actor::Ai | Actor::Customer, Owner::Ai) => {}
                    (Actor::Ai | Actor::Customer, owner) => return Err(wrong_owner(name, owner)),
                }
                to.status = Status::Resolved;
            }
            Command::Reopen { actor } => {
                if self.status != Status::Resolved {
                    return Err(wrong_status(name, self.status));
                }
                if actor == Actor::Ai {
                    return Err(wrong_owner(name, self.owner));
                }
                to.status = Status::Open;
            }
            Command::Snooze { agent } => {
                self.require_owner(agent, "snooze")?;
                if self.status != Status::Open {
                    return Err(wrong_status(name, self.status));
                }
                to.status = Status::Snoozed;
            }
            Command::CustomerMessage => {
                to.status = Status::Open;
            }
            Command::Close { .. } => {
                if self.status != Status::Resolved {
                    return Err(wrong_status(name, self.status));
                }
                to.status = Status::Closed;
            }
        }
        Ok(Transition {
            kind,
            actor: cmd.actor(),
            from: *self,
            to,
        })
    }

    fn require_owner(&self, agent: AgentId, what: &'static str) -> Result<(), TransitionError> {
        match self.owner {
            Owner::Agent { agent: a } if a == agent => Ok(()),
            Owner::Agent { .. } => Err(TransitionError::NotOwner),
            other => Err(wrong_owner(what, other)),
        }
    }
}

impl Default for Conversation {
    fn default() -> Self {
        Self::new()
    }
}

fn wrong_owner(command: &'static str, owner: Owner) -> TransitionError {
    let owner = match owner {
        Owner::Ai => "the AI",
        Owner::Queue { .. } => "a queue",
        Owner::Agent { .. } => "an agent",
    };
    TransitionError::WrongOwner { command, owner }
}

fn wrong_status(command: &'static str, status: Status) -> TransitionError {
    TransitionError::WrongStatus {
        command,
        status: status.as_str(),
    }
}

#[cfg(test)]
#[path = "conversation_tests.rs"]
mod tests;
