//! Limits on what a stranger can ask for: rate limits per client address, per visitor and per
//! account (a generic cell-rate limiter, in memory per node), caps on open sockets, and the
//! client's address itself (the peer, or what a trusted proxy says it forwarded for).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::error::ApiError;
use crate::AppState;

/// The limits, all per node (the `[limits]` section of the configuration). A rate is "at most n per
/// minute, in bursts of up to n"; 0 turns a limit off.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Sign-in attempts from one address.
    pub logins_per_ip: u32,
    /// Sign-in attempts for one account (tenant and e-mail), from anywhere.
    pub logins_per_account: u32,
    /// Widget sessions started from one address.
    pub widget_sessions_per_ip: u32,
    /// Customer messages (and requests for a person) from one visitor.
    pub messages_per_visitor: u32,
    /// Customer messages from one address (all its visitors together).
    pub messages_per_ip: u32,
    /// Any request to the API from one address.
    pub requests_per_ip: u32,
    /// Widget sockets open at once for one visitor.
    pub sockets_per_visitor: usize,
    /// Agent sockets open at once for one agent.
    pub sockets_per_agent: usize,
    /// Sockets (widget and agent) open at once from one address.
    pub sockets_per_ip: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            logins_per_ip: 20,
            logins_per_account: 10,
            widget_sessions_per_ip: 30,
            messages_per_visitor: 20,
            messages_per_ip: 240,
            requests_per_ip: 3000,
            sockets_per_visitor: 8,
            sockets_per_agent: 16,
            sockets_per_ip: 500,
        }
    }
}

impl Limits {
    /// No limits at all (load tests from one address).
    pub fn off() -> Self {
        Limits {
            logins_per_ip: 0,
            logins_per_account: 0,
            widget_sessions_per_ip: 0,
            messages_per_visitor: 0,
            messages_per_ip: 0,
            requests_per_ip: 0,
            sockets_per_visitor: 0,
            sockets_per_agent: 0,
            sockets_per_ip: 0,
        }
    }
}

/// What a rate applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    LoginIp,
    LoginAccount,
    SessionIp,
    MessageVisitor,
    MessageIp,
    RequestIp,
}

/// Keys a stranger controls are hashed to a fixed size so that the map's memory is bounded per key.
type Key = (Bucket, u64);

/// Keyed generic cell-rate limiters (each key: the time its bucket is next empty).
pub struct RateLimiter {
    limits: Limits,
    cells: Mutex<HashMap<Key, Instant>>,
    swept: Mutex<Option<Instant>>,
}

/// Beyond this many keys, those whose bucket is full again are forgotten.
const SWEEP_AT: usize = 100_000;

impl RateLimiter {
    pub fn new(limits: Limits) -> Self {
        RateLimiter {
            limits,
            cells: Mutex::new(HashMap::new()),
            swept: Mutex::new(None),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn per_minute(&self, bucket: Bucket) -> u32 {
        let l = &self.limits;
        match bucket {
            Bucket::LoginIp => l.logins_per_ip,
            Bucket::LoginAccount => l.logins_per_account,
            Bucket::SessionIp => l.widget_sessions_per_ip,
            Bucket::MessageVisitor => l.messages_per_visitor,
            Bucket::MessageIp => l.messages_per_ip,
            Bucket::RequestIp => l.requests_per_ip,
        }
    }

    /// Takes one from `bucket` for `key`, or refuses with `429 rate_limited` and how many seconds
    /// to wait.
    pub fn check(&self, bucket: Bucket, key: &str) -> Result<(), ApiError> {
        self.check_at(bucket, key, Instant::now())
    }

    fn check_at(&self, bucket: Bucket, key: &str, now: Instant) -> Result<(), ApiError> {
        let n = self.per_minute(bucket);
        if n == 0 {
            return Ok(());
        }
        let interval = Duration::from_secs(60) / n;
        let tolerance = interval * (n - 1);
        let k = (bucket, hash(key));
        let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
        if cells.len() >= SWEEP_AT {
            // At most once a second: with many live keys every request would otherwise scan them.
            let mut last = self.swept.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_none_or(|t| now.saturating_duration_since(t) >= Duration::from_secs(1)) {
                cells.retain(|_, tat| *tat > now);
                *last = Some(now);
            }
        }
        let tat = cells.get(&k).copied().unwrap_or(now).max(now);
        let wait = tat.saturating_duration_since(now);
        if wait > tolerance {
            let retry = (wait - tolerance).as_secs_f64().ceil().max(1.0) as u64;
            return Err(ApiError::rate_limited(retry));
        }
        cells.insert(k, tat + interval);
        Ok(())
    }
}

fn hash(key: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // A per-process random seed: nobody can aim many keys at one slot.
    static SEED: std::sync::OnceLock<std::collections::hash_map::RandomState> = std::sync::OnceLock::new();
    let mut h = SEED.get_or_init(Default::default).build_hasher();
    h.write(key.as_bytes());
    h.finish()
}

/// Counts of open sockets per key, with a cap; a [`SocketSlot`] gives its place back when dropped.
#[derive(Default)]
pub struct SocketCounts {
    open: Mutex<HashMap<String, usize>>,
    total: AtomicUsize,
}

pub struct SocketSlot {
    counts: Arc<SocketCounts>,
    keys: Vec<String>,
}

impl SocketCounts {
    /// Takes a place under every `(key, cap)` (cap 0: no cap), or none when one is full.
    pub fn acquire(self: &Arc<Self>, keys: &[(String, usize)]) -> Result<SocketSlot, ApiError> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if keys
            .iter()
            .any(|(k, cap)| *cap > 0 && open.get(k).copied().unwrap_or(0) >= *cap)
        {
            return Err(ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "too_many_sockets",
                "too many connections open at once; close one first",
            )
            .retry_after(5));
        }
        for (k, _) in keys {
            *open.entry(k.clone()).or_default() += 1;
        }
        self.total.fetch_add(1, Ordering::Relaxed);
        Ok(SocketSlot {
            counts: self.clone(),
            keys: keys.iter().map(|(k, _)| k.clone()).collect(),
        })
    }

    /// Sockets open now.
    pub fn total(&self) -> usize {
        self.total.load(Ordering::Relaxed)
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|p| p.into_inner());
        for k in &self.keys {
            if let Some(n) = open.get_mut(k) {
                *n -= 1;
                if *n == 0 {
                    open.remove(k);
                }
            }
        }
        self.counts.total.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The client's address: the peer's, or — when the peer is a trusted proxy — the nearest address
/// in `X-Forwarded-For` that is not a trusted proxy itself. IPv6 clients are limited by their
/// /64, which is what one subscriber usually holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> ClientIp {
        let peer = peer.to_canonical();
        if !trusted.contains(&peer) {
            return ClientIp(peer);
        }
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        // From the right: each trusted hop vouches for the one before it. The first address that is
        // not a trusted proxy is the client; an entry that does not read as an address stops the
        // walk (what lies beyond it is the client's own say), and the last trusted hop is taken.
        let mut client = peer;
        for entry in entries.iter().rev() {
            match forwarded_addr(entry) {
                Some(ip) if trusted.contains(&ip) => client = ip,
                Some(ip) => return ClientIp(ip),
                None => break,
            }
        }
        ClientIp(client)
    }

    /// The key rate limits count this client under.
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

/// One `X-Forwarded-For` entry as an address: `198.51.100.7`, `198.51.100.7:51234`,
/// `[2001:db8::1]:443` or `2001:db8::1`.
fn forwarded_addr(entry: &str) -> Option<IpAddr> {
    let e = entry.trim();
    if let Ok(ip) = e.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = e.parse::<SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    None
}

/// The peer address of the connection (`0.0.0.0` when the server was not started with one, as
/// in a test calling the router directly).
pub fn peer(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp::resolve(
            peer(parts),
            &parts.headers,
            &state.config.trusted_proxies,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_rate_holds() {
        let limits = Limits {
            messages_per_visitor: 6,
            ..Limits::off()
        };
        let r = RateLimiter::new(limits);
        let t = Instant::now();
        for _ in 0..6 {
            r.check_at(Bucket::MessageVisitor, "v1", t).unwrap();
        }
        let e = r.check_at(Bucket::MessageVisitor, "v1", t).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code, e.retry_after),
            (429, "rate_limited", Some(10))
        );
        // Another visitor, or another bucket, is not affected.
        r.check_at(Bucket::MessageVisitor, "v2", t).unwrap();
        r.check_at(Bucket::RequestIp, "v1", t).unwrap();
        // One more every 10 s.
        r.check_at(Bucket::MessageVisitor, "v1", t + Duration::from_secs(10))
            .unwrap();
        assert!(r
            .check_at(Bucket::MessageVisitor, "v1", t + Duration::from_secs(11))
            .is_err());
        // A full minute later the whole burst is back.
        let later = t + Duration::from_secs(80);
        for _ in 0..6 {
            r.check_at(Bucket::MessageVisitor, "v1", later).unwrap();
        }
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "198.51.100.7, 10.0.0.2".parse().unwrap());
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let lb: IpAddr = "10.0.0.1".parse().unwrap();
        // From the trusted proxy chain: the first address that is not a proxy, from the right.
        assert_eq!(
            ClientIp::resolve(lb, &h, &[lb, proxy]).0,
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // From anyone else the header is a lie we ignore.
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(ClientIp::resolve(stranger, &h, &[lb, proxy]).0, stranger);
        // Ports are read; a garbage entry stops the walk (the client's own entries beyond it are
        // not believed); a mapped IPv4 peer is the IPv4 address.
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, junk, 198.51.100.7:51234".parse().unwrap());
        assert_eq!(
            ClientIp::resolve(lb, &h, &[lb]).0,
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, not-an-address".parse().unwrap());
        assert_eq!(
            ClientIp::resolve(lb, &h, &[lb]).0,
            lb,
            "nothing believable: the proxy itself"
        );
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "198.51.100.8".parse().unwrap());
        assert_eq!(
            ClientIp::resolve(mapped, &h, &[lb]).0,
            "198.51.100.8".parse::<IpAddr>().unwrap()
        );
        // IPv6 clients are counted by their /64.
        let a = ClientIp("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientIp("2001:db8:1:2:bbbb::9".parse().unwrap());
        assert_eq!(a.key(), b.key());
    }

    #[test]
    fn socket_caps_hold_and_free() {
        let counts = Arc::new(SocketCounts::default());
        let a = counts.acquire(&[("v".into(), 2), ("ip".into(), 3)]).unwrap();
        let _b = counts.acquire(&[("v".into(), 2), ("ip".into(), 3)]).unwrap();
        assert!(counts.acquire(&[("v".into(), 2), ("ip".into(), 3)]).is_err());
        let _c = counts.acquire(&[("w".into(), 2), ("ip".into(), 3)]).unwrap();
        assert!(counts.acquire(&[("x".into(), 2), ("ip".into(), 3)]).is_err());
        drop(a);
        assert_eq!(counts.total(), 2);
        counts.acquire(&[("v".into(), 2), ("ip".into(), 3)]).unwrap();
    }
}
