//! The agents' WebSocket: every message and conversation change of the agent's tenant, live. Opened
//! only from Backstop's own pages (the origin check), capped per agent and per address, frames at
//! most 64 KiB; it closes when the agent's sessions end and re-checks its session every minute.

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use backstop_engine::hub::AgentEvent;
use backstop_engine::AgentSession;
use tokio::sync::broadcast::error::RecvError;

use super::websocket;
use crate::error::ApiResult;
use crate::extract::{session_token, ApiQuery, SignedIn};
use crate::limits::{ClientIp, SocketSlot};
use crate::wire::frames::{self, AgentFrameIn, AgentFrameOut};
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
    client: ClientIp,
    parts: axum::http::request::Parts,
    SignedIn(session): SignedIn,
    ApiQuery(q): ApiQuery<LiveQuery>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let ws = websocket(ws)?;
    let watch = q.watch.is_some_and(|w| w == "1" || w == "true");
    let limits = &s.config.limits;
    let slot = s.sockets.acquire(&[
        ("all".to_owned(), s.max_sockets),
        (format!("agent:{}", session.agent.id), limits.sockets_per_agent),
        (format!("ip:{}", client.key()), limits.sockets_per_ip),
    ])?;
    let token = session_token(&parts).unwrap_or_default();
    Ok(ws
        .max_message_size(super::MAX_FRAME_BYTES)
        .max_frame_size(super::MAX_FRAME_BYTES)
        .read_buffer_size(super::WS_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket| run(s, session, token, socket, watch, slot)))
}

async fn run(s: AppState, session: AgentSession, token: String, mut socket: WebSocket, watch: bool, _slot: SocketSlot) {
    let me = session.agent.id;
    let mut live = s.engine.hub().subscribe_tenant(&session.agent.tenant);
    // An inbox is online while this socket is open (unless the agent says they are away).
    let online = if watch {
        None
    } else {
        Some(s.engine.inbox_opened(&session.agent.tenant, me).await)
    };
    let mut check = tokio::time::interval(s.config.socket_session_check);
    check.tick().await;
    let idle = s.config.socket_idle;
    let mut quiet_until = tokio::time::Instant::now() + idle;
    loop {
        tokio::select! {
            // The page went quiet (it pings every 25 s): it is gone.
            _ = tokio::time::sleep_until(quiet_until) => break,
            incoming = socket.recv() => {
                quiet_until = tokio::time::Instant::now() + idle;
                let ping = match incoming {
                    // Anything but a known frame is ignored (the page may be newer than the server).
                    Some(Ok(Message::Text(t))) => matches!(serde_json::from_str(t.as_str()), Ok(AgentFrameIn::Ping)),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    _ => false,
                };
                if ping && socket.send(Message::Text(frames::text(&AgentFrameOut::Pong).into())).await.is_err() {
                    break;
                }
            }
            _ = check.tick() => {
                // Expired, idle elsewhere, revoked on another node, or deactivated.
                if !matches!(s.engine.session_valid(&token).await, Ok(a) if a.agent.id == me) {
                    close_signed_out(&mut socket).await;
                    break;
                }
            }
            event = live.recv() => {
                let frame = match event {
                    Ok(AgentEvent::Message(m)) => AgentFrameOut::Message { message: wire::message(&m) },
                    Ok(AgentEvent::Conversation(v)) => AgentFrameOut::Conversation { conversation: wire::conversation(&v) },
                    Ok(AgentEvent::Alert(a)) => AgentFrameOut::Alert { alert: wire::alert(&a) },
                    Ok(AgentEvent::Writing(d)) => AgentFrameOut::Writing { writing: wire::writing(&d) },
                    Ok(AgentEvent::Presence { agent, presence }) => AgentFrameOut::Presence { agent_id: agent, presence: wire::presence_str(presence) },
                    Ok(AgentEvent::SignedOut(agent)) if agent == me => {
                        close_signed_out(&mut socket).await;
                        break;
                    }
                    Ok(AgentEvent::SignedOut(_)) => continue,
                    // Fell behind: the client reloads its lists.
                    Err(RecvError::Lagged(_)) => AgentFrameOut::Resync,
                    Err(RecvError::Closed) => break,
                };
                if socket.send(Message::Text(frames::text(&frame).into())).await.is_err() { break; }
            }
        }
    }
    drop(online);
}

/// Tells the inbox its session is over (it goes to the sign-in page) and closes.
async fn close_signed_out(socket: &mut WebSocket) {
    let frame = frames::text(&AgentFrameOut::SignedOut);
    socket.send(Message::Text(frame.into())).await.ok();
    socket
        .send(Message::Close(Some(CloseFrame {
            code: 4001,
            reason: "signed out".into(),
        })))
        .await
        .ok();
}
