//! Billing: the tenant's plan (read by supervisors and admins, set by admins) and the monthly
//! statement — usage priced by the plan — as JSON and as CSV.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::Json;
use backstop_core::billing::Plan;
use backstop_core::permission::Permission;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery as Query, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_plan, save_plan))
        .routes(routes!(statement))
        .routes(routes!(export))
}

/// The tenant's plan (supervisors and admins); `null` until an admin saves one.
#[utoipa::path(get, path = "/api/v1/billing/plan", tag = "billing",
    responses((status = 200, description = "the plan", body = wire::PlanOut)),
    security(("session" = []), ("bearer" = [])))]
async fn show_plan(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::PlanOut>> {
    session.permit(Permission::ReadReports)?;
    let plan = s.engine.saved_plan(&session.agent.tenant).await?;
    Ok(Json(wire::PlanOut {
        plan: plan.as_ref().map(wire::json_of),
    }))
}

/// Save the tenant's plan (admins): `{"name","currency","monthly_fee","pricing":[{"item","included","per",
/// "tiers":[{"up_to","price"}],"soft_limit","hard_limit"}]}`, amounts in minor units; 422 names each bad field.
#[utoipa::path(put, path = "/api/v1/billing/plan", tag = "billing", request_body = Object,
    responses((status = 200, description = "saved", body = wire::PlanOut),
        (status = 422, description = "a field cannot be used (named in `fields`)", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn save_plan(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<wire::PlanOut>> {
    session.permit(Permission::ManageAccounts)?;
    let plan: Plan = serde_path_to_error::deserialize(body)
        .map_err(|e| ApiError::invalid_input(format!("{}: {}", e.path(), e.inner())))?;
    let plan = s
        .engine
        .save_plan(&session.agent.tenant, plan, &session.agent.email)
        .await?;
    Ok(Json(wire::PlanOut {
        plan: Some(wire::json_of(&plan)),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct MonthParams {
    /// `YYYY-MM` (UTC); this month when left out.
    month: Option<String>,
}

impl MonthParams {
    fn month(&self, s: &AppState) -> String {
        self.month.clone().unwrap_or_else(|| {
            let d = s.engine.now().date();
            format!("{}-{:02}", d.year(), u8::from(d.month()))
        })
    }
}

/// A month's statement (supervisors and admins): usage and what it costs under the plan.
#[utoipa::path(get, path = "/api/v1/billing/statement", tag = "billing", params(MonthParams),
    responses((status = 200, description = "the statement", body = wire::StatementOut)),
    security(("session" = []), ("bearer" = [])))]
async fn statement(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(p): Query<MonthParams>,
) -> ApiResult<Json<wire::StatementOut>> {
    session.permit(Permission::ReadReports)?;
    let m = s.engine.statement(&session.agent.tenant, &p.month(&s)).await?;
    Ok(Json(wire::statement(&m)))
}

/// A month's statement as CSV (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/billing/statement/export", tag = "billing", params(MonthParams),
    responses((status = 200, description = "the statement as CSV", body = String, content_type = "text/csv")),
    security(("session" = []), ("bearer" = [])))]
async fn export(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(p): Query<MonthParams>,
) -> ApiResult<impl IntoResponse> {
    session.permit(Permission::ReadReports)?;
    let m = s.engine.statement(&session.agent.tenant, &p.month(&s)).await?;
    let name = format!(
        "attachment; filename=\"statement-{}-{}.csv\"",
        session.agent.tenant, m.month
    );
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
        m.statement.csv(&m.month, &m.breakdown),
    ))
}
