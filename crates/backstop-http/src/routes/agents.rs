//! Agents' presence and load: an agent switches themselves online or away; everyone signed in
//! lists the tenant's agents with presence, capacity, skills and the conversations they hold (the
//! supervisor's view, and whom an agent can transfer to); supervisors read ratings for review and
//! missed first-reply targets.

use axum::extract::State;
use axum::Json;
use backstop_core::assignment::Presence;
use backstop_core::permission::Permission;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery as Query, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(set_presence))
        .routes(routes!(ratings))
        .routes(routes!(alerts))
}

/// Open conversations whose first-reply target was missed and that still wait for a person, most
/// breaches first (supervisors and admins; the same alerts arrive live on the inbox socket).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "agents",
    responses((status = 200, description = "late conversations", body = wire::Alerts)),
    security(("session" = []), ("bearer" = [])))]
async fn alerts(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::Alerts>> {
    session.permit(Permission::Supervise)?;
    let late = s.engine.sla_alerts(&session.agent.tenant).await?;
    Ok(Json(wire::Alerts {
        alerts: late.iter().map(wire::conversation).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RatingsQuery {
    /// Ratings at most this (default 2: the ones flagged for review; 1-5).
    at_most: Option<u8>,
    /// At most this many (default 100; 1-500, larger numbers are taken as 500).
    limit: Option<u32>,
}

/// Rated conversations for review, most recent first (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/ratings", tag = "agents", params(RatingsQuery),
    responses((status = 200, description = "ratings", body = wire::RatingList)),
    security(("session" = []), ("bearer" = [])))]
async fn ratings(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(q): Query<RatingsQuery>,
) -> ApiResult<Json<wire::RatingList>> {
    session.permit(Permission::Supervise)?;
    let at_most = q.at_most.unwrap_or(backstop_core::csat::LOW).clamp(1, 5);
    let convs = s
        .engine
        .rated_conversations(&session.agent.tenant, at_most, q.limit.unwrap_or(100).clamp(1, 500))
        .await?;
    Ok(Json(wire::RatingList {
        ratings: convs.iter().filter_map(wire::rating).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PresenceBody {
    /// `online` or `away`.
    #[schema(value_type = String, example = "away")]
    presence: Presence,
}

/// The signed-in agent switches between online and away.
#[utoipa::path(put, path = "/api/v1/me/presence", tag = "agents", request_body = PresenceBody,
    responses((status = 200, description = "the presence now", body = wire::PresenceOut)),
    security(("session" = []), ("bearer" = [])))]
async fn set_presence(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<PresenceBody>,
) -> ApiResult<Json<wire::PresenceOut>> {
    let away = match body.presence {
        Presence::Online => false,
        Presence::Away => true,
        Presence::Offline => {
            return Err(ApiError::invalid_input(
                "presence is \"online\" or \"away\"; offline is when no inbox is open",
            ))
        }
    };
    let now = s.engine.set_away(&session.agent.tenant, session.agent.id, away).await?;
    Ok(Json(wire::PresenceOut {
        presence: wire::presence_str(now),
        away,
    }))
}

/// Every agent of the tenant with presence, capacity, skills and load.
#[utoipa::path(get, path = "/api/v1/agents", tag = "agents",
    responses((status = 200, description = "the agents", body = wire::AgentList)),
    security(("session" = []), ("bearer" = [])))]
async fn list(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::AgentList>> {
    let statuses = s.engine.agent_statuses(&session.agent.tenant).await?;
    Ok(Json(wire::AgentList {
        agents: statuses.iter().map(wire::agent_status).collect(),
    }))
}
