//! Agent sign-in and sign-out, who am I, and the tenant's teams.

use axum::extract::State;
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::tenant_id;
use crate::error::{ApiError, ApiResult};
use crate::extract::{session_token, ApiJson, SignedIn, SESSION_COOKIE};
use crate::{wire, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/teams", get(teams))
}

#[derive(Deserialize)]
struct LoginBody {
    tenant: String,
    email: String,
    password: String,
}

async fn login(State(s): State<AppState>, ApiJson(b): ApiJson<LoginBody>) -> ApiResult<Response> {
    if b.email.len() > 320 || b.password.len() > 1024 {
        return Err(ApiError::invalid_input("e-mail or password is too long"));
    }
    let tenant =
        tenant_id(b.tenant.trim()).map_err(|_| ApiError::from(backstop_engine::EngineError::InvalidCredentials))?;
    let (token, session) = s.engine.login(&tenant, &b.email, &b.password).await?;
    let secure = if s.config.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=604800{secure}");
    let body = json!({ "token": token, "agent": wire::agent(&session.agent) });
    let mut resp = Json(body).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|_| ApiError::invalid_input("bad cookie"))?,
    );
    Ok(resp)
}

async fn logout(State(s): State<AppState>, parts: Parts) -> ApiResult<Response> {
    if let Some(token) = session_token(&parts) {
        s.engine.logout(&token).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("backstop_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"),
    );
    Ok(resp)
}

async fn me(SignedIn(session): SignedIn) -> Json<Value> {
    Json(json!({
        "agent": wire::agent(&session.agent),
        "tenant": { "id": session.tenant.id.as_str(), "name": session.tenant.name },
    }))
}

async fn teams(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Json<Value>> {
    let teams = s
        .engine
        .store()
        .list_teams(&session.agent.tenant)
        .await
        .map_err(backstop_engine::EngineError::from)?;
    Ok(Json(json!({
        "teams": teams
            .iter()
            .map(|t| wire::team(t, s.engine.now()))
            .collect::<Vec<_>>(),
    })))
}
