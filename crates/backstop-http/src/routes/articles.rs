//! The knowledge base: every signed-in agent reads it; supervisors and admins (the AI trainers)
//! create, edit, archive, restore and revert articles. Each change is a version and the AI answers
//! from it at once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use backstop_core::ids::ArticleId;
use backstop_core::kb::ArticleDraft;
use backstop_core::permission::Permission;
use backstop_engine::AgentSession;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath as Path, ApiQuery as Query, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(one, update))
        .routes(routes!(archive))
        .routes(routes!(restore))
        .routes(routes!(revert))
        .routes(routes!(diff))
}

type Out = ApiResult<Json<wire::ArticleOut>>;

/// An article as a trainer writes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArticleBody {
    /// Lower-case words joined by `-`; unique per language.
    slug: String,
    /// `zh` or `en`.
    lang: String,
    topic: String,
    title: String,
    body: String,
    /// Sample questions it answers.
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Include archived articles.
    #[serde(default)]
    archived: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevertBody {
    /// The version to bring back (as a new version).
    version: u32,
}

pub(crate) fn article_id(s: &str) -> ApiResult<ArticleId> {
    uuid::Uuid::parse_str(s)
        .map(ArticleId)
        .map_err(|_| ApiError::not_found("article_not_found", "no such article"))
}

/// The tenant's articles (archived ones on request).
#[utoipa::path(get, path = "/api/v1/articles", tag = "knowledge", params(ListQuery),
    responses((status = 200, description = "the articles", body = wire::ArticleList)),
    security(("session" = []), ("bearer" = [])))]
async fn list(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<wire::ArticleList>> {
    let all = s.engine.articles(&session.agent.tenant).await?;
    Ok(Json(wire::ArticleList {
        articles: all
            .iter()
            .filter(|a| q.archived || !a.archived)
            .map(wire::article)
            .collect(),
    }))
}

/// One article with its history, newest version first.
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 200, description = "the article", body = wire::ArticleHistory)),
    security(("session" = []), ("bearer" = [])))]
async fn one(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<wire::ArticleHistory>> {
    let (a, versions) = s.engine.article(&session.agent.tenant, article_id(&id)?).await?;
    Ok(Json(wire::ArticleHistory {
        article: wire::article(&a),
        versions: versions.iter().map(wire::article_version).collect(),
    }))
}

/// A new article, used by the AI at once (trainers).
#[utoipa::path(post, path = "/api/v1/articles", tag = "knowledge", request_body = ArticleBody,
    responses((status = 201, description = "created", body = wire::ArticleOut)),
    security(("session" = []), ("bearer" = [])))]
async fn create(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<ArticleBody>,
) -> ApiResult<(StatusCode, Json<wire::ArticleOut>)> {
    session.permit(Permission::TrainAi)?;
    let a = s
        .engine
        .create_article(&session.agent.tenant, body.draft()?, &session.agent.email)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(wire::ArticleOut {
            article: wire::article(&a),
        }),
    ))
}

/// A new version of an article (trainers).
#[utoipa::path(put, path = "/api/v1/articles/{id}", tag = "knowledge", params(("id" = String, Path)),
    request_body = ArticleBody,
    responses((status = 200, description = "saved", body = wire::ArticleOut)),
    security(("session" = []), ("bearer" = [])))]
async fn update(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ArticleBody>,
) -> Out {
    session.permit(Permission::TrainAi)?;
    let a = s
        .engine
        .update_article(
            &session.agent.tenant,
            article_id(&id)?,
            body.draft()?,
            &session.agent.email,
        )
        .await?;
    Ok(Json(wire::ArticleOut {
        article: wire::article(&a),
    }))
}

async fn set_archived(s: AppState, session: AgentSession, id: String, archived: bool) -> Out {
    session.permit(Permission::TrainAi)?;
    let a = s
        .engine
        .set_archived(&session.agent.tenant, article_id(&id)?, archived, &session.agent.email)
        .await?;
    Ok(Json(wire::ArticleOut {
        article: wire::article(&a),
    }))
}

/// Archive an article: kept, with its history, but the AI no longer uses it (trainers).
#[utoipa::path(post, path = "/api/v1/articles/{id}/archive", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 200, description = "archived", body = wire::ArticleOut)),
    security(("session" = []), ("bearer" = [])))]
async fn archive(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Out {
    set_archived(s, session, id, true).await
}

/// Restore an archived article (trainers).
#[utoipa::path(post, path = "/api/v1/articles/{id}/restore", tag = "knowledge", params(("id" = String, Path)),
    responses((status = 200, description = "restored", body = wire::ArticleOut)),
    security(("session" = []), ("bearer" = [])))]
async fn restore(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Out {
    set_archived(s, session, id, false).await
}

/// Bring an earlier version back, as a new version (trainers).
#[utoipa::path(post, path = "/api/v1/articles/{id}/revert", tag = "knowledge", params(("id" = String, Path)),
    request_body = RevertBody,
    responses((status = 200, description = "reverted", body = wire::ArticleOut)),
    security(("session" = []), ("bearer" = [])))]
async fn revert(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RevertBody>,
) -> Out {
    session.permit(Permission::TrainAi)?;
    let a = s
        .engine
        .revert_article(
            &session.agent.tenant,
            article_id(&id)?,
            body.version,
            &session.agent.email,
        )
        .await?;
    Ok(Json(wire::ArticleOut {
        article: wire::article(&a),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DiffQuery {
    /// The older version (default: the one before `to`).
    from: Option<u32>,
    /// The newer version (default: the newest).
    to: Option<u32>,
}

/// How one version differs from another (default: the newest from the one before).
#[utoipa::path(get, path = "/api/v1/articles/{id}/diff", tag = "knowledge", params(("id" = String, Path), DiffQuery),
    responses((status = 200, description = "the changes", body = wire::ArticleDiff)),
    security(("session" = []), ("bearer" = [])))]
async fn diff(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Json<wire::ArticleDiff>> {
    let (from, to, diff) = s
        .engine
        .article_diff(&session.agent.tenant, article_id(&id)?, q.from, q.to)
        .await?;
    Ok(Json(wire::article_diff(from, to, &diff)))
}
