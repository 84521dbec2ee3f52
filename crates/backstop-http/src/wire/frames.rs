//! The WebSocket frames, typed: what the widget and the agents' pages send, and what they receive.
//! Each frame is a JSON object whose `type` names it. Two enums per socket, one per direction
//! (`WidgetFrameIn`/`WidgetFrameOut`, `AgentFrameIn`/`AgentFrameOut`): the server only ever reads the one and writes the
//! other, so a frame cannot be sent the wrong way. Their schemas are in `/api/v1/openapi.json`, and
//! a test holds docs/PROTOCOL.md's frame tables to them (every frame documented, nothing else).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Alert, Conversation, Message, WidgetState, Writing};

/// What a widget sends. The first frame must be `hello`.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WidgetFrameIn {
    /// Who is asking (the visitor token), for which conversation, from which message on.
    Hello {
        token: String,
        conversation_id: String,
        #[serde(default)]
        after: i64,
        /// The page the visitor is on (`location.pathname + location.search`, or the whole
        /// address): what the tenant's automation rules may match when the conversation starts.
        #[serde(default)]
        #[schema(max_length = 2000)]
        page: Option<String>,
    },
    Message {
        client_id: Option<String>,
        body: String,
    },
    RequestHuman,
    Ping,
}

/// What a widget receives.
#[derive(Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WidgetFrameOut {
    /// The answer to `hello`: messages after the one asked for, and the conversation's state.
    Hello {
        #[schema(value_type = String)]
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
    /// The AI answer being written: what the guard has passed so far (empty: typing). The
    /// `message` frame that follows replaces it; `withdrawn`: drop it, another message follows.
    Writing {
        writing: Writing,
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

/// What an agent's page (the inbox, the supervisor's view) sends.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentFrameIn {
    /// Keeps the socket open (it closes after `limits.socket_idle` without a frame).
    Ping,
}

/// What an agent's page (the inbox, the supervisor's view) receives.
// Built, sent and dropped at once: boxing the large variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentFrameOut {
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
    /// The AI answer being written in a conversation (see the widget's `writing`).
    Writing {
        writing: Writing,
    },
    Presence {
        #[schema(value_type = String)]
        agent_id: backstop_core::ids::AgentId,
        presence: String,
    },
    /// The socket fell behind (frames were lost): reload what the page shows.
    Resync,
    /// The agent's sessions ended (signed out everywhere, new password, deactivated).
    SignedOut,
    Pong,
}

impl WidgetFrameOut {
    pub fn error(e: &crate::error::ApiError, client_id: Option<String>) -> Self {
        WidgetFrameOut::Error {
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

#[cfg(test)]
#[path = "frames_tests.rs"]
mod tests;
