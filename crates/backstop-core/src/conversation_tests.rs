//! Exhaustive tests of the ownership state machine: every (owner, status, command) combination is
//! checked against the table of allowed transitions written out below; everything else must fail.

use super::*;
use crate::ids::{AgentId, TeamId};
use uuid::Uuid;

const ME: AgentId = AgentId(Uuid::from_u128(1));
const OTHER: AgentId = AgentId(Uuid::from_u128(2));
const TEAM: TeamId = TeamId(Uuid::from_u128(10));
const SUPERVISOR: AgentId = AgentId(Uuid::from_u128(3));

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum O {
    Ai,
    Queue,
    Me,
    Other,
}

fn owner(o: O) -> Owner {
    match o {
        O::Ai => Owner::Ai,
        O::Queue => Owner::Queue {
            team: TEAM,
            priority: Priority::Normal,
        },
        O::Me => Owner::Agent { agent: ME },
        O::Other => Owner::Agent { agent: OTHER },
    }
}

fn commands() -> Vec<(&'static str, Command)> {
    vec![
        (
            "handoff",
            Command::Handoff {
                team: TEAM,
                priority: Priority::Normal,
                reason: HandoffReason::CustomerRequest,
            },
        ),
        ("take", Command::Take { agent: ME }),
        ("assign_me", Command::Assign { agent: ME }),
        (
            "transfer_to_queue",
            Command::Transfer {
                by: ME,
                supervisor: false,
                to: owner(O::Queue),
            },
        ),
        (
            "transfer_to_other",
            Command::Transfer {
                by: ME,
                supervisor: false,
                to: owner(O::Other),
            },
        ),
        (
            "reassign_to_me",
            Command::Transfer {
                by: SUPERVISOR,
                supervisor: true,
                to: owner(O::Me),
            },
        ),
        (
            "transfer_to_ai",
            Command::Transfer {
                by: ME,
                supervisor: true,
                to: Owner::Ai,
            },
        ),
        ("hand_back", Command::HandBack { agent: ME }),
        (
            "escalate",
            Command::Escalate {
                team: TEAM,
                priority: Priority::Normal,
            },
        ),
        (
            "resolve_by_me",
            Command::Resolve {
                actor: Actor::Agent(ME),
            },
        ),
        ("resolve_by_ai", Command::Resolve { actor: Actor::Ai }),
        ("resolve_by_customer", Command::Resolve { actor: Actor::Customer }),
        ("resolve_by_system", Command::Resolve { actor: Actor::System }),
        (
            "reopen_by_me",
            Command::Reopen {
                actor: Actor::Agent(ME),
            },
        ),
        ("reopen_by_customer", Command::Reopen { actor: Actor::Customer }),
        ("reopen_by_system", Command::Reopen { actor: Actor::System }),
        ("reopen_by_ai", Command::Reopen { actor: Actor::Ai }),
        ("snooze", Command::Snooze { agent: ME }),
        ("customer_message", Command::CustomerMessage),
        ("close_by_system", Command::Close { actor: Actor::System }),
        (
            "close_by_me",
            Command::Close {
                actor: Actor::Agent(ME),
            },
        ),
    ]
}

use Status::{Closed, Open, Resolved, Snoozed};
const ALL_O: [O; 4] = [O::Ai, O::Queue, O::Me, O::Other];

/// The specification: every allowed (command, owner, status) and the state it leads to.
fn allowed() -> Vec<(&'static str, O, Status, O, Status)> {
    let mut t = vec![("handoff", O::Ai, Open, O::Queue, Open)];
    for o in [O::Ai, O::Queue] {
        for s in [Open, Snoozed] {
            t.push(("take", o, s, O::Me, Open));
        }
    }
    for s in [Open, Snoozed] {
        t.push(("assign_me", O::Queue, s, O::Me, Open));
        t.push(("transfer_to_queue", O::Me, s, O::Queue, Open));
        t.push(("transfer_to_other", O::Me, s, O::Other, Open));
        for o in [O::Queue, O::Other] {
            t.push(("reassign_to_me", o, s, O::Me, Open));
        }
        t.push(("hand_back", O::Me, s, O::Ai, Open));
        for o in [O::Ai, O::Queue, O::Me] {
            t.push(("resolve_by_me", o, s, o, Resolved));
        }
        t.push(("resolve_by_ai", O::Ai, s, O::Ai, Resolved));
        t.push(("resolve_by_customer", O::Ai, s, O::Ai, Resolved));
        for o in ALL_O {
            t.push(("resolve_by_system", o, s, o, Resolved));
        }
    }
    for o in ALL_O {
        for cmd in ["reopen_by_me", "reopen_by_customer", "reopen_by_system"] {
            t.push((cmd, o, Resolved, o, Open));
        }
        for s in [Open, Snoozed, Resolved] {
            t.push(("customer_message", o, s, o, Open));
        }
        t.push(("close_by_system", o, Resolved, o, Closed));
        t.push(("close_by_me", o, Resolved, o, Closed));
    }
    t.push(("snooze", O::Me, Open, O::Me, Snoozed));
    for o in [O::Queue, O::Me, O::Other] {
        t.push(("escalate", o, Open, O::Queue, Open));
    }
    t
}

#[test]
fn every_combination_matches_the_specification() {
    let spec = allowed();
    let mut checked = 0;
    for (name, cmd) in commands() {
        for o in ALL_O {
            for s in Status::ALL {
                let conv = Conversation {
                    owner: owner(o),
                    status: s,
                };
                let got = conv.apply(cmd);
                let want = spec.iter().find(|(n, so, ss, _, _)| *n == name && *so == o && *ss == s);
                match (want, got) {
                    (Some(&(_, _, _, to_o, to_s)), Ok(tr)) => {
                        assert_eq!(
                            tr.to,
                            Conversation {
                                owner: owner(to_o),
                                status: to_s
                            },
                            "{name} from {o:?}/{s:?}"
                        );
                        assert_eq!(tr.from, conv);
                        assert_eq!(tr.kind, cmd.event_kind());
                    }
                    (Some(_), Err(e)) => {
                        panic!("{name} from {o:?}/{s:?} should be allowed, got {e}")
                    }
                    (None, Ok(tr)) => {
                        panic!("{name} from {o:?}/{s:?} should be refused, got {tr:?}")
                    }
                    (None, Err(_)) => {}
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, commands().len() * 16);
}

#[test]
fn closed_is_terminal() {
    for o in ALL_O {
        let conv = Conversation {
            owner: owner(o),
            status: Closed,
        };
        for (name, cmd) in commands() {
            assert_eq!(conv.apply(cmd), Err(TransitionError::Closed), "{name}");
        }
        assert_eq!(conv.agent_may_note(), Err(TransitionError::Closed));
        assert_eq!(conv.agent_may_reply(ME), Err(TransitionError::Closed));
        assert!(!conv.ai_may_send());
    }
}

#[test]
fn ai_sends_only_when_it_owns_an_open_conversation() {
    for o in ALL_O {
        for s in Status::ALL {
            let conv = Conversation {
                owner: owner(o),
                status: s,
            };
            assert_eq!(conv.ai_may_send(), o == O::Ai && s == Open, "{o:?}/{s:?}");
        }
    }
}

#[test]
fn only_the_owning_agent_replies() {
    for o in ALL_O {
        for s in Status::ALL {
            let conv = Conversation {
                owner: owner(o),
                status: s,
            };
            let ok = o == O::Me && matches!(s, Open | Snoozed);
            assert_eq!(conv.agent_may_reply(ME).is_ok(), ok, "{o:?}/{s:?}");
        }
    }
    let theirs = Conversation {
        owner: owner(O::Other),
        status: Open,
    };
    assert_eq!(theirs.agent_may_reply(ME), Err(TransitionError::NotOwner));
    let queued = Conversation {
        owner: owner(O::Queue),
        status: Open,
    };
    assert!(matches!(
        queued.agent_may_reply(ME),
        Err(TransitionError::WrongOwner { .. })
    ));
}

#[test]
fn refusals_say_why() {
    let theirs = Conversation {
        owner: owner(O::Other),
        status: Open,
    };
    assert_eq!(
        theirs.apply(Command::Take { agent: ME }),
        Err(TransitionError::NotOwner)
    );
    assert_eq!(
        theirs.apply(Command::HandBack { agent: ME }),
        Err(TransitionError::NotOwner)
    );
    let queued = Conversation {
        owner: owner(O::Queue),
        status: Open,
    };
    let e = queued.apply(Command::Handoff {
        team: TEAM,
        priority: Priority::High,
        reason: HandoffReason::Anger,
    });
    assert_eq!(
        e,
        Err(TransitionError::WrongOwner {
            command: "hand off",
            owner: "a queue"
        })
    );
    let resolved = Conversation {
        owner: owner(O::Me),
        status: Resolved,
    };
    assert_eq!(
        resolved.apply(Command::Snooze { agent: ME }),
        Err(TransitionError::WrongStatus {
            command: "snooze",
            status: "resolved"
        })
    );
}

#[test]
fn the_happy_path_round_trip() {
    let c = Conversation::new();
    let t1 = c
        .apply(Command::Handoff {
            team: TEAM,
            priority: Priority::High,
            reason: HandoffReason::CustomerRequest,
        })
        .unwrap();
    let t2 = t1.to.apply(Command::Take { agent: ME }).unwrap();
    assert!(!t2.to.ai_may_send());
    let t3 = t2.to.apply(Command::HandBack { agent: ME }).unwrap();
    assert!(t3.to.ai_may_send());
    assert_eq!(t3.actor, Actor::Agent(ME));
    let t4 = t3.to.apply(Command::Resolve { actor: Actor::Ai }).unwrap();
    let t5 = t4.to.apply(Command::CustomerMessage).unwrap();
    assert_eq!(t5.to, Conversation::new());
    let unchanged = Conversation::new().apply(Command::CustomerMessage).unwrap();
    assert!(!unchanged.changed());
}
