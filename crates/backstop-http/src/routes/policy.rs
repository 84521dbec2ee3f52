//! The tenant's escalation policy: read it (any signed-in agent: it explains why conversations
//! reach them), check a draft, save a new version (admins only; it decides from the next customer
//! turn), list the versions (to compare or restore one).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use backstop_core::directory::AgentRole;
use backstop_core::policy::Policy;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, SignedIn};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/policy", get(current).put(save))
        .route("/api/v1/policy/check", post(check))
        .route("/api/v1/policy/versions", get(versions))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    source: String,
}

async fn current(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<Value>> {
    let tenant = &session.agent.tenant;
    let (version, source) = s.engine.policy_source(tenant).await?;
    let policy = s.engine.policy(tenant).await?;
    Ok(Json(crate::wire::policy(version, &source, &policy)))
}

async fn check(SignedIn(_): SignedIn, ApiJson(body): ApiJson<Source>) -> ApiResult<Json<Value>> {
    let policy = Policy::parse(&body.source).map_err(backstop_engine::EngineError::from)?;
    Ok(Json(json!({ "ok": true, "rules": policy.rules.len() })))
}

async fn save(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<Source>,
) -> ApiResult<Json<Value>> {
    if session.agent.role != AgentRole::Admin {
        return Err(ApiError::forbidden("only admins change the escalation policy"));
    }
    let tenant = &session.agent.tenant;
    let rec = s.engine.save_policy(tenant, &body.source, &session.agent.email).await?;
    let policy = s.engine.policy(tenant).await?;
    Ok(Json(crate::wire::policy(rec.version, &rec.source, &policy)))
}

async fn versions(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<Value>> {
    let list = s.engine.policy_versions(&session.agent.tenant).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|p| {
            json!({
                "version": p.version,
                "author": p.author,
                "created_at": crate::wire::time(p.created_at),
                "source": p.source,
            })
        })
        .collect();
    Ok(Json(json!({ "versions": items })))
}
