//! The widget's REST API: start a session, send and fetch messages, ask for a person. Visitors are
//! identified by their visitor token (header `X-Visitor-Token`), never by a cookie. Sessions are
//! rate-limited per client address, messages per visitor and per address; a new visitor's
//! conversation is created by their first message (or request for a person), not by the session.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use backstop_core::message::Lang;
use backstop_engine::{AgentAction, WidgetSessionRequest};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{conversation_id, tenant_id};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath as Path, ApiQuery as Query};
use crate::limits::{Bucket, ClientIp};
use crate::{wire, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/widget/v1/{tenant}/session", post(session))
        .route(
            "/api/widget/v1/{tenant}/conversations/{id}/messages",
            post(send).get(list),
        )
        .route("/api/widget/v1/{tenant}/conversations/{id}/human", post(human))
        .route("/api/widget/v1/{tenant}/conversations/{id}/rating", post(rate))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatingBody {
    rating: u8,
    comment: Option<String>,
    /// "Not satisfied, get me a person."
    #[serde(default)]
    person: bool,
}

/// The customer rates the resolved conversation (once); asking for a person reopens it to a human.
async fn rate(
    State(s): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RatingBody>,
) -> ApiResult<Json<Value>> {
    let (tenant, id) = (tenant_id(&tenant)?, conversation_id(&id)?);
    let conv = s
        .engine
        .visitor_conversation(&tenant, &visitor_token(&headers)?, id)
        .await?;
    if matches!(conv, backstop_engine::VisitorConversation::Reserved { .. }) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "invalid_transition",
            "there is nothing to rate yet",
        ));
    }
    let out = s
        .engine
        .act(
            &tenant,
            id,
            AgentAction::Rate {
                rating: b.rating,
                comment: b.comment,
                person: b.person,
            },
        )
        .await?;
    Ok(Json(json!({ "state": wire::widget_state(&out.view.widget_state()) })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionBody {
    token: Option<String>,
    lang: Option<String>,
    name: Option<String>,
    email: Option<String>,
    user_hash: Option<String>,
}

async fn session(
    State(s): State<AppState>,
    client: ClientIp,
    Path(tenant): Path<String>,
    ApiJson(b): ApiJson<SessionBody>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_id(&tenant)?;
    s.limiter.check(Bucket::SessionIp, &client.key())?;
    let lang = match b.lang.as_deref() {
        None | Some("") => None,
        Some(l) => Some(Lang::parse(l).ok_or_else(|| ApiError::invalid_input("lang must be zh or en"))?),
    };
    let ws = s
        .engine
        .widget_session(
            &tenant,
            WidgetSessionRequest {
                token: b.token,
                lang,
                name: b.name,
                email: b.email,
                user_hash: b.user_hash,
            },
        )
        .await?;
    Ok(Json(json!({
        "token": ws.token,
        "customer_id": ws.customer,
        "conversation_id": ws.conversation,
        "tenant_name": ws.tenant_name,
        "lang": ws.lang.as_str(),
        "verified": ws.verified,
    })))
}

/// Counts a customer message (or request for a person) against the visitor's and the address's
/// rates.
pub(crate) fn message_allowed(s: &AppState, token: &str, client: &ClientIp) -> ApiResult<()> {
    s.limiter.check(Bucket::MessageVisitor, token)?;
    s.limiter.check(Bucket::MessageIp, &client.key())
}

pub(crate) fn visitor_token(headers: &HeaderMap) -> ApiResult<String> {
    headers
        .get("x-visitor-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "send the visitor token in X-Visitor-Token",
            )
        })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendBody {
    client_id: Option<String>,
    body: String,
}

async fn send(
    State(s): State<AppState>,
    client: ClientIp,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SendBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (tenant, id) = (tenant_id(&tenant)?, conversation_id(&id)?);
    let token = visitor_token(&headers)?;
    s.engine.visitor_conversation(&tenant, &token, id).await?;
    message_allowed(&s, &token, &client)?;
    s.engine.authorize_visitor(&tenant, &token, id).await?;
    let appended = s
        .engine
        .ingest_customer_message(&tenant, id, b.client_id.as_deref(), &b.body)
        .await?;
    let status = if appended.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(json!({ "message": wire::message(&appended.message), "duplicate": appended.duplicate })),
    ))
}

#[derive(Deserialize)]
struct ListQuery {
    after: Option<i64>,
}

async fn list(
    State(s): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let (tenant, id) = (tenant_id(&tenant)?, conversation_id(&id)?);
    let conv = s
        .engine
        .visitor_conversation(&tenant, &visitor_token(&headers)?, id)
        .await?;
    let (messages, state) = s
        .engine
        .visitor_transcript(&tenant, &conv, q.after.unwrap_or(0))
        .await?;
    Ok(Json(json!({
        "messages": messages.iter().map(wire::message).collect::<Vec<_>>(),
        "state": wire::widget_state(&state),
    })))
}

async fn human(
    State(s): State<AppState>,
    client: ClientIp,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let (tenant, id) = (tenant_id(&tenant)?, conversation_id(&id)?);
    let token = visitor_token(&headers)?;
    s.engine.visitor_conversation(&tenant, &token, id).await?;
    message_allowed(&s, &token, &client)?;
    s.engine.authorize_visitor(&tenant, &token, id).await?;
    let out = s.engine.act(&tenant, id, AgentAction::RequestHuman).await?;
    Ok(Json(json!({ "state": wire::widget_state(&out.view.widget_state()) })))
}
