//! Who is asking, for agents: sign-in with an e-mail and password (argon2id, verified on a blocking
//! thread, at most a few at once), random session tokens of which only a SHA-256 is stored,
//! sessions that end when unused or revoked, and repeated failures that lock an account for a
//! while. Unknown tenants and unknown e-mails cost the same verification and lock the same way as
//! real accounts, so neither timing nor answers tell whether an account exists.

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::password_hash::{self, rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::Argon2;
use backstop_core::directory::{Agent, Tenant};
use backstop_core::ids::TenantId;
use backstop_core::password::{Lockout, Password};
use backstop_core::Timestamp;
use backstop_store::{AgentCredentials, SessionRecord};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Engine, EngineError, Result};

/// A signed-in agent.
#[derive(Clone, Debug)]
pub struct AgentSession {
    pub agent: Agent,
    pub tenant: Tenant,
    /// For an API key: the scopes it holds (it acts as the admin who made it, within them).
    /// `None` for a person signed in.
    pub scopes: Option<Vec<backstop_core::apikey::Scope>>,
}

impl AgentSession {
    /// The one permission check: `Ok` when the agent's role holds `p` (the matrix is
    /// `backstop_core::permission`), else [`EngineError::Forbidden`] saying who may.
    pub fn permit(&self, p: backstop_core::permission::Permission) -> Result<()> {
        if !self.agent.role.may(p) {
            Err(EngineError::Forbidden(p.refusal()))
        } else if self.scopes.as_ref().is_some_and(|s| !s.iter().any(|s| s.grants(p))) {
            Err(EngineError::Forbidden("this API key's scopes do not reach that"))
        } else {
            Ok(())
        }
    }
}

/// How agents sign in and how long they stay signed in.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// A session ends this long after sign-in, used or not.
    pub session_ttl: time::Duration,
    /// A session ends after this long unused.
    pub session_idle: time::Duration,
    /// Password verifications running at once (each argon2id run holds 19 MiB).
    pub password_checks: usize,
    /// How long a sign-in waits for a free verification before it is refused as busy.
    pub password_wait: std::time::Duration,
    /// How repeated failures of one account lock it.
    pub lockout: Lockout,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            session_ttl: time::Duration::days(7),
            session_idle: time::Duration::hours(12),
            password_checks: std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8),
            password_wait: std::time::Duration::from_secs(10),
            lockout: Lockout::default(),
        }
    }
}

/// A session's last use is written at most this often.
const TOUCH_EVERY: time::Duration = time::Duration::seconds(60);
/// Unknown accounts whose failures are remembered (to lock them as real ones would be).
const PHANTOMS: usize = 10_000;

/// What the engine keeps in memory for signing in: the bound on verifications at once, the threads
/// that run them, and the failures of accounts that do not exist.
pub(crate) struct SignIns {
    checks: std::sync::Arc<tokio::sync::Semaphore>,
    pool: PasswordPool,
    phantoms: Mutex<HashMap<(String, String), Phantom>>,
}

type Job = Box<dyn FnOnce() + Send>;

/// A few threads of their own for password hashing. Each argon2id run allocates 19 MiB; on the
/// shared blocking pool every new thread that ran one kept its own 19 MiB in its allocator arena
/// after the burst (9.5 GB after a flood). The same few threads reuse theirs.
struct PasswordPool {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl PasswordPool {
    fn new(threads: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || loop {
                    // The engine (and with it the sender) gone: the thread ends.
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match next {
                        Ok(job) => job(),
                        Err(_) => break,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password thread");
            }
        }
        PasswordPool { jobs }
    }

    /// Runs `f` on a password thread, holding `permit` until it is done — also when the caller has
    /// gone meanwhile: so the queue never holds more jobs than there are permits. A job whose
    /// caller is gone (the client hung up) is skipped.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
        permit: tokio::sync::OwnedSemaphorePermit,
    ) -> Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                if !tx.is_closed() {
                    tx.send(f()).ok();
                }
                drop(permit);
            }))
            .map_err(|_| EngineError::Internal("the password threads are gone".into()))?;
        rx.await
            .map_err(|_| EngineError::Internal("a password check did not finish".into()))
    }
}

#[derive(Clone, Copy)]
struct Phantom {
    failures: u32,
    locked_until: Option<Timestamp>,
    last: Timestamp,
}

impl SignIns {
    pub(crate) fn new(settings: &AuthSettings) -> Self {
        SignIns {
            checks: std::sync::Arc::new(tokio::sync::Semaphore::new(settings.password_checks.max(1))),
            pool: PasswordPool::new(settings.password_checks),
            phantoms: Mutex::new(HashMap::new()),
        }
    }
}

/// Hashes a password with argon2id (slow on purpose: call from a blocking thread).
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| EngineError::Internal(format!("hashing failed: {e}")))
}

/// The most memory a stored hash may ask a check to use (64 MiB of 1 KiB blocks): a hash with more
/// is not ours and is refused rather than allowed to take the server's memory.
const MAX_BLOCKS: usize = 64 * 1024;

thread_local! {
    /// Each password thread's argon2 working memory, allocated once and reused by every check
    /// (so a burst of sign-ins never allocates more than one block set per thread).
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Checks `password` against a PHC-format argon2 hash in this thread's reused working memory; the
/// comparison is constant-time.
fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(hash.algorithm) else {
        return false;
    };
    let version = match hash.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = argon2::Params::try_from(&hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    let hashed = BLOCKS.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            &mut memory[..blocks],
        )
    });
    hashed.is_ok() && password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

/// The hash verified when there is no account, so that a wrong tenant or e-mail costs the same.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2LkRmdjVkG0Kq6DLnBuWvQ4ZfRrQ2b2yPzuxzQe6Z2M";

pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn seconds_until(now: Timestamp, until: Timestamp) -> u64 {
    ((until - now).whole_seconds().max(1)) as u64
}

impl Engine {
    pub async fn tenant(&self, id: &TenantId) -> Result<Tenant> {
        self.inner
            .store
            .get_tenant(id)
            .await?
            .ok_or(EngineError::TenantNotFound)
    }

    /// Runs `f` on a password thread once one of the bounded password checks is free (waiting at
    /// most the configured time: then [`EngineError::Busy`]).
    async fn password_work<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let wait = self.inner.config.auth.password_wait;
        let checks = self.inner.sign_ins.checks.clone();
        let permit = tokio::time::timeout(wait, checks.acquire_owned())
            .await
            .map_err(|_| EngineError::Busy {
                retry_after_secs: wait.as_secs().max(1),
            })?
            .map_err(|e| EngineError::Internal(e.to_string()))?;
        self.inner.sign_ins.pool.run(f, permit).await
    }

    /// Hashes `password` off the async threads (within the bound on password work).
    pub async fn hash_password(&self, password: String) -> Result<String> {
        self.password_work(move || hash_password(&password)).await?
    }

    /// Signs an agent in; returns the session token (shown once) and the session. A locked account
    /// is refused before its password is checked ([`EngineError::TooManyAttempts`]).
    pub async fn login(&self, tenant: &str, email: &str, password: &str) -> Result<(String, AgentSession)> {
        let email_key = email.trim().to_lowercase();
        let tenant_key = tenant.trim().to_lowercase();
        let now = self.now();
        let tenant = match TenantId::parse(tenant.trim()) {
            Ok(id) => self.inner.store.get_tenant(&id).await?,
            Err(_) => None,
        };
        let found = match &tenant {
            Some(t) if email_key.len() <= 320 => self.inner.store.find_agent_by_email(&t.id, &email_key).await?,
            _ => None,
        };
        // Locked (a real account, or a phantom one failing as often): refuse without checking.
        let locked = match &found {
            Some(c) => c.locked_until.filter(|u| *u > now),
            None => self.phantom_lock(&tenant_key, &email_key, now),
        };
        if let Some(until) = locked {
            return Err(EngineError::TooManyAttempts {
                retry_after_secs: seconds_until(now, until),
            });
        }
        let hash = found
            .as_ref()
            .map_or_else(|| DUMMY_HASH.to_owned(), |c| c.password_hash.clone());
        let candidate = Password::for_sign_in(password).map(str::to_owned);
        let ok = match candidate {
            Some(p) => self.password_work(move || verify_password(&p, &hash)).await?,
            None => false,
        };
        match (found, tenant) {
            (Some(creds), Some(tenant)) if ok && creds.agent.active => {
                if creds.failed_logins > 0 || creds.locked_until.is_some() {
                    self.inner
                        .store
                        .clear_login_failures(&tenant.id, creds.agent.id)
                        .await?;
                }
                // Issued as of when the credentials were read: if the agent's sessions were ended
                // while the password was being checked, this one is refused too.
                let Some(token) = self.open_session_at(&tenant.id, &creds.agent, now).await? else {
                    tracing::warn!(tenant = %tenant.id, agent = %creds.agent.id, reason = "revoked meanwhile", "sign-in failed");
                    return Err(EngineError::InvalidCredentials);
                };
                tracing::info!(tenant = %tenant.id, agent = %creds.agent.id, "agent signed in");
                Ok((
                    token,
                    AgentSession {
                        agent: creds.agent,
                        tenant,
                        scopes: None,
                    },
                ))
            }
            (Some(creds), Some(tenant)) => {
                // Counted off the answer's path, so a real account's refusal takes as long as an
                // unknown one's (whose failures live in memory).
                let engine = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = engine.failed_sign_in(&tenant.id, &creds, ok).await {
                        tracing::error!(error = %e, "counting a failed sign-in failed");
                    }
                });
                Err(EngineError::InvalidCredentials)
            }
            _ => {
                self.phantom_failure(&tenant_key, &email_key, now);
                tracing::warn!(tenant = %tenant_key, reason = "no such account", "sign-in failed");
                Err(EngineError::InvalidCredentials)
            }
        }
    }

    /// Counts a failed sign-in of a real account and locks it when the failures pile up.
    async fn failed_sign_in(&self, tenant: &TenantId, creds: &AgentCredentials, password_ok: bool) -> Result<()> {
        let agent = creds.agent.id;
        if password_ok {
            // The right password of a deactivated account: refused like a wrong one, not counted.
            tracing::warn!(tenant = %tenant, agent = %agent, reason = "deactivated", "sign-in failed");
            return Ok(());
        }
        let failures = self.inner.store.note_login_failure(tenant, agent).await?;
        let lock = self.inner.config.auth.lockout.lock_for(failures);
        if let Some(secs) = lock {
            let until = self.now() + time::Duration::seconds(secs as i64);
            self.inner.store.set_login_lock(tenant, agent, Some(until)).await?;
        }
        tracing::warn!(
            tenant = %tenant, agent = %agent, failures, locked_secs = lock.unwrap_or(0),
            reason = "wrong password", "sign-in failed"
        );
        Ok(())
    }

    fn phantom_lock(&self, tenant: &str, email: &str, now: Timestamp) -> Option<Timestamp> {
        let map = self.inner.sign_ins.phantoms.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&(tenant.to_owned(), email.to_owned()))
            .and_then(|p| p.locked_until)
            .filter(|u| *u > now)
    }

    /// Remembers a failure of an account that does not exist, locking it as a real one would be.
    fn phantom_failure(&self, tenant: &str, email: &str, now: Timestamp) {
        let lockout = self.inner.config.auth.lockout;
        let mut map = self.inner.sign_ins.phantoms.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= PHANTOMS {
            // Forget what no lock depends on any more, then (still full) the oldest half.
            let horizon = now - time::Duration::seconds(lockout.max_secs as i64);
            map.retain(|_, p| p.last > horizon);
            if map.len() >= PHANTOMS {
                let mut times: Vec<Timestamp> = map.values().map(|p| p.last).collect();
                times.sort_unstable();
                let cut = times[times.len() / 2];
                map.retain(|_, p| p.last > cut);
            }
        }
        let entry = map.entry((tenant.to_owned(), email.to_owned())).or_insert(Phantom {
            failures: 0,
            locked_until: None,
            last: now,
        });
        entry.failures = entry.failures.saturating_add(1);
        entry.last = now;
        if let Some(secs) = lockout.lock_for(entry.failures) {
            entry.locked_until = Some(now + time::Duration::seconds(secs as i64));
        }
    }

    /// A new session for `agent`, issued as of `at`; returns its token, or `None` when the
    /// agent's sessions were ended after `at`.
    pub(crate) async fn open_session_at(
        &self,
        tenant: &TenantId,
        agent: &Agent,
        at: Timestamp,
    ) -> Result<Option<String>> {
        let token = random_token();
        let stored = self
            .inner
            .store
            .create_session(&SessionRecord {
                token_hash: sha256_hex(&token),
                tenant: tenant.clone(),
                agent: agent.id,
                created_at: at,
                expires_at: at + self.inner.config.auth.session_ttl,
                last_seen_at: self.now(),
            })
            .await?;
        Ok(stored.then_some(token))
    }

    /// The session a token belongs to, if it is valid: not expired, used recently enough, and its
    /// agent still active. Counts as a use (for the idle timeout).
    /// An API key (`bsk_…`) is accepted here too, as its admin within its scopes.
    pub async fn authenticate(&self, token: &str) -> Result<AgentSession> {
        if backstop_core::apikey::is_key(token) {
            return self.key_session(token).await;
        }
        self.check_session(token, true).await
    }

    /// [`Engine::authenticate`] without counting as a use: an open socket re-checking its session
    /// does not keep an unattended session alive.
    pub async fn session_valid(&self, token: &str) -> Result<AgentSession> {
        self.check_session(token, false).await
    }

    async fn check_session(&self, token: &str, touch: bool) -> Result<AgentSession> {
        if token.is_empty() || token.len() > 128 {
            return Err(EngineError::Unauthenticated);
        }
        let hash = sha256_hex(token);
        let store = &self.inner.store;
        let session = store.get_session(&hash).await?.ok_or(EngineError::Unauthenticated)?;
        let now = self.now();
        let idle = self.inner.config.auth.session_idle;
        if session.expires_at <= now || session.last_seen_at + idle <= now {
            store.delete_session(&hash).await?;
            return Err(EngineError::Unauthenticated);
        }
        let agent = store
            .get_agent(&session.tenant, session.agent)
            .await?
            .filter(|a| a.active)
            .ok_or(EngineError::Unauthenticated)?;
        if touch && now - session.last_seen_at >= TOUCH_EVERY {
            store.touch_session(&hash, now).await?;
        }
        let tenant = self.tenant(&session.tenant).await?;
        Ok(AgentSession {
            agent,
            tenant,
            scopes: None,
        })
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        Ok(self.inner.store.delete_session(&sha256_hex(token)).await?)
    }

    /// Ends every session of the agent and closes their live sockets; returns how many sessions
    /// there were.
    pub async fn sign_out_everywhere(&self, tenant: &TenantId, agent: backstop_core::ids::AgentId) -> Result<u64> {
        let n = self
            .inner
            .store
            .delete_agent_sessions(tenant, agent, self.now())
            .await?;
        self.inner.hub.publish_signed_out(tenant, agent);
        tracing::info!(tenant = %tenant, agent = %agent, sessions = n, "agent signed out everywhere");
        Ok(n)
    }

    /// The signed-in agent changes their own password: the current one must be right and the new
    /// one meet the policy. Every session ends; the agent gets a fresh one (its token returned).
    pub async fn change_password(&self, session: &AgentSession, current: &str, new: &str) -> Result<String> {
        let agent = &session.agent;
        let new =
            Password::parse(new, &[&agent.email, &agent.name]).map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        self.confirm_password(session, current).await?;
        self.set_password(&agent.tenant, agent.id, new).await?;
        self.open_session_at(&agent.tenant, agent, self.now())
            .await?
            .ok_or(EngineError::Unauthenticated)
    }

    /// The signed-in agent proves they know their password (to change it, or before an admin
    /// action that could outlive a stolen session). A wrong one counts as a failed sign-in, and a
    /// locked account is refused without checking — a session thief cannot guess here either.
    pub async fn confirm_password(&self, session: &AgentSession, password: &str) -> Result<()> {
        let agent = &session.agent;
        let creds = self
            .inner
            .store
            .find_agent_by_email(&agent.tenant, &agent.email)
            .await?
            .filter(|c| c.agent.id == agent.id)
            .ok_or(EngineError::Unauthenticated)?;
        let now = self.now();
        if let Some(until) = creds.locked_until.filter(|u| *u > now) {
            return Err(EngineError::TooManyAttempts {
                retry_after_secs: seconds_until(now, until),
            });
        }
        let candidate = Password::for_sign_in(password).unwrap_or_default().to_owned();
        let hash = creds.password_hash.clone();
        if !self.password_work(move || verify_password(&candidate, &hash)).await? {
            self.failed_sign_in(&agent.tenant, &creds, false).await?;
            return Err(EngineError::InvalidCredentials);
        }
        Ok(())
    }

    /// Stores a new password (already checked against the policy) and ends every session.
    pub(crate) async fn set_password(
        &self,
        tenant: &TenantId,
        agent: backstop_core::ids::AgentId,
        password: Password,
    ) -> Result<()> {
        let hash = self.hash_password(password.as_str().to_owned()).await?;
        self.inner.store.set_agent_password(tenant, agent, &hash).await?;
        self.sign_out_everywhere(tenant, agent).await?;
        tracing::info!(tenant = %tenant, agent = %agent, "password changed");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_in_reused_memory() {
        let hash = hash_password("plum-Orbit-94").unwrap();
        assert!(verify_password("plum-Orbit-94", &hash));
        assert!(!verify_password("plum-Orbit-95", &hash));
        assert!(verify_password("plum-Orbit-94", &hash), "again, in the same memory");
        assert!(!verify_password("anything", DUMMY_HASH));
        assert!(!verify_password("x", "not a hash"));
        // A stored hash asking for 1 GiB is refused, not computed.
        let greedy = hash.replace("m=19456", "m=1048576");
        assert!(!verify_password("plum-Orbit-94", &greedy));
    }
}
