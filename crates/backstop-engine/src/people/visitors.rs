//! Who is asking, for widget visitors: a random visitor token (only its SHA-256 is stored) tied to
//! a customer. A visitor is linked to a known customer only when the host site vouches for the
//! e-mail with an HMAC of the tenant's widget secret; an e-mail claimed without one is kept as
//! unverified contact information and never leads to anyone else's record. A new visitor's
//! conversation is only reserved (an id): it is created with their first message.

use backstop_core::directory::Customer;
use backstop_core::ids::{ConversationId, CustomerId, TenantId};
use backstop_core::message::{strip_hidden_controls, Lang};
use backstop_store::ConversationRecord;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::people::auth::{random_token, sha256_hex};
use crate::{Engine, EngineError, Result};

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
    /// The open conversation, or the one reserved for the visitor's first message.
    pub conversation: ConversationId,
    pub tenant_name: String,
    pub lang: Lang,
    /// The host site vouched for the visitor's e-mail.
    pub verified: bool,
}

/// A conversation a visitor may use: stored, or reserved and not yet written to.
#[derive(Clone, Debug)]
pub enum VisitorConversation {
    Stored(Box<ConversationRecord>),
    Reserved { id: ConversationId, customer: CustomerId },
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

/// One line of claimed contact text: hidden controls out, trimmed, at most `max` characters.
fn contact(raw: &Option<String>, max: usize) -> Option<String> {
    let s = strip_hidden_controls(raw.as_deref()?);
    let s: String = s
        .trim()
        .chars()
        .filter(|c| *c != '\n' && *c != '\t')
        .take(max)
        .collect();
    (!s.is_empty()).then_some(s)
}

impl Engine {
    /// Starts or resumes a widget visitor's session. A verified e-mail resolves only to a customer
    /// whose e-mail is verified (created if there is none); the visitor's token is then theirs.
    pub async fn widget_session(&self, tenant: &TenantId, req: WidgetSessionRequest) -> Result<WidgetSession> {
        let store = &self.inner.store;
        let t = self.tenant(tenant).await?;
        let verified_email = match (&req.email, &req.user_hash) {
            (Some(e), Some(h)) if user_hash_ok(&t.widget_secret, e, h) => Some(e.trim().to_lowercase()),
            _ => None,
        };
        let by_token = match &req.token {
            Some(tok) if !tok.is_empty() && tok.len() <= 128 => store
                .find_visitor(tenant, &sha256_hex(tok))
                .await?
                .map(|v| (tok.clone(), v.customer)),
            _ => None,
        };
        let (token, customer) = match (&verified_email, by_token) {
            (Some(email), by_token) => {
                let customer = match store.find_verified_customer(tenant, email).await? {
                    Some(k) => k.id,
                    None => self.new_customer(tenant, &req, Some(email.clone())).await?,
                };
                let token = match by_token {
                    Some((tok, cid)) if cid == customer => tok,
                    // A token of someone else (or of this browser before signing in): a new one,
                    // so that nobody holding the old token follows the verified customer.
                    _ => {
                        let tok = random_token();
                        store.link_visitor(tenant, &sha256_hex(&tok), customer).await?;
                        tok
                    }
                };
                (token, customer)
            }
            (None, Some((tok, cid))) => {
                // A verified customer's token without the host site's signature (the shopper
                // signed out, or someone else is at this browser): a new, anonymous visitor.
                let verified = store.get_customer(tenant, cid).await?.is_some_and(|c| c.email_verified);
                if verified {
                    let customer = self.new_customer(tenant, &req, None).await?;
                    let tok = random_token();
                    store.link_visitor(tenant, &sha256_hex(&tok), customer).await?;
                    (tok, customer)
                } else {
                    (tok, cid)
                }
            }
            (None, None) => {
                let customer = self.new_customer(tenant, &req, None).await?;
                let tok = random_token();
                store.link_visitor(tenant, &sha256_hex(&tok), customer).await?;
                (tok, customer)
            }
        };
        let conv = match store.latest_open_conversation(tenant, customer).await? {
            Some(c) => c.id,
            None => self.reserved_conversation(tenant, &token).await?,
        };
        let open = store.get_conversation(tenant, conv).await?;
        Ok(WidgetSession {
            token,
            customer,
            conversation: conv,
            tenant_name: t.name,
            lang: open.map_or(req.lang.unwrap_or(Lang::En), |c| c.lang),
            verified: verified_email.is_some(),
        })
    }

    /// The conversation id reserved for the visitor (reserving one if there is none, or if the
    /// reserved one has been used and closed since).
    async fn reserved_conversation(&self, tenant: &TenantId, token: &str) -> Result<ConversationId> {
        let store = &self.inner.store;
        let hash = sha256_hex(token);
        let visitor = store
            .find_visitor(tenant, &hash)
            .await?
            .ok_or(EngineError::Unauthenticated)?;
        if let Some(id) = visitor.pending_conversation {
            if store.get_conversation(tenant, id).await?.is_none() {
                return Ok(id);
            }
        }
        let id = ConversationId::new_at(self.now());
        store.reserve_visitor_conversation(tenant, &hash, id).await?;
        Ok(id)
    }

    async fn new_customer(
        &self,
        tenant: &TenantId,
        req: &WidgetSessionRequest,
        verified: Option<String>,
    ) -> Result<CustomerId> {
        let claimed = contact(&req.email, 200).filter(|e| e.contains('@'));
        let c = Customer {
            id: CustomerId::new_at(self.now()),
            tenant: tenant.clone(),
            name: contact(&req.name, 100),
            email_verified: verified.is_some(),
            email: verified.or(claimed),
            tags: vec![],
            lang: req.lang,
        };
        self.inner.store.upsert_customer(&c).await?;
        Ok(c.id)
    }

    /// Checks that the visitor token belongs to the customer of `conv` (stored, or reserved for
    /// this visitor); otherwise the conversation does not exist as far as this visitor is concerned.
    pub async fn visitor_conversation(
        &self,
        tenant: &TenantId,
        token: &str,
        conv: ConversationId,
    ) -> Result<VisitorConversation> {
        self.tenant(tenant).await?;
        if token.is_empty() || token.len() > 128 {
            return Err(EngineError::Unauthenticated);
        }
        let visitor = self
            .inner
            .store
            .find_visitor(tenant, &sha256_hex(token))
            .await?
            .ok_or(EngineError::Unauthenticated)?;
        match self.inner.store.get_conversation(tenant, conv).await? {
            Some(c) if c.customer == visitor.customer => Ok(VisitorConversation::Stored(Box::new(c))),
            Some(_) => Err(EngineError::ConversationNotFound),
            None if visitor.pending_conversation == Some(conv) => Ok(VisitorConversation::Reserved {
                id: conv,
                customer: visitor.customer,
            }),
            None => Err(EngineError::ConversationNotFound),
        }
    }

    /// [`Engine::visitor_conversation`] for a visitor about to write: a reserved conversation is
    /// created now (in the customer's language).
    pub async fn authorize_visitor(
        &self,
        tenant: &TenantId,
        token: &str,
        conv: ConversationId,
        page: Option<&str>,
    ) -> Result<ConversationRecord> {
        let found = self.visitor_conversation(tenant, token, conv).await?;
        self.open_visitor_conversation(tenant, found, page).await
    }

    /// The conversation a visitor's check found, ready to write to: a reserved one is created now
    /// (in the customer's language, remembering the page the visitor is on for the automation
    /// rules); a stored one is returned as it was read.
    pub async fn open_visitor_conversation(
        &self,
        tenant: &TenantId,
        found: VisitorConversation,
        page: Option<&str>,
    ) -> Result<ConversationRecord> {
        match found {
            VisitorConversation::Stored(c) => Ok(*c),
            VisitorConversation::Reserved { id, customer } => {
                let store = &self.inner.store;
                let lang = store
                    .get_customer(tenant, customer)
                    .await?
                    .and_then(|c| c.lang)
                    .unwrap_or(Lang::En);
                let at = self.now();
                let mut c = ConversationRecord::new(id, tenant.clone(), customer, lang, at);
                c.policy_state.automation.page = page.and_then(backstop_core::automation::page_path);
                match store.create_conversation(&c).await {
                    Ok(()) => Ok(c),
                    // Two first messages at once: the other one created it.
                    Err(backstop_store::StoreError::Conflict(_)) => self.conversation(tenant, id).await,
                    Err(e) => Err(e.into()),
                }
            }
        }
    }
}
