//! The channel layer's wire work, with no I/O: what the messaging providers post to Backstop,
//! verified and read into one shape, the bodies Backstop sends back, and what their errors mean.
//!
//! Layout:
//! - [`meta`]: what WhatsApp, Messenger and Instagram share — the verify-token challenge, the
//!   `X-Hub-Signature-256` check over the raw body, the Graph API's error envelope read into a
//!   [`SendFailure`].
//! - [`whatsapp`]: the WhatsApp Cloud API's webhook (messages, statuses) and its send bodies
//!   (text, a reply to a message, a template).
//! - [`messenger`]: the Messenger Platform's and Instagram Messaging's webhook (messages,
//!   delivery and read watermarks; echoes and reactions ignored) and the Send API's bodies
//!   (with the human-agent tag).
//! - [`telegram`]: a bot's webhook (the secret-token header, `Update`s) and `sendMessage`.
//! - [`signing`]: the signature on Backstop's own outbound webhooks (the Standard Webhooks
//!   scheme: an id, a timestamp and an HMAC-SHA256 over both and the body).
//! - [`backoff`]: when to try a failed delivery again.
//!
//! Every reader takes the raw bytes the provider sent and returns [`Inbound`] events; nothing here
//! stores, sends or reads a clock (times come in as arguments), so the engine decides what a
//! redelivered id, a burst or a closed window means.

pub mod backoff;
pub mod messenger;
pub mod meta;
pub mod signing;
pub mod telegram;
pub mod whatsapp;

use std::time::Duration;

use backstop_core::Timestamp;

/// One thing a provider told Backstop, for one business account (a WhatsApp phone number id, a
/// Page or Instagram account id, a bot).
#[derive(Clone, Debug, PartialEq)]
pub struct Inbound {
    /// The business account the event was for (routes it to the tenant's connection).
    pub account: String,
    pub event: Event,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Message(Message),
    Status(Status),
}

/// A customer's message.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// The provider's id of the message: the idempotency key (a redelivery carries it again).
    pub external_id: String,
    pub from: Contact,
    /// When the customer sent it, by the provider's clock.
    pub sent_at: Timestamp,
    /// The text, or an attachment's caption; empty when the message is only attachments.
    pub text: String,
    pub attachments: Vec<Attachment>,
    /// The provider's id of the message this one replies to (quotes), if any.
    pub reply_to: Option<String>,
}

/// Who wrote, as the channel knows them. An identity on one channel only: linking it to a
/// customer of another channel takes a verification, never this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// The channel's id for the customer: a WhatsApp id (phone digits), a page- or
    /// Instagram-scoped id, a Telegram user id.
    pub id: String,
    /// Where to answer, when it differs from `id` (a Telegram chat).
    pub address: String,
    /// The name the customer shows on the channel, not verified.
    pub name: Option<String>,
    /// The customer's language as the channel reports it (an IETF tag), if it does.
    pub locale: Option<String>,
}

/// A file the customer sent, as the provider names it; the engine downloads and stores it (with
/// its type and size limits) before anyone reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub kind: AttachmentKind,
    pub source: MediaSource,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    /// In bytes, when the provider says.
    pub size: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachmentKind {
    Image,
    Video,
    Audio,
    File,
    Sticker,
}

/// Where an attachment's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaSource {
    /// An id the provider resolves to a short-lived download address (WhatsApp media, Telegram
    /// `file_id`).
    Id(String),
    /// A download address as given (Messenger, Instagram).
    Url(String),
}

/// What happened to a message Backstop sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub target: StatusTarget,
    pub state: Delivery,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StatusTarget {
    /// One sent message, by the provider's id for it.
    Message(String),
    /// Every message sent to this contact up to the time (Messenger's watermarks).
    UpTo { contact: String, at: Timestamp },
}

/// A sent message's state; a later state never goes back to an earlier one (`read` may arrive
/// without `delivered`, and before it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Delivery {
    Sent,
    Delivered,
    Read,
    Failed { code: i64, reason: String },
}

/// A reader's result: the events, and how many items it passed over on purpose (reactions,
/// echoes of Backstop's own messages, edits, group chats, types Backstop does not take).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub events: Vec<Inbound>,
    pub ignored: usize,
}

/// Why an inbound request is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InboundError {
    #[error("the request carries no signature")]
    MissingSignature,
    #[error("the request's signature does not match its body")]
    BadSignature,
    #[error("the body is not a webhook payload this channel sends: {0}")]
    Malformed(String),
}

/// Why a provider refused to send, read from its error answer — what to do next follows from
/// the kind, never from the words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendFailure {
    /// The reply window is closed: send a template (WhatsApp), a person's tagged message
    /// (Messenger, Instagram), or move the conversation to another channel. Never retried as is.
    WindowClosed { code: i64, message: String },
    /// Too many messages: try again after the time given, or back off.
    RateLimited { retry_after: Option<Duration> },
    /// The customer cannot be reached on this channel (blocked the business, not a WhatsApp
    /// number, account gone). Not retried.
    Unreachable { code: i64, message: String },
    /// The business's credentials are refused: an admin must reconnect the channel.
    Unauthorized { code: i64, message: String },
    /// The provider refused the request itself; retrying the same request cannot help.
    Rejected { code: i64, message: String },
    /// A fault on the provider's side or the network: try again later.
    Transient { code: i64, message: String },
}

impl SendFailure {
    /// Whether sending the same request again later may succeed.
    pub fn retryable(&self) -> bool {
        matches!(self, SendFailure::RateLimited { .. } | SendFailure::Transient { .. })
    }
}

impl std::fmt::Display for SendFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendFailure::WindowClosed { code, message } => {
                write!(f, "reply window closed ({code}): {message}")
            }
            SendFailure::RateLimited { retry_after: Some(d) } => {
                write!(f, "rate limited; retry after {} s", d.as_secs())
            }
            SendFailure::RateLimited { retry_after: None } => write!(f, "rate limited"),
            SendFailure::Unreachable { code, message } => {
                write!(f, "customer unreachable ({code}): {message}")
            }
            SendFailure::Unauthorized { code, message } => {
                write!(f, "credentials refused ({code}): {message}")
            }
            SendFailure::Rejected { code, message } => write!(f, "refused ({code}): {message}"),
            SendFailure::Transient { code, message } => {
                write!(f, "provider error ({code}): {message}")
            }
        }
    }
}

/// Constant-time equality of two byte strings (their lengths are not secret).
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A Unix time in seconds as a timestamp; out of range reads as the epoch.
pub(crate) fn unix_seconds(secs: i64) -> Timestamp {
    Timestamp::from_unix_timestamp(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A Unix time in milliseconds as a timestamp; out of range reads as the epoch.
pub(crate) fn unix_millis(ms: i64) -> Timestamp {
    Timestamp::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
}
