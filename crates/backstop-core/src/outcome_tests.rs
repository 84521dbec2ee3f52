//! The outcome rule, path by path, and over every short conversation the machine accepts.

use time::macros::datetime;
use time::Duration;

use super::*;
use crate::conversation::{Command, Conversation, Priority};
use crate::event::EventData;
use crate::ids::MessageId;
use crate::policy::{Policy, PolicyState};
use crate::routing::{Decision, DecisionTrace, Signals, TeamRole};

const T0: Timestamp = datetime!(2026-12-01 10:00 UTC);
const RULE: SettleRule = SettleRule { window_secs: 3600 };

fn agent() -> AgentId {
    AgentId(uuid::Uuid::from_u128(7))
}

fn team() -> TeamId {
    TeamId(uuid::Uuid::from_u128(3))
}

fn trace(decision: Decision) -> DecisionTrace {
    let mut t = Policy::builtin().decide(&Signals::quiet(), &PolicyState::default());
    t.decision = decision;
    t
}

/// A conversation played through the real state machine, one minute per step.
struct Play {
    machine: Conversation,
    events: Vec<Event>,
    at: Timestamp,
}

impl Play {
    fn new() -> Play {
        Play {
            machine: Conversation::new(),
            events: vec![],
            at: T0,
        }
    }

    fn tick(&mut self) -> Timestamp {
        self.at += Duration::minutes(1);
        self.at
    }

    fn note(&mut self, kind: EventKind, actor: Actor, data: EventData) -> &mut Self {
        let at = self.tick();
        self.events.push(Event::note(kind, actor, None, data, at));
        self
    }

    /// Applies a command; false when the machine refuses it.
    fn command(&mut self, cmd: Command, data: EventData) -> bool {
        let Ok(t) = self.machine.apply(cmd) else {
            return false;
        };
        self.machine = t.to;
        let at = self.tick();
        self.events.push(Event::transition(&t, None, data, at));
        true
    }

    fn ai(&mut self, kind: EventKind, decision: Decision) -> &mut Self {
        assert!(self.machine.ai_may_send());
        self.note(kind, Actor::Ai, EventData::decision(&trace(decision), "q"))
    }

    fn answer(&mut self) -> &mut Self {
        self.ai(EventKind::AiAnswer, Decision::Answer)
    }

    fn clarify(&mut self) -> &mut Self {
        self.ai(EventKind::AiClarify, Decision::Clarify)
    }

    fn small_talk(&mut self) -> &mut Self {
        self.ai(EventKind::AiSmallTalk, Decision::Answer)
    }

    fn handoff(&mut self, reason: HandoffReason) -> &mut Self {
        let d = Decision::Handoff {
            reason,
            role: TeamRole::General,
            priority: Priority::Normal,
            tier: Default::default(),
        };
        let cmd = Command::Handoff {
            team: team(),
            priority: Priority::Normal,
            reason,
        };
        assert!(self.command(cmd, EventData::decision(&trace(d), "q")));
        self
    }

    fn take(&mut self) -> &mut Self {
        assert!(self.command(Command::Take { agent: agent() }, EventData::None));
        self
    }

    fn reply(&mut self) -> &mut Self {
        assert!(self.machine.agent_may_reply(agent()).is_ok());
        self.note(
            EventKind::AgentReply,
            Actor::Agent(agent()),
            EventData::Reply {
                message: MessageId(uuid::Uuid::from_u128(9)),
            },
        )
    }

    fn go(&mut self, cmd: Command) -> &mut Self {
        assert!(self.command(cmd, EventData::None), "refused");
        self
    }

    fn facts(&self) -> Facts {
        Facts::of(T0, &self.events)
    }

    /// The outcome right after the last step, and a whole window later.
    fn outcomes(&self) -> (Option<Outcome>, Option<Outcome>) {
        let f = self.facts();
        let now = f.settle(RULE, self.at);
        let later = f.settle(RULE, self.at + Duration::seconds(RULE.window_secs.into()));
        assert!(!now.is_final && later.is_final);
        (now.outcome, later.outcome)
    }
}

use Outcome::*;

#[test]
fn an_answer_left_alone_is_ai_resolved_after_the_window_only() {
    let mut p = Play::new();
    p.answer();
    assert_eq!(p.outcomes(), (None, Some(AiResolved)));
    let f = p.facts();
    let just_before = f.settle(RULE, f.final_at(RULE) - Duration::seconds(1));
    assert_eq!((just_before.outcome, just_before.is_final), (None, false));
    let at = f.settle(RULE, f.final_at(RULE));
    assert_eq!((at.outcome, at.is_final, at.confirmed), (Some(AiResolved), true, false));
}

#[test]
fn thanks_after_an_answer_keeps_it_resolved_a_clarification_does_not() {
    let mut p = Play::new();
    p.answer().small_talk();
    assert_eq!(p.outcomes().1, Some(AiResolved));
    let mut p = Play::new();
    p.answer().clarify();
    assert_eq!(p.outcomes().1, Some(Abandoned));
    let mut p = Play::new();
    p.clarify().answer();
    assert_eq!(p.outcomes().1, Some(AiResolved));
    // The customer confirming after a clarification that followed an answer: it helped.
    let mut p = Play::new();
    p.answer().clarify().go(Command::Resolve { actor: Actor::Customer });
    assert_eq!(p.outcomes(), (Some(AiResolved), Some(AiResolved)));
    // … but not when the AI never answered anything.
    let mut p = Play::new();
    p.clarify().go(Command::Resolve { actor: Actor::Customer });
    assert_eq!(p.outcomes(), (Some(Abandoned), Some(Abandoned)));
    assert!(!p.facts().confirmed_by_customer());
}

#[test]
fn the_customer_confirming_counts_at_once_and_is_final_after_the_window() {
    let mut p = Play::new();
    p.answer().go(Command::Resolve { actor: Actor::Customer });
    let f = p.facts();
    let s = f.settle(RULE, p.at);
    assert_eq!((s.outcome, s.is_final, s.confirmed), (Some(AiResolved), false, true));
    assert!(f.settle(RULE, s.final_at).is_final);
    // Closed by the system later, it stays a confirmed AI resolution.
    p.go(Command::Close { actor: Actor::System });
    let s = p.facts().settle(RULE, p.at + Duration::days(2));
    assert_eq!((s.outcome, s.is_final, s.confirmed), (Some(AiResolved), true, true));
}

#[test]
fn a_reopen_within_the_window_takes_the_ai_outcome_back() {
    let mut p = Play::new();
    p.answer().go(Command::Resolve { actor: Actor::Customer });
    p.go(Command::CustomerMessage);
    let s = p.facts().settle(RULE, p.at);
    assert_eq!((s.outcome, s.confirmed), (None, false), "open again: no outcome yet");
    assert_eq!(p.facts().reopens, 1);
    p.handoff(HandoffReason::NoAnswer).take().reply().go(Command::Resolve {
        actor: Actor::Agent(agent()),
    });
    assert_eq!(p.outcomes(), (Some(Assisted), Some(Assisted)));
    // Reopened by the customer and answered by the AI again: AI resolved, but not confirmed.
    let mut p = Play::new();
    p.answer().go(Command::Resolve { actor: Actor::Customer });
    p.go(Command::Reopen { actor: Actor::Customer }).answer();
    assert_eq!(p.outcomes(), (None, Some(AiResolved)));
    assert!(!p.facts().settle(RULE, p.at + Duration::days(2)).confirmed);
}

#[test]
fn resolved_by_the_ai_or_the_system_is_provisional_until_the_window_ends() {
    for actor in [Actor::Ai, Actor::System] {
        let mut p = Play::new();
        p.answer().go(Command::Resolve { actor });
        let s = p.facts().settle(RULE, p.at);
        assert_eq!((s.outcome, s.is_final, s.confirmed), (Some(AiResolved), false, false));
        p.go(Command::Close { actor: Actor::System });
        assert_eq!(p.outcomes(), (Some(AiResolved), Some(AiResolved)));
    }
}

#[test]
fn nothing_answered_is_abandoned() {
    let p = Play::new();
    assert_eq!(p.facts().settle(RULE, T0).outcome, None);
    assert_eq!(p.facts().settle(RULE, T0 + Duration::hours(1)).outcome, Some(Abandoned));
    let mut p = Play::new();
    p.clarify().clarify();
    assert_eq!(p.outcomes(), (None, Some(Abandoned)));
}

#[test]
fn a_hand_over_nobody_answered_is_abandoned_even_when_resolved() {
    let mut p = Play::new();
    p.answer().handoff(HandoffReason::CustomerRequest);
    assert_eq!(p.outcomes(), (None, Some(Abandoned)));
    p.take().go(Command::Resolve {
        actor: Actor::Agent(agent()),
    });
    assert_eq!(p.outcomes(), (Some(Abandoned), Some(Abandoned)));
    let f = p.facts();
    assert_eq!(f.handoff_reason, Some(HandoffReason::CustomerRequest));
    assert_eq!(f.time_to_person_ms(), None);
}

#[test]
fn a_person_answering_is_human_resolved_or_assisted_by_whether_the_ai_answered() {
    let mut p = Play::new();
    p.handoff(HandoffReason::Vip).take().reply();
    assert_eq!(p.outcomes(), (None, Some(HumanResolved)), "open: settles when quiet");
    p.go(Command::Resolve {
        actor: Actor::Agent(agent()),
    });
    assert_eq!(p.outcomes(), (Some(HumanResolved), Some(HumanResolved)));
    let f = p.facts();
    assert_eq!(f.agent, Some(agent()));
    assert_eq!(f.time_to_person_ms(), Some(2 * 60_000), "hand-over to reply");

    let mut p = Play::new();
    p.answer().handoff(HandoffReason::Anger).take().reply();
    p.go(Command::Resolve {
        actor: Actor::Agent(agent()),
    });
    assert_eq!(p.outcomes(), (Some(Assisted), Some(Assisted)));

    // Handed back to the AI after a person answered, and the AI finished.
    let mut p = Play::new();
    p.handoff(HandoffReason::NoAnswer).take().reply();
    p.go(Command::HandBack { agent: agent() }).answer();
    assert_eq!(p.outcomes(), (None, Some(Assisted)));
}

#[test]
fn a_snoozed_or_reopened_human_conversation_stays_human() {
    let mut p = Play::new();
    p.handoff(HandoffReason::Complaint).take().reply();
    p.go(Command::Snooze { agent: agent() });
    assert_eq!(p.outcomes(), (None, Some(HumanResolved)));
    p.go(Command::CustomerMessage).reply().go(Command::Resolve {
        actor: Actor::Agent(agent()),
    });
    assert_eq!(p.outcomes(), (Some(HumanResolved), Some(HumanResolved)));
}

#[test]
fn logs_from_before_agent_reply_events_count_the_first_reply() {
    let mut p = Play::new();
    p.answer().handoff(HandoffReason::NoAnswer).take();
    p.note(
        EventKind::FirstReply,
        Actor::Agent(agent()),
        EventData::FirstReply {
            seconds: 60,
            target_secs: 120,
            met: true,
            breaches: 0,
            ticket: None,
        },
    );
    assert_eq!(p.outcomes().1, Some(Assisted));
    let f = p.facts();
    assert_eq!((f.person_replies, f.sla_met, f.agent), (1, Some(true), Some(agent())));
}

#[test]
fn the_facts_count_what_reports_read() {
    let mut p = Play::new();
    p.answer().handoff(HandoffReason::Anger);
    p.note(EventKind::Ticket, Actor::System, EventData::None);
    p.note(
        EventKind::SlaBreach,
        Actor::System,
        EventData::SlaBreach {
            breach: crate::sla::Breach {
                number: 1,
                waited_secs: 130,
                priority: Priority::High,
                next: crate::sla::Fallback::AnyTeam,
            },
            target_secs: 120,
            team: team(),
        },
    );
    p.take().reply();
    p.note(
        EventKind::Copilot,
        Actor::Agent(agent()),
        EventData::Copilot {
            used: CopilotUse::Edited,
            message: MessageId(uuid::Uuid::from_u128(1)),
        },
    );
    p.reply().go(Command::Resolve {
        actor: Actor::Agent(agent()),
    });
    p.note(
        EventKind::Csat,
        Actor::Customer,
        EventData::Csat {
            rating: 2,
            comment: None,
        },
    );
    let f = p.facts();
    assert_eq!((f.customer_turns, f.ai_answers, f.handoffs), (2, 1, 1));
    assert_eq!(
        (f.person_replies, f.sla_breaches, f.sla_met, f.ticket),
        (2, 1, Some(false), true)
    );
    assert_eq!((f.csat, f.copilot, f.team), (Some(2), [0, 1, 0], Some(team())));
    assert_eq!(f.first_response_at, Some(T0 + Duration::minutes(1)));
    assert_eq!(f.resolved_by, Some(Actor::Agent(agent())));
    assert_eq!(f.last_activity, p.at);
}

#[test]
fn the_systems_own_clocks_are_not_activity() {
    let mut p = Play::new();
    p.handoff(HandoffReason::NoAnswer);
    let quiet_from = p.at;
    p.note(EventKind::Ticket, Actor::System, EventData::None);
    p.go(Command::Escalate {
        team: team(),
        priority: Priority::High,
    });
    let f = p.facts();
    assert_eq!(f.last_activity, quiet_from);
    let s = f.settle(RULE, quiet_from + Duration::seconds(RULE.window_secs.into()));
    assert_eq!((s.outcome, s.is_final), (Some(Abandoned), true));
}

#[test]
fn the_window_is_bounded() {
    assert!(SettleRule::new(299).is_err());
    assert!(SettleRule::new(300).is_ok());
    assert!(SettleRule::new(30 * 24 * 3600).is_ok());
    assert!(SettleRule::new(30 * 24 * 3600 + 1).is_err());
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.as_str()), Some(o));
    }
}

/// Every conversation of up to six steps the machine accepts: the outcome agrees with the facts,
/// none is given while it is going, and a final outcome never changes with time.
#[test]
fn every_short_conversation_settles_by_the_rule() {
    const STEPS: usize = 11;
    fn step(p: &mut Play, i: usize) -> bool {
        let a = Actor::Agent(agent());
        match i {
            0 if p.machine.ai_may_send() => {
                p.answer();
                true
            }
            1 if p.machine.ai_may_send() => {
                p.clarify();
                true
            }
            2 if p.machine.ai_may_send() => {
                p.handoff(HandoffReason::NoAnswer);
                true
            }
            3 => p.command(Command::Take { agent: agent() }, EventData::None),
            4 if p.machine.agent_may_reply(agent()).is_ok() => {
                p.reply();
                true
            }
            5 => p.command(Command::Resolve { actor: Actor::Customer }, EventData::None),
            6 => p.command(Command::Resolve { actor: a }, EventData::None),
            7 => p.command(Command::CustomerMessage, EventData::None),
            8 => p.command(Command::HandBack { agent: agent() }, EventData::None),
            9 => p.command(Command::Close { actor: Actor::System }, EventData::None),
            10 => p.command(Command::Resolve { actor: Actor::Ai }, EventData::None),
            _ => false,
        }
    }
    fn walk(p: &Play, depth: usize, seen: &mut usize) {
        *seen += 1;
        let f = p.facts();
        let now = f.settle(RULE, p.at);
        let ended = matches!(f.status, Status::Resolved | Status::Closed);
        assert_eq!(now.outcome.is_some(), ended, "{:?}", p.events);
        let last = f.settle(RULE, f.final_at(RULE));
        let later = f.settle(RULE, f.final_at(RULE) + Duration::days(40));
        assert!(last.is_final && last == later, "a final outcome never changes");
        let o = last.outcome.expect("a quiet conversation has an outcome");
        match o {
            AiResolved => {
                assert!(!f.person_answered() && f.owner == Owner::Ai && (f.ai_last_answered || now.confirmed))
            }
            Assisted => assert!(f.person_answered() && f.ai_answers > 0),
            HumanResolved => assert!(f.person_answered() && f.ai_answers == 0),
            Abandoned => assert!(!f.person_answered()),
        }
        if ended {
            assert_eq!(now.outcome, Some(o), "an ended conversation's outcome is the final one");
        }
        assert_eq!(now.confirmed, f.confirmed_by_customer());
        if now.confirmed {
            assert_eq!(o, AiResolved);
        }
        if depth == 0 {
            return;
        }
        for i in 0..STEPS {
            let mut next = Play {
                machine: p.machine,
                events: p.events.clone(),
                at: p.at,
            };
            if step(&mut next, i) {
                walk(&next, depth - 1, seen);
            }
        }
    }
    let mut seen = 0;
    walk(&Play::new(), 6, &mut seen);
    assert!(seen > 10_000, "walked {seen} conversations");
}
