//! The agents' conversation API: list a view, open one, and act on it (take, reply, note, hand
//! back, resolve, reopen, transfer, decide on the AI's draft), and its copilot (with the model's
//! draft). Conversations of another tenant do not exist for the agent (404).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use backstop_core::event::CopilotUse;
use backstop_engine::conversations::views::InboxView;
use backstop_engine::{AgentAction, TransferTo};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::conversation_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath as Path, ApiQuery as Query, SignedIn};
use crate::{wire, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(detail))
        .routes(routes!(take))
        .routes(routes!(reply))
        .routes(routes!(note))
        .routes(routes!(hand_back))
        .routes(routes!(resolve))
        .routes(routes!(reopen))
        .routes(routes!(transfer))
        .routes(routes!(copilot))
        .routes(routes!(panel))
        .routes(routes!(copilot_draft))
        .routes(routes!(decide_draft))
}

type Out = ApiResult<Json<wire::ConversationOut>>;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DraftBody {
    /// `approve` or `reject`.
    #[schema(example = "approve")]
    decision: String,
    /// With `approve`: the edited text to send instead of the draft.
    body: Option<String>,
}

/// Approve (as is, or edited) or reject the AI's draft answer waiting in the handoff packet.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/draft", tag = "conversations",
    params(("id" = String, Path)), request_body = DraftBody,
    responses((status = 200, description = "decided", body = wire::ConversationOut)),
    security(("session" = []), ("bearer" = [])))]
async fn decide_draft(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DraftBody>,
) -> Out {
    let approve = match b.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(ApiError::invalid_input("decision is \"approve\" or \"reject\"")),
    };
    let action = AgentAction::DecideDraft {
        agent: session.agent.clone(),
        approve,
        edited: b.body,
    };
    act(&s, &session, &id, action).await
}

/// The copilot for the conversation: suggested replies with their sources, a summary, and
/// de-escalation phrasing when the customer is upset.
/// The customer panel: what the tenant's panel action (the customer's orders, in the demo) says
/// about this conversation's customer — only for a customer the shop vouched for.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/panel", tag = "conversations",
    params(("id" = String, Path)),
    responses((status = 200, description = "the panel", body = wire::CustomerPanel)),
    security(("session" = []), ("bearer" = [])))]
async fn panel(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<wire::CustomerPanel>> {
    let p = s
        .engine
        .customer_panel(&session.agent.tenant, conversation_id(&id)?)
        .await?;
    Ok(Json(wire::customer_panel(p)))
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/copilot", tag = "conversations",
    params(("id" = String, Path)),
    responses((status = 200, description = "suggestions", body = wire::Copilot)),
    security(("session" = []), ("bearer" = [])))]
async fn copilot(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<wire::Copilot>> {
    let c = s.engine.copilot(&session.agent.tenant, conversation_id(&id)?).await?;
    Ok(Json(wire::copilot(&c)))
}

/// A reply to the customer's latest message drafted by the tenant's model from the knowledge
/// base and the conversation, checked by the pre-send guard; kept until the customer writes
/// again. Without a model (or when it fails) the status says why and the copilot's suggestions
/// stand alone.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/copilot/draft", tag = "conversations",
    params(("id" = String, Path)),
    responses((status = 200, description = "the draft, or why there is none", body = wire::CopilotDraft)),
    security(("session" = []), ("bearer" = [])))]
async fn copilot_draft(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<wire::CopilotDraft>> {
    let d = s
        .engine
        .copilot_draft(&session.agent.tenant, conversation_id(&id)?)
        .await?;
    Ok(Json(wire::copilot_draft(&d)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransferBody {
    /// To a team's queue…
    team_id: Option<String>,
    /// …or to a colleague (exactly one of the two).
    agent_id: Option<String>,
    /// A private note for whoever picks it up.
    note: Option<String>,
}

/// Pass the conversation to a team's queue or a colleague, with an optional private note.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/transfer", tag = "conversations",
    params(("id" = String, Path)), request_body = TransferBody,
    responses((status = 200, description = "transferred", body = wire::ConversationOut)),
    security(("session" = []), ("bearer" = [])))]
async fn transfer(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TransferBody>,
) -> Out {
    let bad_id = || ApiError::invalid_input("team_id or agent_id is not a valid id");
    let to = match (b.team_id, b.agent_id) {
        (Some(team), None) => TransferTo::Team(backstop_core::ids::TeamId::parse(&team).map_err(|_| bad_id())?),
        (None, Some(agent)) => TransferTo::Agent(backstop_core::ids::AgentId::parse(&agent).map_err(|_| bad_id())?),
        _ => return Err(ApiError::invalid_input("give exactly one of team_id and agent_id")),
    };
    let note = b.note.filter(|n| !n.trim().is_empty());
    let action = AgentAction::Transfer {
        agent: session.agent.clone(),
        to,
        note,
    };
    act(&s, &session, &id, action).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `queue` (default), `mine`, `ai`, `resolved` or `all`.
    view: Option<String>,
    /// At most this many (default 100; 1-500, larger numbers are taken as 500).
    limit: Option<u32>,
}

/// The conversations of one inbox view, most recent first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(ListQuery),
    responses((status = 200, description = "the view", body = wire::ConversationList)),
    security(("session" = []), ("bearer" = [])))]
async fn list(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<wire::ConversationList>> {
    let view = match q.view.as_deref() {
        None => InboxView::Queue,
        Some(v) => InboxView::parse(v)
            .ok_or_else(|| ApiError::invalid_input("view must be queue, mine, ai, resolved or all"))?,
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let convs = s.engine.list(&session, view, limit).await?;
    Ok(Json(wire::ConversationList {
        conversations: convs.iter().map(wire::conversation).collect(),
    }))
}

/// One conversation with its messages (notes included), handoff packet and events.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations",
    params(("id" = String, Path)),
    responses((status = 200, description = "the conversation", body = wire::Detail)),
    security(("session" = []), ("bearer" = [])))]
async fn detail(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<wire::Detail>> {
    let d = s.engine.detail(&session.agent.tenant, conversation_id(&id)?).await?;
    Ok(Json(wire::detail(&d)))
}

async fn act(s: &AppState, session: &backstop_engine::AgentSession, id: &str, action: AgentAction) -> Out {
    let out = s
        .engine
        .act(&session.agent.tenant, conversation_id(id)?, action)
        .await?;
    Ok(Json(wire::ConversationOut {
        conversation: wire::conversation(&out.view),
    }))
}

/// Take the conversation (from the AI or a queue).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/take", tag = "conversations",
    params(("id" = String, Path)),
    responses((status = 200, description = "taken", body = wire::ConversationOut)),
    security(("session" = []), ("bearer" = [])))]
async fn take(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Out {
    let action = AgentAction::Take {
        agent: session.agent.clone(),
    };
    act(&s, &session, &id, action).await
}

/// Resolve the conversation (the customer is asked for a rating).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/resolve", tag = "conversations",
    params(("id" = String, Path)),
    responses((status = 200, description = "resolved", body = wire::ConversationOut)),
    security(("session" = []), ("bearer" = [])))]
async fn resolve(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Out {
    let action = AgentAction::Resolve {
        agent: session.agent.clone(),
    };
    act(&s, &session, &id, action).await
}

/// Reopen a resolved conversation.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/reopen", tag = "conversations",
    params(("id" = String, Path)),
    responses((status = 200, description = "reopened", body = wire::ConversationOut)),
    security(("session" = []), ("bearer" = [])))]
async fn reopen(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>) -> Out {
    let action = AgentAction::Reopen {
        agent: session.agent.clone(),
    };
    act(&s, &session, &id, action).await
}

#[derive(Deserialize, Default, ToSchema)]
pub(crate) struct HandBackBody {
    /// Why the AI may carry on (optional; at most 500 characters are kept).
    reason: Option<String>,
}

/// Hand the conversation back to the AI (the body is optional).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/hand-back", tag = "conversations",
    params(("id" = String, Path)), request_body(content = Option<HandBackBody>),
    responses((status = 200, description = "handed back", body = wire::ConversationOut)),
    security(("session" = []), ("bearer" = [])))]
async fn hand_back(State(s): State<AppState>, SignedIn(session): SignedIn, Path(id): Path<String>, body: Bytes) -> Out {
    // The body is optional: an empty one means no reason given.
    let b: HandBackBody = if body.iter().all(u8::is_ascii_whitespace) {
        HandBackBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            let code = if e.is_data() { "invalid_input" } else { "invalid_json" };
            let status = if e.is_data() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::BAD_REQUEST
            };
            ApiError::new(status, code, e.to_string())
        })?
    };
    let reason = b.reason.map(|r| r.chars().take(500).collect());
    let action = AgentAction::HandBack {
        agent: session.agent.clone(),
        reason,
    };
    act(&s, &session, &id, action).await
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct MessageBody {
    /// 1 to 4,000 characters.
    body: String,
    /// An idempotency key: a resend stores nothing new.
    client_id: Option<String>,
    /// The copilot suggestion the agent inserted (to record whether it was sent as is or edited).
    #[serde(default)]
    suggested: Option<String>,
    /// The inbox showed suggestions: without `suggested`, the reply ignored them.
    #[serde(default)]
    suggestions_shown: bool,
}

/// Reply to the customer (the conversation must be yours).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations",
    params(("id" = String, Path)), request_body = MessageBody,
    responses((status = 201, description = "sent", body = wire::Replied)),
    security(("session" = []), ("bearer" = [])))]
async fn reply(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MessageBody>,
) -> ApiResult<(StatusCode, Json<wire::Replied>)> {
    let copilot = match (&b.suggested, b.suggestions_shown) {
        (Some(s), _) => Some(CopilotUse::of(&b.body, s)),
        (None, true) => Some(CopilotUse::Ignored),
        (None, false) => None,
    };
    let action = AgentAction::Reply {
        agent: session.agent.clone(),
        body: b.body,
        client_id: b.client_id,
        copilot,
    };
    let out = s
        .engine
        .act(&session.agent.tenant, conversation_id(&id)?, action)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(wire::Replied {
            message: out.message.as_ref().map(wire::message),
            conversation: Some(wire::conversation(&out.view)),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct NoteBody {
    /// A private note for colleagues (never sent to the customer).
    body: String,
}

/// Add a private note.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/notes", tag = "conversations",
    params(("id" = String, Path)), request_body = NoteBody,
    responses((status = 201, description = "noted", body = wire::Replied)),
    security(("session" = []), ("bearer" = [])))]
async fn note(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<wire::Replied>)> {
    let action = AgentAction::Note {
        agent: session.agent.clone(),
        body: b.body,
    };
    let out = s
        .engine
        .act(&session.agent.tenant, conversation_id(&id)?, action)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(wire::Replied {
            message: out.message.as_ref().map(wire::message),
            conversation: None,
        }),
    ))
}
