//! The tenant's generative model: admins read and change its settings (endpoint, model, key,
//! budget, persona, languages, topics kept to the knowledge base's words); the next answer uses
//! them. The key is write-only.

use axum::extract::State;
use axum::Json;
use backstop_core::permission::Permission;
use backstop_store::KeyChange;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{ApiJson, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show, save))
}

/// The model settings and this month's usage (admins).
#[utoipa::path(get, path = "/api/v1/model", tag = "model",
    responses((status = 200, description = "the settings; the key only as its hint", body = wire::ModelSettingsView)),
    security(("session" = []), ("bearer" = [])))]
async fn show(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::ModelSettingsView>> {
    session.permit(Permission::ManageAccounts)?;
    let tenant = &session.agent.tenant;
    let rec = s.engine.model_record(tenant).await?;
    let usage = s.engine.model_usage(tenant).await?;
    Ok(Json(wire::model_settings(rec.as_ref(), &usage)))
}

/// Replaces the model settings (admins); answers what is stored.
#[utoipa::path(put, path = "/api/v1/model", tag = "model",
    request_body = wire::ModelSettingsBody,
    responses((status = 200, description = "the saved settings; the key only as its hint", body = wire::ModelSettingsView)),
    security(("session" = []), ("bearer" = [])))]
async fn save(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(body): ApiJson<wire::ModelSettingsBody>,
) -> ApiResult<Json<wire::ModelSettingsView>> {
    session.permit(Permission::ManageAccounts)?;
    let tenant = &session.agent.tenant;
    let key = match (&body.api_key, body.clear_api_key) {
        (Some(k), _) => KeyChange::Set(k.trim().to_string()),
        (None, true) => KeyChange::Clear,
        (None, false) => KeyChange::Keep,
    };
    let rec = s
        .engine
        .save_model_settings(tenant, body.settings(), key, &session.agent.email)
        .await?;
    let usage = s.engine.model_usage(tenant).await?;
    Ok(Json(wire::model_settings(Some(&rec), &usage)))
}
