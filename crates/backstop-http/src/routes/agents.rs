//! Agents' presence and load: an agent switches themselves online or away; everyone signed in
//! lists the tenant's agents with presence, capacity, skills and the conversations they hold (the
//! supervisor's view, and whom an agent can transfer to).

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use backstop_core::assignment::Presence;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, SignedIn};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agents", get(list))
        .route("/api/v1/me/presence", put(set_presence))
        .route("/api/v1/ratings", get(ratings))
        .route("/api/v1/alerts", get(alerts))
}

/// Open conversations whose first-reply target was missed and that still wait for a person, most
/// breaches first (supervisors and admins; the same alerts arrive live on the inbox socket).
async fn alerts(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<Value>> {
    crate::extract::supervisors_only(&session, "see SLA alerts")?;
    let late = s.engine.sla_alerts(&session.agent.tenant).await?;
    Ok(Json(
        json!({ "alerts": late.iter().map(crate::wire::conversation).collect::<Vec<_>>() }),
    ))
}

#[derive(Deserialize)]
struct RatingsQuery {
    /// Ratings at most this (default 2: the ones flagged for review).
    at_most: Option<u8>,
    limit: Option<u32>,
}

/// Rated conversations for review, most recent first (supervisors and admins).
async fn ratings(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<RatingsQuery>,
) -> ApiResult<Json<Value>> {
    crate::extract::supervisors_only(&session, "review ratings")?;
    let at_most = q.at_most.unwrap_or(backstop_core::csat::LOW).clamp(1, 5);
    let convs = s
        .engine
        .store()
        .rated_conversations(&session.agent.tenant, at_most, q.limit.unwrap_or(100).clamp(1, 500))
        .await
        .map_err(backstop_engine::EngineError::from)?;
    let items: Vec<Value> = convs
        .iter()
        .filter_map(|c| {
            c.csat.as_ref().map(|r| {
                json!({
                    "conversation_id": c.id,
                    "rating": r.rating,
                    "comment": r.comment,
                    "at": crate::wire::time(r.at),
                    "flagged": r.is_low(),
                })
            })
        })
        .collect();
    Ok(Json(json!({ "ratings": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PresenceBody {
    presence: Presence,
}

async fn set_presence(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<PresenceBody>,
) -> ApiResult<Json<Value>> {
    let away = match body.presence {
        Presence::Online => false,
        Presence::Away => true,
        Presence::Offline => {
            return Err(ApiError::invalid_input(
                "presence is \"online\" or \"away\"; offline is when no inbox is open",
            ))
        }
    };
    s.engine.presence().set_away(session.agent.id, away);
    s.engine.announce_presence(&session.agent.tenant, session.agent.id);
    let now = s.engine.presence().presence(session.agent.id);
    if now == Presence::Online {
        s.engine.assign_waiting(&session.agent.tenant).await?;
    }
    Ok(Json(json!({ "presence": now, "away": away })))
}

async fn list(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<Value>> {
    let statuses = s.engine.agent_statuses(&session.agent.tenant).await?;
    Ok(Json(
        json!({ "agents": statuses.iter().map(crate::wire::agent_status).collect::<Vec<_>>() }),
    ))
}
