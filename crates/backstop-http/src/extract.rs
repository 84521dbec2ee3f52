//! Extractors: JSON bodies whose rejections become [`ApiError`]s, and the signed-in agent (from the
//! session cookie or a bearer token).

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use backstop_engine::AgentSession;

use backstop_core::apikey::Scope;

use crate::error::ApiError;
use crate::AppState;

/// `axum::Json` with our error codes for bad bodies.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query` whose rejections are API errors (JSON, `invalid_input`).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `axum::extract::Path` whose rejections are API errors.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

pub const SESSION_COOKIE: &str = "backstop_session";

/// The session token of a request: `Authorization: Bearer …` or the session cookie.
pub fn session_token(parts: &Parts) -> Option<String> {
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(t) = auth.strip_prefix("Bearer ") {
            return Some(t.trim().to_string());
        }
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// The signed-in agent (or an API key acting for its admin); rejects with `401 unauthenticated`,
/// and a key with `403 forbidden` outside its scopes.
pub struct SignedIn(pub AgentSession);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(parts).ok_or_else(ApiError::unauthenticated)?;
        let session = state.engine.authenticate(&token).await?;
        if session.scopes.is_some() {
            let reaches = scopes_of(&parts.method, parts.uri.path());
            if !reaches.iter().any(|s| session.reaches(*s)) {
                return Err(ApiError::forbidden(if reaches.is_empty() {
                    "API keys cannot use this; sign in".to_owned()
                } else {
                    let names: Vec<&str> = reaches.iter().map(|s| s.as_str()).collect();
                    format!("this API key needs the {} scope here", names.join(" or "))
                }));
            }
        }
        Ok(SignedIn(session))
    }
}

/// The scopes, any of which lets an API key call `method path` (none: keys may not — the keys
/// themselves, signing in and out, one's own account). Read by the first part of the path, so a
/// new route under a known part falls in its scope and one under a new part is closed to keys
/// until it is named here.
pub fn scopes_of(method: &axum::http::Method, path: &str) -> &'static [Scope] {
    let part = path
        .strip_prefix("/api/v1/")
        .and_then(|r| r.split('/').next())
        .unwrap_or("");
    let read = *method == axum::http::Method::GET;
    match part {
        "conversations" | "alerts" | "ratings" => &[Scope::Conversations],
        "articles" | "candidates" | "topics" | "gaps" | "replay" | "understanding" => &[Scope::Knowledge],
        "reports" => &[Scope::Reports],
        "billing" if read => &[Scope::Reports, Scope::Settings],
        "billing" => &[Scope::Settings],
        // The roster and the teams: read when working conversations, changed as settings.
        "agents" | "teams" if read => &[Scope::Conversations, Scope::Settings],
        "agents" | "teams" | "actions" | "model" | "policy" | "widget" | "tenant" | "channels" => &[Scope::Settings],
        _ => &[],
    }
}
