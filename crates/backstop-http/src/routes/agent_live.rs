//! The agents' WebSocket: every message and conversation change of the agent's tenant, live.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use backstop_engine::hub::AgentEvent;
use backstop_engine::AgentSession;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::error::ApiResult;
use crate::extract::SignedIn;
use crate::{wire, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/ws", get(upgrade))
}

#[derive(serde::Deserialize)]
struct LiveQuery {
    /// `?watch=1`: only watch (the supervisor view) — the socket does not make the agent online.
    #[serde(default)]
    watch: Option<String>,
}

async fn upgrade(
    State(s): State<AppState>,
    SignedIn(session): SignedIn,
    axum::extract::Query(q): axum::extract::Query<LiveQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let watch = q.watch.is_some_and(|w| w == "1" || w == "true");
    Ok(ws
        .read_buffer_size(super::WS_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket| run(s, session, socket, watch)))
}

async fn run(s: AppState, session: AgentSession, mut socket: WebSocket, watch: bool) {
    let mut live = s.engine.hub().subscribe_tenant(&session.agent.tenant);
    // An inbox is online while this socket is open (unless the agent says they are away).
    let online = (!watch).then(|| s.engine.presence().connect(session.agent.id));
    if !watch {
        s.engine.announce_presence(&session.agent.tenant, session.agent.id);
        // An agent arriving may take what waits.
        if let Err(e) = s.engine.assign_waiting(&session.agent.tenant).await {
            tracing::warn!(error = %e, "offering waiting conversations failed");
        }
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let ping = match incoming {
                    Some(Ok(Message::Text(t))) => t.as_str().contains("\"ping\""),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    _ => false,
                };
                if ping && socket.send(Message::Text(json!({"type": "pong"}).to_string().into())).await.is_err() {
                    break;
                }
            }
            event = live.recv() => {
                let frame = match event {
                    Ok(AgentEvent::Message(m)) => json!({ "type": "message", "message": wire::message(&m) }),
                    Ok(AgentEvent::Conversation(v)) => json!({ "type": "conversation", "conversation": wire::conversation(&v) }),
                    Ok(AgentEvent::Alert(a)) => json!({ "type": "alert", "alert": wire::alert(&a) }),
                    Ok(AgentEvent::Presence { agent, presence }) => json!({ "type": "presence", "agent_id": agent, "presence": presence }),
                    // Fell behind: the client reloads its lists.
                    Err(RecvError::Lagged(_)) => json!({ "type": "resync" }),
                    Err(RecvError::Closed) => break,
                };
                if socket.send(Message::Text(frame.to_string().into())).await.is_err() { break; }
            }
        }
    }
    if online.is_some() {
        drop(online);
        s.engine.announce_presence(&session.agent.tenant, session.agent.id);
    }
}
