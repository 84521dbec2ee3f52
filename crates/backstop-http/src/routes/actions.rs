//! A tenant's actions on the merchant's systems (admins): list, save a version, see the versions,
//! remove, and try one with sample values. The secret is write-only.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use backstop_core::permission::Permission;
use backstop_store::KeyChange;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(save, remove))
        .routes(routes!(versions))
        .routes(routes!(try_one))
}

/// The tenant's actions in force (admins).
#[utoipa::path(get, path = "/api/v1/actions", tag = "actions",
    responses((status = 200, description = "the actions, by name; secrets never shown", body = wire::ActionList)),
    security(("session" = []), ("bearer" = [])))]
async fn list(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::ActionList>> {
    session.permit(Permission::ManageAccounts)?;
    let recs = s.engine.actions(&session.agent.tenant).await?;
    Ok(Json(wire::ActionList {
        actions: recs.iter().map(wire::action_view).collect(),
    }))
}

/// Saves the next version of an action (admins); `spec.name` must be the path's name.
#[utoipa::path(put, path = "/api/v1/actions/{name}", tag = "actions",
    params(("name" = String, Path, description = "the action's name")),
    request_body = wire::ActionBody,
    responses((status = 200, description = "the saved version", body = wire::ActionView)),
    security(("session" = []), ("bearer" = [])))]
async fn save(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<wire::ActionBody>,
) -> ApiResult<Json<wire::ActionView>> {
    session.permit(Permission::ManageAccounts)?;
    if body.spec.get("name").and_then(|n| n.as_str()) != Some(name.as_str()) {
        return Err(ApiError::invalid_input("spec.name must be the name in the path"));
    }
    let secret = match (body.secret, body.secret_from, body.clear_secret) {
        (Some(k), None, false) => KeyChange::Set(k.trim().to_string()),
        (None, Some(from), false) => s.engine.secret_of(&session.agent.tenant, &from).await?,
        (None, None, true) => KeyChange::Clear,
        (None, None, false) => KeyChange::Keep,
        _ => {
            return Err(ApiError::invalid_input(
                "give at most one of secret, secret_from and clear_secret",
            ))
        }
    };
    let rec = s
        .engine
        .save_action(&session.agent.tenant, &body.spec, secret, &session.agent.email)
        .await?;
    Ok(Json(wire::action_view(&rec)))
}

/// Removes an action (admins); its versions stay, its secret is forgotten.
#[utoipa::path(delete, path = "/api/v1/actions/{name}", tag = "actions",
    params(("name" = String, Path, description = "the action's name")),
    responses((status = 204, description = "removed")),
    security(("session" = []), ("bearer" = [])))]
async fn remove(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    session.permit(Permission::ManageAccounts)?;
    s.engine
        .remove_action(&session.agent.tenant, &name, &session.agent.email)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every saved version of an action, newest first (admins).
#[utoipa::path(get, path = "/api/v1/actions/{name}/versions", tag = "actions",
    params(("name" = String, Path, description = "the action's name")),
    responses((status = 200, description = "the versions", body = wire::ActionVersions)),
    security(("session" = []), ("bearer" = [])))]
async fn versions(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(name): Path<String>,
) -> ApiResult<Json<wire::ActionVersions>> {
    session.permit(Permission::ManageAccounts)?;
    let recs = s.engine.action_versions(&session.agent.tenant, &name).await?;
    Ok(Json(wire::action_versions(&recs)))
}

/// Tries an action with sample values (admins): the request it makes, and what the merchant
/// answered — a change is sent only with `send: true`.
#[utoipa::path(post, path = "/api/v1/actions/{name}/try", tag = "actions",
    params(("name" = String, Path, description = "the action's name")),
    request_body = wire::TrialBody,
    responses((status = 200, description = "the request and, when sent, the outcome", body = wire::TrialView)),
    security(("session" = []), ("bearer" = [])))]
async fn try_one(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<wire::TrialBody>,
) -> ApiResult<Json<wire::TrialView>> {
    session.permit(Permission::ManageAccounts)?;
    let trial = s
        .engine
        .try_action(&session.agent.tenant, &name, &body.values, body.send)
        .await?;
    Ok(Json(wire::trial_view(trial)))
}
