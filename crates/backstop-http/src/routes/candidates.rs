//! The trainer's review queue: knowledge-base entries drafted from what people answered
//! (supervisors and admins). Approve (with edits) publishes an article, merge adds the question to
//! an existing one, reject drops it; the decision and who made it stay with the candidate.

use crate::extract::{ApiPath as Path, ApiQuery as Query};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use backstop_core::ids::{ArticleId, CandidateId};
use backstop_core::learn::CandidateStatus;
use backstop_engine::learn::Approval;
use backstop_engine::AgentSession;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, SignedIn};
use crate::{wire, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/candidates", get(list))
        .route("/api/v1/candidates/{id}/approve", post(approve))
        .route("/api/v1/candidates/{id}/merge", post(merge))
        .route("/api/v1/candidates/{id}/reject", post(reject))
}

#[derive(Deserialize)]
struct ListQuery {
    /// pending (default), approved, merged, rejected or all.
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApproveBody {
    slug: Option<String>,
    title: Option<String>,
    topic: Option<String>,
    body: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    article_id: String,
    body: Option<String>,
}

fn trainer(session: &AgentSession) -> ApiResult<()> {
    crate::extract::supervisors_only(session, "review knowledge candidates")
}

fn candidate_id(s: &str) -> ApiResult<CandidateId> {
    uuid::Uuid::parse_str(s)
        .map(CandidateId)
        .map_err(|_| ApiError::invalid_input("no such candidate"))
}

async fn list(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    trainer(&session)?;
    let status = match q.status.as_deref().unwrap_or("pending") {
        "all" => None,
        other => Some(
            CandidateStatus::parse(other)
                .ok_or_else(|| ApiError::invalid_input("status is pending, approved, merged, rejected or all"))?,
        ),
    };
    let list = s.engine.candidates(&session.agent.tenant, status).await?;
    Ok(Json(
        json!({ "candidates": list.iter().map(wire::candidate).collect::<Vec<_>>() }),
    ))
}

async fn approve(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ApproveBody>,
) -> ApiResult<Json<Value>> {
    trainer(&session)?;
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
    Ok(Json(
        json!({ "candidate": wire::candidate(&c), "article": wire::article(&a) }),
    ))
}

async fn merge(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult<Json<Value>> {
    trainer(&session)?;
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
    Ok(Json(
        json!({ "candidate": wire::candidate(&c), "article": wire::article(&a) }),
    ))
}

async fn reject(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    trainer(&session)?;
    let c = s
        .engine
        .reject_candidate(&session.agent.tenant, candidate_id(&id)?, &session.agent.email)
        .await?;
    Ok(Json(json!({ "candidate": wire::candidate(&c) })))
}
