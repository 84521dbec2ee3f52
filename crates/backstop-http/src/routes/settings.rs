//! The admin's settings: the widget (colour, corner, greeting per language, languages offered,
//! allowed sites, and the snippet to paste) and the tenant's API keys (made with a scope, the
//! token shown once, listed without it, revoked at once).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use backstop_core::apikey::{KeyRequest, Scope};
use backstop_core::ids::ApiKeyId;
use backstop_core::message::Lang;
use backstop_core::permission::Permission;
use backstop_core::widget::{Corner, WidgetSettings};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath as Path, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_widget, save_widget))
        .routes(routes!(list_keys, create_key))
        .routes(routes!(revoke_key))
}

/// Where this server is reached, as the request says (for the snippet).
fn base_of(headers: &HeaderMap) -> String {
    let get = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    let host = get("x-forwarded-host")
        .or_else(|| get(header::HOST.as_str()))
        .unwrap_or("localhost");
    let scheme = get("x-forwarded-proto").filter(|p| *p == "https").unwrap_or("http");
    format!("{scheme}://{host}")
}

/// The widget's settings and the snippet that embeds it (admins).
#[utoipa::path(get, path = "/api/v1/widget", tag = "settings",
    responses((status = 200, description = "the settings", body = wire::Widget)),
    security(("session" = []), ("bearer" = [])))]
async fn show_widget(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
) -> ApiResult<Json<wire::Widget>> {
    session.permit(Permission::ManageAccounts)?;
    let tenant = &session.agent.tenant;
    let w = s.engine.widget_settings(tenant).await?;
    Ok(Json(wire::widget(&w, &base_of(&headers), tenant.as_str())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WidgetBody {
    /// `#rrggbb`.
    #[schema(max_length = 7)]
    color: String,
    /// `right` or `left`.
    corner: Option<String>,
    /// The greeting per language (`zh`, `en`), up to 300 characters; empty or left out: the
    /// built-in greeting.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    greeting: BTreeMap<Lang, String>,
    /// The languages offered (`zh`, `en`), the first the default; empty: every language.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    languages: Vec<Lang>,
    /// Sites allowed to embed the widget (`https://shop.example`); empty: any site.
    #[serde(default)]
    #[schema(max_items = 50)]
    origins: Vec<String>,
}

/// Save the widget's settings (admins); sessions opened from now on use them.
#[utoipa::path(put, path = "/api/v1/widget", tag = "settings", request_body = WidgetBody,
    responses((status = 200, description = "saved", body = wire::Widget),
        (status = 422, description = "a field cannot be used (named in `fields`)", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn save_widget(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
    ApiJson(b): ApiJson<WidgetBody>,
) -> ApiResult<Json<wire::Widget>> {
    session.permit(Permission::ManageAccounts)?;
    let corner = match b.corner.as_deref().map(str::trim) {
        None | Some("right") => Corner::Right,
        Some("left") => Corner::Left,
        Some(_) => return Err(ApiError::invalid_input("corner must be right or left")),
    };
    if b.origins.len() > WidgetSettings::MAX_ORIGINS * 2 || b.origins.iter().any(|o| o.len() > 300) {
        return Err(ApiError::invalid_input("at most 50 sites of up to 300 characters"));
    }
    let settings = WidgetSettings {
        color: b.color,
        corner,
        greeting: b.greeting,
        languages: b.languages,
        origins: b.origins,
    };
    let tenant = &session.agent.tenant;
    let saved = s
        .engine
        .save_widget_settings(tenant, settings, &session.agent.email)
        .await?;
    Ok(Json(wire::widget(&saved, &base_of(&headers), tenant.as_str())))
}

/// The tenant's API keys, revoked ones too, newest first; never their tokens (admins).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "settings",
    responses((status = 200, description = "the keys", body = wire::ApiKeyList)),
    security(("session" = []), ("bearer" = [])))]
async fn list_keys(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<wire::ApiKeyList>> {
    session.permit(Permission::ManageAccounts)?;
    let keys = s.engine.api_keys(&session.agent.tenant).await?;
    Ok(Json(wire::ApiKeyList {
        keys: keys.iter().map(wire::api_key).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyBody {
    /// What the key is for, 1 – 80 characters.
    #[schema(max_length = 80)]
    name: String,
    /// Any of `conversations`, `knowledge`, `reports`, `settings`.
    #[schema(max_items = 4)]
    scopes: Vec<String>,
}

/// Make an API key (admins, signed in — a key cannot make keys). The token is in this answer only;
/// send it as `Authorization: Bearer bsk_…`. It acts as you, within its scopes.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "settings", request_body = KeyBody,
    responses((status = 201, description = "made; the token is shown this once", body = wire::NewApiKey),
        (status = 422, description = "a field cannot be used (named in `fields`)", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn create_key(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(b): ApiJson<KeyBody>,
) -> ApiResult<(StatusCode, Json<wire::NewApiKey>)> {
    session.permit(Permission::ManageAccounts)?;
    let scopes = b
        .scopes
        .iter()
        .take(8)
        .map(|x| {
            Scope::parse(x.trim()).ok_or_else(|| {
                ApiError::invalid_input(format!(
                    "unknown scope {x:?}: use conversations, knowledge, reports or settings"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (key, token) = s
        .engine
        .create_api_key(&session, KeyRequest { name: b.name, scopes })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(wire::NewApiKey {
            key: wire::api_key(&key),
            token,
        }),
    ))
}

/// Revoke an API key (admins): its next call is refused.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "settings", params(("id" = String, Path)),
    responses((status = 204, description = "revoked")),
    security(("session" = []), ("bearer" = [])))]
async fn revoke_key(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    session.permit(Permission::ManageAccounts)?;
    let id = ApiKeyId::parse(&id).map_err(|_| ApiError::not_found("not_found", "no such API key"))?;
    s.engine
        .revoke_api_key(&session.agent.tenant, id, &session.agent.email)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
