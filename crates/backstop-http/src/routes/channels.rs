//! Channels: the admins' API to connect WhatsApp, Messenger, Instagram and Telegram (secrets
//! written, never read back), and the providers' webhook, `/hooks/{tenant}/{connection}` — Meta's
//! subscription check (GET) and every event (POST), verified by the connection's own secret.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use backstop_core::channel::connection::ConnectionDraft;
use backstop_core::channel::Channel;
use backstop_core::ids::ConnectionId;
use backstop_core::permission::Permission;
use backstop_engine::channels::{ConnectionView, WebhookAuth, HUB_SIGNATURE_HEADER, TELEGRAM_SECRET_HEADER};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath as Path, SignedIn};
use crate::{wire, AppState};

/// A provider's batch (Meta sends up to 1,000 updates in one) may be larger than an API request.
pub const MAX_HOOK_BYTES: usize = 4 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_connections, create_connection))
        .routes(routes!(update_connection, delete_connection))
}

/// The providers' webhook (not part of the documented API: its shape is each provider's).
pub fn hooks() -> Router<AppState> {
    Router::new()
        .route("/hooks/{tenant}/{connection}", get(challenge).post(webhook))
        .layer(DefaultBodyLimit::max(MAX_HOOK_BYTES))
}

fn view(v: &ConnectionView) -> wire::Connection {
    wire::connection(&v.record, v.secrets_set.clone())
}

fn connection_id(s: &str) -> Result<ConnectionId, ApiError> {
    ConnectionId::parse(s).map_err(|_| ApiError::not_found("not_found", "no such connection"))
}

/// The tenant's channel connections (admins); secrets appear by name only.
#[utoipa::path(get, path = "/api/v1/channels", tag = "settings",
    responses((status = 200, description = "the connections", body = wire::ConnectionList)),
    security(("session" = []), ("bearer" = [])))]
async fn list_connections(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
) -> ApiResult<Json<wire::ConnectionList>> {
    session.permit(Permission::ManageAccounts)?;
    let all = s.engine.connections(&session.agent.tenant).await?;
    Ok(Json(wire::ConnectionList {
        connections: all.iter().map(view).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConnectionBody {
    /// `whatsapp`, `messenger`, `instagram` or `telegram`.
    channel: String,
    /// The phone number id (WhatsApp), the Page or Instagram account id, the bot's user name.
    #[schema(max_length = 128)]
    account: String,
    #[serde(default)]
    #[schema(max_length = 80)]
    name: String,
    #[serde(default = "yes")]
    enabled: bool,
    /// WhatsApp, Messenger, Instagram: `access_token`, `app_secret`, `verify_token`. Telegram:
    /// `bot_token`, and `webhook_secret` if you want to choose it. On a change, a secret left out
    /// keeps its stored value.
    #[serde(default)]
    secrets: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

fn draft(b: ConnectionBody) -> Result<(ConnectionDraft, bool), ApiError> {
    let channel = Channel::parse(b.channel.trim())
        .ok_or_else(|| ApiError::invalid_input("channel must be whatsapp, messenger, instagram or telegram"))?;
    if b.secrets.len() > 8 {
        return Err(ApiError::invalid_input("at most 8 secrets"));
    }
    Ok((
        ConnectionDraft {
            channel,
            account: b.account,
            name: b.name,
            secrets: b.secrets,
        },
        b.enabled,
    ))
}

/// Connect a channel (admins). The answer names the secrets stored, never their values.
#[utoipa::path(post, path = "/api/v1/channels", tag = "settings", request_body = ConnectionBody,
    responses((status = 201, description = "connected", body = wire::Connection),
        (status = 409, description = "that account is connected already", body = wire::ErrorBody),
        (status = 422, description = "a field cannot be used (named in `fields`)", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn create_connection(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    ApiJson(b): ApiJson<ConnectionBody>,
) -> ApiResult<(StatusCode, Json<wire::Connection>)> {
    session.permit(Permission::ManageAccounts)?;
    let (draft, enabled) = draft(b)?;
    let saved = s
        .engine
        .save_connection(&session.agent.tenant, None, draft, enabled, &session.agent.email)
        .await?;
    Ok((StatusCode::CREATED, Json(view(&saved))))
}

/// Change a connection (admins); secrets left out are kept.
#[utoipa::path(put, path = "/api/v1/channels/{id}", tag = "settings", request_body = ConnectionBody,
    params(("id" = String, Path, description = "the connection")),
    responses((status = 200, description = "saved", body = wire::Connection),
        (status = 404, description = "no such connection", body = wire::ErrorBody),
        (status = 409, description = "that account is connected already", body = wire::ErrorBody),
        (status = 422, description = "a field cannot be used (named in `fields`)", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn update_connection(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConnectionBody>,
) -> ApiResult<Json<wire::Connection>> {
    session.permit(Permission::ManageAccounts)?;
    let id = connection_id(&id)?;
    let (draft, enabled) = draft(b)?;
    let saved = s
        .engine
        .save_connection(&session.agent.tenant, Some(id), draft, enabled, &session.agent.email)
        .await?;
    Ok(Json(view(&saved)))
}

/// Remove a connection (admins): its webhook is refused from now on.
#[utoipa::path(delete, path = "/api/v1/channels/{id}", tag = "settings",
    params(("id" = String, Path, description = "the connection")),
    responses((status = 204, description = "removed"),
        (status = 404, description = "no such connection", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn delete_connection(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    session.permit(Permission::ManageAccounts)?;
    let id = connection_id(&id)?;
    s.engine
        .remove_connection(&session.agent.tenant, id, &session.agent.email)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Challenge {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Meta's subscription check: the challenge echoed as plain text when the verify token is the
/// connection's, else 403.
async fn challenge(
    State(s): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    Query(q): Query<Challenge>,
) -> Response {
    let found = match (super::tenant_id(&tenant), connection_id(&id)) {
        (Ok(t), Ok(c)) => {
            s.engine
                .channel_challenge(&t, c, q.mode.as_deref(), q.token.as_deref(), q.challenge.as_deref())
                .await
        }
        _ => Err(backstop_engine::EngineError::NotFound("connection")),
    };
    match found {
        Ok(echo) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], echo).into_response(),
        Err(backstop_engine::EngineError::Unauthenticated) => {
            ApiError::forbidden("the verify token is not this connection's".to_owned()).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// A provider's event: 200 once every message in it is stored; 401 (nothing stored) when the
/// signature or secret token is wrong or missing.
async fn webhook(
    State(s): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<wire::WebhookReceipt>> {
    let tenant = super::tenant_id(&tenant)?;
    let id = connection_id(&id)?;
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let auth = WebhookAuth {
        hub_signature: get(HUB_SIGNATURE_HEADER),
        telegram_secret: get(TELEGRAM_SECRET_HEADER),
    };
    let got = s.engine.channel_webhook(&tenant, id, auth, &body).await?;
    Ok(Json(wire::WebhookReceipt {
        messages: got.messages,
        duplicates: got.duplicates,
        statuses: got.statuses,
        ignored: got.ignored,
    }))
}
