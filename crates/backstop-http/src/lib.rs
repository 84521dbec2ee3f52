//! Backstop's HTTP face: the REST + WebSocket API for widgets and agents, and the web pages.
//!
//! Layout: [`error`] (the one API error type with stable codes), [`wire`] (JSON shapes; the only
//! place that serializes), `extract` (JSON and auth extractors), and one module per resource
//! under `routes`, each exposing a `router()` merged here.
//!
//! Architecture invariant: no SQL and no business rules here; handlers parse input, call the
//! [`backstop_engine::Engine`], and serialize what it returns.

pub mod error;
mod extract;
mod routes;
pub mod wire;

use std::future::Future;

use axum::Router;
use backstop_core::ids::TenantId;
use backstop_engine::Engine;
use tokio::net::TcpListener;

/// The demo shop's signed-in customer (for `/demo/store?as=alice`).
#[derive(Clone, Debug)]
pub struct DemoShopper {
    pub name: String,
    pub email: String,
}

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Set the `Secure` flag on the session cookie (when served over HTTPS).
    pub secure_cookies: bool,
    /// The tenant whose demo store page is served at `/demo/store`.
    pub demo_tenant: Option<TenantId>,
    pub demo_shopper: Option<DemoShopper>,
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub config: HttpConfig,
}

/// The full application router.
pub fn router(state: AppState) -> Router {
    routes::router(state)
}

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
