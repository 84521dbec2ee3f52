//! Agent sign-in and sign-out (here or everywhere), changing one's own password, who am I, and
//! the tenant's teams. Sign-in is rate-limited per client address and per account.

use axum::extract::State;
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{session_token, ApiJson, SignedIn, SESSION_COOKIE};
use crate::limits::{Bucket, ClientIp};
use crate::{wire, AppState, CookieSecurity};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(logout_everywhere))
        .routes(routes!(change_password))
        .routes(routes!(me))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct LoginBody {
    /// The tenant's id (e.g. `demo`).
    tenant: String,
    email: String,
    password: String,
}

/// The session cookie for `token`, `Secure` when the request came over HTTPS (or always/never, as
/// configured).
fn session_cookie(s: &AppState, parts: &Parts, token: &str, max_age: i64) -> ApiResult<HeaderValue> {
    let secure = match s.config.secure_cookies {
        CookieSecurity::Always => true,
        CookieSecurity::Never => false,
        CookieSecurity::Auto => crate::guard::over_https(parts, &s.config.trusted_proxies),
    };
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&cookie).map_err(|_| ApiError::invalid_input("bad cookie"))
}

fn signed_in(
    s: &AppState,
    parts: &Parts,
    token: String,
    agent: &backstop_core::directory::Agent,
) -> ApiResult<Response> {
    let max_age = s.engine.auth_settings().session_ttl.whole_seconds();
    let cookie = session_cookie(s, parts, &token, max_age)?;
    let mut resp = Json(wire::SignedIn {
        token,
        agent: wire::agent(agent),
    })
    .into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(resp)
}

/// Signs an agent in: the token in the answer and in the `backstop_session` cookie (HttpOnly,
/// SameSite=Lax, Secure over HTTPS). Limited per client address and per account; repeated
/// failures lock the account for a while (429 `too_many_attempts`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, description = "signed in", body = wire::SignedIn),
        (status = 503, description = "every password check is busy; retry", body = wire::ErrorBody)))]
async fn login(
    State(s): State<AppState>,
    client: ClientIp,
    parts: Parts,
    ApiJson(b): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    s.limiter.check(Bucket::LoginIp, &client.key())?;
    if b.email.len() > 320 || b.tenant.len() > 100 {
        return Err(ApiError::invalid_input("the tenant or e-mail is too long"));
    }
    let account = format!(
        "{}\u{0}{}",
        b.tenant.trim().to_lowercase(),
        b.email.trim().to_lowercase()
    );
    s.limiter.check(Bucket::LoginAccount, &account)?;
    match s.engine.login(&b.tenant, &b.email, &b.password).await {
        Ok((token, session)) => signed_in(&s, &parts, token, &session.agent),
        Err(e) => {
            if matches!(e, backstop_engine::EngineError::InvalidCredentials) {
                tracing::warn!(client = %client.0, tenant = %b.tenant.trim(), "sign-in refused");
            }
            Err(e.into())
        }
    }
}

/// Signs this session out (and clears the cookie).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "signed out")),
    security(("session" = []), ("bearer" = [])))]
async fn logout(State(s): State<AppState>, parts: Parts) -> ApiResult<Response> {
    if let Some(token) = session_token(&parts) {
        s.engine.logout(&token).await?;
    }
    Ok(signed_out())
}

fn signed_out() -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("backstop_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"),
    );
    resp
}

/// Ends every session of the signed-in agent, this one included, and closes their sockets.
#[utoipa::path(post, path = "/api/v1/auth/logout-everywhere", tag = "auth",
    responses((status = 204, description = "signed out everywhere")),
    security(("session" = []), ("bearer" = [])))]
async fn logout_everywhere(State(s): State<AppState>, SignedIn(session): SignedIn) -> ApiResult<Response> {
    s.engine
        .sign_out_everywhere(&session.agent.tenant, session.agent.id)
        .await?;
    Ok(signed_out())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangePasswordBody {
    current: String,
    /// 10 to 128 characters (surrounding spaces not counted), not a common or trivial password.
    new: String,
}

/// The signed-in agent sets a new password; every session ends and this browser gets a new one.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePasswordBody,
    responses((status = 200, description = "changed; a new session", body = wire::SignedIn),
        (status = 503, description = "every password check is busy; retry", body = wire::ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn change_password(
    State(s): State<AppState>,
    client: ClientIp,
    parts: Parts,
    SignedIn(session): SignedIn,
    ApiJson(b): ApiJson<ChangePasswordBody>,
) -> ApiResult<Response> {
    s.limiter.check(Bucket::LoginIp, &client.key())?;
    s.limiter.check(Bucket::LoginAccount, &session.agent.id.to_string())?;
    let token = s.engine.change_password(&session, &b.current, &b.new).await?;
    signed_in(&s, &parts, token, &session.agent)
}

/// Who is signed in, and in which tenant.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, description = "the signed-in agent", body = wire::Me)),
    security(("session" = []), ("bearer" = [])))]
async fn me(SignedIn(session): SignedIn) -> Json<wire::Me> {
    let permissions = backstop_core::permission::Permission::ALL
        .iter()
        .filter(|p| session.agent.role.may(**p))
        .map(|p| p.as_str().to_owned())
        .collect();
    Json(wire::Me {
        permissions,
        agent: wire::agent(&session.agent),
        tenant: wire::TenantRef {
            id: session.tenant.id.as_str().to_owned(),
            name: session.tenant.name,
        },
    })
}
