//! The chat-completions vocabulary: messages, a request, a completion and its token usage.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// Who says a message. The system part holds instructions only; what customers and the knowledge
/// base wrote always travels as data in user messages, never concatenated into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// One call: the messages and how to sample.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub messages: Vec<Message>,
    /// 0 for the most likely text (what grounded answers use).
    pub temperature: f32,
    /// The longest answer, in tokens.
    pub max_tokens: u32,
    /// Strings that end the answer.
    pub stop: Vec<String>,
    /// A sampling seed, for servers that honour one (repeatable evaluations).
    pub seed: Option<u64>,
}

impl ChatRequest {
    pub fn new(messages: Vec<Message>) -> Self {
        ChatRequest {
            messages,
            temperature: 0.0,
            max_tokens: 400,
            stop: Vec::new(),
            seed: None,
        }
    }

    /// Checks what no endpoint would accept, before any call.
    pub(crate) fn validate(&self) -> Result<(), crate::LlmError> {
        if self.messages.is_empty() {
            return Err(crate::LlmError::Invalid("no messages".into()));
        }
        if !(0.0..=2.0).contains(&self.temperature) || self.temperature.is_nan() {
            return Err(crate::LlmError::Invalid(format!(
                "temperature {} is outside 0–2",
                self.temperature
            )));
        }
        if self.max_tokens == 0 {
            return Err(crate::LlmError::Invalid("max_tokens is 0".into()));
        }
        Ok(())
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// It finished its answer (or reached a stop string).
    Stop,
    /// It reached `max_tokens`: the answer may be cut.
    Length,
    /// Anything else the server named (`content_filter`, …).
    Other(String),
}

impl Finish {
    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "stop" | "eos" => Finish::Stop,
            "length" => Finish::Length,
            other => Finish::Other(other.to_string()),
        }
    }
}

/// Tokens a call cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// True when the server reported these figures; false when they are estimated from the text.
    pub reported: bool,
}

impl Usage {
    pub fn total(&self) -> u32 {
        self.prompt_tokens + self.completion_tokens
    }
}

/// A finished answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub finish: Finish,
    pub usage: Usage,
    /// From the call's start to the first piece of text (the last attempt's).
    pub first_token: Option<Duration>,
    /// From the call's start (the first attempt's) to the end.
    pub elapsed: Duration,
    /// How many attempts it took (1 when the first one answered).
    pub attempts: u32,
}

/// A rough token count for servers that report none: a CJK character is about one token, other
/// text about four characters per token.
pub fn estimate_tokens(text: &str) -> u32 {
    let mut cjk = 0u32;
    let mut other = 0u32;
    for c in text.chars() {
        if matches!(c as u32, 0x3000..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF) {
            cjk += 1;
        } else {
            other += 1;
        }
    }
    cjk + other.div_ceil(4)
}

/// An API key: printed as `***` by `Debug` and `Display`, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }
    /// The key itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The body sent to `/chat/completions`.
#[derive(Serialize)]
pub(crate) struct Body<'a> {
    pub model: &'a str,
    pub messages: &'a [Message],
    pub temperature: f32,
    pub max_tokens: u32,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub stop: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub stream: bool,
    pub stream_options: StreamOptions,
}

#[derive(Serialize)]
pub(crate) struct StreamOptions {
    pub include_usage: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_prints() {
        let k = ApiKey::new("sk-secret-123");
        assert_eq!(format!("{k:?} {k}"), "ApiKey(***) ***");
        assert_eq!(k.expose(), "sk-secret-123");
    }

    #[test]
    fn tokens_are_estimated_per_script() {
        assert_eq!(estimate_tokens("退货需要几天"), 6);
        assert_eq!(estimate_tokens("abcdefgh"), 2);
        assert_eq!(estimate_tokens(""), 0);
    }

    #[test]
    fn nonsense_requests_are_refused_before_any_call() {
        assert!(ChatRequest::new(vec![]).validate().is_err());
        let mut r = ChatRequest::new(vec![Message::user("hi")]);
        assert!(r.validate().is_ok());
        r.temperature = 3.0;
        assert!(r.validate().is_err());
        r.temperature = f32::NAN;
        assert!(r.validate().is_err());
    }
}
