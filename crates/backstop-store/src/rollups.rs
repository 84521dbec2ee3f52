//! The analytics records: one conversation's facts row (its rollup key, outcome and stored
//! contribution) and the questions the dashboard asks of the rollups.

use backstop_core::analytics::Contribution;
use backstop_core::ids::{AgentId, ConversationId, TenantId};
use backstop_core::outcome::Outcome;
use backstop_core::Timestamp;

use crate::{ConversationRecord, NewMessage};

/// Where a conversation is counted: the hour it started (Unix hours) and its dimensions (empty
/// text for none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RollupKey {
    pub hour: i64,
    pub team: String,
    pub channel: String,
    pub lang: String,
    pub topic: String,
}

/// One conversation as the rollups hold it: replaced whole when its facts change, the rollups
/// moved by the difference in the same transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct FactsRow {
    pub tenant: TenantId,
    pub conversation: ConversationId,
    pub key: RollupKey,
    /// None while the conversation is going.
    pub outcome: Option<Outcome>,
    pub is_final: bool,
    /// When the outcome becomes final if nothing else happens.
    pub final_at: Timestamp,
    /// The newest event folded into it.
    pub last_event_id: i64,
    pub contribution: Contribution,
}

/// Which rollup rows a question reads: hours `[from_hour, to_hour)` and any dimension named.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RollupFilter {
    pub from_hour: i64,
    pub to_hour: i64,
    pub team: Option<String>,
    pub channel: Option<String>,
    pub lang: Option<String>,
    pub topic: Option<String>,
}

/// How the rows are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RollupGroup {
    /// One group, named "".
    All,
    /// By hour (the group is the Unix hour as text).
    Hour,
    /// By UTC day (the group is the Unix day, hours / 24, as text).
    Day,
    /// By every dimension at once: the group is team, channel, language and topic joined by
    /// [`DIMENSIONS_SEPARATOR`] — one read from which a report adds up each dimension's groups.
    Dimensions,
    Team,
    Channel,
    Lang,
    Topic,
}

impl RollupGroup {
    /// The column grouped by (none for [`RollupGroup::All`] and [`RollupGroup::Dimensions`]).
    pub fn column(self) -> Option<&'static str> {
        match self {
            RollupGroup::All | RollupGroup::Dimensions => None,
            RollupGroup::Hour | RollupGroup::Day => Some("hour"),
            RollupGroup::Team => Some("team"),
            RollupGroup::Channel => Some("channel"),
            RollupGroup::Lang => Some("lang"),
            RollupGroup::Topic => Some("topic"),
        }
    }

    /// The coarsest grain whose rows can still be told apart by this group.
    pub fn coarsest(self) -> Grain {
        match self {
            RollupGroup::Hour => Grain::Hour,
            RollupGroup::Day => Grain::Day,
            _ => Grain::Week,
        }
    }
}

/// The lengths of time rollup rows are kept at. Every conversation is counted once at each grain,
/// in the row starting at its grain's start ([`Grain::start`]), so a question over a long range
/// reads a few weeks' rows and the days and hours at its edges ([`pieces`]) instead of every hour
/// — the rows read grow with the number of weeks, not with the traffic's hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    Hour = 0,
    Day = 1,
    /// From Monday 00:00 UTC.
    Week = 2,
}

/// Every grain, finest first.
pub const GRAINS: [Grain; 3] = [Grain::Hour, Grain::Day, Grain::Week];

impl Grain {
    /// Its length in hours.
    pub fn hours(self) -> i64 {
        match self {
            Grain::Hour => 1,
            Grain::Day => 24,
            Grain::Week => 168,
        }
    }

    /// Where its rows are aligned: Unix hour 96 is Monday 1970-01-05 00:00 UTC.
    fn offset(self) -> i64 {
        match self {
            Grain::Week => 96,
            _ => 0,
        }
    }

    /// The first hour of the row of this grain that holds `hour`.
    pub fn start(self, hour: i64) -> i64 {
        let (h, o) = (self.hours(), self.offset());
        (hour - o).div_euclid(h) * h + o
    }

    /// Its number in the tables' `grain` column.
    pub fn code(self) -> i64 {
        self as i64
    }

    fn finer(self) -> Option<Grain> {
        match self {
            Grain::Hour => None,
            Grain::Day => Some(Grain::Hour),
            Grain::Week => Some(Grain::Day),
        }
    }
}

/// The fewest rows, of grains no coarser than `coarsest`, that cover hours `[from, to)` exactly:
/// `(grain, first hour, end hour)` pieces, each aligned to its grain, in order.
pub fn pieces(from: i64, to: i64, coarsest: Grain) -> Vec<(Grain, i64, i64)> {
    let mut out = Vec::new();
    cover(from, to, coarsest, &mut out);
    out
}

fn cover(from: i64, to: i64, g: Grain, out: &mut Vec<(Grain, i64, i64)>) {
    if from >= to {
        return;
    }
    let Some(finer) = g.finer() else {
        out.push((g, from, to));
        return;
    };
    let first = if g.start(from) == from {
        from
    } else {
        g.start(from) + g.hours()
    };
    let last = g.start(to);
    if first >= last {
        cover(from, to, finer, out);
        return;
    }
    cover(from, first, finer, out);
    out.push((g, first, last));
    cover(last, to, finer, out);
}

/// What joins the dimensions of a [`RollupGroup::Dimensions`] group (U+001F, never in a name).
pub const DIMENSIONS_SEPARATOR: char = '\u{1f}';

/// An agent's summed columns over a period (`backstop_core::analytics::AGENT_SUMS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentRollup {
    pub agent: AgentId,
    pub sums: Vec<i64>,
}

/// Which conversations a drill-down lists: those of the filter's rows, optionally of one outcome
/// (`unsettled` for none yet) or with one keyed count (`reason:anger`), newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactsQuery {
    pub filter: RollupFilter,
    pub outcome: Option<String>,
    pub limit: u32,
}

/// A whole past conversation, written at once by [`crate::Store::import_conversations`]: the record
/// (its `last_seq` is the number of messages), its messages in order and its events in order.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedConversation {
    pub record: ConversationRecord,
    pub messages: Vec<NewMessage>,
    pub events: Vec<backstop_core::event::Event>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_and_days_at_midnight_utc() {
        // 2026-12-07 is a Monday.
        let monday = time::macros::datetime!(2026-12-07 00:00 UTC).unix_timestamp() / 3600;
        assert_eq!(Grain::Week.start(monday), monday);
        assert_eq!(Grain::Week.start(monday + 167), monday);
        assert_eq!(Grain::Week.start(monday + 168), monday + 168);
        assert_eq!(Grain::Week.start(monday - 1), monday - 168);
        assert_eq!(Grain::Day.start(monday + 30), monday + 24);
        assert_eq!(Grain::Hour.start(monday + 5), monday + 5);
        // Before 1970 too.
        assert_eq!(Grain::Day.start(-1), -24);
    }

    #[test]
    fn pieces_cover_the_range_exactly_with_aligned_rows() {
        for coarsest in GRAINS {
            for from in (-400..400).step_by(7) {
                for len in [0, 1, 5, 23, 24, 25, 48, 167, 168, 169, 400, 2160, 2161] {
                    let to = from + len;
                    let p = pieces(from, to, coarsest);
                    let mut at = from;
                    for &(g, a, b) in &p {
                        assert!(g <= coarsest, "{g:?} coarser than {coarsest:?}");
                        assert_eq!(a, at, "contiguous from {from} to {to}: {p:?}");
                        assert!(b > a);
                        assert_eq!(g.start(a), a, "{g:?} aligned at {a}");
                        assert_eq!((b - a) % g.hours(), 0);
                        at = b;
                    }
                    assert_eq!(at, to.max(from), "{p:?}");
                }
            }
        }
    }

    #[test]
    fn a_long_range_reads_weeks_and_its_edges() {
        let monday = time::macros::datetime!(2026-12-07 00:00 UTC).unix_timestamp() / 3600;
        // 90 days ending at a Thursday's midnight, starting mid-day.
        let to = monday + 3 * 24;
        let from = to - 90 * 24 + 5;
        let p = pieces(from, to, Grain::Week);
        assert!(p.len() <= 5, "{p:?}");
        let weeks: i64 = p.iter().filter(|x| x.0 == Grain::Week).map(|x| (x.2 - x.1) / 168).sum();
        assert_eq!(weeks, 12);
        // By day, no week is used; by hour, one piece of hours.
        assert!(pieces(from, to, Grain::Day).iter().all(|x| x.0 != Grain::Week));
        assert_eq!(pieces(from, to, Grain::Hour), vec![(Grain::Hour, from, to)]);
    }
}
