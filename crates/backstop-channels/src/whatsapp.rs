//! The WhatsApp Cloud API: its webhook (`object: whatsapp_business_account`, each entry's changes
//! holding `messages` and `statuses` — all ids, numbers and times as strings, times in Unix
//! seconds) read into [`Inbound`] events, and the bodies of `POST /{phone-number-id}/messages`.
//!
//! Taken: text, media (image, video, audio, document, sticker — by media id, with its caption),
//! a quick-reply button or list choice (as its title's text), a location (as a line of text).
//! Passed over: reactions, system notices, unsupported types, and changes other than `messages`.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::Inbound;
use crate::{
    unix_seconds, Attachment, AttachmentKind, Contact, Delivery, Event, InboundError, MediaSource, Message, Parsed,
    Status, StatusTarget,
};

#[derive(Deserialize)]
struct Payload {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize, Default)]
struct ChangeValue {
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    contacts: Vec<WaContact>,
    #[serde(default)]
    messages: Vec<WaMessage>,
    #[serde(default)]
    statuses: Vec<WaStatus>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: String,
}

#[derive(Deserialize)]
struct WaContact {
    #[serde(default)]
    wa_id: Option<String>,
    #[serde(default)]
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct WaMessage {
    from: String,
    id: String,
    timestamp: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    text: Option<TextBody>,
    #[serde(default)]
    context: Option<Context>,
    #[serde(default)]
    image: Option<Media>,
    #[serde(default)]
    video: Option<Media>,
    #[serde(default)]
    audio: Option<Media>,
    #[serde(default)]
    document: Option<Media>,
    #[serde(default)]
    sticker: Option<Media>,
    #[serde(default)]
    button: Option<Button>,
    #[serde(default)]
    interactive: Option<Interactive>,
    #[serde(default)]
    location: Option<Location>,
}

#[derive(Deserialize)]
struct TextBody {
    body: String,
}

#[derive(Deserialize)]
struct Context {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct Media {
    id: String,
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    filename: Option<String>,
}

#[derive(Deserialize)]
struct Button {
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct Interactive {
    #[serde(default)]
    button_reply: Option<Choice>,
    #[serde(default)]
    list_reply: Option<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    title: String,
}

#[derive(Deserialize)]
struct Location {
    latitude: f64,
    longitude: f64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

#[derive(Deserialize)]
struct WaStatus {
    id: String,
    status: String,
    timestamp: String,
    #[serde(default)]
    errors: Vec<WaError>,
}

#[derive(Deserialize)]
struct WaError {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    title: String,
}

/// Reads a webhook body (already signature-checked).
pub fn parse(body: &[u8]) -> Result<Parsed, InboundError> {
    let payload: Payload = serde_json::from_slice(body).map_err(|e| InboundError::Malformed(e.to_string()))?;
    if payload.object != "whatsapp_business_account" {
        return Err(InboundError::Malformed(format!(
            "object is {:?}, not whatsapp_business_account",
            payload.object
        )));
    }
    let mut parsed = Parsed::default();
    for change in payload.entry.into_iter().flat_map(|e| e.changes) {
        if change.field != "messages" {
            parsed.ignored += 1;
            continue;
        }
        let value: ChangeValue =
            serde_json::from_value(change.value).map_err(|e| InboundError::Malformed(e.to_string()))?;
        let Some(account) = value.metadata.map(|m| m.phone_number_id) else {
            parsed.ignored += value.messages.len() + value.statuses.len();
            continue;
        };
        for m in value.messages {
            let name = value
                .contacts
                .iter()
                .find(|c| c.wa_id.as_deref() == Some(m.from.as_str()))
                .or(value.contacts.first())
                .and_then(|c| c.profile.as_ref()?.name.clone());
            match message(m, name) {
                Some(msg) => parsed.events.push(Inbound {
                    account: account.clone(),
                    event: Event::Message(msg),
                }),
                None => parsed.ignored += 1,
            }
        }
        for s in value.statuses {
            let state = match s.status.as_str() {
                "sent" => Delivery::Sent,
                "delivered" => Delivery::Delivered,
                "read" => Delivery::Read,
                "failed" => {
                    let first = s.errors.first();
                    Delivery::Failed {
                        code: first.map_or(0, |e| e.code),
                        reason: first.map(|e| e.title.clone()).unwrap_or_default(),
                    }
                }
                _ => {
                    parsed.ignored += 1;
                    continue;
                }
            };
            parsed.events.push(Inbound {
                account: account.clone(),
                event: Event::Status(Status {
                    target: StatusTarget::Message(s.id),
                    state,
                    at: seconds(&s.timestamp),
                }),
            });
        }
    }
    Ok(parsed)
}

fn seconds(s: &str) -> backstop_core::Timestamp {
    unix_seconds(s.trim().parse().unwrap_or(0))
}

fn message(m: WaMessage, name: Option<String>) -> Option<Message> {
    let mut attachments = Vec::new();
    let text = match m.kind.as_str() {
        "text" => m.text?.body,
        "image" | "video" | "audio" | "document" | "sticker" => {
            let (kind, media) = match m.kind.as_str() {
                "image" => (AttachmentKind::Image, m.image?),
                "video" => (AttachmentKind::Video, m.video?),
                "audio" => (AttachmentKind::Audio, m.audio?),
                "document" => (AttachmentKind::File, m.document?),
                _ => (AttachmentKind::Sticker, m.sticker?),
            };
            attachments.push(Attachment {
                kind,
                source: MediaSource::Id(media.id),
                mime_type: media.mime_type,
                filename: media.filename,
                size: None,
            });
            media.caption.unwrap_or_default()
        }
        "button" => m.button?.text,
        "interactive" => {
            let i = m.interactive?;
            i.button_reply.or(i.list_reply)?.title
        }
        "location" => {
            let l = m.location?;
            let place = [l.name, l.address].into_iter().flatten().collect::<Vec<_>>().join(", ");
            let at = format!("📍 {:.5}, {:.5}", l.latitude, l.longitude);
            if place.is_empty() {
                at
            } else {
                format!("{at} ({place})")
            }
        }
        // Reactions, system notices (a changed number), contacts cards, orders, unsupported.
        _ => return None,
    };
    if text.trim().is_empty() && attachments.is_empty() {
        return None;
    }
    Some(Message {
        external_id: m.id,
        from: Contact {
            id: m.from.clone(),
            address: m.from,
            name,
            locale: None,
        },
        sent_at: seconds(&m.timestamp),
        text,
        attachments,
        reply_to: m.context.and_then(|c| c.id),
    })
}

/// The body of a text message to `to` (a WhatsApp id), quoting `reply_to` if given.
pub fn text_body(to: &str, text: &str, reply_to: Option<&str>) -> Value {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": text, "preview_url": false},
    });
    if let Some(id) = reply_to {
        body["context"] = json!({"message_id": id});
    }
    body
}

/// The body of an approved template message (the only kind allowed after the 24-hour window),
/// its body's `{{1}}`, `{{2}}` … filled with `params` in order.
pub fn template_body(to: &str, name: &str, language: &str, params: &[&str]) -> Value {
    let mut template = json!({"name": name, "language": {"code": language}});
    if !params.is_empty() {
        let parameters: Vec<Value> = params.iter().map(|p| json!({"type": "text", "text": p})).collect();
        template["components"] = json!([{"type": "body", "parameters": parameters}]);
    }
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": template,
    })
}

/// The provider's id of the message it accepted, from a send's success answer
/// (`{"messages": [{"id": "wamid…"}]}`).
pub fn sent_id(answer: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(answer).ok()?;
    Some(v["messages"][0]["id"].as_str()?.to_owned())
}

#[cfg(test)]
#[path = "whatsapp_tests.rs"]
mod tests;
