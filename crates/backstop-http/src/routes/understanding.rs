//! The AI trainer's API: add labelled examples for the tenant's intent classifier and rebuild the
//! tenant's understanding (index, vectors, classifier) without a restart. Supervisors and admins
//! only.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use backstop_engine::AgentSession;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, SignedIn};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/understanding/examples", post(add_examples))
        .route("/api/v1/understanding/rebuild", post(rebuild))
}

fn trainer(session: &AgentSession) -> Result<(), ApiError> {
    crate::extract::supervisors_only(session, "train the AI")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    text: String,
    intent: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddExamples {
    examples: Vec<Example>,
}

async fn add_examples(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<AddExamples>,
) -> ApiResult<Json<Value>> {
    trainer(&session)?;
    let pairs: Vec<(String, String)> = body.examples.into_iter().map(|e| (e.text, e.intent)).collect();
    let added = s
        .engine
        .add_intent_examples(&session.agent.tenant, &pairs, "trainer")
        .await?;
    Ok(Json(json!({ "added": added, "skipped": pairs.len() - added })))
}

async fn rebuild(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<Value>> {
    trainer(&session)?;
    let r = s.engine.reload_kb(&session.agent.tenant).await?;
    Ok(Json(crate::wire::kb_report(&r)))
}
