//! The web pages and assets, compiled into the binary: the widget script, the demo store, the
//! login page, the inbox, the escalation-policy page, the actions page, the supervisor view, the reports, the
//! admin settings, billing and the knowledge page.
//! No Node.js or build step at run time. Scripts and styles are served from one table (`ASSETS`);
//! the agent pages from another (`PAGES`), each put together once with the `<head>` they share.

use crate::extract::ApiQuery as Query;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::sync::LazyLock;

use crate::error::ApiError;
use crate::AppState;

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every script and style sheet, by the path it is served at.
const ASSETS: &[(&str, &str, &str)] = &[
    ("/widget.js", JS, include_str!("../../assets/widget.js")),
    ("/assets/app.css", CSS, include_str!("../../assets/app.css")),
    ("/assets/i18n.js", JS, include_str!("../../assets/i18n.js")),
    ("/assets/strings-en.js", JS, include_str!("../../assets/strings-en.js")),
    ("/assets/strings-zh.js", JS, include_str!("../../assets/strings-zh.js")),
    ("/assets/ui.js", JS, include_str!("../../assets/ui.js")),
    ("/assets/login.js", JS, include_str!("../../assets/login.js")),
    ("/assets/store.js", JS, include_str!("../../assets/store.js")),
    ("/assets/inbox.js", JS, include_str!("../../assets/inbox.js")),
    (
        "/assets/inbox-packet.js",
        JS,
        include_str!("../../assets/inbox-packet.js"),
    ),
    (
        "/assets/inbox-copilot.js",
        JS,
        include_str!("../../assets/inbox-copilot.js"),
    ),
    (
        "/assets/inbox-panel.js",
        JS,
        include_str!("../../assets/inbox-panel.js"),
    ),
    (
        "/assets/inbox-notices.js",
        JS,
        include_str!("../../assets/inbox-notices.js"),
    ),
    (
        "/assets/inbox-views.js",
        JS,
        include_str!("../../assets/inbox-views.js"),
    ),
    ("/assets/policy.js", JS, include_str!("../../assets/policy.js")),
    ("/assets/actions.js", JS, include_str!("../../assets/actions.js")),
    ("/assets/supervisor.js", JS, include_str!("../../assets/supervisor.js")),
    ("/assets/reports.js", JS, include_str!("../../assets/reports.js")),
    (
        "/assets/reports-gaps.js",
        JS,
        include_str!("../../assets/reports-gaps.js"),
    ),
    ("/assets/charts.js", JS, include_str!("../../assets/charts.js")),
    ("/assets/reports.css", CSS, include_str!("../../assets/reports.css")),
    ("/assets/admin.js", JS, include_str!("../../assets/admin.js")),
    (
        "/assets/admin-settings.js",
        JS,
        include_str!("../../assets/admin-settings.js"),
    ),
    ("/assets/admin.css", CSS, include_str!("../../assets/admin.css")),
    ("/assets/billing.js", JS, include_str!("../../assets/billing.js")),
    (
        "/assets/billing-plan.js",
        JS,
        include_str!("../../assets/billing-plan.js"),
    ),
    (
        "/assets/admin-model.js",
        JS,
        include_str!("../../assets/admin-model.js"),
    ),
    ("/assets/knowledge.js", JS, include_str!("../../assets/knowledge.js")),
    (
        "/assets/knowledge-topics.js",
        JS,
        include_str!("../../assets/knowledge-topics.js"),
    ),
];

/// The agent pages, by path: each file holds its title and body; the `<head>` they share is
/// `head.html`.
const PAGES: &[(&str, &str)] = &[
    ("/login", include_str!("../../assets/login.html")),
    ("/inbox", include_str!("../../assets/inbox.html")),
    ("/policy", include_str!("../../assets/policy.html")),
    ("/actions", include_str!("../../assets/actions.html")),
    ("/supervisor", include_str!("../../assets/supervisor.html")),
    ("/reports", include_str!("../../assets/reports.html")),
    ("/admin", include_str!("../../assets/admin.html")),
    ("/billing", include_str!("../../assets/billing.html")),
    ("/knowledge", include_str!("../../assets/knowledge.html")),
];
const HEAD: &str = include_str!("../../assets/head.html");
/// The pages put together once.
static BUILT: LazyLock<Vec<(&str, String)>> =
    LazyLock::new(|| PAGES.iter().map(|&(path, src)| (path, page(src))).collect());
const STORE_HTML: &str = include_str!("../../assets/store.html");

pub fn router() -> Router<AppState> {
    let mut r = Router::new()
        .route("/", get(|| async { Redirect::to("/inbox") }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/demo/store", get(store));
    for &(path, content_type, body) in ASSETS {
        r = r.route(path, get(move || async move { asset(content_type, body) }));
    }
    for (path, html) in BUILT.iter() {
        let html: &'static str = html;
        let route = get(move || async move { Html(html) });
        // A sign-in form sent before the page's script ran: back to the page (nothing is read).
        let route = if *path == "/login" {
            route.post(|| async { Redirect::to("/login") })
        } else {
            route
        };
        r = r.route(path, route);
    }
    r
}

/// A page as served: its leading comment, the shared `<head>` with the page's own title, its body.
fn page(source: &str) -> String {
    let (own_head, body) = source.split_at(source.find("<body").expect("a page has a <body>"));
    let (comment, title) = own_head.split_at(own_head.find("<title>").expect("a page has a <title>"));
    let shared = HEAD.split_once("-->\n").map_or(HEAD, |(_, rest)| rest);
    format!("{comment}<!doctype html>\n<html lang=\"en\">\n<head>\n{shared}{title}</head>\n{body}</html>\n")
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
