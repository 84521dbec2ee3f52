//! The AI trainer's API: add labelled examples for the tenant's intent classifier and rebuild the
//! tenant's understanding (index, vectors, classifier) without a restart. Supervisors and admins
//! only.

use axum::extract::State;
use axum::Json;
use backstop_core::permission::Permission;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{ApiJson, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_examples))
        .routes(routes!(rebuild))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Example {
    text: String,
    /// An article's slug (or topic), or `oos` for out of scope.
    intent: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddExamples {
    examples: Vec<Example>,
}

/// Adds labelled examples for the intent classifier (used after the next rebuild).
#[utoipa::path(post, path = "/api/v1/understanding/examples", tag = "understanding", request_body = AddExamples,
    responses((status = 200, description = "added", body = wire::ExamplesAdded)),
    security(("session" = []), ("bearer" = [])))]
async fn add_examples(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<AddExamples>,
) -> ApiResult<Json<wire::ExamplesAdded>> {
    session.permit(Permission::TrainAi)?;
    let pairs: Vec<(String, String)> = body.examples.into_iter().map(|e| (e.text, e.intent)).collect();
    let added = s
        .engine
        .add_intent_examples(&session.agent.tenant, &pairs, "trainer")
        .await?;
    Ok(Json(wire::ExamplesAdded {
        added,
        skipped: pairs.len() - added,
    }))
}

/// Rebuilds the tenant's understanding (index, vectors, classifier) now.
#[utoipa::path(post, path = "/api/v1/understanding/rebuild", tag = "understanding",
    responses((status = 200, description = "rebuilt", body = wire::KbReport)),
    security(("session" = []), ("bearer" = [])))]
async fn rebuild(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::KbReport>> {
    session.permit(Permission::TrainAi)?;
    let r = s.engine.reload_kb(&session.agent.tenant).await?;
    Ok(Json(wire::kb_report(&r)))
}
