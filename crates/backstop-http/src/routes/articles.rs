//! The knowledge base: every signed-in agent reads it; supervisors and admins (the AI trainers)
//! create, edit, archive, restore and revert articles. Each change is a version and the AI answers
//! from it at once.

use crate::extract::{ApiPath as Path, ApiQuery as Query};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use backstop_core::ids::ArticleId;
use backstop_core::kb::ArticleDraft;
use backstop_engine::AgentSession;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, SignedIn};
use crate::{wire, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/articles", get(list).post(create))
        .route("/api/v1/articles/{id}", get(one).put(update))
        .route("/api/v1/articles/{id}/archive", post(archive))
        .route("/api/v1/articles/{id}/restore", post(restore))
        .route("/api/v1/articles/{id}/revert", post(revert))
        .route("/api/v1/articles/{id}/diff", get(diff))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArticleBody {
    slug: String,
    lang: String,
    topic: String,
    title: String,
    body: String,
    #[serde(default)]
    questions: Vec<String>,
}

impl ArticleBody {
    pub(crate) fn draft(self) -> ApiResult<ArticleDraft> {
        let lang = backstop_core::kb::lang(&self.lang).map_err(|e| ApiError::invalid_input(e.to_string()))?;
        Ok(ArticleDraft {
            slug: self.slug,
            lang,
            topic: self.topic,
            title: self.title,
            body: self.body,
            questions: self.questions,
        })
    }
}

#[derive(Deserialize)]
struct ListQuery {
    /// Include archived articles.
    #[serde(default)]
    archived: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevertBody {
    version: u32,
}

fn trainer(session: &AgentSession) -> ApiResult<()> {
    crate::extract::supervisors_only(session, "change the knowledge base")
}

pub(crate) fn article_id(s: &str) -> ApiResult<ArticleId> {
    uuid::Uuid::parse_str(s)
        .map(ArticleId)
        .map_err(|_| ApiError::not_found("article_not_found", "no such article"))
}

async fn list(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let all = s.engine.articles(&session.agent.tenant).await?;
    let items: Vec<Value> = all
        .iter()
        .filter(|a| q.archived || !a.archived)
        .map(wire::article)
        .collect();
    Ok(Json(json!({ "articles": items })))
}

async fn one(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let (a, versions) = s.engine.article(&session.agent.tenant, article_id(&id)?).await?;
    Ok(Json(json!({
        "article": wire::article(&a),
        "versions": versions.iter().map(wire::article_version).collect::<Vec<_>>(),
    })))
}

async fn create(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<ArticleBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    trainer(&session)?;
    let a = s
        .engine
        .create_article(&session.agent.tenant, body.draft()?, &session.agent.email)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "article": wire::article(&a) }))))
}

async fn update(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ArticleBody>,
) -> ApiResult<Json<Value>> {
    trainer(&session)?;
    let a = s
        .engine
        .update_article(
            &session.agent.tenant,
            article_id(&id)?,
            body.draft()?,
            &session.agent.email,
        )
        .await?;
    Ok(Json(json!({ "article": wire::article(&a) })))
}

async fn set_archived(s: AppState, session: AgentSession, id: String, archived: bool) -> ApiResult<Json<Value>> {
    trainer(&session)?;
    let a = s
        .engine
        .set_archived(&session.agent.tenant, article_id(&id)?, archived, &session.agent.email)
        .await?;
    Ok(Json(json!({ "article": wire::article(&a) })))
}

async fn archive(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    set_archived(s, session, id, true).await
}

async fn restore(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    set_archived(s, session, id, false).await
}

async fn revert(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RevertBody>,
) -> ApiResult<Json<Value>> {
    trainer(&session)?;
    let a = s
        .engine
        .revert_article(
            &session.agent.tenant,
            article_id(&id)?,
            body.version,
            &session.agent.email,
        )
        .await?;
    Ok(Json(json!({ "article": wire::article(&a) })))
}

#[derive(Deserialize)]
struct DiffQuery {
    from: Option<u32>,
    to: Option<u32>,
}

/// How one version differs from another (default: the newest from the one before).
async fn diff(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Json<Value>> {
    let (from, to, diff) = s
        .engine
        .article_diff(&session.agent.tenant, article_id(&id)?, q.from, q.to)
        .await?;
    Ok(Json(json!({ "from": from, "to": to, "diff": diff })))
}
