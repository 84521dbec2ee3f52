//! The channels a customer writes on — the web widget, e-mail, WhatsApp, Messenger, Instagram,
//! Telegram and a tenant's own systems through the API channel — and what each allows: how long
//! one message may be, which formatting it shows, and the provider's reply window (when a business
//! may still write, and whether only a person or only an approved template may).
//!
//! The AI and the agents write in a small Markdown; [`text::prepare`] cuts an answer into the
//! pieces a channel takes, each in that channel's own formatting.

pub mod connection;
pub mod text;

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::Timestamp;

/// A channel a conversation runs on. Its wire name (`as_str`) is what the event log, the
/// analytics rollups, the policy's `channel` condition and the API use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Email,
    #[serde(rename = "whatsapp")]
    WhatsApp,
    Messenger,
    Instagram,
    Telegram,
    Api,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::Web,
        Channel::Email,
        Channel::WhatsApp,
        Channel::Messenger,
        Channel::Instagram,
        Channel::Telegram,
        Channel::Api,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Email => "email",
            Channel::WhatsApp => "whatsapp",
            Channel::Messenger => "messenger",
            Channel::Instagram => "instagram",
            Channel::Telegram => "telegram",
            Channel::Api => "api",
        }
    }

    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// What one message on this channel may be.
    pub fn limits(self) -> Limits {
        let (max, unit, format) = match self {
            // The widget and the API channel carry the message body as Backstop stores it.
            Channel::Web | Channel::Api => (crate::message::MAX_BODY_CHARS, Unit::Chars, Format::Markdown),
            // One reply is one e-mail; a mail client shows any length.
            Channel::Email => (100_000, Unit::Chars, Format::Plain),
            // WhatsApp's text body: 4,096 characters.
            Channel::WhatsApp => (4_096, Unit::Chars, Format::WhatsApp),
            // The Send API's text: 2,000 characters on Messenger; on Instagram "less than 1,000
            // characters", which some read as bytes — bytes hold under both readings.
            Channel::Messenger => (2_000, Unit::Chars, Format::Plain),
            Channel::Instagram => (999, Unit::Utf8Bytes, Format::Plain),
            // sendMessage: 1–4,096 characters after entities are parsed.
            Channel::Telegram => (4_096, Unit::Chars, Format::TelegramHtml),
        };
        Limits { max, unit, format }
    }

    /// Whether a business may write to the customer now, and how. `last_customer` is when the
    /// customer last wrote on this channel (`None`: never, e.g. a conversation a business opens).
    pub fn window(self, last_customer: Option<Timestamp>, now: Timestamp, sender: Sender) -> Window {
        let since = last_customer.map(|at| now - at);
        match self {
            // The customer-service window: 24 hours after the customer's last message; after
            // it only an approved template message may start a conversation again.
            Channel::WhatsApp => match since {
                Some(d) if d <= STANDARD_WINDOW => Window::Open,
                _ => Window::TemplateOnly,
            },
            // The standard messaging window is 24 hours; a person (never an automated answer)
            // may answer up to 7 days after with the human-agent tag.
            Channel::Messenger | Channel::Instagram => match since {
                Some(d) if d <= STANDARD_WINDOW => Window::Open,
                Some(d) if d <= HUMAN_AGENT_WINDOW && sender == Sender::Person => Window::HumanAgentTag,
                _ => Window::Closed,
            },
            Channel::Web | Channel::Email | Channel::Telegram | Channel::Api => Window::Open,
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Meta's standard messaging window (WhatsApp's customer-service window too).
pub const STANDARD_WINDOW: Duration = Duration::hours(24);
/// How long after the customer's last message a person may still answer on Messenger or
/// Instagram, with the human-agent tag.
pub const HUMAN_AGENT_WINDOW: Duration = Duration::days(7);

/// Who is about to write: the AI's automated answer or a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    Ai,
    Person,
}

/// What the provider's reply window allows now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Any message.
    Open,
    /// A person's message, sent with the human-agent tag (Messenger, Instagram: 24 h to 7 days).
    HumanAgentTag,
    /// Only an approved template (WhatsApp after 24 h): a ticket's answer goes out as one.
    TemplateOnly,
    /// Nothing may be sent on this channel; move the conversation to another (e.g. e-mail).
    Closed,
}

impl Window {
    /// Whether a free-form text may be sent.
    pub fn allows_text(self) -> bool {
        matches!(self, Window::Open | Window::HumanAgentTag)
    }
}

/// One message's limits on a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most `unit`s one message may hold, as the customer sees it.
    pub max: usize,
    pub unit: Unit,
    pub format: Format,
}

/// What a length limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Unicode scalar values.
    Chars,
    /// Bytes of UTF-8 (a Chinese character is three).
    Utf8Bytes,
}

impl Unit {
    pub fn len(self, text: &str) -> usize {
        match self {
            Unit::Chars => text.chars().count(),
            Unit::Utf8Bytes => text.len(),
        }
    }
}

/// How a channel shows formatting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Backstop's own Markdown, passed on as written (the widget, the API channel).
    Markdown,
    /// No formatting: emphasis markers dropped, links written out (Messenger, Instagram, the
    /// text part of an e-mail).
    Plain,
    /// WhatsApp's markers: `*bold*`, `_italic_`, `~strike~`, ```` ```monospace``` ````.
    WhatsApp,
    /// Telegram's `parse_mode: HTML` (`<b>`, `<i>`, `<s>`, `<code>`, `<a href>`; `&`, `<`, `>`
    /// escaped).
    TelegramHtml,
    /// An HTML fragment: paragraphs, line breaks, lists and links (the HTML part of an e-mail).
    Html,
}

#[cfg(test)]
mod tests;
