//! Who is asking: agents sign in with an e-mail and password (argon2id hashes, verified on a
//! blocking thread) and get a random session token, of which only a SHA-256 is stored. Widget
//! visitors get a random visitor token; a visitor is linked to a known customer only when the host
//! site vouches for the e-mail with an HMAC of the tenant's widget secret.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use backstop_core::directory::{Agent, Customer, Tenant};
use backstop_core::ids::{ConversationId, CustomerId, TenantId};
use backstop_core::message::Lang;
use backstop_store::{ConversationRecord, SessionRecord};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Engine, EngineError, Result};

/// A signed-in agent.
#[derive(Clone, Debug)]
pub struct AgentSession {
    pub agent: Agent,
    pub tenant: Tenant,
}

/// What the widget asks for when it starts.
#[derive(Clone, Debug, Default)]
pub struct WidgetSessionRequest {
    pub token: Option<String>,
    pub lang: Option<Lang>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub user_hash: Option<String>,
}

#[derive(Clone, Debug)]
pub struct WidgetSession {
    pub token: String,
    pub customer: CustomerId,
    pub conversation: ConversationId,
    pub tenant_name: String,
    pub lang: Lang,
}

/// Hashes a password with argon2id (slow on purpose: call from a blocking thread).
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| EngineError::Internal(format!("hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The value a host site puts in `data-user-hash` for `email`.
pub fn user_hash(widget_secret: &str, email: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(widget_secret.as_bytes()).expect("hmac accepts any key length");
    mac.update(email.trim().to_lowercase().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn user_hash_ok(widget_secret: &str, email: &str, given: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(widget_secret.as_bytes()).expect("hmac accepts any key length");
    mac.update(email.trim().to_lowercase().as_bytes());
    hex::decode(given.trim()).is_ok_and(|g| mac.verify_slice(&g).is_ok())
}

impl Engine {
    pub async fn tenant(&self, id: &TenantId) -> Result<Tenant> {
        self.inner
            .store
            .get_tenant(id)
            .await?
            .ok_or(EngineError::TenantNotFound)
    }

    /// Hashes `password` off the async threads.
    pub async fn hash_password(&self, password: String) -> Result<String> {
        tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))?
    }

    /// Signs an agent in; returns the session token (shown once) and the session.
    pub async fn login(&self, tenant: &TenantId, email: &str, password: &str) -> Result<(String, AgentSession)> {
        let tenant = self
            .inner
            .store
            .get_tenant(tenant)
            .await?
            .ok_or(EngineError::InvalidCredentials)?;
        let found = self.inner.store.find_agent_by_email(&tenant.id, email).await?;
        // Verify against a dummy hash when the agent is unknown, so timing does not reveal accounts.
        const DUMMY: &str =
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2LkRmdjVkG0Kq6DLnBuWvQ4ZfRrQ2b2yPzuxzQe6Z2M";
        let hash = found.as_ref().map_or(DUMMY.to_string(), |(_, h)| h.clone());
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))?;
        let agent = match found {
            Some((agent, _)) if ok => agent,
            _ => return Err(EngineError::InvalidCredentials),
        };
        let token = random_token();
        let at = self.now();
        self.inner
            .store
            .create_session(&SessionRecord {
                token_hash: sha256_hex(&token),
                tenant: tenant.id.clone(),
                agent: agent.id,
                created_at: at,
                expires_at: at + self.inner.config.session_ttl,
            })
            .await?;
        tracing::info!(tenant = %tenant.id, agent = %agent.id, "agent signed in");
        Ok((token, AgentSession { agent, tenant }))
    }

    /// The session a token belongs to, if it is valid and not expired.
    pub async fn authenticate(&self, token: &str) -> Result<AgentSession> {
        let hash = sha256_hex(token);
        let session = self
            .inner
            .store
            .get_session(&hash)
            .await?
            .ok_or(EngineError::Unauthenticated)?;
        if session.expires_at <= self.now() {
            self.inner.store.delete_session(&hash).await?;
            return Err(EngineError::Unauthenticated);
        }
        let agent = self
            .inner
            .store
            .get_agent(&session.tenant, session.agent)
            .await?
            .ok_or(EngineError::Unauthenticated)?;
        let tenant = self.tenant(&session.tenant).await?;
        Ok(AgentSession { agent, tenant })
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        Ok(self.inner.store.delete_session(&sha256_hex(token)).await?)
    }

    /// Starts or resumes a widget visitor's session and returns their open conversation.
    pub async fn widget_session(&self, tenant: &TenantId, req: WidgetSessionRequest) -> Result<WidgetSession> {
        let store = &self.inner.store;
        let t = self.tenant(tenant).await?;
        let verified_email = match (&req.email, &req.user_hash) {
            (Some(e), Some(h)) if user_hash_ok(&t.widget_secret, e, h) => Some(e.trim().to_lowercase()),
            _ => None,
        };
        let known = match &verified_email {
            Some(e) => store.find_customer_by_email(tenant, e).await?,
            None => None,
        };
        let by_token = match &req.token {
            Some(tok) if !tok.is_empty() && tok.len() <= 128 => store
                .find_visitor(tenant, &sha256_hex(tok))
                .await?
                .map(|c| (tok.clone(), c)),
            _ => None,
        };
        let (token, customer) = match (by_token, known) {
            (Some((tok, cid)), Some(k)) if cid != k.id => {
                store.link_visitor(tenant, &sha256_hex(&tok), k.id).await?;
                (tok, k.id)
            }
            (Some((tok, cid)), _) => (tok, cid),
            (None, known) => {
                let tok = random_token();
                let cid = match known {
                    Some(k) => k.id,
                    None => {
                        let c = Customer {
                            id: CustomerId::new_at(self.now()),
                            tenant: tenant.clone(),
                            name: req
                                .name
                                .clone()
                                .filter(|n| !n.trim().is_empty())
                                .map(|n| n.trim().chars().take(100).collect()),
                            email: req
                                .email
                                .clone()
                                .filter(|e| e.contains('@'))
                                .map(|e| e.trim().chars().take(200).collect()),
                            tags: vec![],
                            lang: req.lang,
                        };
                        store.upsert_customer(&c).await?;
                        c.id
                    }
                };
                store.link_visitor(tenant, &sha256_hex(&tok), cid).await?;
                (tok, cid)
            }
        };
        let lang = req.lang.unwrap_or(Lang::En);
        let conv = match store.latest_open_conversation(tenant, customer).await? {
            Some(c) => c,
            None => {
                let at = self.now();
                let c = ConversationRecord::new(ConversationId::new_at(at), tenant.clone(), customer, lang, at);
                store.create_conversation(&c).await?;
                c
            }
        };
        Ok(WidgetSession {
            token,
            customer,
            conversation: conv.id,
            tenant_name: t.name,
            lang: conv.lang,
        })
    }

    /// Checks that the visitor token belongs to the customer of `conv`; otherwise the
    /// conversation does not exist as far as this visitor is concerned.
    pub async fn authorize_visitor(
        &self,
        tenant: &TenantId,
        token: &str,
        conv: ConversationId,
    ) -> Result<ConversationRecord> {
        self.tenant(tenant).await?;
        let customer = self
            .inner
            .store
            .find_visitor(tenant, &sha256_hex(token))
            .await?
            .ok_or(EngineError::Unauthenticated)?;
        let c = self.conversation(tenant, conv).await?;
        if c.customer != customer {
            return Err(EngineError::ConversationNotFound);
        }
        Ok(c)
    }
}
