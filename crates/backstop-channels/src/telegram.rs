//! A Telegram bot: its webhook (the `X-Telegram-Bot-Api-Secret-Token` header set with
//! `setWebhook`, an `Update` per request) and `sendMessage` (`parse_mode: HTML`).
//!
//! Taken: a private chat's new message — text, or a photo (its largest size), document, video,
//! audio, voice note or sticker with its caption — and the message it replies to. Passed over:
//! edits, group and channel chats, bots, and every other kind of update. A message's id is
//! unique only within its chat, so Backstop's id for it is `{chat}:{message}`.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
    same_bytes, unix_seconds, Attachment, AttachmentKind, Contact, Event, Inbound, InboundError, MediaSource, Message,
    Parsed, SendFailure,
};

/// The header Telegram sends the webhook's secret token in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Checks the secret-token header (Telegram does not sign the body).
pub fn verify_secret(configured: &str, header: Option<&str>) -> Result<(), InboundError> {
    let header = header.filter(|h| !h.is_empty()).ok_or(InboundError::MissingSignature)?;
    if !configured.is_empty() && same_bytes(header.as_bytes(), configured.as_bytes()) {
        Ok(())
    } else {
        Err(InboundError::BadSignature)
    }
}

#[derive(Deserialize)]
struct Update {
    /// Every update has one (the dedupe is by the message's own id).
    #[serde(rename = "update_id")]
    _update_id: i64,
    #[serde(default)]
    message: Option<TgMessage>,
}

#[derive(Deserialize)]
struct TgMessage {
    message_id: i64,
    #[serde(default)]
    from: Option<User>,
    chat: Chat,
    date: i64,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    photo: Vec<File>,
    #[serde(default)]
    document: Option<File>,
    #[serde(default)]
    video: Option<File>,
    #[serde(default)]
    audio: Option<File>,
    #[serde(default)]
    voice: Option<File>,
    #[serde(default)]
    sticker: Option<File>,
    #[serde(default)]
    reply_to_message: Option<Box<Reply>>,
}

#[derive(Deserialize)]
struct Reply {
    message_id: i64,
}

#[derive(Deserialize)]
struct User {
    id: i64,
    #[serde(default)]
    is_bot: bool,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    language_code: Option<String>,
}

#[derive(Deserialize)]
struct Chat {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct File {
    file_id: String,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    file_size: Option<u64>,
    #[serde(default)]
    width: u64,
    #[serde(default)]
    height: u64,
}

/// Reads one update (already secret-checked) for the bot `account`.
pub fn parse(account: &str, body: &[u8]) -> Result<Parsed, InboundError> {
    let update: Update = serde_json::from_slice(body).map_err(|e| InboundError::Malformed(e.to_string()))?;
    let mut parsed = Parsed::default();
    match update.message.and_then(message) {
        Some(m) => parsed.events.push(Inbound {
            account: account.to_owned(),
            event: Event::Message(m),
        }),
        None => parsed.ignored = 1,
    }
    Ok(parsed)
}

fn message(m: TgMessage) -> Option<Message> {
    let from = m.from.filter(|u| !u.is_bot)?;
    if m.chat.kind != "private" {
        return None;
    }
    let mut attachments = Vec::new();
    let largest = m.photo.into_iter().max_by_key(|p| p.width * p.height);
    for (kind, file) in [
        (AttachmentKind::Image, largest),
        (AttachmentKind::File, m.document),
        (AttachmentKind::Video, m.video),
        (AttachmentKind::Audio, m.audio),
        (AttachmentKind::Audio, m.voice),
        (AttachmentKind::Sticker, m.sticker),
    ] {
        if let Some(f) = file {
            attachments.push(Attachment {
                kind,
                source: MediaSource::Id(f.file_id),
                mime_type: f.mime_type,
                filename: f.file_name,
                size: f.file_size,
            });
        }
    }
    let text = m.text.or(m.caption).unwrap_or_default();
    if text.trim().is_empty() && attachments.is_empty() {
        return None;
    }
    let chat = m.chat.id;
    let name = match from.last_name {
        Some(last) if !last.is_empty() => format!("{} {last}", from.first_name),
        _ => from.first_name,
    };
    Some(Message {
        external_id: format!("{chat}:{}", m.message_id),
        from: Contact {
            id: from.id.to_string(),
            address: chat.to_string(),
            name: (!name.trim().is_empty()).then_some(name),
            locale: from.language_code,
        },
        sent_at: unix_seconds(m.date),
        text,
        attachments,
        reply_to: m.reply_to_message.map(|r| format!("{chat}:{}", r.message_id)),
    })
}

/// The `sendMessage` body: `html` already written for `parse_mode: HTML`, quoting `reply_to`
/// (Backstop's `{chat}:{message}` id) if given.
pub fn send_body(chat: &str, html: &str, reply_to: Option<&str>) -> Value {
    let mut body = json!({"chat_id": chat, "text": html, "parse_mode": "HTML"});
    let quoted = reply_to
        .and_then(|id| id.rsplit_once(':'))
        .and_then(|(_, m)| m.parse::<i64>().ok());
    if let Some(message_id) = quoted {
        body["reply_parameters"] = json!({"message_id": message_id, "allow_sending_without_reply": true});
    }
    body
}

/// Backstop's id of the message Telegram accepted (`{"ok": true, "result": Message}`).
pub fn sent_id(answer: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(answer).ok()?;
    let result = &v["result"];
    Some(format!(
        "{}:{}",
        result["chat"]["id"].as_i64()?,
        result["message_id"].as_i64()?
    ))
}

/// Reads a Bot API error (`{"ok": false, "error_code", "description", "parameters"}`).
pub fn classify(status: u16, body: &[u8]) -> SendFailure {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = v["error_code"].as_i64().unwrap_or(i64::from(status));
    let message = v["description"].as_str().unwrap_or_default().to_owned();
    let retry_after = v["parameters"]["retry_after"].as_u64().map(Duration::from_secs);
    match code {
        429 => SendFailure::RateLimited { retry_after },
        // "bot was blocked by the user", "user is deactivated".
        403 => SendFailure::Unreachable { code, message },
        401 | 404 => SendFailure::Unauthorized { code, message },
        c if c >= 500 => SendFailure::Transient { code, message },
        _ if v.is_null() => crate::meta::by_status(status, body, retry_after),
        _ => SendFailure::Rejected { code, message },
    }
}

#[cfg(test)]
#[path = "telegram_tests.rs"]
mod tests;
