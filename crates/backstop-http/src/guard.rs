//! The one check every request passes before its handler, and the headers every response gets.
//!
//! - **Origin.** A state-changing request to the agents' API (anything but GET/HEAD/OPTIONS) and
//!   every upgrade of the agents' socket must come from the server's own origin (its `Host`, or an
//!   origin listed in `server.origins`): a page of another origin — of the same site too, where
//!   `SameSite` cookies are sent — is refused with `403 forbidden_origin`. Without an `Origin`
//!   header, `Sec-Fetch-Site` must not say `cross-site` or `same-site`; a request with neither
//!   comes from a program, not a browser page, and carries its own credentials.
//! - **Not a form.** Every state-changing API request is JSON or carries `X-Requested-With` (or
//!   its own credentials in `Authorization` / `X-Visitor-Token`): an HTML form cannot send any of
//!   these, and another origin's script cannot without a CORS preflight.
//! - **Widget API.** It is cross-origin by design and carries no ambient credentials (the visitor
//!   token travels in a header or a socket frame); `server.widget_origins`, when set, limits which
//!   sites may embed any tenant's widget, and a tenant's own allowed origins (its widget
//!   settings) limit which sites may embed its widget.
//! - **Rate.** Every API request counts against its client address (`limits.requests_per_ip`).
//! - **Headers.** Pages: a Content-Security-Policy without inline script and `frame-ancestors
//!   'none'` (plus `X-Frame-Options: DENY`); everything: `nosniff`, a same-origin referrer policy;
//!   the API: `Cache-Control: no-store`.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::limits::{peer, Bucket, ClientIp};
use crate::AppState;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The middleware: checks, then the handler, then headers.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let api = path.starts_with("/api/");
    let checked = match check(&state, &req, &path) {
        Ok(()) => match widget_origin(&req, &path) {
            Some((tenant, origin)) => tenant_origin(&state, tenant, &origin).await,
            None => Ok(()),
        },
        e => e,
    };
    if let Err(e) = checked {
        let mut resp = e.into_response();
        if path.starts_with("/api/widget/") {
            // The widget's own CORS layer is inside this one: let its script read the refusal.
            let h = resp.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
            h.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("retry-after"),
            );
        }
        return finish(resp, api);
    }
    finish(next.run(req).await, api)
}

fn check(state: &AppState, req: &Request, path: &str) -> Result<(), ApiError> {
    if !path.starts_with("/api/") {
        return Ok(());
    }
    let headers = req.headers();
    let client = ClientIp::resolve(peer_of(req), headers, &state.config.trusted_proxies);
    state.limiter.check(Bucket::RequestIp, &client.key())?;
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let upgrade = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if changes && !json_or_marked(headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "json_required",
            "send the request as application/json, or with an X-Requested-With header",
        ));
    }
    if path.starts_with("/api/widget/") {
        if (changes || upgrade) && !state.config.widget_origins.is_empty() {
            if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
                if !state.config.widget_origins.iter().any(|o| same_origin(o, origin)) {
                    return Err(forbidden_origin());
                }
            }
        }
        return Ok(());
    }
    if (changes || upgrade) && !from_own_origin(state, req) {
        tracing::warn!(path, client = %client.0, "refused a request from another origin");
        return Err(forbidden_origin());
    }
    Ok(())
}

/// The tenant and the page's origin of a state-changing widget request or socket from a page.
fn widget_origin(req: &Request, path: &str) -> Option<(backstop_core::ids::TenantId, String)> {
    let rest = path.strip_prefix("/api/widget/v1/")?;
    let headers = req.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())?;
    let upgrade = headers.contains_key(header::UPGRADE);
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) && !upgrade {
        return None;
    }
    let tenant = backstop_core::ids::TenantId::parse(rest.split('/').next()?).ok()?;
    Some((tenant, origin.to_owned()))
}

/// The tenant's own allowed origins, when it set any, must include the page's.
async fn tenant_origin(state: &AppState, tenant: backstop_core::ids::TenantId, origin: &str) -> Result<(), ApiError> {
    if state.engine.widget_settings(&tenant).await?.allows(origin) {
        Ok(())
    } else {
        tracing::warn!(%tenant, origin, "refused the widget on a site the tenant does not allow");
        Err(forbidden_origin())
    }
}

fn peer_of(req: &Request) -> std::net::IpAddr {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

fn forbidden_origin() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden_origin",
        "this request must come from Backstop's own pages",
    )
}

/// JSON, or a header a cross-site form or simple request cannot carry (any of these makes the
/// browser ask first with a CORS preflight, which only the widget's API answers).
fn json_or_marked(headers: &HeaderMap) -> bool {
    ["x-requested-with", "x-visitor-token", "authorization"]
        .iter()
        .any(|h| headers.contains_key(*h))
        || headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
}

/// The request comes from a page of this server (or of an origin configured as its own), or not
/// from a browser page at all.
fn from_own_origin(state: &AppState, req: &Request) -> bool {
    let headers = req.headers();
    match headers.get(header::ORIGIN).map(|v| v.to_str().unwrap_or("null")) {
        Some(origin) => {
            if state.config.origins.iter().any(|o| same_origin(o, origin)) {
                return true;
            }
            let Some(authority) = origin_authority(origin) else {
                return false;
            };
            own_authorities(state, req).contains(&authority)
        }
        None => !matches!(
            headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
            Some("cross-site" | "same-site")
        ),
    }
}

/// `host[:port]` of an origin, lower case, default ports left out; `None` for `null` and garbage.
fn origin_authority(origin: &str) -> Option<String> {
    let (scheme, rest) = origin.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if rest.is_empty() || rest.contains('/') || !matches!(scheme.as_str(), "http" | "https") {
        return None;
    }
    Some(strip_default_port(&rest.to_ascii_lowercase(), &scheme))
}

fn strip_default_port(authority: &str, scheme: &str) -> String {
    let default = if scheme == "https" { ":443" } else { ":80" };
    authority.strip_suffix(default).unwrap_or(authority).to_owned()
}

fn same_origin(configured: &str, origin: &str) -> bool {
    configured
        .trim()
        .trim_end_matches('/')
        .eq_ignore_ascii_case(origin.trim())
}

/// The authorities this request was addressed to: `Host`, and `X-Forwarded-Host` when a trusted
/// proxy sent it.
fn own_authorities(state: &AppState, req: &Request) -> Vec<String> {
    let headers = req.headers();
    let mut out = Vec::new();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    if let Some(h) = host {
        let h = h.to_ascii_lowercase();
        out.push(strip_default_port(&h, "http"));
        out.push(strip_default_port(&h, "https"));
    }
    if state.config.trusted_proxies.contains(&peer_of(req)) {
        if let Some(fwd) = headers.get("x-forwarded-host").and_then(|v| v.to_str().ok()) {
            let proto = headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("https");
            let first = fwd.split(',').next().unwrap_or("").trim().to_ascii_lowercase();
            out.push(strip_default_port(&first, proto));
        }
    }
    out
}

/// The request came over HTTPS: TLS itself is not Backstop's, so this is what the proxy in front
/// says (`X-Forwarded-Proto` or `Forwarded: proto=https`) or the page's own origin.
pub fn over_https(parts: &axum::http::request::Parts, trusted: &[std::net::IpAddr]) -> bool {
    let h = &parts.headers;
    let said = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
    let proxy = trusted.contains(&peer(parts))
        && (said("x-forwarded-proto").is_some_and(|p| p.split(',').next().is_some_and(|p| p.trim() == "https"))
            || said("forwarded").is_some_and(|f| f.contains("proto=https")));
    proxy || said("origin").is_some_and(|o| o.starts_with("https://"))
}

fn finish(mut resp: Response, api: bool) -> Response {
    let h = resp.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if html {
        h.insert("content-security-policy", HeaderValue::from_static(CSP));
        h.insert("x-frame-options", HeaderValue::from_static("DENY"));
        h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_by_scheme_host_and_port() {
        assert_eq!(
            origin_authority("https://Support.Example.com"),
            Some("support.example.com".into())
        );
        assert_eq!(
            origin_authority("https://support.example.com:443"),
            Some("support.example.com".into())
        );
        assert_eq!(origin_authority("http://127.0.0.1:8080"), Some("127.0.0.1:8080".into()));
        assert_eq!(origin_authority("null"), None);
        assert_eq!(origin_authority("chrome-extension://abc"), None);
        assert_eq!(origin_authority("https://a.example/x"), None);
        assert!(same_origin(
            "https://support.example.com/",
            "https://support.example.com"
        ));
        assert!(!same_origin("https://support.example.com", "https://shop.example.com"));
    }

    #[test]
    fn json_or_a_marker_header_is_required() {
        let mut h = HeaderMap::new();
        assert!(!json_or_marked(&h));
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        assert!(!json_or_marked(&h));
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(!json_or_marked(&h));
        h.insert(header::CONTENT_TYPE, "application/json; charset=utf-8".parse().unwrap());
        assert!(json_or_marked(&h));
        let mut h = HeaderMap::new();
        h.insert("x-requested-with", "backstop".parse().unwrap());
        assert!(json_or_marked(&h));
    }
}
