//! The manager's report on the wire: outcome totals and rates, savings, ratings, durations, days,
//! the weekday × hour volume, reasons, moods, breakdowns, topics with their trend, agents — and
//! the conversations behind a number. Every figure is defined in the README ("Reports").

use backstop_core::analytics::{Contribution, Sum};
use backstop_engine::insight::reports::{Durations, Group, Report};
use serde::Serialize;
use utoipa::ToSchema;

/// A share, or none when the whole is zero.
fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The average rating of summed ratings.
fn average(sum: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| sum as f64 / n as f64)
}

/// Messages by author.
#[derive(Serialize, ToSchema)]
pub struct MessageTotals {
    pub customer: i64,
    pub ai: i64,
    pub agent: i64,
}

/// How replies used the copilot's suggestion.
#[derive(Serialize, ToSchema)]
pub struct CopilotTotals {
    pub as_is: i64,
    pub edited: i64,
    pub ignored: i64,
}

/// The range's totals.
#[derive(Serialize, ToSchema)]
pub struct ReportTotals {
    /// Conversations started in the range.
    pub conversations: i64,
    /// Of which still going (no outcome yet).
    pub unsettled: i64,
    pub ai_resolved: i64,
    /// AI resolutions the customer confirmed.
    pub ai_confirmed: i64,
    pub assisted: i64,
    pub human_resolved: i64,
    pub abandoned: i64,
    /// Outcomes past their settlement window (they can no longer change).
    pub settled: i64,
    /// AI resolved ÷ conversations with an outcome.
    pub ai_resolution_rate: Option<f64>,
    /// Handed over ÷ conversations.
    pub handover_rate: Option<f64>,
    pub handed_over: i64,
    /// Handed-over conversations a person answered.
    pub person_reached: i64,
    pub messages: MessageTotals,
    pub sla_met: i64,
    pub sla_missed: i64,
    pub tickets: i64,
    pub reopens: i64,
    pub copilot: CopilotTotals,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub model_calls: i64,
    pub action_calls: i64,
    /// Customer turns the AI read (one embedding each).
    pub ai_turns: i64,
    /// Conversations whose customer was angry at some turn.
    pub angry: i64,
    pub inflections: i64,
}

fn totals(c: &Contribution) -> ReportTotals {
    let g = |k: Sum| c.get(k);
    let outcomes = g(Sum::AiResolved) + g(Sum::Assisted) + g(Sum::HumanResolved) + g(Sum::Abandoned);
    ReportTotals {
        conversations: g(Sum::Conversations),
        unsettled: g(Sum::Unsettled),
        ai_resolved: g(Sum::AiResolved),
        ai_confirmed: g(Sum::AiConfirmed),
        assisted: g(Sum::Assisted),
        human_resolved: g(Sum::HumanResolved),
        abandoned: g(Sum::Abandoned),
        settled: g(Sum::Final),
        ai_resolution_rate: rate(g(Sum::AiResolved), outcomes),
        handover_rate: rate(g(Sum::HandedOver), g(Sum::Conversations)),
        handed_over: g(Sum::HandedOver),
        person_reached: g(Sum::PersonReached),
        messages: MessageTotals {
            customer: g(Sum::CustomerMessages),
            ai: g(Sum::AiMessages),
            agent: g(Sum::AgentMessages),
        },
        sla_met: g(Sum::SlaMet),
        sla_missed: g(Sum::SlaMissed),
        tickets: g(Sum::Tickets),
        reopens: g(Sum::Reopens),
        copilot: CopilotTotals {
            as_is: g(Sum::CopilotAsIs),
            edited: g(Sum::CopilotEdited),
            ignored: g(Sum::CopilotIgnored),
        },
        prompt_tokens: g(Sum::PromptTokens),
        completion_tokens: g(Sum::CompletionTokens),
        model_calls: g(Sum::ModelCalls),
        action_calls: g(Sum::ActionCalls),
        ai_turns: g(Sum::AiTurns),
        angry: g(Sum::Angry),
        inflections: g(Sum::Inflections),
    }
}

/// The estimated savings: AI resolved × the cost of a human conversation, less the AI's cost.
#[derive(Serialize, ToSchema)]
pub struct SavingsView {
    pub currency: String,
    pub human_cost_avoided: f64,
    pub ai_cost: f64,
    pub net: f64,
}

/// Ratings given to conversations of the range.
#[derive(Serialize, ToSchema)]
pub struct CsatView {
    pub average: Option<f64>,
    pub count: i64,
    /// How many gave 1, 2, 3, 4 and 5.
    pub distribution: Vec<i64>,
}

/// A duration's figures; the percentiles are the upper bounds of their buckets, in seconds.
#[derive(Serialize, ToSchema)]
pub struct DurationView {
    pub count: i64,
    pub mean_secs: Option<f64>,
    pub p50_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

fn durations(d: &Durations) -> DurationView {
    DurationView {
        count: d.count,
        mean_secs: d.mean_secs,
        p50_secs: d.p50_secs,
        p90_secs: d.p90_secs,
    }
}

/// One day's conversations by outcome (UTC).
#[derive(Serialize, ToSchema)]
pub struct ReportDay {
    /// `2026-12-07`.
    pub day: String,
    pub conversations: i64,
    pub ai_resolved: i64,
    pub assisted: i64,
    pub human_resolved: i64,
    pub abandoned: i64,
    pub unsettled: i64,
    pub handed_over: i64,
}

/// A keyed count (a hand-over reason, a mood).
#[derive(Serialize, ToSchema)]
pub struct KeyCount {
    pub key: String,
    pub n: i64,
}

/// One team's, language's or channel's figures.
#[derive(Serialize, ToSchema)]
pub struct Breakdown {
    /// What a filter takes (a team's id, `en`, `web`; empty for none, e.g. never handed over).
    pub key: String,
    pub name: String,
    pub conversations: i64,
    pub ai_resolved: i64,
    pub handed_over: i64,
    pub ai_resolution_rate: Option<f64>,
    pub csat_average: Option<f64>,
}

fn breakdown(g: &Group) -> Breakdown {
    let c = &g.sums;
    let outcomes = c.get(Sum::AiResolved) + c.get(Sum::Assisted) + c.get(Sum::HumanResolved) + c.get(Sum::Abandoned);
    Breakdown {
        key: g.key.clone(),
        name: g.name.clone(),
        conversations: c.get(Sum::Conversations),
        ai_resolved: c.get(Sum::AiResolved),
        handed_over: c.get(Sum::HandedOver),
        ai_resolution_rate: rate(c.get(Sum::AiResolved), outcomes),
        csat_average: average(c.get(Sum::CsatSum), c.get(Sum::CsatN)),
    }
}

/// A topic's conversations in the range and in the period of the same length before it.
#[derive(Serialize, ToSchema)]
pub struct TopicCount {
    pub topic: String,
    pub conversations: i64,
    pub previous: i64,
}

/// An agent's share: conversations they answered last, their replies, outcomes and ratings.
#[derive(Serialize, ToSchema)]
pub struct AgentLine {
    pub id: String,
    pub name: String,
    pub conversations: i64,
    pub replies: i64,
    pub assisted: i64,
    pub human_resolved: i64,
    pub csat_average: Option<f64>,
    pub csat_count: i64,
}

/// The report of a date range (UTC days) and filters.
#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub from: String,
    pub to: String,
    pub team: Option<String>,
    pub channel: Option<String>,
    pub lang: Option<String>,
    pub topic: Option<String>,
    pub totals: ReportTotals,
    pub savings: SavingsView,
    pub csat: CsatView,
    pub time_to_person: DurationView,
    pub first_response: DurationView,
    pub resolution: DurationView,
    pub days: Vec<ReportDay>,
    /// Conversations by weekday (Monday first) and hour (UTC): seven rows of 24.
    pub heatmap: Vec<Vec<i64>>,
    pub reasons: Vec<KeyCount>,
    pub moods: Vec<KeyCount>,
    pub teams: Vec<Breakdown>,
    pub languages: Vec<Breakdown>,
    pub channels: Vec<Breakdown>,
    pub topics: Vec<TopicCount>,
    pub agents: Vec<AgentLine>,
}

pub fn report(r: &Report) -> ReportView {
    let c = &r.totals;
    ReportView {
        from: r.query.from.to_string(),
        to: r.query.to.to_string(),
        team: r.query.team.clone(),
        channel: r.query.channel.clone(),
        lang: r.query.lang.clone(),
        topic: r.query.topic.clone(),
        totals: totals(c),
        savings: SavingsView {
            currency: r.currency.clone(),
            human_cost_avoided: r.savings.human_cost_avoided,
            ai_cost: r.savings.ai_cost,
            net: r.savings.net,
        },
        csat: CsatView {
            average: average(c.get(Sum::CsatSum), c.get(Sum::CsatN)),
            count: c.get(Sum::CsatN),
            distribution: r.csat.to_vec(),
        },
        time_to_person: durations(&r.time_to_person),
        first_response: durations(&r.first_response),
        resolution: durations(&r.resolution),
        days: r
            .days
            .iter()
            .map(|(d, s)| ReportDay {
                day: d.to_string(),
                conversations: s.get(Sum::Conversations),
                ai_resolved: s.get(Sum::AiResolved),
                assisted: s.get(Sum::Assisted),
                human_resolved: s.get(Sum::HumanResolved),
                abandoned: s.get(Sum::Abandoned),
                unsettled: s.get(Sum::Unsettled),
                handed_over: s.get(Sum::HandedOver),
            })
            .collect(),
        heatmap: r.heatmap.iter().map(|row| row.to_vec()).collect(),
        reasons: r
            .reasons
            .iter()
            .map(|(key, n)| KeyCount {
                key: key.clone(),
                n: *n,
            })
            .collect(),
        moods: r
            .moods
            .iter()
            .map(|(key, n)| KeyCount {
                key: key.clone(),
                n: *n,
            })
            .collect(),
        teams: r.teams.iter().map(breakdown).collect(),
        languages: r.languages.iter().map(breakdown).collect(),
        channels: r.channels.iter().map(breakdown).collect(),
        topics: r
            .topics
            .iter()
            .map(|t| TopicCount {
                topic: t.topic.clone(),
                conversations: t.conversations,
                previous: t.previous,
            })
            .collect(),
        agents: r
            .agents
            .iter()
            .map(|a| AgentLine {
                id: a.agent.to_string(),
                name: a.name.clone(),
                conversations: a.sums[0],
                replies: a.sums[1],
                assisted: a.sums[2],
                human_resolved: a.sums[3],
                csat_average: average(a.sums[4], a.sums[5]),
                csat_count: a.sums[5],
            })
            .collect(),
    }
}

/// A conversation behind a number of the report.
#[derive(Serialize, ToSchema)]
pub struct ReportConversation {
    pub id: String,
    /// `ai_resolved`, `assisted`, `human_resolved`, `abandoned`; absent while it is going.
    pub outcome: Option<String>,
    /// The hour it started (RFC 3339).
    pub started: String,
    pub team: String,
    pub channel: String,
    pub lang: String,
    pub topic: String,
}

/// The conversations behind a number, newest first.
#[derive(Serialize, ToSchema)]
pub struct ReportConversations {
    pub conversations: Vec<ReportConversation>,
}

pub fn report_conversations(
    rows: &[(
        backstop_core::ids::ConversationId,
        Option<backstop_core::outcome::Outcome>,
        backstop_store::RollupKey,
    )],
) -> ReportConversations {
    ReportConversations {
        conversations: rows
            .iter()
            .map(|(id, outcome, key)| ReportConversation {
                id: id.to_string(),
                outcome: outcome.map(|o| o.as_str().to_string()),
                started: time::OffsetDateTime::from_unix_timestamp(key.hour * 3600)
                    .map(super::time)
                    .unwrap_or_default(),
                team: key.team.clone(),
                channel: key.channel.clone(),
                lang: key.lang.clone(),
                topic: key.topic.clone(),
            })
            .collect(),
    }
}

/// The report's days as CSV (UTC days; one header row): what a spreadsheet takes.
pub fn report_csv(r: &Report) -> String {
    let mut out = String::from(
        "day,conversations,ai_resolved,ai_confirmed,assisted,human_resolved,abandoned,unsettled,handed_over,ai_resolution_rate,csat_average\n",
    );
    for (day, s) in &r.days {
        let outcomes =
            s.get(Sum::AiResolved) + s.get(Sum::Assisted) + s.get(Sum::HumanResolved) + s.get(Sum::Abandoned);
        let fmt = |v: Option<f64>| v.map(|x| format!("{x:.4}")).unwrap_or_default();
        out.push_str(&format!(
            "{day},{},{},{},{},{},{},{},{},{},{}\n",
            s.get(Sum::Conversations),
            s.get(Sum::AiResolved),
            s.get(Sum::AiConfirmed),
            s.get(Sum::Assisted),
            s.get(Sum::HumanResolved),
            s.get(Sum::Abandoned),
            s.get(Sum::Unsettled),
            s.get(Sum::HandedOver),
            fmt(rate(s.get(Sum::AiResolved), outcomes)),
            fmt(average(s.get(Sum::CsatSum), s.get(Sum::CsatN))),
        ));
    }
    out
}
