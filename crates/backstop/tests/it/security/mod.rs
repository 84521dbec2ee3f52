//! The security suite: one test (or more) per finding of the attacker's review (issue 15), each
//! driving the real server over HTTP and WebSocket, and failing on the code before its fix.
//!
//! - `identity`: an unverified e-mail claim never leads to a verified customer's conversation.
//! - `sign_in`: sign-in rate limits, lockouts with an admin's unlock, the same cost for unknown
//!   tenants, and a flood of wrong passwords that does not exhaust memory.
//! - `connections`: header timeouts, socket caps per visitor, and service under fd exhaustion.
//! - `origin`: another origin of the same site cannot change state or open the agents' socket.
//! - `copilot`: a colleague's answer reaches another customer's agent without personal data.
//! - `headers`: security headers, frame and query limits, hidden control characters.
//! - `abuse`: anonymous sessions and messages are rate-limited; conversations start with a message.
//! - `accounts`: idle sessions, sign-out everywhere, revocation, admin commands, password policy,
//!   secure cookies, the visitor token out of socket URLs.

mod abuse;
mod accounts;
mod connections;
mod copilot;
mod headers;
mod identity;
mod origin;
mod sign_in;

use serde_json::{json, Value};

use crate::support::*;

/// A widget session as the API answers it (`None` when refused), with the HTTP status.
pub(crate) async fn session(app: &TestApp, body: Value) -> (u16, Value) {
    let r = app
        .http
        .post(app.url("/api/widget/v1/demo/session"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The widget's message list as `token` sees it.
pub(crate) async fn widget_messages(app: &TestApp, token: &str, conv: &str) -> (u16, Value) {
    let r = app
        .http
        .get(app.url(&format!("/api/widget/v1/demo/conversations/{conv}/messages")))
        .header("x-visitor-token", token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Sends a customer message over REST (the status and the answer).
pub(crate) async fn send(app: &TestApp, token: &str, conv: &str, body: &str) -> (u16, Value) {
    let r = app
        .http
        .post(app.url(&format!("/api/widget/v1/demo/conversations/{conv}/messages")))
        .header("x-visitor-token", token)
        .json(&json!({ "body": body }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A sign-in attempt: status, `Retry-After`, body.
pub(crate) async fn sign_in(app: &TestApp, tenant: &str, email: &str, password: &str) -> (u16, Option<u64>, Value) {
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "tenant": tenant, "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry, r.json().await.unwrap_or(Value::Null))
}

/// The demo agent's id, by e-mail (from the agents' list).
pub(crate) async fn agent_id(app: &TestApp, asking: &AgentClient, email: &str) -> String {
    let (_, list) = app.agent_get(asking, "/api/v1/agents").await;
    list["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"]["email"] == email)
        .unwrap_or_else(|| panic!("no agent {email}: {list}"))["agent"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}
