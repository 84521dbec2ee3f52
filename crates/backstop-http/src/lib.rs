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
mod guard;
pub mod limits;
pub mod metrics;
pub mod openapi;
mod routes;
pub mod serve;
pub mod wire;

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

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

/// When the session cookie is marked `Secure`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CookieSecurity {
    /// When the request came over HTTPS (as a trusted proxy says, or the page's origin shows).
    #[default]
    Auto,
    Always,
    Never,
}

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    pub secure_cookies: CookieSecurity,
    /// The tenant whose demo store page is served at `/demo/store`.
    pub demo_tenant: Option<TenantId>,
    pub demo_shopper: Option<DemoShopper>,
    /// Proxies whose `X-Forwarded-For`, `-Host` and `-Proto` are believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Origins besides the server's own from which the agents' pages may call the API
    /// (e.g. `https://support.example.com` when a proxy rewrites `Host`).
    pub origins: Vec<String>,
    /// Sites allowed to embed the widget (empty: any).
    pub widget_origins: Vec<String>,
    pub limits: limits::Limits,
    /// How long a widget socket may take to say who it is.
    pub socket_hello_timeout: std::time::Duration,
    /// How often an agent's open socket checks that its session is still valid.
    pub socket_session_check: std::time::Duration,
    /// A socket on which the client sent nothing for this long is closed (the pages ping every 25 s).
    pub socket_idle: std::time::Duration,
    /// Connection caps and timeouts of the accept loop.
    pub connections: serve::ConnectionSettings,
    /// The bearer token that opens `/metrics` (none: it answers 404).
    pub metrics_token: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            secure_cookies: CookieSecurity::Auto,
            demo_tenant: None,
            demo_shopper: None,
            trusted_proxies: vec![
                IpAddr::from([127, 0, 0, 1]),
                IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
            ],
            origins: Vec::new(),
            widget_origins: Vec::new(),
            limits: limits::Limits::default(),
            socket_hello_timeout: std::time::Duration::from_secs(10),
            socket_session_check: std::time::Duration::from_secs(60),
            socket_idle: std::time::Duration::from_secs(90),
            connections: serve::ConnectionSettings::default(),
            metrics_token: None,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub config: HttpConfig,
    pub limiter: Arc<limits::RateLimiter>,
    pub sockets: Arc<limits::SocketCounts>,
    /// WebSockets open at once at most, all kinds together.
    pub max_sockets: usize,
    /// Requests and their latencies, per route (for `/metrics`).
    pub http_meter: Arc<metrics::HttpMeter>,
}

impl AppState {
    pub fn new(engine: Engine, config: HttpConfig) -> Self {
        // WebSockets may hold three quarters of the connections: plain requests always have room.
        let max_sockets = config.connections.total_cap() * 3 / 4;
        AppState {
            max_sockets,
            limiter: Arc::new(limits::RateLimiter::new(config.limits.clone())),
            sockets: Arc::new(limits::SocketCounts::default()),
            http_meter: Arc::new(metrics::HttpMeter::default()),
            engine,
            config,
        }
    }
}

/// The full application router.
pub fn router(state: AppState) -> Router {
    routes::router(state)
}

/// Serves the application on `listener` until `shutdown` completes (see [`serve::serve`]).
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let settings = state.config.connections.clone();
    serve::serve(router(state), listener, settings, shutdown).await
}
