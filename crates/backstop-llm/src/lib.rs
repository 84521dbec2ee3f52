//! Backstop's generative models. One interface, [`Provider`], for whatever writes text from a
//! conversation, and one implementation of it, [`OpenAiClient`]: the OpenAI chat-completions
//! protocol, which llama.cpp's `llama-server`, vLLM, Ollama and the hosted APIs (DeepSeek, Qwen,
//! OpenAI, …) all speak at some base URL.
//!
//! What the client guarantees, whatever the server does:
//! - **Bounded time.** A connect timeout, a deadline for the first token, a limit on the silence
//!   between two chunks (a stalled stream) and one for the whole answer.
//! - **Retries only when nothing was said.** Connection failures, 429 and 5xx answers and timeouts
//!   before the first token are retried with exponential back-off and jitter (a 429's
//!   `Retry-After` is honoured, capped); once a token has reached the caller, a failure is
//!   returned with the partial text so the caller can fall back cleanly.
//! - **A circuit breaker.** After several failures in a row the endpoint is not called for a
//!   cool-down; then one trial call decides whether it is healthy again.
//! - **Token accounting.** The usage the server reports (`stream_options.include_usage`), or an
//!   estimate from the text when it reports none, marked as such.
//! - **Tool calls.** The functions a request offers, and the calls the model made (streamed
//!   fragments joined per call), its arguments left as the model wrote them for the caller to check.
//! - **The key stays secret.** [`ApiKey`] prints as `***` in logs and debug output.
//!
//! No I/O beyond the endpoint's HTTP; no storage, no clock but tokio's for timeouts.

mod breaker;
mod chat;
mod client;
mod sse;
#[cfg(feature = "standin")]
pub mod standin;

pub use breaker::{Breaker, BreakerState};
pub use chat::{
    calls_in_text, estimate_tokens, ApiKey, ChatRequest, Completion, Finish, Message, Role, Tool, ToolCall, ToolChoice,
    Usage,
};
pub use client::{Endpoint, Limits, OpenAiClient};

use async_trait::async_trait;
use tokio::sync::mpsc;

/// What went wrong with a call to a model. `partial` carries what was already streamed to the
/// caller when the failure came after the first token.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("the model endpoint cannot be reached: {0}")]
    Connect(String),
    #[error("the model did not answer in time ({phase})")]
    Timeout { phase: &'static str, partial: String },
    #[error("the model endpoint answered HTTP {status}: {message}")]
    Status { status: u16, message: String },
    #[error("the model's answer could not be read: {message}")]
    Malformed { message: String, partial: String },
    #[error("the model endpoint failed {failures} times in a row; not called again for a while")]
    CircuitOpen { failures: u32 },
    #[error("the request is not valid: {0}")]
    Invalid(String),
}

impl LlmError {
    /// The text streamed to the caller before the failure (empty when none was).
    pub fn partial(&self) -> &str {
        match self {
            LlmError::Timeout { partial, .. } | LlmError::Malformed { partial, .. } => partial,
            _ => "",
        }
    }

    /// Worth trying again: the endpoint may answer next time and nothing has been streamed.
    pub fn retryable(&self) -> bool {
        match self {
            LlmError::Connect(_) => true,
            LlmError::Timeout { partial, .. } | LlmError::Malformed { partial, .. } => partial.is_empty(),
            LlmError::Status { status, .. } => *status == 429 || *status == 408 || *status >= 500,
            LlmError::CircuitOpen { .. } | LlmError::Invalid(_) => false,
        }
    }

    /// A short stable name for traces and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            LlmError::Connect(_) => "connect",
            LlmError::Timeout { .. } => "timeout",
            LlmError::Status { .. } => "status",
            LlmError::Malformed { .. } => "malformed",
            LlmError::CircuitOpen { .. } => "circuit_open",
            LlmError::Invalid(_) => "invalid",
        }
    }
}

/// Something that writes a reply to a conversation.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Runs one chat completion. When `deltas` is given, each piece of text is sent there as it
    /// arrives (a closed receiver does not stop the call); the full text is in the result.
    async fn chat(
        &self,
        request: &ChatRequest,
        deltas: Option<&mpsc::UnboundedSender<String>>,
    ) -> Result<Completion, LlmError>;

    /// The model's name, for traces.
    fn model(&self) -> &str;
}
