//! What the AI trainer learns from the conversations: `POST /api/v1/replay` (the tenant's recent
//! conversations replayed against the current knowledge base and policy and against a draft, side
//! by side) and `GET /api/v1/gaps` (the questions the AI could not answer, grouped by meaning).

use backstop_core::permission::Permission;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use backstop_core::policy::Policy;
use backstop_engine::insight::whatif::Draft;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::articles::{article_id, ArticleBody};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery as Query, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(replay)).routes(routes!(gaps))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplayBody {
    /// Articles added, or replacing the current one with the same slug and language.
    #[serde(default)]
    articles: Vec<ArticleBody>,
    /// Current articles (ids) left out.
    #[serde(default)]
    archive: Vec<String>,
    /// A draft policy (TOML).
    #[serde(default)]
    policy: Option<String>,
    /// How many of the newest conversations (default 200, at most 5,000).
    #[serde(default)]
    limit: Option<u32>,
}

/// The most draft articles one replay takes.
const MAX_DRAFT_ARTICLES: usize = 200;

/// The tenant's recent conversations replayed against the current knowledge base and policy and
/// against a draft, side by side (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/replay", tag = "knowledge", request_body = ReplayBody,
    responses((status = 200, description = "both sides and the changed conversations", body = wire::Replay)),
    security(("session" = []), ("bearer" = [])))]
async fn replay(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<ReplayBody>,
) -> ApiResult<Json<wire::Replay>> {
    session.permit(Permission::TrainAi)?;
    let tenant = &session.agent.tenant;
    if body.articles.len() > MAX_DRAFT_ARTICLES {
        return Err(ApiError::invalid_input(format!(
            "at most {MAX_DRAFT_ARTICLES} draft articles at a time"
        )));
    }
    let mut draft = Draft::default();
    for a in body.articles {
        draft.articles.push(a.draft()?);
    }
    for id in &body.archive {
        draft.archive.push(article_id(id)?);
    }
    if let Some(source) = &body.policy {
        draft.policy = Some(Policy::parse(source).map_err(|e| ApiError::invalid_input(format!("policy: {e}")))?);
    }
    let limit = body
        .limit
        .unwrap_or(200)
        .clamp(1, backstop_engine::insight::whatif::MAX_STORED);
    let cmp = s
        .engine
        .replay_draft(tenant, &draft, None, limit, Arc::new(|| {}))
        .await?;
    Ok(Json(wire::replay(&cmp)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct GapsQuery {
    /// The period, in days back from now (default 30, 1-365).
    days: Option<u32>,
}

/// The questions the AI could not answer or handed over, grouped by meaning, with volume, trend,
/// examples and the nearest articles; and each newly published topic's hand-overs before and
/// after (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/gaps", tag = "knowledge", params(GapsQuery),
    responses((status = 200, description = "the gap report", body = wire::GapReport)),
    security(("session" = []), ("bearer" = [])))]
async fn gaps(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(q): Query<GapsQuery>,
) -> ApiResult<Json<wire::GapReport>> {
    session.permit(Permission::TrainAi)?;
    let report = s.engine.gaps(&session.agent.tenant, q.days.unwrap_or(30)).await?;
    Ok(Json(wire::gap_report(&report)))
}
