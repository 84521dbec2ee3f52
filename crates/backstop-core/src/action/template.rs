//! Templates of an action's request: `{name}` places in a URL, a header or a JSON body, filled
//! with checked values so that no value can change what is called — in a URL each value is
//! percent-encoded whole (no `/`, `?`, `#` or `@` gets through, and none may stand in the scheme
//! or the host), in a header no line break can pass, and in a body a value is a JSON value, never
//! JSON text.

use std::collections::BTreeMap;

use serde_json::Value;

use super::schema::{is_name, Val};
use super::ActionError;

/// The name a header template uses for the action's stored secret.
pub const SECRET: &str = "secret";

/// One piece of a template.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Text(String),
    Slot(String),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Template(pub Vec<Piece>);

impl Template {
    /// Reads `{name}` places; a brace that does not open one is an error (write none).
    pub fn parse(text: &str, path: &str) -> Result<Template, ActionError> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err(bad(path, "has a '}' that closes nothing"));
            }
            let close = rest[open..]
                .find('}')
                .map(|i| open + i)
                .ok_or_else(|| bad(path, "has a '{' that is never closed"))?;
            let name = &rest[open + 1..close];
            if !is_name(name) {
                return Err(bad(path, format!("{{{name}}} is not a parameter's name")));
            }
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            pieces.push(Piece::Slot(name.to_string()));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(Template(pieces))
    }

    pub fn slots(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Piece::Slot(s) => Some(s.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// The template with each place filled by `fill` (an absent optional value is empty).
    pub fn render(&self, mut fill: impl FnMut(&str) -> String) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(s) => out.push_str(&fill(s)),
            }
        }
        out
    }
}

fn bad(path: &str, message: impl Into<String>) -> ActionError {
    ActionError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

/// Checks a URL template: http(s), and places only after the host.
pub fn url(text: &str) -> Result<Template, ActionError> {
    let t = Template::parse(text, "url")?;
    let lower = text.to_ascii_lowercase();
    let after_scheme = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return Err(bad("url", "must start with http:// or https://"));
    };
    let authority_end = text[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| after_scheme + i);
    let authority = &text[after_scheme..authority_end];
    if authority.is_empty() {
        return Err(bad("url", "has no host"));
    }
    if authority.contains(['{', '}', '@']) {
        return Err(bad("url", "the host cannot hold a parameter or credentials"));
    }
    if text.contains('#') {
        return Err(bad("url", "cannot hold a fragment (#)"));
    }
    if t.slots().any(|s| s == SECRET) {
        return Err(bad("url", "the secret goes in a header, never in the URL"));
    }
    Ok(t)
}

/// `s` percent-encoded whole: every byte but letters, digits and `-._~`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Is `name` a header name (an HTTP token) that an action may set? Hop-by-hop and framing headers
/// are Backstop's to set.
pub fn header_name(name: &str) -> Result<(), ActionError> {
    let path = format!("headers.{name}");
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return Err(bad(&path, "is not a header name"));
    }
    let lower = name.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "host" | "content-length" | "transfer-encoding" | "connection" | "te" | "upgrade" | "idempotency-key"
    ) {
        return Err(bad(&path, "is set by Backstop"));
    }
    Ok(())
}

/// Fills a JSON body template: a string that is one place alone ("{amount}") becomes the typed
/// value (a number stays a number); places inside a longer string are filled as text; keys are
/// never templates. Absent optional values are `null` alone and empty inside text.
pub fn body(template: &Value, values: &BTreeMap<String, Val>) -> Value {
    match template {
        Value::String(s) => {
            let Ok(t) = Template::parse(s, "body") else {
                return Value::String(s.clone());
            };
            match t.0.as_slice() {
                [Piece::Slot(name)] => values.get(name).map_or(Value::Null, Val::to_json),
                _ => Value::String(t.render(|name| values.get(name).map(Val::as_text).unwrap_or_default())),
            }
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| body(v, values)).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), body(v, values))).collect()),
        other => other.clone(),
    }
}

/// Every place a body template names, with the path of the string that holds it.
pub fn body_slots(template: &Value, path: &str, out: &mut Vec<(String, String)>) -> Result<(), ActionError> {
    match template {
        Value::String(s) => {
            for slot in Template::parse(s, path)?.slots() {
                out.push((slot.to_string(), path.to_string()));
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                body_slots(v, &format!("{path}[{i}]"), out)?;
            }
        }
        Value::Object(o) => {
            for (k, v) in o {
                body_slots(v, &format!("{path}.{k}"), out)?;
            }
        }
        _ => {}
    }
    Ok(())
}
