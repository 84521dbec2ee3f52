//! The manager's report over a date range and filters, read from the rollups only (a few sums
//! over a tenant's rows of those hours — never a scan of conversations): the outcome totals and
//! rates, day by day, the volume by weekday and hour, hand-over reasons, moods, ratings, the
//! durations' medians and 90th percentiles, breakdowns per team, language, channel and topic with
//! each topic's trend against the period before, each agent's share, and the estimated savings.
//! Days and hours are UTC.

use std::collections::BTreeMap;

use backstop_core::analytics::{quantile, Contribution, Savings, Sum, BUCKETS_SECS, DURATIONS, SUMS};
use backstop_core::ids::{AgentId, ConversationId, TenantId};
use backstop_store::{FactsQuery, RollupFilter, RollupGroup, DIMENSIONS_SEPARATOR};
use time::Date;

use crate::{Engine, EngineError, Result};

/// The longest range a report reads.
pub const MAX_DAYS: i64 = 366;

/// What a report covers: days `from..=to` (UTC) and any dimension named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportQuery {
    pub from: Date,
    pub to: Date,
    pub team: Option<String>,
    pub channel: Option<String>,
    pub lang: Option<String>,
    pub topic: Option<String>,
}

impl ReportQuery {
    /// The rollup rows of the range, or what is wrong with it.
    pub fn filter(&self) -> Result<RollupFilter> {
        if self.to < self.from {
            return Err(EngineError::InvalidInput("the range ends before it starts".into()));
        }
        let days = (self.to - self.from).whole_days() + 1;
        if days > MAX_DAYS {
            return Err(EngineError::InvalidInput(format!(
                "a report covers at most {MAX_DAYS} days (this one {days})"
            )));
        }
        let hour = |d: Date| d.midnight().assume_utc().unix_timestamp().div_euclid(3600);
        let clean = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(RollupFilter {
            from_hour: hour(self.from),
            to_hour: hour(self.to) + 24,
            team: clean(&self.team),
            channel: clean(&self.channel),
            lang: clean(&self.lang),
            topic: clean(&self.topic),
        })
    }

    /// The period of the same length just before (none before the calendar's first day).
    fn previous(&self) -> Option<ReportQuery> {
        let len = self.to - self.from + time::Duration::days(1);
        Some(ReportQuery {
            from: self.from.checked_sub(len)?,
            to: self.from.checked_sub(time::Duration::days(1))?,
            ..self.clone()
        })
    }
}

/// A duration's figures: conversations measured, the mean, and the median and 90th percentile
/// as the upper bounds of their buckets, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Durations {
    pub count: i64,
    pub mean_secs: Option<f64>,
    pub p50_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

/// One group's sums (a day, a team, a language …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub key: String,
    /// What people call it (a team's name; the key otherwise).
    pub name: String,
    pub sums: Contribution,
}

/// A topic's conversations in the range and in the period before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicTrend {
    pub topic: String,
    pub conversations: i64,
    pub previous: i64,
}

/// An agent's share of the range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentShare {
    pub agent: AgentId,
    pub name: String,
    /// `backstop_core::analytics::AGENT_SUMS`, in order.
    pub sums: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub query: ReportQuery,
    pub totals: Contribution,
    pub savings: Savings,
    pub currency: String,
    /// Ratings 1 to 5.
    pub csat: [i64; 5],
    /// Time to a person, first response, resolution.
    pub time_to_person: Durations,
    pub first_response: Durations,
    pub resolution: Durations,
    pub days: Vec<(Date, Contribution)>,
    /// Conversations started, by weekday (Monday first) and hour (UTC).
    pub heatmap: [[i64; 24]; 7],
    pub reasons: Vec<(String, i64)>,
    pub moods: Vec<(String, i64)>,
    pub teams: Vec<Group>,
    pub languages: Vec<Group>,
    pub channels: Vec<Group>,
    pub topics: Vec<TopicTrend>,
    pub agents: Vec<AgentShare>,
}

fn contribution(sums: Vec<i64>) -> Contribution {
    Contribution {
        sums,
        ..Default::default()
    }
}

fn groups(rows: Vec<(String, Vec<i64>)>) -> Vec<Group> {
    let mut g: Vec<Group> = rows
        .into_iter()
        .map(|(key, sums)| Group {
            name: key.clone(),
            key,
            sums: contribution(sums),
        })
        .filter(|g| g.sums.get(Sum::Conversations) != 0)
        .collect();
    g.sort_by(|a, b| {
        b.sums
            .get(Sum::Conversations)
            .cmp(&a.sums.get(Sum::Conversations))
            .then(a.key.cmp(&b.key))
    });
    g
}

/// The keyed counts of one prefix, largest first, without the prefix.
fn keyed(rows: Vec<(String, String, i64)>, prefix: &str) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = rows
        .into_iter()
        .filter(|r| r.2 != 0)
        .map(|(_, k, n)| (k.trim_start_matches(prefix).to_string(), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// A range's sums by every dimension at once, added up into the totals and each dimension's groups.
struct ByDimension {
    totals: Vec<i64>,
    /// Teams, channels, languages, topics.
    groups: [Vec<(String, Vec<i64>)>; 4],
}

fn split_dimensions(cells: Vec<(String, Vec<i64>)>) -> ByDimension {
    let mut totals = vec![0; SUMS];
    let mut maps: [BTreeMap<String, Vec<i64>>; 4] = Default::default();
    for (cell, sums) in cells {
        for (i, v) in sums.iter().enumerate() {
            totals[i] += v;
        }
        for (map, name) in maps.iter_mut().zip(cell.split(DIMENSIONS_SEPARATOR)) {
            let to = map.entry(name.to_string()).or_insert_with(|| vec![0; SUMS]);
            for (i, v) in sums.iter().enumerate() {
                to[i] += v;
            }
        }
    }
    ByDimension {
        totals,
        groups: maps.map(|m| m.into_iter().collect()),
    }
}

impl Engine {
    /// The report of `q` for `tenant`.
    pub async fn report(&self, tenant: &TenantId, q: &ReportQuery) -> Result<Report> {
        let store = &self.inner.store;
        let f = q.filter()?;
        // Before the calendar's first day there is nothing: an empty range.
        let prev = match q.previous() {
            Some(p) => p.filter()?,
            None => RollupFilter {
                to_hour: f.from_hour,
                ..f.clone()
            },
        };
        // Four reads: the range by every dimension at once (totals, teams, languages, channels and
        // topics are added up from it), by day, by hour (the heat map's conversations only) and
        // the period before by topic (its conversations only); then every keyed count at once.
        let (cells, hours, by_day, before) = tokio::try_join!(
            store.rollup_sums(tenant, &f, RollupGroup::Dimensions, Sum::ALL),
            store.rollup_sums(tenant, &f, RollupGroup::Hour, &[Sum::Conversations]),
            store.rollup_sums(tenant, &f, RollupGroup::Day, Sum::ALL),
            store.rollup_sums(tenant, &prev, RollupGroup::Topic, &[Sum::Conversations]),
        )?;
        let (keyed_counts, agent_rows, agents, team_list) = tokio::try_join!(
            store.rollup_counts(tenant, &f, RollupGroup::All, ""),
            store.agent_rollups(tenant, &f),
            store.list_agents(tenant),
            store.list_teams(tenant),
        )?;
        let by = split_dimensions(cells);
        let [teams, channels, langs, topics] = by.groups;
        let with_prefix = |p: &str| {
            keyed_counts
                .iter()
                .filter(|(_, k, _)| k.starts_with(p))
                .cloned()
                .collect::<Vec<_>>()
        };
        let (reasons, moods, csat) = (with_prefix("reason:"), with_prefix("mood:"), with_prefix("csat:"));
        let durations = keyed_counts;
        let totals = contribution(by.totals);
        let savings = self.inner.config.analytics.costs.savings(&totals);
        // Days from the daily rows, the weekday × hour map from the hourly ones.
        let mut days: BTreeMap<Date, Vec<i64>> = BTreeMap::new();
        let mut d = q.from;
        while d <= q.to {
            days.insert(d, vec![0; SUMS]);
            match d.next_day() {
                Some(next) => d = next,
                None => break,
            }
        }
        let mut heatmap = [[0i64; 24]; 7];
        let conversations = Sum::ALL.iter().position(|s| *s == Sum::Conversations).unwrap_or(0);
        for (day, sums) in by_day {
            let Ok(d) = day.parse::<i64>() else { continue };
            let Ok(at) = time::OffsetDateTime::from_unix_timestamp(d * 86_400) else {
                continue;
            };
            if let Some(day) = days.get_mut(&at.date()) {
                for (i, v) in sums.iter().enumerate() {
                    day[i] += v;
                }
            }
        }
        for (hour, sums) in hours {
            let Ok(h) = hour.parse::<i64>() else { continue };
            let Ok(at) = time::OffsetDateTime::from_unix_timestamp(h * 3600) else {
                continue;
            };
            heatmap[at.weekday().number_days_from_monday() as usize][at.hour() as usize] += sums[0];
        }
        let mut stars = [0i64; 5];
        for (_, k, n) in &csat {
            if let Some(r) = k.strip_prefix("csat:").and_then(|r| r.parse::<usize>().ok()) {
                if (1..=5).contains(&r) {
                    stars[r - 1] += n;
                }
            }
        }
        let measure = |prefix: &str, total: Sum, n: Sum| {
            let mut buckets = [0i64; BUCKETS_SECS.len()];
            for (_, k, c) in &durations {
                if let Some(b) = k
                    .strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix(':'))
                    .and_then(|r| r.parse::<usize>().ok())
                {
                    if b < buckets.len() {
                        buckets[b] += c;
                    }
                }
            }
            let count = totals.get(n);
            Durations {
                count,
                mean_secs: (count > 0).then(|| totals.get(total) as f64 / count as f64 / 1000.0),
                p50_secs: quantile(&buckets, 0.5),
                p90_secs: quantile(&buckets, 0.9),
            }
        };
        debug_assert_eq!(DURATIONS, ["ttp", "frt", "res"]);
        let time_to_person = measure("ttp", Sum::TimeToPersonMs, Sum::TimeToPersonN);
        let first_response = measure("frt", Sum::FirstResponseMs, Sum::FirstResponseN);
        let resolution = measure("res", Sum::ResolutionMs, Sum::ResolutionN);
        let before: BTreeMap<String, i64> = before.into_iter().map(|(k, s)| (k, s[0])).collect();
        let mut topic_trends: Vec<TopicTrend> = topics
            .into_iter()
            .filter(|(_, s)| s[conversations] != 0)
            .map(|(topic, s)| TopicTrend {
                previous: before.get(&topic).copied().unwrap_or(0),
                conversations: s[conversations],
                topic,
            })
            .collect();
        topic_trends.sort_by(|a, b| b.conversations.cmp(&a.conversations).then(a.topic.cmp(&b.topic)));
        let names: BTreeMap<AgentId, String> = agents.into_iter().map(|a| (a.id, a.name)).collect();
        let mut shares: Vec<AgentShare> = agent_rows
            .into_iter()
            .filter(|a| a.sums.iter().any(|v| *v != 0))
            .map(|a| AgentShare {
                name: names.get(&a.agent).cloned().unwrap_or_default(),
                agent: a.agent,
                sums: a.sums,
            })
            .collect();
        shares.sort_by(|a, b| b.sums[0].cmp(&a.sums[0]).then(a.name.cmp(&b.name)));
        Ok(Report {
            query: q.clone(),
            savings,
            currency: self.inner.config.analytics.costs.currency.clone(),
            csat: stars,
            time_to_person,
            first_response,
            resolution,
            days: days.into_iter().map(|(d, s)| (d, contribution(s))).collect(),
            heatmap,
            reasons: keyed(reasons, "reason:"),
            moods: keyed(moods, "mood:"),
            teams: groups(teams)
                .into_iter()
                .map(|mut g| {
                    if let Some(t) = team_list.iter().find(|t| t.id.to_string() == g.key) {
                        g.name = t.name.clone();
                    }
                    g
                })
                .collect(),
            languages: groups(langs),
            channels: groups(channels),
            topics: topic_trends,
            agents: shares,
            totals,
        })
    }

    /// The conversations behind a number of a report: those of its range and filters, of one
    /// outcome (`unsettled` for none yet) when given, newest first, at most `limit`.
    pub async fn report_conversations(
        &self,
        tenant: &TenantId,
        q: &ReportQuery,
        outcome: Option<&str>,
        limit: u32,
    ) -> Result<
        Vec<(
            ConversationId,
            Option<backstop_core::outcome::Outcome>,
            backstop_store::RollupKey,
        )>,
    > {
        if let Some(o) = outcome {
            if o != "unsettled" && backstop_core::outcome::Outcome::parse(o).is_none() {
                return Err(EngineError::InvalidInput(format!(
                    "outcome must be ai_resolved, assisted, human_resolved, abandoned or unsettled, not {o:?}"
                )));
            }
        }
        let rows = self
            .inner
            .store
            .list_facts(
                tenant,
                &FactsQuery {
                    filter: q.filter()?,
                    outcome: outcome.map(str::to_string),
                    limit: limit.clamp(1, 500),
                },
            )
            .await?;
        Ok(rows.into_iter().map(|r| (r.conversation, r.outcome, r.key)).collect())
    }
}
