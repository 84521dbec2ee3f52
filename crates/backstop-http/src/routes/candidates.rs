//! The trainer's review queue: knowledge-base entries drafted from what people answered
//! (supervisors and admins). Approve (with edits) publishes an article, merge adds the question to
//! an existing one, reject drops it; the decision and who made it stay with the candidate.

use axum::extract::State;
use axum::Json;
use backstop_core::ids::{ArticleId, CandidateId};
use backstop_core::learn::CandidateStatus;
use backstop_core::permission::Permission;
use backstop_engine::knowledge::learn::Approval;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath as Path, ApiQuery as Query, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(approve))
        .routes(routes!(merge))
        .routes(routes!(reject))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `pending` (default), `approved`, `merged`, `rejected` or `all`.
    status: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApproveBody {
    slug: Option<String>,
    title: Option<String>,
    topic: Option<String>,
    /// The answer as it should be published (edited).
    body: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeBody {
    /// The article the question joins.
    article_id: String,
    /// The article's body as it should read after the merge (optional).
    body: Option<String>,
}

fn candidate_id(s: &str) -> ApiResult<CandidateId> {
    uuid::Uuid::parse_str(s)
        .map(CandidateId)
        .map_err(|_| ApiError::not_found("candidate_not_found", "no such candidate"))
}

/// The review queue (trainers).
#[utoipa::path(get, path = "/api/v1/candidates", tag = "knowledge", params(ListQuery),
    responses((status = 200, description = "candidates, newest first", body = wire::CandidateList)),
    security(("session" = []), ("bearer" = [])))]
async fn list(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<wire::CandidateList>> {
    session.permit(Permission::TrainAi)?;
    let status = match q.status.as_deref().unwrap_or("pending") {
        "all" => None,
        other => Some(
            CandidateStatus::parse(other)
                .ok_or_else(|| ApiError::invalid_input("status is pending, approved, merged, rejected or all"))?,
        ),
    };
    let list = s.engine.candidates(&session.agent.tenant, status).await?;
    Ok(Json(wire::CandidateList {
        candidates: list.iter().map(wire::candidate).collect(),
    }))
}

/// Publish a candidate as a new article, with edits (trainers).
#[utoipa::path(post, path = "/api/v1/candidates/{id}/approve", tag = "knowledge", params(("id" = String, Path)),
    request_body = ApproveBody,
    responses((status = 200, description = "published", body = wire::CandidateDecided)),
    security(("session" = []), ("bearer" = [])))]
async fn approve(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ApproveBody>,
) -> ApiResult<Json<wire::CandidateDecided>> {
    session.permit(Permission::TrainAi)?;
    let edits = Approval {
        slug: b.slug,
        title: b.title,
        topic: b.topic,
        body: b.body,
    };
    let (c, a) = s
        .engine
        .approve_candidate(&session.agent.tenant, candidate_id(&id)?, edits, &session.agent.email)
        .await?;
    Ok(Json(wire::CandidateDecided {
        candidate: wire::candidate(&c),
        article: wire::article(&a),
    }))
}

/// Add a candidate's question to an existing article (trainers).
#[utoipa::path(post, path = "/api/v1/candidates/{id}/merge", tag = "knowledge", params(("id" = String, Path)),
    request_body = MergeBody,
    responses((status = 200, description = "merged", body = wire::CandidateDecided)),
    security(("session" = []), ("bearer" = [])))]
async fn merge(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult<Json<wire::CandidateDecided>> {
    session.permit(Permission::TrainAi)?;
    let into = uuid::Uuid::parse_str(&b.article_id)
        .map(ArticleId)
        .map_err(|_| ApiError::not_found("article_not_found", "no such article"))?;
    let (c, a) = s
        .engine
        .merge_candidate(
            &session.agent.tenant,
            candidate_id(&id)?,
            into,
            b.body,
            &session.agent.email,
        )
        .await?;
    Ok(Json(wire::CandidateDecided {
        candidate: wire::candidate(&c),
        article: wire::article(&a),
    }))
}

/// Drop a candidate (trainers).
#[utoipa::path(post, path = "/api/v1/candidates/{id}/reject", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 200, description = "rejected", body = wire::CandidateOut)),
    security(("session" = []), ("bearer" = [])))]
async fn reject(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<wire::CandidateOut>> {
    session.permit(Permission::TrainAi)?;
    let c = s
        .engine
        .reject_candidate(&session.agent.tenant, candidate_id(&id)?, &session.agent.email)
        .await?;
    Ok(Json(wire::CandidateOut {
        candidate: wire::candidate(&c),
    }))
}
