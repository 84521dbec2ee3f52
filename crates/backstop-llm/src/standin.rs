//! A stand-in for an OpenAI-compatible chat-completions server, for tests: it answers
//! `POST /v1/chat/completions` with text a test chooses (streamed as server-sent events, as the
//! API documents: `chat.completion.chunk` objects, a final usage chunk when
//! `stream_options.include_usage` is set, then `data: [DONE]`), and injects the faults real
//! endpoints have: error statuses, hangs, slow starts, stalls, cut connections, malformed chunks,
//! streams that end early. It records every request body, so tests can check what was sent.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

/// What the next request gets instead of a normal answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// This status, with an OpenAI-style error body.
    Status(u16),
    /// 429 with `Retry-After: 1`.
    RateLimited,
    /// The request is read and never answered.
    Hang,
    /// The headers come at once, the first chunk after this long.
    SlowStart(Duration),
    /// This many text chunks, then silence (the connection stays open).
    StallAfter(usize),
    /// This many text chunks, then the connection is cut.
    CutAfter(usize),
    /// A data line that is not JSON.
    Malformed,
    /// The text, then the stream closes without a finish reason or `[DONE]`.
    EndsEarly,
}

/// What the stand-in answers a request with.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// This text, streamed a few characters at a time.
    Text(String),
    /// Calls of these functions with these arguments (a JSON text, sent as given, so a test can
    /// send malformed ones), streamed as the API documents: each call's id and name first, then
    /// its arguments in fragments, then `finish_reason: "tool_calls"`.
    Calls(Vec<(String, String)>),
}

impl From<String> for Reply {
    fn from(s: String) -> Self {
        Reply::Text(s)
    }
}

type Responder = dyn Fn(&Value) -> Reply + Send + Sync;

struct Shared {
    faults: Mutex<VecDeque<Fault>>,
    requests: Mutex<Vec<Value>>,
    responder: Box<Responder>,
    chunk_delay: Duration,
    key: Option<String>,
}

/// A running stand-in; stops when dropped.
pub struct StandIn {
    base_url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandIn").field("base_url", &self.base_url).finish()
    }
}

/// How the stand-in behaves when no fault is queued.
pub struct Options {
    /// The answer to a request body.
    pub responder: Box<Responder>,
    /// The pause between two streamed chunks.
    pub chunk_delay: Duration,
    /// When set, requests without `Authorization: Bearer <key>` get 401.
    pub key: Option<String>,
}

impl Options {
    pub fn answering(f: impl Fn(&Value) -> String + Send + Sync + 'static) -> Self {
        Self::replying(move |body| Reply::Text(f(body)))
    }

    /// Answers with text or tool calls, as `f` decides from the request body.
    pub fn replying(f: impl Fn(&Value) -> Reply + Send + Sync + 'static) -> Self {
        Options {
            responder: Box::new(f),
            chunk_delay: Duration::from_millis(2),
            key: None,
        }
    }
}

impl StandIn {
    pub async fn start(options: Options) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            faults: Mutex::new(VecDeque::new()),
            requests: Mutex::new(Vec::new()),
            responder: options.responder,
            chunk_delay: options.chunk_delay,
            key: options.key,
        });
        let app = Router::new()
            .route("/v1/chat/completions", post(completions))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StandIn {
            base_url: format!("http://{addr}/v1"),
            shared,
            task,
        })
    }

    /// The base URL to configure a client with (`http://127.0.0.1:<port>/v1`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The next request (after those already queued) gets this fault.
    pub fn fail_next(&self, fault: Fault) {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(fault);
    }

    /// Every request body received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.shared.requests.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"message": message, "type": "standin_error", "code": status.as_u16()}})),
    )
        .into_response()
}

fn chunk(model: &str, delta: Value, finish: Option<&str>) -> Bytes {
    let v = json!({
        "id": "chatcmpl-standin",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    });
    Bytes::from(format!("data: {v}\n\n"))
}

/// The answer cut into pieces of a few characters, as a model streams it.
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(3).map(|c| c.iter().collect()).collect()
}

async fn completions(State(s): State<Arc<Shared>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    s.requests.lock().unwrap_or_else(|p| p.into_inner()).push(body.clone());
    if let Some(key) = &s.key {
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if given != Some(key.as_str()) {
            return error(StatusCode::UNAUTHORIZED, "Incorrect API key provided");
        }
    }
    if body
        .get("messages")
        .and_then(Value::as_array)
        .is_none_or(|m| m.is_empty())
    {
        return error(StatusCode::BAD_REQUEST, "messages is required");
    }
    let fault = s.faults.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
    match fault {
        Some(Fault::Status(code)) => {
            return error(
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "injected failure",
            )
        }
        Some(Fault::RateLimited) => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "Rate limit reached");
            r.headers_mut()
                .insert("retry-after", "1".parse().expect("a valid header"));
            return r;
        }
        Some(Fault::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return error(StatusCode::GATEWAY_TIMEOUT, "hung");
        }
        _ => {}
    }
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("standin")
        .to_string();
    let reply = (s.responder)(&body);
    let streaming = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let (answer, calls) = match reply {
        Reply::Text(t) => (t, Vec::new()),
        Reply::Calls(c) => (String::new(), c),
    };
    let finish = if calls.is_empty() { "stop" } else { "tool_calls" };
    if !streaming {
        let message = if calls.is_empty() {
            json!({"role": "assistant", "content": answer})
        } else {
            let tool_calls: Vec<Value> = calls
                .iter()
                .enumerate()
                .map(|(i, (name, args))| json!({"id": format!("call_{i}"), "type": "function", "function": {"name": name, "arguments": args}}))
                .collect();
            json!({"role": "assistant", "content": null, "tool_calls": tool_calls})
        };
        return Json(json!({
            "id": "chatcmpl-standin",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }))
        .into_response();
    }
    let include_usage = body.pointer("/stream_options/include_usage").and_then(Value::as_bool) == Some(true);
    let delay = s.chunk_delay;
    let prompt_chars: usize = body["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| x["content"].as_str())
                .map(|c| c.chars().count())
                .sum()
        })
        .unwrap_or(0);
    let stream = async_stream(move |tx| async move {
        let send = |b: Bytes| tx.send(Ok::<Bytes, std::io::Error>(b));
        if let Some(Fault::SlowStart(d)) = &fault {
            tokio::time::sleep(*d).await;
        }
        if send(chunk(&model, json!({"role": "assistant", "content": ""}), None))
            .await
            .is_err()
        {
            return;
        }
        let parts = pieces(&answer);
        for (i, p) in parts.iter().enumerate() {
            match &fault {
                Some(Fault::StallAfter(n)) if i == *n => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    return;
                }
                Some(Fault::CutAfter(n)) if i == *n => {
                    let _ = tx
                        .send(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut")))
                        .await;
                    return;
                }
                Some(Fault::Malformed) if i == 1 => {
                    let _ = send(Bytes::from_static(b"data: {\"choices\": [{\"delta\": \n\n")).await;
                    return;
                }
                _ => {}
            }
            if send(chunk(&model, json!({"content": p}), None)).await.is_err() {
                return;
            }
            tokio::time::sleep(delay).await;
        }
        for (i, (name, args)) in calls.iter().enumerate() {
            let head = json!({"tool_calls": [{"index": i, "id": format!("call_{i}"), "type": "function", "function": {"name": name, "arguments": ""}}]});
            if send(chunk(&model, head, None)).await.is_err() {
                return;
            }
            for p in pieces(args) {
                let piece = json!({"tool_calls": [{"index": i, "function": {"arguments": p}}]});
                if send(chunk(&model, piece, None)).await.is_err() {
                    return;
                }
                tokio::time::sleep(delay).await;
            }
        }
        if fault == Some(Fault::EndsEarly) {
            return;
        }
        let _ = send(chunk(&model, json!({}), Some(finish))).await;
        if include_usage {
            let usage = json!({
                "id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": 0, "model": model,
                "choices": [],
                "usage": {"prompt_tokens": prompt_chars / 3 + 1, "completion_tokens": parts.len(), "total_tokens": prompt_chars / 3 + 1 + parts.len()},
            });
            let _ = send(Bytes::from(format!("data: {usage}\n\n"))).await;
        }
        let _ = send(Bytes::from_static(b"data: [DONE]\n\n")).await;
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_stream(stream))
        .expect("a valid response")
}

/// A body stream fed by a task through a channel.
fn async_stream<F, Fut>(f: F) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(f(tx));
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) })
}
