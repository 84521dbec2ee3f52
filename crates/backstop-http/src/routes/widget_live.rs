//! The widget's WebSocket: catch up on missed messages, send messages (acknowledged once stored),
//! ask for a person, and receive messages and state changes live.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use backstop_core::ids::{ConversationId, TenantId};
use backstop_engine::hub::WidgetEvent;
use backstop_engine::{AgentAction, Engine};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::{conversation_id, tenant_id};
use crate::error::{ApiError, ApiResult};
use crate::{wire, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/widget/v1/{tenant}/ws", get(upgrade))
}

#[derive(Deserialize)]
struct WsQuery {
    token: String,
    conversation: String,
    after: Option<i64>,
}

async fn upgrade(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    Query(q): Query<WsQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let tenant = tenant_id(&tenant)?;
    let conv = conversation_id(&q.conversation)?;
    s.engine.authorize_visitor(&tenant, &q.token, conv).await?;
    let after = q.after.unwrap_or(0).max(0);
    Ok(ws
        .max_message_size(super::MAX_BODY_BYTES)
        // Small buffers (they grow for a large frame): a quiet customer's socket costs a few KiB,
        // not the 256 KiB of the defaults — 10,000 open widgets fit in well under a gigabyte.
        .read_buffer_size(super::WS_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket| session(s.engine, tenant, conv, after, socket)))
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientFrame {
    Message { client_id: Option<String>, body: String },
    RequestHuman,
    Ping,
}

async fn session(engine: Engine, tenant: TenantId, conv: ConversationId, after: i64, mut socket: WebSocket) {
    // Subscribe before reading history, so nothing falls between the two.
    let mut live = engine.hub().subscribe_conversation(conv);
    let mut last_seq = after;
    match hello(&engine, &tenant, conv, after).await {
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
                let reply = handle_frame(&engine, &tenant, conv, text.as_str()).await;
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
                    Err(RecvError::Lagged(_)) => match hello(&engine, &tenant, conv, last_seq).await {
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

async fn hello(engine: &Engine, tenant: &TenantId, conv: ConversationId, after: i64) -> Result<(Value, i64), ApiError> {
    let messages = engine.public_messages(tenant, conv, after).await?;
    let state = engine.widget_state(tenant, conv).await?;
    let seq = messages.last().map_or(after, |m| m.seq);
    let frame = json!({
        "type": "hello",
        "conversation_id": conv,
        "messages": messages.iter().map(wire::message).collect::<Vec<_>>(),
        "state": wire::widget_state(&state),
    });
    Ok((frame, seq))
}

async fn handle_frame(engine: &Engine, tenant: &TenantId, conv: ConversationId, text: &str) -> Option<Value> {
    let frame: ClientFrame = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let client_id = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("client_id").cloned());
            let code = if serde_json::from_str::<Value>(text).is_ok() {
                "invalid_input"
            } else {
                "invalid_json"
            };
            return Some(json!({ "type": "error", "code": code, "message": e.to_string(), "client_id": client_id }));
        }
    };
    match frame {
        ClientFrame::Ping => Some(json!({ "type": "pong" })),
        ClientFrame::Message { client_id, body } => {
            match engine
                .ingest_customer_message(tenant, conv, client_id.as_deref(), &body)
                .await
            {
                Ok(a) => Some(
                    json!({ "type": "ack", "client_id": client_id, "message": wire::message(&a.message), "duplicate": a.duplicate }),
                ),
                Err(e) => Some(error_frame(&ApiError::from(e), client_id)),
            }
        }
        ClientFrame::RequestHuman => match engine.act(tenant, conv, AgentAction::RequestHuman).await {
            Ok(out) => Some(json!({ "type": "state", "state": wire::widget_state(&out.view.widget_state()) })),
            Err(e) => Some(error_frame(&ApiError::from(e), None)),
        },
    }
}

fn error_frame(e: &ApiError, client_id: Option<String>) -> Value {
    json!({ "type": "error", "code": e.code, "message": e.message, "client_id": client_id })
}

async fn send(socket: &mut WebSocket, v: Value) -> Result<(), axum::Error> {
    socket.send(Message::Text(v.to_string().into())).await
}
