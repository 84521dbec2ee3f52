//! `GET /metrics` for Prometheus, behind a bearer token (`server.metrics_token`; none: 404): the
//! requests each route answered by status class and their latencies (recorded by [`track`], a
//! layer on the matched routes only, so a stranger's made-up paths add no series), the engine's
//! counts (events by kind and hand-over reason, customer messages, the tenants' model calls and
//! their latency), the queue depth per tenant and the open sockets. Text exposition format 0.0.4.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::AppState;

/// Upper bounds (seconds) of the request latency histogram's buckets.
const SECS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Latency {
    buckets: [u64; SECS.len() + 1],
    sum: f64,
}

#[derive(Default)]
struct Book {
    /// (method, route, status class "2xx") → answers.
    requests: BTreeMap<(String, String, &'static str), u64>,
    /// (method, route) → latencies.
    latency: BTreeMap<(String, String), Latency>,
}

/// The requests each route answered, and how long they took.
#[derive(Default)]
pub struct HttpMeter(Mutex<Book>);

fn class(s: StatusCode) -> &'static str {
    match s.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl HttpMeter {
    fn record(&self, method: &str, route: &str, status: StatusCode, secs: f64) {
        let mut b = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *b.requests
            .entry((method.to_owned(), route.to_owned(), class(status)))
            .or_default() += 1;
        let l = b.latency.entry((method.to_owned(), route.to_owned())).or_default();
        let i = SECS.iter().position(|s| secs <= *s).unwrap_or(SECS.len());
        l.buckets[i] += 1;
        l.sum += secs;
    }
}

/// The layer on every matched route: counts the answer and its latency under the route's pattern.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let resp = next.run(req).await;
    state
        .http_meter
        .record(&method, &route, resp.status(), started.elapsed().as_secs_f64());
    resp
}

fn authorized(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &state.config.metrics_token else {
        return Err(ApiError::not_found(
            "not_found",
            "metrics are off; set server.metrics_token to turn them on",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Compared as digests: the time taken says nothing about how much of the token was right.
    if Sha256::digest(given.trim().as_bytes()) == Sha256::digest(token.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::unauthenticated())
    }
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value with `\`, `"` and line breaks escaped.
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// `GET /metrics`.
pub async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    authorized(&state, &headers)?;
    let mut out = String::with_capacity(16 * 1024);
    {
        let b = state.http_meter.0.lock().unwrap_or_else(|p| p.into_inner());
        head(
            &mut out,
            "backstop_http_requests_total",
            "counter",
            "Requests answered, by route and status class.",
        );
        for ((m, r, c), n) in &b.requests {
            let _ = writeln!(
                out,
                "backstop_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{c}\"}} {n}",
                esc(r)
            );
        }
        head(
            &mut out,
            "backstop_http_request_duration_seconds",
            "histogram",
            "Time to answer a request, by route.",
        );
        for ((m, r), l) in &b.latency {
            let labels = format!("method=\"{m}\",route=\"{}\"", esc(r));
            let mut seen = 0;
            for (i, le) in SECS.iter().enumerate() {
                seen += l.buckets[i];
                let _ = writeln!(
                    out,
                    "backstop_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {seen}"
                );
            }
            seen += l.buckets[SECS.len()];
            let _ = writeln!(
                out,
                "backstop_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {seen}"
            );
            let _ = writeln!(out, "backstop_http_request_duration_seconds_sum{{{labels}}} {}", l.sum);
            let _ = writeln!(out, "backstop_http_request_duration_seconds_count{{{labels}}} {seen}");
        }
    }
    let c = state.engine.meter();
    head(&mut out, "backstop_events_total", "counter", "Conversation events committed, by kind (ai_answer, handoff, sla_breach, agent_reply, …) and a hand-over's first reason.");
    for ((kind, reason), n) in &c.events {
        let _ = writeln!(out, "backstop_events_total{{kind=\"{kind}\",reason=\"{reason}\"}} {n}");
    }
    head(
        &mut out,
        "backstop_customer_messages_total",
        "counter",
        "Customer messages taken in.",
    );
    let _ = writeln!(out, "backstop_customer_messages_total {}", c.customer_messages);
    head(
        &mut out,
        "backstop_model_calls_total",
        "counter",
        "Calls to the tenants' generative models.",
    );
    let _ = writeln!(out, "backstop_model_calls_total {}", c.model_calls);
    head(
        &mut out,
        "backstop_model_failed_calls_total",
        "counter",
        "Model calls that failed (timeout, status, connection).",
    );
    let _ = writeln!(out, "backstop_model_failed_calls_total {}", c.model_failed_calls);
    head(
        &mut out,
        "backstop_model_tokens_total",
        "counter",
        "Model tokens, prompt and completion.",
    );
    let _ = writeln!(out, "backstop_model_tokens_total {}", c.model_tokens);
    head(
        &mut out,
        "backstop_model_turns_total",
        "counter",
        "Turns a model was asked about, by how they ended.",
    );
    for (o, n) in &c.model_outcomes {
        let _ = writeln!(out, "backstop_model_turns_total{{outcome=\"{o}\"}} {n}");
    }
    head(
        &mut out,
        "backstop_model_call_duration_seconds",
        "histogram",
        "Time a model call took.",
    );
    let mut seen = 0;
    for (i, ms) in backstop_engine::meter::MODEL_MS_BUCKETS.iter().enumerate() {
        seen += c.model_ms[i];
        let _ = writeln!(
            out,
            "backstop_model_call_duration_seconds_bucket{{le=\"{}\"}} {seen}",
            f64::from(*ms) / 1000.0
        );
    }
    seen += c.model_ms[backstop_engine::meter::MODEL_MS_BUCKETS.len()];
    let _ = writeln!(out, "backstop_model_call_duration_seconds_bucket{{le=\"+Inf\"}} {seen}");
    let _ = writeln!(
        out,
        "backstop_model_call_duration_seconds_sum {}",
        c.model_ms_sum as f64 / 1000.0
    );
    let _ = writeln!(out, "backstop_model_call_duration_seconds_count {seen}");
    head(
        &mut out,
        "backstop_queue_depth",
        "gauge",
        "Open conversations waiting in a team's queue for a person, per tenant.",
    );
    for (tenant, n) in state.engine.queue_depths().await? {
        let _ = writeln!(out, "backstop_queue_depth{{tenant=\"{}\"}} {n}", esc(tenant.as_str()));
    }
    head(
        &mut out,
        "backstop_sockets_open",
        "gauge",
        "WebSockets open on this node (widgets and inboxes).",
    );
    let _ = writeln!(out, "backstop_sockets_open {}", state.sockets.total());
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_counted_by_class_and_latencies_fall_in_buckets() {
        let m = HttpMeter::default();
        m.record("GET", "/api/v1/teams", StatusCode::OK, 0.003);
        m.record("GET", "/api/v1/teams", StatusCode::FORBIDDEN, 0.2);
        m.record("GET", "/api/v1/teams", StatusCode::OK, 30.0);
        let b = m.0.lock().unwrap();
        assert_eq!(b.requests[&("GET".into(), "/api/v1/teams".into(), "2xx")], 2);
        assert_eq!(b.requests[&("GET".into(), "/api/v1/teams".into(), "4xx")], 1);
        let l = &b.latency[&("GET".into(), "/api/v1/teams".into())];
        assert_eq!((l.buckets[0], l.buckets[5], l.buckets[SECS.len()]), (1, 1, 1));
        assert_eq!(esc("a\"b\\c"), "a\\\"b\\\\c");
    }
}
