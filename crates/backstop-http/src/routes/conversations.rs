//! The agents' conversation API: list a view, open one, and act on it (take, reply, note, hand
//! back, resolve, reopen). Conversations of another tenant do not exist for the agent (404).

use crate::extract::{ApiPath as Path, ApiQuery as Query};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use backstop_engine::copilot::Use;
use backstop_engine::views::InboxView;
use backstop_engine::{AgentAction, TransferTo};
use serde::Deserialize;
use serde_json::{json, Value};

use super::conversation_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, SignedIn};
use crate::{wire, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", get(list))
        .route("/api/v1/conversations/{id}", get(detail))
        .route("/api/v1/conversations/{id}/take", post(take))
        .route("/api/v1/conversations/{id}/messages", post(reply))
        .route("/api/v1/conversations/{id}/notes", post(note))
        .route("/api/v1/conversations/{id}/hand-back", post(hand_back))
        .route("/api/v1/conversations/{id}/resolve", post(resolve))
        .route("/api/v1/conversations/{id}/reopen", post(reopen))
        .route("/api/v1/conversations/{id}/transfer", post(transfer))
        .route("/api/v1/conversations/{id}/copilot", get(copilot))
        .route("/api/v1/conversations/{id}/draft", post(decide_draft))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftBody {
    /// "approve" or "reject".
    decision: String,
    /// With "approve": the edited text to send instead of the draft.
    body: Option<String>,
}

/// Approve (as is, or edited) or reject the AI's draft answer waiting in the handoff packet.
async fn decide_draft(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DraftBody>,
) -> ApiResult<Json<Value>> {
    let approve = match b.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(ApiError::invalid_input("decision is \"approve\" or \"reject\"")),
    };
    act(
        &s,
        &session,
        &id,
        AgentAction::DecideDraft {
            agent: session.agent.clone(),
            approve,
            edited: b.body,
        },
    )
    .await
}

/// The copilot for the conversation: suggested replies with their sources, a summary, and
/// de-escalation phrasing when the customer is upset.
async fn copilot(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let c = s.engine.copilot(&session.agent.tenant, conversation_id(&id)?).await?;
    Ok(Json(json!({
        "lang": c.lang.as_str(),
        "summary": c.summary,
        "suggestions": c.suggestions.iter().map(crate::wire::suggestion).collect::<Vec<_>>(),
        "de_escalation": c.de_escalation,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferBody {
    team_id: Option<String>,
    agent_id: Option<String>,
    note: Option<String>,
}

/// Pass the conversation to a team's queue or a colleague (exactly one), with an optional private
/// note for whoever picks it up.
async fn transfer(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TransferBody>,
) -> ApiResult<Json<Value>> {
    let bad_id = || ApiError::invalid_input("team_id or agent_id is not a valid id");
    let to = match (b.team_id, b.agent_id) {
        (Some(team), None) => TransferTo::Team(backstop_core::ids::TeamId::parse(&team).map_err(|_| bad_id())?),
        (None, Some(agent)) => TransferTo::Agent(backstop_core::ids::AgentId::parse(&agent).map_err(|_| bad_id())?),
        _ => return Err(ApiError::invalid_input("give exactly one of team_id and agent_id")),
    };
    let note = b.note.filter(|n| !n.trim().is_empty());
    act(
        &s,
        &session,
        &id,
        AgentAction::Transfer {
            agent: session.agent.clone(),
            to,
            note,
        },
    )
    .await
}

#[derive(Deserialize)]
struct ListQuery {
    view: Option<String>,
    limit: Option<u32>,
}

async fn list(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let view = match q.view.as_deref() {
        None => InboxView::Queue,
        Some(v) => InboxView::parse(v)
            .ok_or_else(|| ApiError::invalid_input("view must be queue, mine, ai, resolved or all"))?,
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let convs = s.engine.list(&session, view, limit).await?;
    Ok(Json(
        json!({ "conversations": convs.iter().map(wire::conversation).collect::<Vec<_>>() }),
    ))
}

async fn detail(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let d = s.engine.detail(&session.agent.tenant, conversation_id(&id)?).await?;
    Ok(Json(wire::detail(&d)))
}

async fn act(
    s: &AppState,
    session: &backstop_engine::AgentSession,
    id: &str,
    action: AgentAction,
) -> ApiResult<Json<Value>> {
    let out = s
        .engine
        .act(&session.agent.tenant, conversation_id(id)?, action)
        .await?;
    Ok(Json(json!({ "conversation": wire::conversation(&out.view) })))
}

async fn take(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    act(
        &s,
        &session,
        &id,
        AgentAction::Take {
            agent: session.agent.clone(),
        },
    )
    .await
}

async fn resolve(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    act(
        &s,
        &session,
        &id,
        AgentAction::Resolve {
            agent: session.agent.clone(),
        },
    )
    .await
}

async fn reopen(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    act(
        &s,
        &session,
        &id,
        AgentAction::Reopen {
            agent: session.agent.clone(),
        },
    )
    .await
}

#[derive(Deserialize, Default)]
struct HandBackBody {
    reason: Option<String>,
}

async fn hand_back(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    // The body is optional: an empty one means no reason given.
    let b: HandBackBody = if body.iter().all(u8::is_ascii_whitespace) {
        HandBackBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", e.to_string()))?
    };
    let reason = b.reason.map(|r| r.chars().take(500).collect());
    act(
        &s,
        &session,
        &id,
        AgentAction::HandBack {
            agent: session.agent.clone(),
            reason,
        },
    )
    .await
}

#[derive(Deserialize)]
struct MessageBody {
    body: String,
    client_id: Option<String>,
    /// The copilot suggestion the agent inserted (to record whether it was sent as is or edited).
    #[serde(default)]
    suggested: Option<String>,
    /// The inbox showed suggestions: without `suggested`, the reply ignored them.
    #[serde(default)]
    suggestions_shown: bool,
}

async fn reply(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MessageBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let copilot = match (&b.suggested, b.suggestions_shown) {
        (Some(s), _) => Some(Use::of(&b.body, s)),
        (None, true) => Some(Use::Ignored),
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
    let msg = out.message.as_ref().map(wire::message);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "message": msg, "conversation": wire::conversation(&out.view) })),
    ))
}

#[derive(Deserialize)]
struct NoteBody {
    body: String,
}

async fn note(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
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
        Json(json!({ "message": out.message.as_ref().map(wire::message) })),
    ))
}
