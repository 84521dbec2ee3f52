//! The widget's REST API: start a session, send and fetch messages, ask for a person. Visitors are
//! identified by their visitor token (header `X-Visitor-Token`), never by a cookie. Sessions are
//! rate-limited per client address, messages per visitor and per address; a new visitor's
//! conversation is created by their first message (or request for a person), not by the session.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use backstop_core::message::Lang;
use backstop_engine::{AgentAction, WidgetSessionRequest};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{conversation_id, tenant_id};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath as Path, ApiQuery as Query};
use crate::limits::{Bucket, ClientIp};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(look))
        .routes(routes!(session))
        .routes(routes!(send, list))
        .routes(routes!(human))
        .routes(routes!(solved))
        .routes(routes!(rate))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RatingBody {
    /// 1 (bad) to 5 (great).
    #[schema(minimum = 1, maximum = 5)]
    rating: u8,
    comment: Option<String>,
    /// "Not satisfied, get me a person."
    #[serde(default)]
    person: bool,
}

/// The customer rates the resolved conversation (once); asking for a person reopens it to a human.
#[utoipa::path(post, path = "/api/widget/v1/{tenant}/conversations/{id}/rating", tag = "widget",
    params(("tenant" = String, Path), ("id" = String, Path, description = "the conversation")),
    request_body = RatingBody,
    responses((status = 200, description = "rated", body = wire::StateOut)),
    security(("visitor_token" = [])))]
async fn rate(
    State(s): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RatingBody>,
) -> ApiResult<Json<wire::StateOut>> {
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
    Ok(Json(wire::StateOut {
        state: wire::widget_state(&out.view.widget_state()),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionBody {
    /// The visitor token from an earlier session (to resume it).
    token: Option<String>,
    /// `zh` or `en` (regional forms such as `zh-CN` too).
    lang: Option<String>,
    name: Option<String>,
    /// Contact information; verified only with `user_hash`.
    email: Option<String>,
    /// Hex HMAC-SHA256 of the e-mail with the tenant's widget secret, made by the host site.
    user_hash: Option<String>,
}

/// How the tenant's widget looks (colour, corner, greetings, the languages offered), read before
/// the widget is drawn.
#[utoipa::path(get, path = "/api/widget/v1/{tenant}/look", tag = "widget",
    params(("tenant" = String, Path)),
    responses((status = 200, description = "the look", body = wire::WidgetLook),
        (status = 404, description = "no such tenant", body = wire::ErrorBody)))]
async fn look(State(s): State<AppState>, Path(tenant): Path<String>) -> ApiResult<Json<wire::WidgetLook>> {
    let tenant = tenant_id(&tenant)?;
    let name = s.engine.tenant_name(&tenant).await?;
    let w = s.engine.widget_settings(&tenant).await?;
    Ok(Json(wire::widget_look(&w, &name)))
}

/// Starts or resumes a visitor's session. A conversation is reserved, not created: the first
/// message creates it.
#[utoipa::path(post, path = "/api/widget/v1/{tenant}/session", tag = "widget",
    params(("tenant" = String, Path)),
    request_body = SessionBody,
    responses((status = 200, description = "the session", body = wire::WidgetSession)))]
async fn session(
    State(s): State<AppState>,
    client: ClientIp,
    Path(tenant): Path<String>,
    ApiJson(b): ApiJson<SessionBody>,
) -> ApiResult<Json<wire::WidgetSession>> {
    let tenant = tenant_id(&tenant)?;
    s.limiter.check(Bucket::SessionIp, &client.key())?;
    let lang = match b.lang.as_deref() {
        None | Some("") => None,
        Some(l) => Some(Lang::parse(l).ok_or_else(|| ApiError::invalid_input("lang must be zh or en"))?),
    };
    // A language the tenant does not offer gets the one it offers first.
    let lang = s.engine.widget_settings(&tenant).await?.language_for(lang);
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
    Ok(Json(wire::WidgetSession {
        token: ws.token,
        customer_id: ws.customer,
        conversation_id: ws.conversation,
        tenant_name: ws.tenant_name,
        lang: ws.lang.as_str().to_owned(),
        verified: ws.verified,
    }))
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendBody {
    /// An idempotency key (1-64 printable ASCII characters): a resend stores nothing new.
    client_id: Option<String>,
    /// 1 to 4,000 characters.
    body: String,
    /// The page the visitor is on (path and query, or the whole address): what the tenant's
    /// automation rules may match when this message starts the conversation.
    #[schema(max_length = 2000)]
    page: Option<String>,
}

/// Sends a customer message: stored before the answer (201), or found already stored for this
/// `client_id` (200, `duplicate`). The AI's reply arrives on the socket (or by polling).
#[utoipa::path(post, path = "/api/widget/v1/{tenant}/conversations/{id}/messages", tag = "widget",
    params(("tenant" = String, Path), ("id" = String, Path, description = "the conversation")),
    request_body = SendBody,
    responses(
        (status = 201, description = "stored", body = wire::Sent),
        (status = 200, description = "a resend: the message already stored", body = wire::Sent)),
    security(("visitor_token" = [])))]
async fn send(
    State(s): State<AppState>,
    client: ClientIp,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SendBody>,
) -> ApiResult<(StatusCode, Json<wire::Sent>)> {
    let (tenant, id) = (tenant_id(&tenant)?, conversation_id(&id)?);
    let token = visitor_token(&headers)?;
    if b.page.as_ref().is_some_and(|p| p.chars().count() > 2000) {
        return Err(ApiError::invalid_input("page is at most 2,000 characters"));
    }
    let found = s.engine.visitor_conversation(&tenant, &token, id).await?;
    message_allowed(&s, &token, &client)?;
    let conv = s
        .engine
        .open_visitor_conversation(&tenant, found, b.page.as_deref())
        .await?;
    let appended = s.engine.ingest_into(&conv, b.client_id.as_deref(), &b.body).await?;
    let status = if appended.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(wire::Sent {
            message: wire::message(&appended.message),
            duplicate: appended.duplicate,
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Only messages after this sequence number (default 0: all).
    #[param(minimum = 0)]
    after: Option<i64>,
}

/// The visitor's public messages and the conversation's state.
#[utoipa::path(get, path = "/api/widget/v1/{tenant}/conversations/{id}/messages", tag = "widget",
    params(("tenant" = String, Path), ("id" = String, Path, description = "the conversation"), ListQuery),
    responses((status = 200, description = "the transcript", body = wire::Transcript)),
    security(("visitor_token" = [])))]
async fn list(
    State(s): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<wire::Transcript>> {
    let (tenant, id) = (tenant_id(&tenant)?, conversation_id(&id)?);
    let conv = s
        .engine
        .visitor_conversation(&tenant, &visitor_token(&headers)?, id)
        .await?;
    let (messages, state) = s
        .engine
        .visitor_transcript(&tenant, &conv, q.after.unwrap_or(0))
        .await?;
    Ok(Json(wire::Transcript {
        messages: messages.iter().map(wire::message).collect(),
        state: wire::widget_state(&state),
    }))
}

/// "That solved it": the customer resolves the conversation the AI is answering (refused with
/// `invalid_transition` once a person has it or it is resolved already); the rating follows.
#[utoipa::path(post, path = "/api/widget/v1/{tenant}/conversations/{id}/solved", tag = "widget",
    params(("tenant" = String, Path), ("id" = String, Path, description = "the conversation")),
    responses((status = 200, description = "resolved", body = wire::StateOut)),
    security(("visitor_token" = [])))]
async fn solved(
    State(s): State<AppState>,
    client: ClientIp,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<wire::StateOut>> {
    customer_act(&s, &client, &tenant, &id, &headers, AgentAction::CustomerResolve, false).await
}

/// What the visitor's buttons do ("talk to a human", "that solved it"): their own conversation
/// only, within their message rate; with `open`, the conversation reserved for them is created
/// first (a person may be asked for before the first message; nothing is solved before one).
async fn customer_act(
    s: &AppState,
    client: &ClientIp,
    tenant: &str,
    id: &str,
    headers: &HeaderMap,
    action: AgentAction,
    open: bool,
) -> ApiResult<Json<wire::StateOut>> {
    let (tenant, id) = (tenant_id(tenant)?, conversation_id(id)?);
    let token = visitor_token(headers)?;
    let found = s.engine.visitor_conversation(&tenant, &token, id).await?;
    message_allowed(s, &token, client)?;
    if open {
        s.engine.open_visitor_conversation(&tenant, found, None).await?;
    }
    let out = s.engine.act(&tenant, id, action).await?;
    Ok(Json(wire::StateOut {
        state: wire::widget_state(&out.view.widget_state()),
    }))
}

/// "Talk to a human": hands the conversation over at once (never refused).
#[utoipa::path(post, path = "/api/widget/v1/{tenant}/conversations/{id}/human", tag = "widget",
    params(("tenant" = String, Path), ("id" = String, Path, description = "the conversation")),
    responses((status = 200, description = "handed over (or queued already)", body = wire::StateOut)),
    security(("visitor_token" = [])))]
async fn human(
    State(s): State<AppState>,
    client: ClientIp,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<wire::StateOut>> {
    customer_act(&s, &client, &tenant, &id, &headers, AgentAction::RequestHuman, true).await
}
