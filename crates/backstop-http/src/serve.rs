//! The accept loop: HTTP/1.1 connections with a header-read timeout (slow or silent clients are
//! dropped; it also bounds how long a kept-alive connection sits idle), a deadline for reading a
//! request's body and for each stalled write of an answer (a client that trickles its body or
//! never reads the answer is dropped too), a cap on connections in all and per client address (an
//! IPv6 client by its /64; a trusted proxy's connections are not capped per address, its clients
//! are by the rate limits), and graceful shedding: at a cap, the connection idle the longest (no
//! request in progress, not a WebSocket) is closed to make room, so an attempt to exhaust file
//! descriptors with idle connections costs the attacker their own connections, not everyone's
//! service. Each request sees its peer address (`ConnectInfo`). On shutdown, accepting stops and
//! requests in progress get a grace period.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// Connection limits and timeouts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// A client must send a request's headers within this long (after connecting, or after the
    /// previous response on a kept-alive connection).
    pub header_timeout: Duration,
    /// Connections open at once at most (0: what the process's open-file limit allows, less a
    /// reserve for the database and files).
    pub max_connections: usize,
    /// Connections open at once from one client address (0: no cap).
    pub per_ip: usize,
    /// How long requests in progress may finish at shutdown.
    pub grace: Duration,
    /// How long a request's whole body may take to arrive.
    pub body_timeout: Duration,
    /// How long one write of an answer may stall (the client not reading).
    pub write_timeout: Duration,
    /// Proxies in front: their connections are not capped per address.
    pub trusted: Vec<IpAddr>,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        ConnectionSettings {
            header_timeout: Duration::from_secs(30),
            max_connections: 0,
            per_ip: 1000,
            grace: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            trusted: Vec::new(),
        }
    }
}

impl ConnectionSettings {
    /// The cap on connections in all: the configured one, or the open-file limit less a reserve.
    pub fn total_cap(&self) -> usize {
        if self.max_connections > 0 {
            return self.max_connections;
        }
        let soft = open_file_limit().unwrap_or(1024);
        let reserve = (soft / 10).max(64);
        soft.saturating_sub(reserve).max(16)
    }
}

/// What the per-address cap counts a peer under: an IPv4 address, or an IPv6 client's /64.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// The soft limit on open files, from `/proc/self/limits` (Linux).
fn open_file_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line.trim_start_matches("Max open files").split_whitespace().next()?;
    if soft == "unlimited" {
        return Some(1 << 20);
    }
    soft.parse().ok()
}

/// What the loop knows of one open connection.
struct Conn {
    ip: IpAddr,
    state: Arc<ConnState>,
    /// Set when the connection is chosen to make room (it closes at once).
    shed: Option<tokio::sync::oneshot::Sender<()>>,
}

#[derive(Default)]
struct ConnState {
    /// Requests whose response is not yet fully written.
    in_flight: AtomicUsize,
    /// Milliseconds since the server started when a request last ended (or the connection opened).
    last_active: AtomicU64,
    /// The HTTP part ended but the socket lives on: a WebSocket.
    upgraded: AtomicBool,
}

#[derive(Default)]
struct Registry {
    next: u64,
    conns: HashMap<u64, Conn>,
    per_ip: HashMap<IpAddr, usize>,
}

/// The open connections, shared by the loop and each connection's guard.
struct Tracker {
    registry: Mutex<Registry>,
    started: Instant,
    total_cap: usize,
    per_ip_cap: usize,
    shed_total: AtomicU64,
    refused_total: AtomicU64,
}

impl Tracker {
    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Admits a connection from `ip`, closing the longest-idle one (of that address, or of all)
    /// to make room at a cap; `None` when every connection at the cap is busy.
    fn admit(
        self: &Arc<Self>,
        ip: IpAddr,
        per_ip_capped: bool,
    ) -> Option<(u64, Arc<ConnState>, tokio::sync::oneshot::Receiver<()>)> {
        let mut reg = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        // Connections that stay (not already chosen to make room).
        let staying = |reg: &Registry, only: Option<IpAddr>| {
            reg.conns
                .values()
                .filter(|c| c.shed.is_some() && only.is_none_or(|ip| c.ip == ip))
                .count()
        };
        if per_ip_capped
            && self.per_ip_cap > 0
            && reg.per_ip.get(&ip).copied().unwrap_or(0) >= self.per_ip_cap
            && staying(&reg, Some(ip)) >= self.per_ip_cap
            && !self.shed_idle(&mut reg, Some(ip))
        {
            self.refused_total.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        if reg.conns.len() >= self.total_cap && staying(&reg, None) >= self.total_cap && !self.shed_idle(&mut reg, None)
        {
            self.refused_total.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let id = reg.next;
        reg.next += 1;
        let state = Arc::new(ConnState::default());
        state.last_active.store(self.now_ms(), Ordering::Relaxed);
        let (tx, rx) = tokio::sync::oneshot::channel();
        reg.conns.insert(
            id,
            Conn {
                ip,
                state: state.clone(),
                shed: Some(tx),
            },
        );
        *reg.per_ip.entry(ip).or_default() += 1;
        Some((id, state, rx))
    }

    /// Closes the connection (of `only` this address, or any) idle the longest; false if none is.
    fn shed_idle(&self, reg: &mut Registry, only: Option<IpAddr>) -> bool {
        let victim = reg
            .conns
            .iter()
            .filter(|(_, c)| {
                c.shed.is_some()
                    && only.is_none_or(|ip| c.ip == ip)
                    && c.state.in_flight.load(Ordering::Relaxed) == 0
                    && !c.state.upgraded.load(Ordering::Relaxed)
            })
            .min_by_key(|(_, c)| c.state.last_active.load(Ordering::Relaxed))
            .map(|(id, _)| *id);
        let Some(id) = victim else { return false };
        if let Some(tx) = reg.conns.get_mut(&id).and_then(|c| c.shed.take()) {
            tx.send(()).ok();
        }
        self.shed_total.fetch_add(1, Ordering::Relaxed);
        true
    }

    fn release(&self, id: u64) {
        let mut reg = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = reg.conns.remove(&id) {
            if let Some(n) = reg.per_ip.get_mut(&c.ip) {
                *n -= 1;
                if *n == 0 {
                    reg.per_ip.remove(&c.ip);
                }
            }
        }
    }
}

/// The socket, holding its place in the registry for as long as it is open (a WebSocket keeps it
/// after the HTTP part ends). A write that stalls longer than `write_timeout` fails the connection.
struct TrackedIo {
    inner: TcpStream,
    tracker: Arc<Tracker>,
    id: u64,
    write_timeout: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl TrackedIo {
    /// Passes a write's result on; while it stays pending, a deadline runs.
    fn watch<T>(&mut self, cx: &mut Context<'_>, r: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        match r {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => {
                let timeout = self.write_timeout;
                let deadline = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if deadline.as_mut().poll(cx).is_ready() {
                    self.stalled = None;
                    return Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the client stopped reading",
                    )));
                }
                Poll::Pending
            }
        }
    }
}

impl Drop for TrackedIo {
    fn drop(&mut self) {
        self.tracker.release(self.id);
    }
}

impl AsyncRead for TrackedIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for TrackedIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, r)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let r = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, r)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A request in progress, until its response body is fully written.
struct InFlight {
    state: Arc<ConnState>,
    tracker: Arc<Tracker>,
}

impl InFlight {
    fn enter(state: Arc<ConnState>, tracker: Arc<Tracker>) -> Self {
        state.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight { state, tracker }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state.last_active.store(self.tracker.now_ms(), Ordering::Relaxed);
        self.state.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A request body that must arrive whole before its deadline (a trickle cannot hold the connection).
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for DeadlineBody {
    type Data = bytes::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err("the request body took too long to arrive".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that keeps its request counted as in progress until it is written.
struct CountedBody {
    inner: Body,
    _in_flight: InFlight,
}

impl http_body::Body for CountedBody {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    app: Router,
    listener: TcpListener,
    settings: ConnectionSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let tracker = Arc::new(Tracker {
        registry: Mutex::new(Registry::default()),
        started: Instant::now(),
        total_cap: settings.total_cap(),
        per_ip_cap: settings.per_ip,
        shed_total: AtomicU64::new(0),
        refused_total: AtomicU64::new(0),
    });
    tracing::info!(
        max_connections = tracker.total_cap,
        per_ip = settings.per_ip,
        header_timeout_secs = settings.header_timeout.as_secs(),
        "accepting connections"
    );
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout)
        .max_buf_size(64 * 1024)
        .keep_alive(true);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let tasks = tokio_util::task::TaskTracker::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut last_warning: Option<Instant> = None;
    loop {
        let (tcp, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_failed(&tracker, &e, &mut last_warning).await;
                    continue;
                }
            },
        };
        // A trusted proxy's connections carry many clients: the rate limits count those.
        let capped = !settings.trusted.contains(&peer.ip().to_canonical());
        let Some((id, state, shed)) = tracker.admit(address_key(peer.ip()), capped) else {
            // Every connection at the cap is busy: this one is closed at once.
            drop(tcp);
            warn_now_and_then(&mut last_warning, || {
                tracing::warn!(
                    client = %peer.ip(),
                    refused = tracker.refused_total.load(Ordering::Relaxed),
                    "refusing connections: at the cap and every connection busy"
                );
            });
            continue;
        };
        tcp.set_nodelay(true).ok();
        let io = TrackedIo {
            inner: tcp,
            tracker: tracker.clone(),
            id,
            write_timeout: settings.write_timeout,
            stalled: None,
        };
        let counting = (state.clone(), tracker.clone());
        let body_timeout = settings.body_timeout;
        let svc = app
            .clone()
            .map_request(move |req: axum::http::Request<Incoming>| {
                let mut req = req.map(|inner| {
                    Body::new(DeadlineBody {
                        inner,
                        deadline: Box::pin(tokio::time::sleep(body_timeout)),
                    })
                });
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            })
            .map_future(move |fut| {
                let guard = InFlight::enter(counting.0.clone(), counting.1.clone());
                async move {
                    let resp = fut.await?;
                    Ok::<_, Infallible>(resp.map(|b| {
                        Body::new(CountedBody {
                            inner: b,
                            _in_flight: guard,
                        })
                    }))
                }
            });
        let svc = TowerToHyperService::new(svc);
        let http = http.clone();
        let mut stop = stop_rx.clone();
        let grace = settings.grace;
        tasks.spawn(async move {
            let conn = http.serve_connection(TokioIo::new(io), svc).with_upgrades();
            let mut conn = std::pin::pin!(conn);
            let shed = async {
                if shed.await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            let stopped = async move {
                stop.wait_for(|s| *s).await.map(|_| ()).ok();
            };
            tokio::select! {
                _ = conn.as_mut() => {}
                // Made room for another: idle, so nothing is lost by closing it now.
                _ = shed => {}
                _ = stopped => {
                    conn.as_mut().graceful_shutdown();
                    tokio::time::timeout(grace, conn.as_mut()).await.ok();
                }
            }
            // If the socket lives on, it is a WebSocket now.
            state.upgraded.store(true, Ordering::Relaxed);
        });
    }
    drop(listener);
    stop_tx.send(true).ok();
    tasks.close();
    tasks.wait().await;
    Ok(())
}

/// A failed accept: a peer that gave up is skipped; out of file descriptors, the longest-idle
/// connection is closed to free one; never a busy loop.
async fn accept_failed(tracker: &Arc<Tracker>, e: &std::io::Error, last_warning: &mut Option<Instant>) {
    use std::io::ErrorKind::*;
    if matches!(e.kind(), ConnectionAborted | ConnectionReset | ConnectionRefused) {
        return;
    }
    // EMFILE (24) and ENFILE (23).
    let out_of_files = matches!(e.raw_os_error(), Some(23 | 24));
    if out_of_files {
        let mut reg = tracker.registry.lock().unwrap_or_else(|p| p.into_inner());
        tracker.shed_idle(&mut reg, None);
    }
    warn_now_and_then(last_warning, || {
        tracing::warn!(error = %e, out_of_files, "accepting a connection failed");
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Logs at most once every ten seconds.
fn warn_now_and_then(last: &mut Option<Instant>, log: impl FnOnce()) {
    if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
        *last = Some(Instant::now());
        log();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracker(total: usize, per_ip: usize) -> Arc<Tracker> {
        Arc::new(Tracker {
            registry: Mutex::new(Registry::default()),
            started: Instant::now(),
            total_cap: total,
            per_ip_cap: per_ip,
            shed_total: AtomicU64::new(0),
            refused_total: AtomicU64::new(0),
        })
    }

    #[test]
    fn at_a_cap_the_longest_idle_connection_makes_room() {
        let t = tracker(3, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let (first, first_state, mut first_shed) = t.admit(a, true).unwrap();
        first_state.last_active.store(1, Ordering::Relaxed);
        let (_, second_state, mut second_shed) = t.admit(a, true).unwrap();
        second_state.last_active.store(5, Ordering::Relaxed);
        // A third from the same address: the older idle one of that address goes.
        let (_, third_state, _third_shed) = t.admit(a, true).unwrap();
        third_state.in_flight.store(1, Ordering::Relaxed);
        assert!(first_shed.try_recv().is_ok(), "the longest idle was shed");
        assert!(second_shed.try_recv().is_err());
        t.release(first);
        // Another address fills the total cap; then a newcomer sheds the idle one of `a`.
        let (_, b_state, _b_shed) = t.admit(b, true).unwrap();
        b_state.last_active.store(10, Ordering::Relaxed);
        let (_, b2_state, _b2_shed) = t.admit(b, true).unwrap();
        assert!(second_shed.try_recv().is_ok());
        // Everyone busy or already leaving: refused.
        b_state.in_flight.store(1, Ordering::Relaxed);
        b2_state.in_flight.store(1, Ordering::Relaxed);
        let refused = t.admit("10.0.0.3".parse().unwrap(), true);
        assert!(refused.is_none());
        assert_eq!(t.refused_total.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64_and_a_proxy_is_not_capped() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_eq!(
            address_key("::ffff:10.0.0.1".parse().unwrap()),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
        let t = tracker(10, 1);
        let (_, s, _keep) = t.admit(address_key(a), true).unwrap();
        s.in_flight.store(1, Ordering::Relaxed);
        assert!(t.admit(address_key(b), true).is_none(), "the same /64 is at its cap");
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let _p1 = t.admit(proxy, false).unwrap();
        assert!(
            t.admit(proxy, false).is_some(),
            "a trusted proxy is not capped per address"
        );
    }

    #[test]
    fn websockets_are_not_shed() {
        let t = tracker(1, 0);
        let (_, s, mut shed) = t.admit("10.0.0.1".parse().unwrap(), true).unwrap();
        s.upgraded.store(true, Ordering::Relaxed);
        assert!(t.admit("10.0.0.2".parse().unwrap(), true).is_none());
        assert!(shed.try_recv().is_err());
    }

    #[test]
    fn the_file_limit_sets_the_default_cap() {
        let s = ConnectionSettings::default();
        assert!(s.total_cap() >= 16);
        let fixed = ConnectionSettings {
            max_connections: 42,
            ..s
        };
        assert_eq!(fixed.total_cap(), 42);
    }
}
