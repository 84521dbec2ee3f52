//! The web pages and assets, compiled into the binary: the widget script, the demo store, the
//! login page, the inbox, the escalation-policy page, the supervisor view and the knowledge page. No Node.js or build step at run time.

use crate::extract::ApiQuery as Query;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::error::ApiError;
use crate::AppState;

const WIDGET_JS: &str = include_str!("../../assets/widget.js");
const STORE_HTML: &str = include_str!("../../assets/store.html");
const LOGIN_HTML: &str = include_str!("../../assets/login.html");
const LOGIN_JS: &str = include_str!("../../assets/login.js");
const STORE_JS: &str = include_str!("../../assets/store.js");
const INBOX_HTML: &str = include_str!("../../assets/inbox.html");
const INBOX_JS: &str = include_str!("../../assets/inbox.js");
const I18N_JS: &str = include_str!("../../assets/i18n.js");
const APP_CSS: &str = include_str!("../../assets/app.css");
const POLICY_HTML: &str = include_str!("../../assets/policy.html");
const POLICY_JS: &str = include_str!("../../assets/policy.js");
const SUPERVISOR_HTML: &str = include_str!("../../assets/supervisor.html");
const SUPERVISOR_JS: &str = include_str!("../../assets/supervisor.js");
const KNOWLEDGE_HTML: &str = include_str!("../../assets/knowledge.html");
const KNOWLEDGE_JS: &str = include_str!("../../assets/knowledge.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/inbox") }))
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/widget.js",
            get(|| async { asset("text/javascript; charset=utf-8", WIDGET_JS) }),
        )
        .route(
            "/assets/login.js",
            get(|| async { asset("text/javascript; charset=utf-8", LOGIN_JS) }),
        )
        .route(
            "/assets/store.js",
            get(|| async { asset("text/javascript; charset=utf-8", STORE_JS) }),
        )
        .route(
            "/assets/inbox.js",
            get(|| async { asset("text/javascript; charset=utf-8", INBOX_JS) }),
        )
        .route(
            "/assets/i18n.js",
            get(|| async { asset("text/javascript; charset=utf-8", I18N_JS) }),
        )
        .route(
            "/assets/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
        )
        // A form sent before the page's script ran: back to the page (nothing is read).
        .route(
            "/login",
            get(|| async { Html(LOGIN_HTML) }).post(|| async { Redirect::to("/login") }),
        )
        .route("/inbox", get(|| async { Html(INBOX_HTML) }))
        .route("/policy", get(|| async { Html(POLICY_HTML) }))
        .route("/supervisor", get(|| async { Html(SUPERVISOR_HTML) }))
        .route("/knowledge", get(|| async { Html(KNOWLEDGE_HTML) }))
        .route(
            "/assets/knowledge.js",
            get(|| async { asset("text/javascript; charset=utf-8", KNOWLEDGE_JS) }),
        )
        .route(
            "/assets/supervisor.js",
            get(|| async { asset("text/javascript; charset=utf-8", SUPERVISOR_JS) }),
        )
        .route(
            "/assets/policy.js",
            get(|| async { asset("text/javascript; charset=utf-8", POLICY_JS) }),
        )
        .route("/demo/store", get(store))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

#[derive(Deserialize)]
struct StoreQuery {
    #[serde(rename = "as")]
    shopper: Option<String>,
}

/// The demo shop. `?as=alice` signs the visitor in as the demo's VIP customer: the page carries the
/// e-mail and its HMAC, as a real shop's server would render them.
async fn store(State(s): State<AppState>, Query(q): Query<StoreQuery>) -> Result<Html<String>, ApiError> {
    let Some(tenant) = &s.config.demo_tenant else {
        return Err(ApiError::not_found(
            "not_found",
            "the demo store is only served by `backstop demo`",
        ));
    };
    let mut attrs = String::new();
    if let (Some("alice"), Some(shopper)) = (q.shopper.as_deref(), &s.config.demo_shopper) {
        let t = s.engine.tenant(tenant).await?;
        let hash = backstop_engine::user_hash(&t.widget_secret, &shopper.email);
        attrs = format!(
            r#"data-name="{}" data-email="{}" data-user-hash="{}""#,
            html_escape(&shopper.name),
            html_escape(&shopper.email),
            hash
        );
    }
    Ok(Html(
        STORE_HTML
            .replace("data-tenant=\"demo\"", &format!("data-tenant=\"{}\"", tenant))
            .replace("{{WIDGET_ATTRS}}", &attrs),
    ))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
