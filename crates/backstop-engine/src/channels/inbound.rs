//! What a provider posts to a connection's webhook: verified with the connection's own secret
//! (Meta's `X-Hub-Signature-256` with the app secret, Telegram's secret-token header) before a
//! byte is read, then each customer message stored once — the provider's message id, hashed with
//! the connection's id, is its client id, so a redelivery finds the stored copy and triggers
//! nothing — in the order the batch holds them.

use std::sync::OnceLock;

use backstop_channels::{self as wire, Event, InboundError};
use backstop_core::channel::Channel;
use backstop_core::directory::Customer;
use backstop_core::ids::{ConnectionId, ConversationId, CustomerId, TenantId};
use backstop_core::message::{Lang, MAX_BODY_CHARS};
use backstop_store::{ConnectionRecord, ConversationRecord, Reach};

use crate::people::auth::sha256_hex;
use crate::{Engine, EngineError, Result};

/// What one webhook call brought.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// Customer messages stored now.
    pub messages: usize,
    /// Customer messages stored before (a redelivery).
    pub duplicates: usize,
    /// Delivery and read statuses.
    pub statuses: usize,
    /// Items passed over (reactions, echoes, edits, other accounts' entries …).
    pub ignored: usize,
}

/// The headers a webhook is verified by.
#[derive(Clone, Copy, Debug, Default)]
pub struct WebhookAuth<'a> {
    /// `X-Hub-Signature-256` (Meta).
    pub hub_signature: Option<&'a str>,
    /// `X-Telegram-Bot-Api-Secret-Token`.
    pub telegram_secret: Option<&'a str>,
}

/// Serialises the first message of a new contact against a second one arriving at the same
/// moment, so both land in one conversation (striped by connection and contact, this node).
fn contact_lock(conn: ConnectionId, contact: &str) -> &'static tokio::sync::Mutex<()> {
    static LOCKS: OnceLock<Vec<tokio::sync::Mutex<()>>> = OnceLock::new();
    let locks = LOCKS.get_or_init(|| (0..64).map(|_| tokio::sync::Mutex::new(())).collect());
    let h = sha256_hex(&format!("{conn}:{contact}"));
    let n = usize::from_str_radix(&h[..4], 16).unwrap_or(0) % locks.len();
    &locks[n]
}

impl Engine {
    /// Meta's subscription check on a connection's webhook: the challenge to echo when the
    /// verify token is the connection's.
    pub async fn channel_challenge(
        &self,
        tenant: &TenantId,
        id: ConnectionId,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&str>,
    ) -> Result<String> {
        let (_, secrets) = self.webhook_connection(tenant, id).await?;
        let verify = secrets.get("verify_token").map_or("", String::as_str);
        wire::meta::challenge(mode, token, challenge, verify)
            .map(str::to_owned)
            .ok_or(EngineError::Unauthenticated)
    }

    /// One webhook call: verified, read, and each customer message stored once and its turn
    /// scheduled. A bad or missing signature stores nothing.
    pub async fn channel_webhook(
        &self,
        tenant: &TenantId,
        id: ConnectionId,
        auth: WebhookAuth<'_>,
        body: &[u8],
    ) -> Result<Received> {
        let (conn, secrets) = self.webhook_connection(tenant, id).await?;
        let secret = |name: &str| secrets.get(name).map_or("", String::as_str);
        let refused = |e: InboundError| match e {
            InboundError::Malformed(m) => EngineError::InvalidInput(format!("not a webhook of this channel: {m}")),
            _ => EngineError::Unauthenticated,
        };
        let parsed = match conn.channel {
            Channel::WhatsApp | Channel::Messenger | Channel::Instagram => {
                let app_secret = secret("app_secret");
                if app_secret.is_empty() {
                    return Err(EngineError::Unauthenticated);
                }
                wire::meta::verify_signature(app_secret.as_bytes(), auth.hub_signature, body).map_err(refused)?;
                match conn.channel {
                    Channel::WhatsApp => wire::whatsapp::parse(body),
                    Channel::Messenger => wire::messenger::parse(wire::messenger::Product::Messenger, body),
                    _ => wire::messenger::parse(wire::messenger::Product::Instagram, body),
                }
            }
            Channel::Telegram => {
                wire::telegram::verify_secret(secret("webhook_secret"), auth.telegram_secret).map_err(refused)?;
                wire::telegram::parse(&conn.account, body)
            }
            Channel::Web | Channel::Email | Channel::Api => return Err(EngineError::NotFound("connection")),
        }
        .map_err(refused)?;
        if !conn.enabled {
            // Refused, not dropped: the provider delivers again once the connection is back on.
            return Err(EngineError::Forbidden("this channel connection is turned off"));
        }
        let mut got = Received {
            ignored: parsed.ignored,
            ..Received::default()
        };
        for item in parsed.events {
            if item.account != conn.account {
                // An entry for another account of the same app: that connection's webhook takes it.
                got.ignored += 1;
                continue;
            }
            match item.event {
                Event::Message(m) => {
                    if self.receive(&conn, m).await? {
                        got.duplicates += 1;
                    } else {
                        got.messages += 1;
                    }
                }
                Event::Status(_) => got.statuses += 1,
            }
        }
        tracing::debug!(%tenant, connection = %id, messages = got.messages, duplicates = got.duplicates, "channel webhook");
        Ok(got)
    }

    async fn webhook_connection(
        &self,
        tenant: &TenantId,
        id: ConnectionId,
    ) -> Result<(ConnectionRecord, backstop_store::Secrets)> {
        let store = &self.inner.store;
        let conn = store
            .get_connection(tenant, id)
            .await?
            .ok_or(EngineError::NotFound("connection"))?;
        let secrets = store.connection_secrets(tenant, id).await?.unwrap_or_default();
        Ok((conn, secrets))
    }

    /// Stores one customer message; true when it had been stored before.
    async fn receive(&self, conn: &ConnectionRecord, m: wire::Message) -> Result<bool> {
        let store = &self.inner.store;
        let body = message_text(&m);
        if body.is_empty() {
            return Ok(false);
        }
        let _contact = contact_lock(conn.id, &m.from.id).lock().await;
        let now = self.now();
        let lang = m.from.locale.as_deref().and_then(Lang::parse);
        let newcomer = Customer {
            id: CustomerId::new_at(now),
            tenant: conn.tenant.clone(),
            name: m.from.name.clone(),
            email: None,
            email_verified: false,
            tags: Vec::new(),
            lang,
        };
        let (identity, _) = store
            .resolve_identity(
                &conn.tenant,
                conn.channel,
                &m.from.id,
                m.from.name.as_deref(),
                &newcomer,
                now,
            )
            .await?;
        let lang = lang.unwrap_or_else(|| backstop_nlp::lang::detect(&body));
        let conv = self
            .channel_conversation(conn, identity.customer, &m.from.address, lang)
            .await?;
        let key = sha256_hex(&format!("{}:{}", conn.id, m.external_id));
        let appended = self
            .ingest_into(&conv, Some(&format!("ch-{}", &key[..40])), &body)
            .await?;
        Ok(appended.duplicate)
    }

    /// The customer's open conversation on this connection, or a new one.
    async fn channel_conversation(
        &self,
        conn: &ConnectionRecord,
        customer: CustomerId,
        address: &str,
        lang: Lang,
    ) -> Result<ConversationRecord> {
        let store = &self.inner.store;
        if let Some(open) = store.latest_open_conversation(&conn.tenant, customer).await? {
            if open.reach.as_ref().is_some_and(|r| r.connection == conn.id) {
                return Ok(open);
            }
        }
        let now = self.now();
        let mut c = ConversationRecord::new(ConversationId::new_at(now), conn.tenant.clone(), customer, lang, now);
        c.channel = conn.channel;
        c.reach = Some(Reach {
            connection: conn.id,
            address: address.to_owned(),
        });
        store.create_conversation(&c).await?;
        tracing::info!(tenant = %conn.tenant, conversation = %c.id, channel = %conn.channel, "conversation opened on a channel");
        Ok(c)
    }
}

/// The message as Backstop stores it: its text, then a line per attachment (until files are
/// kept, a person sees that one was sent and its name).
fn message_text(m: &wire::Message) -> String {
    let mut lines: Vec<String> = Vec::new();
    if !m.text.trim().is_empty() {
        lines.push(m.text.trim().to_owned());
    }
    for a in &m.attachments {
        let kind = match a.kind {
            wire::AttachmentKind::Image => "image",
            wire::AttachmentKind::Video => "video",
            wire::AttachmentKind::Audio => "audio",
            wire::AttachmentKind::File => "file",
            wire::AttachmentKind::Sticker => "sticker",
        };
        lines.push(match &a.filename {
            Some(name) => format!("[{kind}: {name}]"),
            None => format!("[{kind}]"),
        });
    }
    let text = lines.join("\n");
    match text.char_indices().nth(MAX_BODY_CHARS) {
        Some((cut, _)) => text[..cut].to_owned(),
        None => text,
    }
}
