//! Messages: who wrote them, what kind they are, and the rules a body must satisfy.

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, ArticleId};

/// The languages Backstop treats as first-class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Accepts `en`, `zh` and regional forms such as `zh-CN` or `en_US`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Author {
    Customer,
    Ai,
    Agent { id: AgentId, name: String },
    System,
}

impl Author {
    pub fn kind(&self) -> &'static str {
        match self {
            Author::Customer => "customer",
            Author::Ai => "ai",
            Author::Agent { .. } => "agent",
            Author::System => "system",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Visible to the customer.
    Text,
    /// A private agent note, never sent to the customer.
    Note,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(MessageKind::Text),
            "note" => Some(MessageKind::Note),
            _ => None,
        }
    }
}

/// A knowledge-base article an AI answer was taken from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub article_id: ArticleId,
    pub title: String,
    /// The whole article, when the message quotes only the passage(s) that answer: the customer
    /// can open it from the citation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
}

/// What a system message announces, so each client can render it in its own language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemNote {
    pub code: SystemCode,
    pub team_name: Option<String>,
    pub agent_name: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemCode {
    Handoff,
    AgentJoined,
    HandedBack,
    Resolved,
    Reopened,
    /// Nobody can answer now: a person will reply by a promised time.
    Ticket,
}

/// The most characters one message may hold.
pub const MAX_BODY_CHARS: usize = 4000;

/// A message body that is known to be non-empty and within [`MAX_BODY_CHARS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageBody(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the message is empty")]
    Empty,
    #[error("the message has {0} characters; at most {MAX_BODY_CHARS} are allowed")]
    TooLong(usize),
}

/// Characters a message never carries: control characters other than newline and tab, and the
/// invisible direction marks, embeddings, overrides and isolates that make text display in another
/// order than it is stored (a "Trojan Source" reply that reads differently to the agent than to the
/// customer), and the byte-order mark.
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// `raw` without [`is_hidden_control`] characters (for names and other one-line text as well).
pub fn strip_hidden_controls(raw: &str) -> String {
    raw.chars().filter(|c| !is_hidden_control(*c)).collect()
}

impl MessageBody {
    /// Strips hidden control characters ([`is_hidden_control`]), then trims surrounding whitespace.
    pub fn parse(raw: &str) -> Result<Self, BodyError> {
        let cleaned = strip_hidden_controls(raw).trim().to_owned();
        if cleaned.is_empty() {
            return Err(BodyError::Empty);
        }
        let n = cleaned.chars().count();
        if n > MAX_BODY_CHARS {
            return Err(BodyError::TooLong(n));
        }
        Ok(MessageBody(cleaned))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A client's idempotency key for a message it sends; resending the same key creates nothing new.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientMessageId(String);

impl ClientMessageId {
    /// 1 to 64 printable ASCII characters.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = (1..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_graphic());
        ok.then(|| ClientMessageId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(MessageBody::parse("  hi \n").unwrap().as_str(), "hi");
        assert_eq!(MessageBody::parse(" \n\t "), Err(BodyError::Empty));
        assert_eq!(MessageBody::parse("a\u{0}b").unwrap().as_str(), "ab");
        let zh = "退".repeat(MAX_BODY_CHARS);
        assert!(
            MessageBody::parse(&zh).is_ok(),
            "the limit counts characters, not bytes"
        );
        assert_eq!(
            MessageBody::parse(&format!("{zh}x")),
            Err(BodyError::TooLong(MAX_BODY_CHARS + 1))
        );
    }

    #[test]
    fn direction_overrides_and_controls_are_stripped() {
        // "Trojan Source": a right-to-left override makes "txt.exe" display as "exe.txt".
        assert_eq!(
            MessageBody::parse("refund \u{202E}txt.exe\u{202C} now")
                .unwrap()
                .as_str(),
            "refund txt.exe now"
        );
        for c in [
            '\u{200E}', '\u{200F}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{FEFF}', '\u{1B}', '\u{85}',
        ] {
            assert_eq!(MessageBody::parse(&format!("a{c}b")).unwrap().as_str(), "ab", "{:?}", c);
        }
        assert_eq!(MessageBody::parse(" \u{202E} "), Err(BodyError::Empty));
        // Lines, tabs, Chinese and emoji (with their joiners) stay.
        let kept = "退货\n\t👩\u{200D}💻 ok";
        assert_eq!(MessageBody::parse(kept).unwrap().as_str(), kept);
    }

    #[test]
    fn client_ids_are_bounded_ascii() {
        assert!(ClientMessageId::parse("0b6f-11").is_some());
        assert!(ClientMessageId::parse("").is_none());
        assert!(ClientMessageId::parse("a b").is_none());
        assert!(ClientMessageId::parse(&"x".repeat(65)).is_none());
    }

    #[test]
    fn languages_parse_regional_tags() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en_US"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
