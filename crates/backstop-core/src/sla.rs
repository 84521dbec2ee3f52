//! The hand-over service level: a clock from the AI's hand-over to the first human reply, with a
//! per-team target (VIP and standard), and what happens when it runs out.
//!
//! A breach is never silent. Each one raises the conversation's priority, alerts the supervisors
//! and tries the next way to reach a person ([`Fallback`]): first the team's agents by least load
//! (whatever the team's own strategy; the agent who let it wait is passed over), then any online
//! agent of the tenant, and when nobody is there, an offline [`Ticket`] with a promised reply time
//! the customer is shown. A ticket whose promise passes alerts the supervisors once more.
//!
//! Pure: the engine passes the time in and applies the outcome.

use serde::{Deserialize, Serialize};

use crate::assignment::Strategy;
use crate::conversation::Priority;
use crate::hours::BusinessHours;
use crate::ids::TeamId;
use crate::Timestamp;

/// A team's service targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaTargets {
    /// Seconds to the first human reply for a VIP or urgent hand-over.
    pub vip_secs: u32,
    /// Seconds to the first human reply otherwise.
    pub standard_secs: u32,
    /// Minutes of business time within which an offline ticket is promised an answer.
    pub ticket_reply_mins: u32,
}

impl Default for SlaTargets {
    fn default() -> Self {
        SlaTargets {
            vip_secs: 30,
            standard_secs: 120,
            ticket_reply_mins: 120,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    #[error(
        "a first-reply target is between {} and {} seconds",
        SlaTargets::MIN_SECS,
        SlaTargets::MAX_SECS
    )]
    Target,
    #[error("the VIP target cannot be longer than the standard one")]
    VipSlower,
    #[error("a ticket's promised reply is between 5 minutes and 7 days")]
    Ticket,
}

impl SlaTargets {
    pub const MIN_SECS: u32 = 5;
    pub const MAX_SECS: u32 = 24 * 3600;

    pub fn validate(&self) -> Result<(), SlaError> {
        let range = Self::MIN_SECS..=Self::MAX_SECS;
        if !range.contains(&self.vip_secs) || !range.contains(&self.standard_secs) {
            return Err(SlaError::Target);
        }
        if self.vip_secs > self.standard_secs {
            return Err(SlaError::VipSlower);
        }
        if !(5..=7 * 24 * 60).contains(&self.ticket_reply_mins) {
            return Err(SlaError::Ticket);
        }
        Ok(())
    }

    /// The first-reply target for this hand-over.
    pub fn target(&self, vip: bool) -> u32 {
        if vip {
            self.vip_secs
        } else {
            self.standard_secs
        }
    }

    /// When an offline ticket created at `at` will be answered: the promised minutes after the
    /// team next opens.
    pub fn promise(&self, hours: &BusinessHours, at: Timestamp) -> Timestamp {
        hours.next_open(at) + time::Duration::minutes(self.ticket_reply_mins.into())
    }
}

/// Why a hand-over became an offline ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketReason {
    /// Outside the team's business hours.
    OutsideHours,
    /// Nobody who could answer was online.
    NobodyAvailable,
}

impl TicketReason {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketReason::OutsideHours => "outside_hours",
            TicketReason::NobodyAvailable => "nobody_available",
        }
    }
}

/// A hand-over nobody can answer now, with the reply time promised to the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub reason: TicketReason,
    #[serde(with = "time::serde::rfc3339")]
    pub promised_by: Timestamp,
}

/// The clock of one hand-over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaClock {
    /// The team the conversation was handed to.
    pub team: TeamId,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: Timestamp,
    /// The first-reply target in force (VIP or standard).
    pub target_secs: u32,
    /// The next moment to check; `None` once nothing more is watched (replied, stopped, or a
    /// ticket's promise already missed).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub due_at: Option<Timestamp>,
    /// How many times the clock ran out.
    #[serde(default)]
    pub breaches: u32,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub first_reply_at: Option<Timestamp>,
    #[serde(default)]
    pub ticket: Option<Ticket>,
}

/// What to try after a breach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fallback {
    /// The team's available agents by this strategy, passing over whoever let it wait.
    Team { strategy: Strategy },
    /// Any online agent of the tenant, least loaded first.
    AnyTeam,
    /// Nobody could be reached: promise a reply time (an offline ticket).
    Ticket,
    /// A ticket's promised time passed: alert again, nothing else to try.
    Alert,
}

/// The outcome of one breach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    /// 1 for the first breach of this hand-over.
    pub number: u32,
    /// Seconds the customer had waited since the hand-over.
    pub waited_secs: i64,
    pub priority: Priority,
    pub next: Fallback,
}

/// One step up: normal → high → urgent (urgent stays urgent).
pub fn raise(p: Priority) -> Priority {
    match p {
        Priority::Normal => Priority::High,
        Priority::High | Priority::Urgent => Priority::Urgent,
    }
}

impl SlaClock {
    /// Starts the clock at the hand-over.
    pub fn start(team: TeamId, targets: &SlaTargets, vip: bool, at: Timestamp) -> Self {
        let target_secs = targets.target(vip);
        SlaClock {
            team,
            started_at: at,
            target_secs,
            due_at: Some(at + time::Duration::seconds(target_secs.into())),
            breaches: 0,
            first_reply_at: None,
            ticket: None,
        }
    }

    /// Turns the hand-over into an offline ticket promised for `promised_by`; the clock then
    /// watches the promise.
    pub fn make_ticket(&mut self, reason: TicketReason, promised_by: Timestamp) {
        self.ticket = Some(Ticket { reason, promised_by });
        if self.first_reply_at.is_none() {
            self.due_at = Some(promised_by);
        }
    }

    /// Still waiting for the first human reply.
    pub fn running(&self) -> bool {
        self.first_reply_at.is_none() && self.due_at.is_some()
    }

    pub fn is_due(&self, now: Timestamp) -> bool {
        self.first_reply_at.is_none() && self.due_at.is_some_and(|d| d <= now)
    }

    /// The first human reply stops the clock; returns whether it came within the target.
    pub fn replied(&mut self, at: Timestamp) -> Option<bool> {
        if self.first_reply_at.is_some() {
            return None;
        }
        self.first_reply_at = Some(at);
        self.due_at = None;
        self.met()
    }

    /// Stops watching without a reply (handed back to the AI, resolved).
    pub fn stop(&mut self) {
        self.due_at = None;
    }

    /// Whether the first reply came within the target (`None` before it).
    pub fn met(&self) -> Option<bool> {
        let first = self.first_reply_at?;
        Some((first - self.started_at).whole_seconds() <= i64::from(self.target_secs))
    }

    /// Seconds from the hand-over to the first reply (`None` before it).
    pub fn first_reply_secs(&self) -> Option<i64> {
        Some((self.first_reply_at? - self.started_at).whole_seconds())
    }

    /// The clock ran out at `at`: counts the breach, raises `priority`, says what to try next and
    /// sets the next deadline (one more target period; none after a missed ticket promise).
    pub fn breach(&mut self, at: Timestamp, priority: Priority) -> Breach {
        self.breaches += 1;
        let next = match (self.ticket, self.breaches) {
            (Some(_), _) => Fallback::Alert,
            (None, 1) => Fallback::Team {
                strategy: Strategy::LeastLoaded,
            },
            (None, 2) => Fallback::AnyTeam,
            (None, _) => Fallback::Ticket,
        };
        self.due_at = match next {
            Fallback::Alert | Fallback::Ticket => None,
            _ => Some(at + time::Duration::seconds(self.target_secs.into())),
        };
        Breach {
            number: self.breaches,
            waited_secs: (at - self.started_at).whole_seconds(),
            priority: raise(priority),
            next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use time::Duration;

    const TEAM: TeamId = TeamId(uuid::Uuid::from_u128(9));
    const T0: Timestamp = datetime!(2026-11-23 02:00 UTC);

    #[test]
    fn vip_and_standard_targets() {
        let t = SlaTargets::default();
        assert_eq!(
            SlaClock::start(TEAM, &t, true, T0).due_at,
            Some(T0 + Duration::seconds(30))
        );
        assert_eq!(
            SlaClock::start(TEAM, &t, false, T0).due_at,
            Some(T0 + Duration::seconds(120))
        );
    }

    #[test]
    fn a_reply_in_time_stops_the_clock() {
        let mut c = SlaClock::start(TEAM, &SlaTargets::default(), true, T0);
        assert!(!c.is_due(T0 + Duration::seconds(29)));
        assert_eq!(c.replied(T0 + Duration::seconds(20)), Some(true));
        assert!(!c.is_due(T0 + Duration::hours(1)), "stopped");
        assert_eq!(
            c.replied(T0 + Duration::seconds(40)),
            None,
            "only the first reply counts"
        );
        assert_eq!(c.first_reply_secs(), Some(20));
    }

    #[test]
    fn breaches_escalate_step_by_step_then_become_a_ticket() {
        let mut c = SlaClock::start(TEAM, &SlaTargets::default(), false, T0);
        let at = T0 + Duration::seconds(120);
        assert!(c.is_due(at));
        let b1 = c.breach(at, Priority::Normal);
        assert_eq!((b1.number, b1.priority, b1.waited_secs), (1, Priority::High, 120));
        assert_eq!(
            b1.next,
            Fallback::Team {
                strategy: Strategy::LeastLoaded
            }
        );
        assert_eq!(c.due_at, Some(at + Duration::seconds(120)), "one more period");
        let b2 = c.breach(at + Duration::seconds(120), Priority::High);
        assert_eq!((b2.priority, b2.next), (Priority::Urgent, Fallback::AnyTeam));
        let b3 = c.breach(at + Duration::seconds(240), Priority::Urgent);
        assert_eq!((b3.priority, b3.next), (Priority::Urgent, Fallback::Ticket));
        assert_eq!(c.due_at, None);
        // The ticket watches its promise; missing it alerts once more, then nothing.
        let promised = at + Duration::hours(2);
        c.make_ticket(TicketReason::NobodyAvailable, promised);
        assert!(!c.is_due(promised - Duration::seconds(1)));
        assert!(c.is_due(promised));
        assert_eq!(c.breach(promised, Priority::Urgent).next, Fallback::Alert);
        assert!(!c.running());
        // A late reply is recorded as a miss.
        assert_eq!(c.replied(promised + Duration::minutes(5)), Some(false));
    }

    #[test]
    fn a_ticket_is_promised_after_the_team_opens() {
        let hours = BusinessHours::parse("Asia/Shanghai", "mon-fri 09:00-18:00").unwrap();
        let t = SlaTargets::default();
        // Saturday 15:00 local: Monday 09:00 local (01:00 UTC) + 120 minutes.
        assert_eq!(
            t.promise(&hours, datetime!(2026-11-21 07:00 UTC)),
            datetime!(2026-11-23 03:00 UTC)
        );
        // Open now: 120 minutes from now.
        assert_eq!(t.promise(&hours, T0), T0 + Duration::minutes(120));
    }

    #[test]
    fn targets_are_validated() {
        assert!(SlaTargets::default().validate().is_ok());
        let bad = |vip, std, mins| {
            SlaTargets {
                vip_secs: vip,
                standard_secs: std,
                ticket_reply_mins: mins,
            }
            .validate()
            .unwrap_err()
        };
        assert_eq!(bad(0, 120, 60), SlaError::Target);
        assert_eq!(bad(300, 120, 60), SlaError::VipSlower);
        assert_eq!(bad(30, 120, 1), SlaError::Ticket);
    }

    #[test]
    fn stored_form_is_stable() {
        let mut c = SlaClock::start(TEAM, &SlaTargets::default(), true, T0);
        c.make_ticket(TicketReason::OutsideHours, T0 + Duration::hours(1));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["ticket"]["reason"], "outside_hours");
        assert_eq!(json["due_at"], "2026-11-23T03:00:00Z");
        assert_eq!(serde_json::from_value::<SlaClock>(json).unwrap(), c);
    }
}
