//! The WebSocket frames, typed: what the widget and the inbox send, and what they receive. Each
//! frame is a JSON object whose `type` names it (docs/PROTOCOL.md).

use serde::{Deserialize, Serialize};

use super::{Alert, Conversation, Message, WidgetState};

/// What a widget sends. The first frame must be `hello`.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WidgetIn {
    /// Who is asking (the visitor token), for which conversation, from which message on.
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

/// What a widget receives.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WidgetOut {
    /// The answer to `hello`: messages after the one asked for, and the conversation's state.
    Hello {
        conversation_id: backstop_core::ids::ConversationId,
        messages: Vec<Message>,
        state: WidgetState,
    },
    /// A customer message is stored (or was already: `duplicate`).
    Ack {
        client_id: Option<String>,
        message: Message,
        duplicate: bool,
    },
    Message {
        message: Message,
    },
    State {
        state: WidgetState,
    },
    Error {
        code: String,
        message: String,
        client_id: Option<String>,
        /// Seconds to wait before trying again (rate limits).
        retry_after: Option<u64>,
    },
    Pong,
}

/// What an inbox (or the supervisor's view) receives.
// Built, sent and dropped at once: boxing the large variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboxOut {
    Message {
        message: Message,
    },
    Conversation {
        conversation: Conversation,
    },
    /// A first-reply target was missed.
    Alert {
        alert: Alert,
    },
    Presence {
        agent_id: backstop_core::ids::AgentId,
        presence: String,
    },
    /// The socket fell behind: reload the lists.
    Resync,
    /// The agent's sessions ended (signed out everywhere, new password, deactivated).
    SignedOut,
    Pong,
}

impl WidgetOut {
    pub fn error(e: &crate::error::ApiError, client_id: Option<String>) -> Self {
        WidgetOut::Error {
            code: e.code.to_owned(),
            message: e.message.clone(),
            client_id,
            retry_after: e.retry_after,
        }
    }
}

/// A frame as the text sent on the socket.
pub fn text(frame: &impl Serialize) -> String {
    serde_json::to_string(frame).unwrap_or_default()
}
