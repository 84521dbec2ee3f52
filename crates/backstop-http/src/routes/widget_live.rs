//! The widget's WebSocket: the visitor says who they are in the first frame (the token never
//! travels in the URL), catches up on missed messages, sends messages (acknowledged once stored;
//! rate-limited), asks for a person, and receives messages and state changes live. Sockets are
//! capped per visitor and per client address.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use backstop_core::ids::{ConversationId, TenantId};
use backstop_engine::hub::WidgetEvent;
use backstop_engine::{AgentAction, VisitorConversation};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::{conversation_id, tenant_id, websocket};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::limits::{ClientIp, SocketSlot};
use crate::{wire, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/widget/v1/{tenant}/ws", get(upgrade))
}

async fn upgrade(
    State(s): State<AppState>,
    client: ClientIp,
    ApiPath(tenant): ApiPath<String>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let ws = websocket(ws)?;
    let tenant = tenant_id(&tenant)?;
    s.engine.tenant(&tenant).await?;
    let ip_slot = s
        .sockets
        .acquire(&[(format!("ip:{}", client.key()), s.config.limits.sockets_per_ip)])?;
    Ok(ws
        .max_message_size(super::MAX_FRAME_BYTES)
        .max_frame_size(super::MAX_FRAME_BYTES)
        // Small buffers (they grow for a large frame): a quiet customer's socket costs a few KiB,
        // not the 256 KiB of the defaults — 10,000 open widgets fit in well under a gigabyte.
        .read_buffer_size(super::WS_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket| session(s, client, tenant, socket, ip_slot)))
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientFrame {
    /// The first frame: who is asking, for which conversation, from which message on.
    Hello {
        token: String,
        conversation_id: String,
        #[serde(default)]
        after: i64,
    },
    Message {
        client_id: Option<String>,
        body: String,
    },
    RequestHuman,
    Ping,
}

/// The socket's visitor, once they said hello.
struct Visitor {
    token: String,
    conv: ConversationId,
    /// Created (by a first message) or not yet.
    stored: bool,
    _slot: SocketSlot,
}

async fn session(s: AppState, client: ClientIp, tenant: TenantId, mut socket: WebSocket, _ip_slot: SocketSlot) {
    let Some((visitor, after)) = hello_frame(&s, &tenant, &mut socket).await else {
        return;
    };
    let mut visitor = visitor;
    // Subscribe before reading history, so nothing falls between the two.
    let mut live = s.engine.hub().subscribe_conversation(visitor.conv);
    let mut last_seq = after;
    match hello(&s, &tenant, &visitor, after).await {
        Ok((frame, seq)) => {
            last_seq = last_seq.max(seq);
            if send(&mut socket, frame).await.is_err() {
                return;
            }
        }
        Err(e) => {
            send(&mut socket, error_frame(&e, None)).await.ok();
            return;
        }
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { break };
                let text = match msg {
                    Message::Text(t) => t,
                    Message::Close(_) => break,
                    _ => continue,
                };
                let reply = handle_frame(&s, &client, &tenant, &mut visitor, text.as_str()).await;
                if let Some(frame) = reply {
                    if send(&mut socket, frame).await.is_err() { break; }
                }
            }
            event = live.recv() => {
                let frame = match event {
                    Ok(WidgetEvent::Message(m)) => {
                        if m.seq <= last_seq { continue; }
                        last_seq = m.seq;
                        json!({ "type": "message", "message": wire::message(&m) })
                    }
                    Ok(WidgetEvent::State(st)) => json!({ "type": "state", "state": wire::widget_state(&st) }),
                    Err(RecvError::Lagged(_)) => match hello(&s, &tenant, &visitor, last_seq).await {
                        // Fell behind: send what was missed as a fresh hello.
                        Ok((frame, seq)) => { last_seq = last_seq.max(seq); frame }
                        Err(_) => break,
                    },
                    Err(RecvError::Closed) => break,
                };
                if send(&mut socket, frame).await.is_err() { break; }
            }
        }
    }
}

/// Waits (a bounded time) for the visitor's hello and checks it; tells the client why not.
async fn hello_frame(s: &AppState, tenant: &TenantId, socket: &mut WebSocket) -> Option<(Visitor, i64)> {
    let refuse = |code: &'static str, message: &str| json!({ "type": "error", "code": code, "message": message });
    let first = tokio::time::timeout(s.config.socket_hello_timeout, socket.recv()).await;
    let text = match first {
        Ok(Some(Ok(Message::Text(t)))) => t,
        Ok(_) => return None,
        Err(_) => {
            let frame = refuse("unauthenticated", "say hello with the visitor token first");
            send(socket, frame).await.ok();
            return None;
        }
    };
    let Ok(ClientFrame::Hello {
        token,
        conversation_id: conv,
        after,
    }) = serde_json::from_str::<ClientFrame>(text.as_str())
    else {
        let frame = refuse(
            "unauthenticated",
            "the first frame must be {\"type\":\"hello\",\"token\":…,\"conversation_id\":…}",
        );
        send(socket, frame).await.ok();
        return None;
    };
    let checked = async {
        let conv = conversation_id(&conv)?;
        let found = s.engine.visitor_conversation(tenant, &token, conv).await?;
        let slot = s.sockets.acquire(&[(
            format!("visitor:{tenant}:{}", hash_token(&token)),
            s.config.limits.sockets_per_visitor,
        )])?;
        Ok::<_, ApiError>(Visitor {
            token,
            conv,
            stored: matches!(found, VisitorConversation::Stored(_)),
            _slot: slot,
        })
    }
    .await;
    match checked {
        Ok(v) => Some((v, after.max(0))),
        Err(e) => {
            send(socket, error_frame(&e, None)).await.ok();
            None
        }
    }
}

fn hash_token(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

async fn hello(s: &AppState, tenant: &TenantId, v: &Visitor, after: i64) -> Result<(Value, i64), ApiError> {
    let conv = s.engine.visitor_conversation(tenant, &v.token, v.conv).await?;
    let (messages, state) = s.engine.visitor_transcript(tenant, &conv, after).await?;
    let seq = messages.last().map_or(after, |m| m.seq);
    let frame = json!({
        "type": "hello",
        "conversation_id": v.conv,
        "messages": messages.iter().map(wire::message).collect::<Vec<_>>(),
        "state": wire::widget_state(&state),
    });
    Ok((frame, seq))
}

/// Before the visitor's first message or request for a person: their rate, and the conversation
/// created if it was only reserved.
async fn before_writing(s: &AppState, client: &ClientIp, tenant: &TenantId, v: &mut Visitor) -> Result<(), ApiError> {
    super::widget::message_allowed(s, &v.token, client)?;
    if !v.stored {
        s.engine.authorize_visitor(tenant, &v.token, v.conv).await?;
        v.stored = true;
    }
    Ok(())
}

async fn handle_frame(
    s: &AppState,
    client: &ClientIp,
    tenant: &TenantId,
    v: &mut Visitor,
    text: &str,
) -> Option<Value> {
    let frame: ClientFrame = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let parsed = serde_json::from_str::<Value>(text).ok();
            let client_id = parsed.as_ref().and_then(|v| v.get("client_id").cloned());
            let code = if parsed.is_some() {
                "invalid_input"
            } else {
                "invalid_json"
            };
            return Some(json!({ "type": "error", "code": code, "message": e.to_string(), "client_id": client_id }));
        }
    };
    match frame {
        ClientFrame::Ping => Some(json!({ "type": "pong" })),
        ClientFrame::Hello { .. } => Some(error_frame(
            &ApiError::invalid_input("this socket already said hello"),
            None,
        )),
        ClientFrame::Message { client_id, body } => {
            if let Err(e) = before_writing(s, client, tenant, v).await {
                return Some(error_frame(&e, client_id));
            }
            match s
                .engine
                .ingest_customer_message(tenant, v.conv, client_id.as_deref(), &body)
                .await
            {
                Ok(a) => Some(
                    json!({ "type": "ack", "client_id": client_id, "message": wire::message(&a.message), "duplicate": a.duplicate }),
                ),
                Err(e) => Some(error_frame(&ApiError::from(e), client_id)),
            }
        }
        ClientFrame::RequestHuman => {
            if let Err(e) = before_writing(s, client, tenant, v).await {
                return Some(error_frame(&e, None));
            }
            match s.engine.act(tenant, v.conv, AgentAction::RequestHuman).await {
                Ok(out) => Some(json!({ "type": "state", "state": wire::widget_state(&out.view.widget_state()) })),
                Err(e) => Some(error_frame(&ApiError::from(e), None)),
            }
        }
    }
}

fn error_frame(e: &ApiError, client_id: Option<String>) -> Value {
    json!({ "type": "error", "code": e.code, "message": e.message, "client_id": client_id, "retry_after": e.retry_after })
}

async fn send(socket: &mut WebSocket, v: Value) -> Result<(), axum::Error> {
    socket.send(Message::Text(v.to_string().into())).await
}
