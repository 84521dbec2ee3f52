//! The OpenAI-compatible chat-completions client: one endpoint (base URL, model, key), streaming
//! over server-sent events, every phase bounded in time, retried while nothing was said, behind
//! a circuit breaker.

use std::time::Duration;

use async_trait::async_trait;
use rand::Rng;
use tokio::sync::mpsc;
use tokio::time::{timeout_at, Instant};

use crate::breaker::Breaker;
use crate::chat::{
    calls_in_text, estimate_tokens, ApiKey, Body, ChatRequest, Completion, Finish, StreamOptions, ToolCall, Usage,
    WireTool,
};
use crate::sse::{clip, parse_chunk, Decoder};
use crate::{LlmError, Provider};

/// Where the model is.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The API's base URL, e.g. `http://127.0.0.1:8080/v1` or `https://api.deepseek.com/v1`;
    /// `/chat/completions` is appended (unless it is already there).
    pub base_url: String,
    pub model: String,
    pub key: Option<ApiKey>,
}

/// How long each phase may take and how failures are handled.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub connect: Duration,
    /// From sending the request to the first piece of text.
    pub first_token: Duration,
    /// The longest silence between two chunks once text flows.
    pub stall: Duration,
    /// The whole call, retries included.
    pub total: Duration,
    /// Attempts after the first.
    pub retries: u32,
    /// The first back-off; it doubles with each retry (with jitter), at most 5 s.
    pub backoff: Duration,
    pub breaker_threshold: u32,
    pub breaker_cool_down: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect: Duration::from_secs(3),
            first_token: Duration::from_secs(20),
            stall: Duration::from_secs(10),
            total: Duration::from_secs(60),
            retries: 2,
            backoff: Duration::from_millis(250),
            breaker_threshold: 5,
            breaker_cool_down: Duration::from_secs(30),
        }
    }
}

/// The longest answer read; a server that keeps talking is cut here.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// The most of an error body read.
const MAX_ERROR_BYTES: usize = 4 * 1024;
/// The most tool calls one answer may make.
const MAX_TOOL_CALLS: usize = 8;

pub struct OpenAiClient {
    http: reqwest::Client,
    url: String,
    endpoint: Endpoint,
    limits: Limits,
    breaker: Breaker,
}

impl std::fmt::Debug for OpenAiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiClient")
            .field("url", &self.url)
            .field("model", &self.endpoint.model)
            .finish_non_exhaustive()
    }
}

/// The URL chat completions are posted to, from a base URL; refuses what is not http(s).
pub fn completions_url(base: &str) -> Result<String, LlmError> {
    let base = base.trim().trim_end_matches('/');
    let rest = base
        .strip_prefix("http://")
        .or_else(|| base.strip_prefix("https://"))
        .ok_or_else(|| LlmError::Invalid(format!("the endpoint {base:?} is not an http:// or https:// URL")))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(LlmError::Invalid(format!("the endpoint {base:?} names no host")));
    }
    if base.ends_with("/chat/completions") {
        Ok(base.to_string())
    } else {
        Ok(format!("{base}/chat/completions"))
    }
}

impl OpenAiClient {
    pub fn new(endpoint: Endpoint, limits: Limits) -> Result<Self, LlmError> {
        let url = completions_url(&endpoint.base_url)?;
        if endpoint.model.trim().is_empty() {
            return Err(LlmError::Invalid("no model named".into()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(limits.connect)
            .build()
            .map_err(|e| LlmError::Invalid(format!("HTTP client: {e}")))?;
        let breaker = Breaker::new(limits.breaker_threshold, limits.breaker_cool_down);
        Ok(OpenAiClient {
            http,
            url,
            endpoint,
            limits,
            breaker,
        })
    }

    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// One attempt. On failure, also a wait the server asked for (`Retry-After`).
    async fn attempt(
        &self,
        request: &ChatRequest,
        deltas: Option<&mpsc::UnboundedSender<String>>,
        deadline: Instant,
    ) -> Result<Completion, (LlmError, Option<Duration>)> {
        let started = Instant::now();
        let body = Body {
            model: &self.endpoint.model,
            messages: &request.messages,
            temperature: request.temperature,
            max_tokens: request.max_tokens,
            stop: &request.stop,
            seed: request.seed,
            stream: true,
            stream_options: StreamOptions { include_usage: true },
            tools: request.tools.iter().map(WireTool::from).collect(),
            tool_choice: (!request.tools.is_empty()).then_some(request.tool_choice),
        };
        let mut rb = self.http.post(&self.url).json(&body);
        if let Some(key) = &self.endpoint.key {
            rb = rb.bearer_auth(key.expose());
        }
        let first_deadline = deadline.min(started + self.limits.first_token);
        let timeout = |phase: &'static str, partial: &str| LlmError::Timeout {
            phase,
            partial: partial.to_string(),
        };
        let mut resp = match timeout_at(first_deadline, rb.send()).await {
            Err(_) => return Err((timeout("first token", ""), None)),
            Ok(Err(e)) => return Err((LlmError::Connect(without_url(&e)), None)),
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        if !status.is_success() {
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(10)));
            let mut raw = Vec::new();
            let error_deadline = deadline.min(Instant::now() + Duration::from_secs(2));
            while raw.len() < MAX_ERROR_BYTES {
                match timeout_at(error_deadline, resp.chunk()).await {
                    Ok(Ok(Some(b))) => raw.extend_from_slice(&b),
                    _ => break,
                }
            }
            let text = String::from_utf8_lossy(&raw);
            let message = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| {
                    v.pointer("/error/message")
                        .or_else(|| v.get("error"))
                        .or_else(|| v.get("message"))
                        .and_then(|m| m.as_str().map(str::to_string))
                })
                .unwrap_or_else(|| text.trim().to_string());
            let message = if message.is_empty() {
                status.canonical_reason().unwrap_or("no reason").to_string()
            } else {
                clip(&message, 300)
            };
            return Err((
                LlmError::Status {
                    status: status.as_u16(),
                    message,
                },
                retry_after,
            ));
        }

        let mut decoder = Decoder::default();
        let mut text = String::new();
        let mut emitted = String::new();
        let mut finish: Option<String> = None;
        let mut usage: Option<(u32, u32)> = None;
        let mut first_token: Option<Duration> = None;
        let mut calls: Vec<ToolCall> = Vec::new();
        let mut call_bytes = 0usize;
        let mut last = Instant::now();
        let mut done = false;
        let malformed = |message: String, partial: &str| LlmError::Malformed {
            message,
            partial: partial.to_string(),
        };
        while !done {
            let limit = if first_token.is_some() {
                deadline.min(last + self.limits.stall)
            } else {
                first_deadline
            };
            let next = match timeout_at(limit, resp.chunk()).await {
                Err(_) => {
                    let phase = if first_token.is_some() {
                        if Instant::now() >= deadline {
                            "whole answer"
                        } else {
                            "stalled stream"
                        }
                    } else {
                        "first token"
                    };
                    return Err((timeout(phase, &emitted), None));
                }
                Ok(Err(e)) => {
                    return Err((
                        malformed(
                            format!("the connection broke mid-answer: {}", without_url(&e)),
                            &emitted,
                        ),
                        None,
                    ))
                }
                Ok(Ok(next)) => next,
            };
            last = Instant::now();
            let datas = match &next {
                Some(bytes) => decoder.push(bytes),
                None => decoder.finish(),
            }
            .map_err(|m| (malformed(m, &emitted), None))?;
            for data in datas {
                if data.trim() == "[DONE]" {
                    done = true;
                    break;
                }
                let chunk = parse_chunk(&data).map_err(|m| (malformed(m, &emitted), None))?;
                if let Some(u) = chunk.usage {
                    usage = Some(u);
                }
                if let Some(f) = chunk.finish {
                    finish = Some(f);
                }
                for piece in chunk.tool_calls {
                    // A call's first piece counts as the first token; none reaches `deltas`.
                    first_token.get_or_insert_with(|| started.elapsed());
                    call_bytes += piece.arguments.len();
                    if piece.index >= MAX_TOOL_CALLS || call_bytes > MAX_ANSWER_BYTES {
                        return Err((
                            malformed("the model's tool calls are too many or too long".into(), &emitted),
                            None,
                        ));
                    }
                    while calls.len() <= piece.index {
                        calls.push(ToolCall {
                            id: String::new(),
                            name: String::new(),
                            arguments: String::new(),
                        });
                    }
                    let call = &mut calls[piece.index];
                    if let Some(id) = piece.id {
                        call.id = id;
                    }
                    if let Some(name) = piece.name {
                        call.name = name;
                    }
                    call.arguments.push_str(&piece.arguments);
                }
                if !chunk.content.is_empty() {
                    first_token.get_or_insert_with(|| started.elapsed());
                    text.push_str(&chunk.content);
                    if let Some(tx) = deltas {
                        // A receiver that went away does not stop the answer.
                        let _ = tx.send(chunk.content.clone());
                        emitted.push_str(&chunk.content);
                    }
                    if text.len() > MAX_ANSWER_BYTES {
                        finish = Some("length".into());
                        done = true;
                        break;
                    }
                }
            }
            if next.is_none() {
                if !done && finish.is_none() {
                    return Err((
                        malformed("the stream ended before the answer was complete".into(), &emitted),
                        None,
                    ));
                }
                break;
            }
        }
        let usage = match usage {
            Some((p, c)) => Usage {
                prompt_tokens: p,
                completion_tokens: c,
                reported: true,
            },
            None => Usage {
                prompt_tokens: request.messages.iter().map(|m| estimate_tokens(&m.content) + 4).sum(),
                completion_tokens: estimate_tokens(&text),
                reported: false,
            },
        };
        let mut calls: Vec<ToolCall> = calls.into_iter().filter(|c| !c.name.is_empty()).collect();
        let mut finish = finish.as_deref().map(Finish::parse).unwrap_or(Finish::Stop);
        // A model that wrote its calls as text (no `tool_calls`): read them, when that is all
        // the text is (`deltas` received that text as it came).
        if calls.is_empty() && !request.tools.is_empty() {
            if let Some(found) = calls_in_text(&text, &request.tools) {
                calls = found;
                text.clear();
                finish = Finish::ToolCalls;
            }
        }
        Ok(Completion {
            text,
            finish,
            usage,
            first_token,
            elapsed: started.elapsed(),
            attempts: 1,
            // A call the stream never named is no call.
            tool_calls: calls,
        })
    }
}

/// A reqwest error's words without its URL (which could carry credentials in odd setups).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connection refused or unreachable"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_body() || e.is_decode() {
        "body error"
    } else {
        "request error"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({detail})")
    }
}

#[async_trait]
impl Provider for OpenAiClient {
    async fn chat(
        &self,
        request: &ChatRequest,
        deltas: Option<&mpsc::UnboundedSender<String>>,
    ) -> Result<Completion, LlmError> {
        request.validate()?;
        let start = Instant::now();
        let deadline = start + self.limits.total;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.breaker
                .allow()
                .map_err(|failures| LlmError::CircuitOpen { failures })?;
            match self.attempt(request, deltas, deadline).await {
                Ok(mut c) => {
                    self.breaker.success();
                    c.attempts = attempt;
                    c.elapsed = start.elapsed();
                    return Ok(c);
                }
                Err((e, retry_after)) => {
                    // A request the server calls wrong (400, 413, 422) says nothing of its health.
                    let request_fault =
                        matches!(e, LlmError::Status { status, .. } if matches!(status, 400 | 413 | 422));
                    if !request_fault {
                        self.breaker.failure();
                    }
                    if !e.retryable() || attempt > self.limits.retries {
                        return Err(e);
                    }
                    let backoff = self.limits.backoff.saturating_mul(1 << (attempt - 1).min(8));
                    let jittered = backoff.mul_f64(rand::thread_rng().gen_range(0.5..1.0));
                    let wait = retry_after.unwrap_or(jittered).min(Duration::from_secs(5));
                    if Instant::now() + wait >= deadline {
                        return Err(e);
                    }
                    tracing::warn!(model = %self.endpoint.model, error = %e, attempt, wait_ms = wait.as_millis() as u64, "model call failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    fn model(&self) -> &str {
        &self.endpoint.model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_read_or_refused() {
        assert_eq!(
            completions_url("http://127.0.0.1:8080/v1/").unwrap(),
            "http://127.0.0.1:8080/v1/chat/completions"
        );
        assert_eq!(
            completions_url("https://api.deepseek.com/v1/chat/completions").unwrap(),
            "https://api.deepseek.com/v1/chat/completions"
        );
        assert!(completions_url("ftp://x").is_err());
        assert!(completions_url("http://").is_err());
        assert!(completions_url("localhost:8080").is_err());
    }
}
