//! What admins do to the tenant's accounts: deactivate or reactivate an agent, change a role, set
//! a new password, lift a sign-in lock, sign an agent out everywhere, rotate the widget secret.
//! The same as `backstop agent …` and `backstop tenant rotate-secret` on the command line.

use axum::extract::State;
use axum::routing::{post, put};
use axum::{Json, Router};
use backstop_core::directory::AgentRole;
use backstop_core::ids::AgentId;
use backstop_engine::AccountChange;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{admins_only, ApiJson, ApiPath, SignedIn};
use crate::{wire, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agents/{id}/deactivate", post(deactivate))
        .route("/api/v1/agents/{id}/reactivate", post(reactivate))
        .route("/api/v1/agents/{id}/unlock", post(unlock))
        .route("/api/v1/agents/{id}/sign-out", post(sign_out))
        .route("/api/v1/agents/{id}/role", put(role))
        .route("/api/v1/agents/{id}/password", put(password))
        .route("/api/v1/tenant/widget-secret", post(rotate_secret))
}

fn agent_id(s: &str) -> Result<AgentId, ApiError> {
    AgentId::parse(s).map_err(|_| ApiError::not_found("not_found", "no such agent"))
}

async fn change(
    s: &AppState,
    session: &backstop_engine::AgentSession,
    id: &str,
    change: AccountChange,
) -> ApiResult<Json<Value>> {
    admins_only(session, "manage agents' accounts")?;
    let agent = s
        .engine
        .change_account(&session.agent.tenant, Some(session.agent.id), agent_id(id)?, change)
        .await?;
    Ok(Json(json!({ "agent": wire::agent(&agent) })))
}

async fn deactivate(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    change(&s, &session, &id, AccountChange::Deactivate).await
}

async fn reactivate(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    change(&s, &session, &id, AccountChange::Reactivate).await
}

async fn unlock(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    change(&s, &session, &id, AccountChange::Unlock).await
}

async fn sign_out(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    change(&s, &session, &id, AccountChange::SignOut).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleBody {
    role: String,
}

async fn role(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<RoleBody>,
) -> ApiResult<Json<Value>> {
    let role = AgentRole::parse(b.role.trim())
        .ok_or_else(|| ApiError::invalid_input("role must be agent, supervisor or admin"))?;
    change(&s, &session, &id, AccountChange::Role(role)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    password: String,
}

/// An admin sets a new password for an agent (who is signed out everywhere).
async fn password(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<PasswordBody>,
) -> ApiResult<Json<Value>> {
    change(&s, &session, &id, AccountChange::Password(b.password)).await
}

/// A new widget secret, shown once: host sites must sign visitors' e-mails with it from now on.
async fn rotate_secret(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<Value>> {
    admins_only(&session, "rotate the widget secret")?;
    let secret = s.engine.rotate_widget_secret(&session.agent.tenant).await?;
    Ok(Json(json!({ "widget_secret": secret })))
}
