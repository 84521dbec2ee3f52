//! The Messenger Platform and Instagram Messaging, which share one webhook shape (`object: page`
//! or `instagram`, each entry's `messaging` events; times in Unix milliseconds) and one Send API
//! (`POST /{page-id}/messages`).
//!
//! Taken: a customer's text and attachments (by URL), the message it replies to, a postback
//! (a button tap, as its title's text), delivery and read watermarks. Passed over: echoes of the
//! business's own messages, reactions, events for another app (`standby`), anything else.

use backstop_core::channel::Window;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
    unix_millis, Attachment, AttachmentKind, Contact, Delivery, Event, Inbound, InboundError, MediaSource, Message,
    Parsed, Status, StatusTarget,
};

/// Which of the two products a webhook or a send is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    Messenger,
    Instagram,
}

impl Product {
    fn object(self) -> &'static str {
        match self {
            Product::Messenger => "page",
            Product::Instagram => "instagram",
        }
    }
}

#[derive(Deserialize)]
struct Payload {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    id: String,
    #[serde(default)]
    messaging: Vec<Messaging>,
    #[serde(default)]
    standby: Vec<Value>,
}

#[derive(Deserialize)]
struct Messaging {
    sender: Party,
    #[serde(default)]
    timestamp: i64,
    #[serde(default)]
    message: Option<MsgBody>,
    #[serde(default)]
    delivery: Option<Watermark>,
    #[serde(default)]
    read: Option<Watermark>,
    #[serde(default)]
    postback: Option<Postback>,
}

#[derive(Deserialize)]
struct Party {
    id: String,
}

#[derive(Deserialize)]
struct MsgBody {
    mid: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    attachments: Vec<MsgAttachment>,
    #[serde(default)]
    reply_to: Option<ReplyTo>,
    #[serde(default)]
    is_echo: bool,
    #[serde(default)]
    is_deleted: bool,
    #[serde(default)]
    quick_reply: Option<Value>,
}

#[derive(Deserialize)]
struct MsgAttachment {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    payload: Option<AttachmentPayload>,
}

#[derive(Deserialize)]
struct AttachmentPayload {
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
struct ReplyTo {
    #[serde(default)]
    mid: Option<String>,
}

#[derive(Deserialize)]
struct Watermark {
    #[serde(default)]
    watermark: Option<i64>,
    #[serde(default)]
    mid: Option<String>,
}

#[derive(Deserialize)]
struct Postback {
    #[serde(default)]
    mid: Option<String>,
    #[serde(default)]
    title: String,
}

/// Reads a webhook body (already signature-checked) of `product`.
pub fn parse(product: Product, body: &[u8]) -> Result<Parsed, InboundError> {
    let payload: Payload = serde_json::from_slice(body).map_err(|e| InboundError::Malformed(e.to_string()))?;
    if payload.object != product.object() {
        return Err(InboundError::Malformed(format!(
            "object is {:?}, not {:?}",
            payload.object,
            product.object()
        )));
    }
    let mut parsed = Parsed::default();
    for entry in payload.entry {
        parsed.ignored += entry.standby.len();
        for item in entry.messaging {
            match event(item) {
                Some(event) => parsed.events.push(Inbound {
                    account: entry.id.clone(),
                    event,
                }),
                None => parsed.ignored += 1,
            }
        }
    }
    Ok(parsed)
}

/// A page- or Instagram-scoped id: answered at itself; the webhook carries no name or locale.
fn scoped(id: String) -> Contact {
    Contact {
        address: id.clone(),
        id,
        name: None,
        locale: None,
    }
}

fn event(item: Messaging) -> Option<Event> {
    let contact = item.sender.id;
    let at = unix_millis(item.timestamp);
    if let Some(m) = item.message {
        if m.is_echo || m.is_deleted {
            return None;
        }
        let attachments: Vec<Attachment> = m
            .attachments
            .into_iter()
            .filter_map(|a| {
                let kind = match a.kind.as_str() {
                    "image" => AttachmentKind::Image,
                    "video" | "reel" | "ig_reel" => AttachmentKind::Video,
                    "audio" => AttachmentKind::Audio,
                    "file" => AttachmentKind::File,
                    _ => return None,
                };
                Some(Attachment {
                    kind,
                    source: MediaSource::Url(a.payload?.url?),
                    mime_type: None,
                    filename: None,
                    size: None,
                })
            })
            .collect();
        let text = m.text.unwrap_or_default();
        if text.trim().is_empty() && attachments.is_empty() {
            return None;
        }
        let _ = m.quick_reply; // a quick reply's text is the message's text
        return Some(Event::Message(Message {
            external_id: m.mid,
            from: scoped(contact),
            sent_at: at,
            text,
            attachments,
            reply_to: m.reply_to.and_then(|r| r.mid),
        }));
    }
    if let Some(p) = item.postback {
        let mid = p.mid?;
        if p.title.trim().is_empty() {
            return None;
        }
        return Some(Event::Message(Message {
            external_id: mid,
            from: scoped(contact),
            sent_at: at,
            text: p.title,
            attachments: Vec::new(),
            reply_to: None,
        }));
    }
    let (mark, state) = match (item.delivery, item.read) {
        (Some(d), _) => (d, Delivery::Delivered),
        (None, Some(r)) => (r, Delivery::Read),
        (None, None) => return None,
    };
    let target = match (mark.watermark, mark.mid) {
        (Some(w), _) => StatusTarget::UpTo {
            contact,
            at: unix_millis(w),
        },
        (None, Some(mid)) => StatusTarget::Message(mid),
        (None, None) => return None,
    };
    Some(Event::Status(Status { target, state, at }))
}

/// The Send API body of a text to `recipient` (a page- or Instagram-scoped id) in the reply
/// window `window`: a response inside 24 hours, a person's message with the `HUMAN_AGENT` tag
/// after it; `None` when the window allows no text.
pub fn text_body(recipient: &str, text: &str, window: Window) -> Option<Value> {
    let mut body = json!({
        "recipient": {"id": recipient},
        "message": {"text": text},
    });
    match window {
        Window::Open => body["messaging_type"] = json!("RESPONSE"),
        Window::HumanAgentTag => {
            body["messaging_type"] = json!("MESSAGE_TAG");
            body["tag"] = json!("HUMAN_AGENT");
        }
        Window::TemplateOnly | Window::Closed => return None,
    }
    Some(body)
}

/// The provider's id of the message it accepted (`{"recipient_id", "message_id"}`).
pub fn sent_id(answer: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(answer).ok()?;
    Some(v["message_id"].as_str()?.to_owned())
}

#[cfg(test)]
#[path = "messenger_tests.rs"]
mod tests;
