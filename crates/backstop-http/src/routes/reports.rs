//! The manager's reports (supervisors and admins): `GET /api/v1/reports` (a date range's outcomes,
//! hand-overs, durations, ratings, breakdowns and savings, read from the rollups), its days as CSV
//! (`GET /api/v1/reports/export`) and `GET /api/v1/reports/conversations` (the conversations
//! behind a number).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::Json;
use backstop_core::permission::Permission;
use backstop_engine::insight::reports::ReportQuery;
use serde::Deserialize;
use time::macros::format_description;
use time::Date;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery as Query, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(export))
        .routes(routes!(conversations))
}

/// The days a report covers when none are given.
const DEFAULT_DAYS: i64 = 30;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportParams {
    /// The first day, `YYYY-MM-DD` (UTC; default 29 days before `to`).
    from: Option<String>,
    /// The last day, `YYYY-MM-DD` (UTC; default today).
    to: Option<String>,
    /// A team's id.
    team: Option<String>,
    /// A channel (`web`).
    channel: Option<String>,
    /// A language code (`en`, `zh`).
    lang: Option<String>,
    /// A topic's slug.
    topic: Option<String>,
}

fn day(field: &str, v: &str) -> Result<Date, ApiError> {
    Date::parse(v.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| ApiError::invalid_input(format!("{field} must be a date as YYYY-MM-DD, not {v:?}")))
}

impl ReportParams {
    fn query(&self, today: Date) -> Result<ReportQuery, ApiError> {
        let to = self.to.as_deref().map(|v| day("to", v)).transpose()?.unwrap_or(today);
        let from = match self.from.as_deref() {
            Some(v) => day("from", v)?,
            None => to
                .checked_sub(time::Duration::days(DEFAULT_DAYS - 1))
                .unwrap_or(Date::MIN),
        };
        let q = ReportQuery {
            from,
            to,
            team: self.team.clone(),
            channel: self.channel.clone(),
            lang: self.lang.clone(),
            topic: self.topic.clone(),
        };
        q.filter()?;
        Ok(q)
    }
}

/// A date range's report: outcomes and rates, hand-over reasons, durations, ratings, day by day,
/// by weekday and hour, per team, language, channel, topic and agent, and the estimated savings.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportParams),
    responses((status = 200, description = "the report", body = wire::ReportView)),
    security(("session" = []), ("bearer" = [])))]
async fn report(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(p): Query<ReportParams>,
) -> ApiResult<Json<wire::ReportView>> {
    session.permit(Permission::ReadReports)?;
    let q = p.query(s.engine.now().date())?;
    let r = s.engine.report(&session.agent.tenant, &q).await?;
    Ok(Json(wire::report(&r)))
}

/// The report's days as CSV (`reports-<from>-<to>.csv`): conversations by outcome, hand-overs,
/// the AI resolution rate and the average rating per UTC day.
#[utoipa::path(get, path = "/api/v1/reports/export", tag = "reports", params(ReportParams),
    responses((status = 200, description = "the days as CSV", body = String, content_type = "text/csv")),
    security(("session" = []), ("bearer" = [])))]
async fn export(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(p): Query<ReportParams>,
) -> ApiResult<impl IntoResponse> {
    session.permit(Permission::ReadReports)?;
    let q = p.query(s.engine.now().date())?;
    let r = s.engine.report(&session.agent.tenant, &q).await?;
    let name = format!("attachment; filename=\"reports-{}-{}.csv\"", q.from, q.to);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        wire::report_csv(&r),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DrillParams {
    /// `ai_resolved`, `assisted`, `human_resolved`, `abandoned` or `unsettled`.
    outcome: Option<String>,
    /// At most this many (default 100, at most 500).
    limit: Option<u32>,
}

/// The conversations behind a number of a report (its range, filters and an outcome), newest
/// first.
#[utoipa::path(get, path = "/api/v1/reports/conversations", tag = "reports", params(ReportParams, DrillParams),
    responses((status = 200, description = "the conversations", body = wire::ReportConversations)),
    security(("session" = []), ("bearer" = [])))]
async fn conversations(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(range): Query<ReportParams>,
    Query(p): Query<DrillParams>,
) -> ApiResult<Json<wire::ReportConversations>> {
    session.permit(Permission::ReadReports)?;
    let q = range.query(s.engine.now().date())?;
    let rows = s
        .engine
        .report_conversations(&session.agent.tenant, &q, p.outcome.as_deref(), p.limit.unwrap_or(100))
        .await?;
    Ok(Json(wire::report_conversations(&rows)))
}
