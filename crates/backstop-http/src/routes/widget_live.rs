//! The widget's WebSocket: the visitor says who they are in the first frame (the token never
//! travels in the URL), catches up on missed messages, sends messages (acknowledged once stored;
//! rate-limited), asks for a person, and receives messages and state changes live. Sockets are
//! capped per visitor and per client address. Frames are `wire::frames::{WidgetFrameIn, WidgetFrameOut}`.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use backstop_core::ids::{ConversationId, TenantId};
use backstop_engine::hub::WidgetEvent;
use backstop_engine::{AgentAction, VisitorConversation};
use tokio::sync::broadcast::error::RecvError;

use super::{conversation_id, tenant_id, websocket};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::limits::{ClientIp, SocketSlot};
use crate::wire::frames::{self, WidgetFrameIn, WidgetFrameOut};
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
    let ip_slot = s.sockets.acquire(&[
        ("all".to_owned(), s.max_sockets),
        (format!("ip:{}", client.key()), s.config.limits.sockets_per_ip),
    ])?;
    Ok(ws
        .max_message_size(super::MAX_FRAME_BYTES)
        .max_frame_size(super::MAX_FRAME_BYTES)
        // Small buffers (they grow for a large frame): a quiet customer's socket costs a few KiB,
        // not the 256 KiB of the defaults — 10,000 open widgets fit in well under a gigabyte.
        .read_buffer_size(super::WS_BUFFER_BYTES)
        .write_buffer_size(0)
        .on_upgrade(move |socket| session(s, client, tenant, socket, ip_slot)))
}

/// The socket's visitor, once they said hello.
struct Visitor {
    token: String,
    conv: ConversationId,
    /// Created (by a first message) or not yet.
    stored: bool,
    /// The page the visitor is on (from the hello), for the automation rules.
    page: Option<String>,
    _slot: SocketSlot,
}

async fn session(s: AppState, client: ClientIp, tenant: TenantId, mut socket: WebSocket, _ip_slot: SocketSlot) {
    let Some((mut visitor, after)) = hello_frame(&s, &tenant, &mut socket).await else {
        return;
    };
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
            send(&mut socket, WidgetFrameOut::error(&e, None)).await.ok();
            return;
        }
    }
    let idle = s.config.socket_idle;
    let mut quiet_until = tokio::time::Instant::now() + idle;
    loop {
        tokio::select! {
            // The client went quiet (the widget pings every 25 s): the place goes to someone else.
            _ = tokio::time::sleep_until(quiet_until) => break,
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { break };
                quiet_until = tokio::time::Instant::now() + idle;
                let text = match msg {
                    Message::Text(t) => t,
                    Message::Close(_) => break,
                    _ => continue,
                };
                let reply = handle_frame(&s, &client, &tenant, &mut visitor, text.as_str()).await;
                if send(&mut socket, reply).await.is_err() { break; }
            }
            event = live.recv() => {
                let frame = match event {
                    Ok(WidgetEvent::Message(m)) => {
                        if m.seq <= last_seq { continue; }
                        last_seq = m.seq;
                        WidgetFrameOut::Message { message: wire::message(&m) }
                    }
                    Ok(WidgetEvent::State(st)) => WidgetFrameOut::State { state: wire::widget_state(&st) },
                    Ok(WidgetEvent::Writing(d)) => WidgetFrameOut::Writing { writing: wire::writing(&d) },
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

fn refusal(code: &str, message: &str) -> WidgetFrameOut {
    WidgetFrameOut::Error {
        code: code.to_owned(),
        message: message.to_owned(),
        client_id: None,
        retry_after: None,
    }
}

/// Waits (a bounded time) for the visitor's hello and checks it; tells the client why not.
async fn hello_frame(s: &AppState, tenant: &TenantId, socket: &mut WebSocket) -> Option<(Visitor, i64)> {
    let first = tokio::time::timeout(s.config.socket_hello_timeout, socket.recv()).await;
    let text = match first {
        Ok(Some(Ok(Message::Text(t)))) => t,
        Ok(_) => return None,
        Err(_) => {
            let frame = refusal("unauthenticated", "say hello with the visitor token first");
            send(socket, frame).await.ok();
            return None;
        }
    };
    let Ok(WidgetFrameIn::Hello {
        token,
        conversation_id: conv,
        after,
        page,
    }) = serde_json::from_str::<WidgetFrameIn>(text.as_str())
    else {
        let frame = refusal(
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
            page,
            _slot: slot,
        })
    }
    .await;
    match checked {
        Ok(v) => Some((v, after.max(0))),
        Err(e) => {
            send(socket, WidgetFrameOut::error(&e, None)).await.ok();
            None
        }
    }
}

fn hash_token(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

async fn hello(s: &AppState, tenant: &TenantId, v: &Visitor, after: i64) -> Result<(WidgetFrameOut, i64), ApiError> {
    let conv = s.engine.visitor_conversation(tenant, &v.token, v.conv).await?;
    let (messages, state) = s.engine.visitor_transcript(tenant, &conv, after).await?;
    let seq = messages.last().map_or(after, |m| m.seq);
    let frame = WidgetFrameOut::Hello {
        conversation_id: v.conv,
        messages: messages.iter().map(wire::message).collect(),
        state: wire::widget_state(&state),
    };
    Ok((frame, seq))
}

/// Before the visitor's first message or request for a person: their rate, and the conversation
/// created if it was only reserved.
async fn before_writing(s: &AppState, client: &ClientIp, tenant: &TenantId, v: &mut Visitor) -> Result<(), ApiError> {
    super::widget::message_allowed(s, &v.token, client)?;
    if !v.stored {
        s.engine
            .authorize_visitor(tenant, &v.token, v.conv, v.page.as_deref())
            .await?;
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
) -> WidgetFrameOut {
    let frame: WidgetFrameIn = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let parsed = serde_json::from_str::<serde_json::Value>(text).ok();
            let client_id = parsed
                .as_ref()
                .and_then(|v| v.get("client_id"))
                .and_then(|c| c.as_str())
                .map(str::to_owned);
            let code = if parsed.is_some() {
                "invalid_input"
            } else {
                "invalid_json"
            };
            return WidgetFrameOut::Error {
                code: code.to_owned(),
                message: e.to_string(),
                client_id,
                retry_after: None,
            };
        }
    };
    match frame {
        WidgetFrameIn::Ping => WidgetFrameOut::Pong,
        WidgetFrameIn::Hello { .. } => {
            WidgetFrameOut::error(&ApiError::invalid_input("this socket already said hello"), None)
        }
        WidgetFrameIn::Message { client_id, body } => {
            if let Err(e) = before_writing(s, client, tenant, v).await {
                return WidgetFrameOut::error(&e, client_id);
            }
            match s
                .engine
                .ingest_customer_message(tenant, v.conv, client_id.as_deref(), &body)
                .await
            {
                Ok(a) => WidgetFrameOut::Ack {
                    client_id,
                    message: wire::message(&a.message),
                    duplicate: a.duplicate,
                },
                Err(e) => WidgetFrameOut::error(&ApiError::from(e), client_id),
            }
        }
        WidgetFrameIn::RequestHuman => {
            if let Err(e) = before_writing(s, client, tenant, v).await {
                return WidgetFrameOut::error(&e, None);
            }
            match s.engine.act(tenant, v.conv, AgentAction::RequestHuman).await {
                Ok(out) => WidgetFrameOut::State {
                    state: wire::widget_state(&out.view.widget_state()),
                },
                Err(e) => WidgetFrameOut::error(&ApiError::from(e), None),
            }
        }
    }
}

async fn send(socket: &mut WebSocket, frame: WidgetFrameOut) -> Result<(), axum::Error> {
    socket.send(Message::Text(frames::text(&frame).into())).await
}
