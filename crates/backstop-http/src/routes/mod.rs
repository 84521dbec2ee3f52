//! The routers of each resource, merged into one application.

mod accounts;
mod actions;
mod agent_live;
mod agents;
mod articles;
mod auth;
mod billing;
mod candidates;
mod channels;
mod conversations;
mod knowledge;
mod model;
mod pages;
mod policy;
mod reports;
mod settings;
mod teams;
mod topics;
mod understanding;
mod widget;
mod widget_live;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, Method, StatusCode};
use axum::Router;
use backstop_core::ids::{ConversationId, TenantId};
use tower_http::cors::{Any, CorsLayer};

use crate::error::ApiError;
use crate::AppState;

/// Request bodies larger than this are refused with `payload_too_large` (a message is at most
/// 4,000 characters, i.e. at most 16 KB of UTF-8, plus JSON framing).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// A socket frame larger than this is refused (the widget's and the agents' alike).
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// A WebSocket's read buffer (the protocol library's default is 128 KiB per socket).
pub const WS_BUFFER_BYTES: usize = 4 * 1024;

/// The application: the documented REST API (each resource's `OpenApiRouter`, whose description is
/// served at `/api/v1/openapi.json`), the two WebSockets and the pages.
pub fn router(state: AppState) -> Router {
    // The widget is embedded on other sites: its API answers cross-origin requests (it uses no cookies).
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("x-visitor-token"),
            HeaderName::from_static("x-requested-with"),
        ])
        .expose_headers([header::RETRY_AFTER]);
    let (api, doc) = api(cors.clone()).split_for_parts();
    let spec = crate::openapi::finish(doc);
    Router::new()
        .merge(api)
        .merge(widget_live::router().layer(cors))
        .merge(agent_live::router())
        .merge(pages::router())
        .merge(channels::hooks())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .route("/metrics", axum::routing::get(crate::metrics::serve))
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let spec = spec.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], spec) }
            }),
        )
        .fallback(|| async { ApiError::not_found("not_found", "no such page or endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::guard::guard))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Every documented route, with its description; `cors` applies to the widget's API only (the
/// agents' API answers no other origin).
pub(crate) fn api(cors: CorsLayer) -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::with_openapi(<crate::openapi::ApiDoc as utoipa::OpenApi>::openapi())
        .merge(widget::router().layer(cors))
        .merge(auth::router())
        .merge(accounts::router())
        .merge(conversations::router())
        .merge(understanding::router())
        .merge(policy::router())
        .merge(articles::router())
        .merge(candidates::router())
        .merge(topics::router())
        .merge(model::router())
        .merge(actions::router())
        .merge(knowledge::router())
        .merge(reports::router())
        .merge(agents::router())
        .merge(teams::router())
        .merge(settings::router())
        .merge(channels::router())
        .merge(billing::router())
}

pub(crate) fn tenant_id(s: &str) -> Result<TenantId, ApiError> {
    TenantId::parse(s).map_err(|_| ApiError::not_found("tenant_not_found", "no such tenant"))
}

pub(crate) fn conversation_id(s: &str) -> Result<ConversationId, ApiError> {
    ConversationId::parse(s).map_err(|_| ApiError::not_found("conversation_not_found", "no such conversation"))
}

/// The upgrade, or why the request is not one (a plain GET on a socket's URL), as an API error.
pub(crate) fn websocket(
    ws: Result<axum::extract::ws::WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<axum::extract::ws::WebSocketUpgrade, ApiError> {
    ws.map_err(|r| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "websocket_required",
            format!("this URL is a WebSocket: {}", r.body_text()),
        )
    })
}
