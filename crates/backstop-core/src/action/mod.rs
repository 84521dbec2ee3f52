//! A tenant's actions: calls to the merchant's own systems (order lookup, tracking, cancellation,
//! refund requests), defined as data — method, URL template, headers (the stored secret among
//! them), a JSON body template, the parameters as a JSON Schema, which response fields the AI may
//! read and say, a timeout, whether it only reads or changes something, who may have it run, the
//! confirmation a change needs and how its result is told in each language.
//!
//! `Action::parse` reads a definition (JSON) and refuses anything unclear with the path of the
//! field and the reason. `Action::request` turns checked values into the one HTTP request the
//! action makes — nothing a customer types can change its host, its path's shape, its headers'
//! count or its body's structure. `Action::read` keeps only the mapped response fields; the rest
//! of the merchant's answer is never seen by the AI. No I/O here: the engine sends the request.

pub mod dialogue;
pub mod rules;
pub mod schema;
pub mod template;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::message::Lang;
pub use schema::{Entity, Kind, Parameter, Problem, Schema, Val};
use template::{Piece, Template, SECRET};

/// At most this many actions per tenant, response fields per action, and headers per action.
pub const MAX_ACTIONS: usize = 50;
pub const MAX_FIELDS: usize = 30;
pub const MAX_HEADERS: usize = 10;
/// The longest and the default wait for the merchant's answer.
pub const MAX_TIMEOUT_MS: u32 = 30_000;
pub const DEFAULT_TIMEOUT_MS: u32 = 5_000;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ActionError {
    /// The definition: which field, and what is wrong with it.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    /// The merchant's answer lacks a field the action maps.
    #[error("the response has no {field} at {pointer}")]
    Shape { field: String, pointer: String },
    /// A request was asked for with values that were not checked against the schema.
    #[error("parameter {0} has no checked value")]
    Unchecked(String),
}

fn bad(path: &str, message: impl Into<String>) -> ActionError {
    ActionError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

/// A text in both first-class languages; English stands in for a missing Chinese one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Localized {
    #[serde(default)]
    pub en: String,
    #[serde(default)]
    pub zh: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh if !self.zh.trim().is_empty() => &self.zh,
            _ => &self.en,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.en.trim().is_empty() && self.zh.trim().is_empty()
    }

    pub(crate) fn parse(v: &Value, path: &str) -> Result<Localized, ActionError> {
        let l: Localized = serde_json::from_value(v.clone())
            .map_err(|_| bad(path, "must be an object with \"en\" and/or \"zh\" texts"))?;
        for (lang, text) in [("en", &l.en), ("zh", &l.zh)] {
            if text.chars().count() > 500 {
                return Err(bad(&format!("{path}.{lang}"), "is longer than 500 characters"));
            }
        }
        Ok(l)
    }
}

/// Whether the action only reads or changes something at the merchant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    #[default]
    Read,
    Change,
}

/// Who may have the action run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// Anyone (a public lookup: stock, shipping rates).
    Anyone,
    /// A customer the tenant's site vouched for (HMAC-verified session).
    #[default]
    Verified,
    /// A verified customer, or one who gives the e-mail or phone the result's `contact` fields
    /// hold (checked on the result before anything of it is said).
    VerifiedOrContact,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// An action as a tenant writes it (JSON over the API and the admin page).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionSpec {
    /// `lookup_order`: how rules, traces and the model name it.
    pub name: String,
    /// What it does, for the model choosing among actions and for the admin page.
    pub description: String,
    #[serde(default)]
    pub effect: Effect,
    #[serde(default)]
    pub identity: Identity,
    pub method: Method,
    pub url: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The parameters, as a JSON Schema object (see `schema`).
    pub parameters: Value,
    /// Response field name → JSON pointer into the merchant's answer ("/order/status").
    #[serde(default)]
    pub response: BTreeMap<String, String>,
    /// Response fields holding the order's e-mail or phone, for `verified_or_contact`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact: Vec<String>,
    /// What the customer confirms before a change runs, with `{parameter}` places.
    #[serde(default, skip_serializing_if = "Localized::is_empty")]
    pub confirm: Localized,
    /// How the result is told, with `{field}` places of the response mapping.
    #[serde(default)]
    pub result: Localized,
    /// Words for a response field's values ("shipped" → "已发货"), per field and value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, BTreeMap<String, Localized>>,
    /// The intents that have the AI run it: knowledge-base article slugs or topics, the
    /// tenant's intent labels ("order-status", "cancel-order"), or a sensitive matter the turn
    /// raised ("refund": only with one of the action's values in the same message).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intents: Vec<String>,
    /// A reading action run first, with the same parameter values: its result shows whose order
    /// it is (its `contact` fields) and gives the action rules and the confirmation its fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    #[serde(default = "default_timeout")]
    pub timeout_ms: u32,
    /// The merchant's API honours an `Idempotency-Key` header: a change may then be retried.
    #[serde(default)]
    pub idempotent: bool,
    /// Shown to agents in the conversation's customer panel (a customer's orders): run with the
    /// verified customer's e-mail when an agent opens the conversation; never run by the AI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<Panel>,
}

/// What the customer panel shows of a panel action's result: the rows of the list in one of its
/// `response` fields, and of each row only these keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Panel {
    /// The `response` field that holds the list (`"orders"`).
    pub field: String,
    /// The keys of each row shown, in order (`["number", "status", "total"]`).
    pub columns: Vec<String>,
}

/// The most rows and columns a panel shows.
pub const PANEL_MAX_ROWS: usize = 20;
pub const PANEL_MAX_COLUMNS: usize = 8;

impl Action {
    /// The rows a panel action's result shows: each item of the panel's list, only its columns
    /// (a column the item lacks is null); at most [`PANEL_MAX_ROWS`].
    pub fn panel_rows(&self, fields: &BTreeMap<String, Value>) -> Vec<Vec<Value>> {
        let Some(panel) = &self.spec.panel else {
            return Vec::new();
        };
        let Some(Value::Array(items)) = fields.get(&panel.field) else {
            return Vec::new();
        };
        items
            .iter()
            .take(PANEL_MAX_ROWS)
            .map(|item| {
                panel
                    .columns
                    .iter()
                    .map(|c| {
                        item.get(c)
                            .filter(|v| !v.is_object() && !v.is_array())
                            .cloned()
                            .unwrap_or(Value::Null)
                    })
                    .collect()
            })
            .collect()
    }
}

fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_MS
}

/// A checked definition, ready to make requests.
#[derive(Clone, Debug)]
pub struct Action {
    pub spec: ActionSpec,
    pub schema: Schema,
    url: Template,
    headers: Vec<(String, Template)>,
}

/// The one HTTP request an action makes.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    /// Header name and value, the secret filled in: never logged (see `redacted_headers`).
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    pub timeout_ms: u32,
}

impl Request {
    /// The headers as they may be shown or logged: a value that held the secret is `***`.
    pub fn redacted_headers(&self, secret: Option<&str>) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(k, v)| match secret {
                Some(s) if !s.is_empty() && v.contains(s) => (k.clone(), "***".to_string()),
                _ => (k.clone(), v.clone()),
            })
            .collect()
    }
}

impl Action {
    /// Reads and checks a definition.
    pub fn parse(value: &Value) -> Result<Action, ActionError> {
        // The field a wrong type or an unknown name is in, as a path (`method`, `parameters.type`).
        let spec: ActionSpec = serde_path_to_error::deserialize(value.clone()).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { "action".to_string() } else { path };
            bad(&path, e.into_inner().to_string())
        })?;
        Action::check(spec)
    }

    /// Checks a definition already read.
    pub fn check(spec: ActionSpec) -> Result<Action, ActionError> {
        if !schema::is_name(&spec.name) {
            return Err(bad(
                "name",
                "a lower-case letter, then letters, digits or _ (at most 40)",
            ));
        }
        let description = spec.description.trim();
        if description.is_empty() || description.chars().count() > 500 {
            return Err(bad(
                "description",
                "says what the action does, in at most 500 characters",
            ));
        }
        if spec.timeout_ms == 0 || spec.timeout_ms > MAX_TIMEOUT_MS {
            return Err(bad("timeout_ms", format!("from 1 to {MAX_TIMEOUT_MS}")));
        }
        let schema = Schema::parse(&spec.parameters)?;
        if schema.get(SECRET).is_some() {
            return Err(bad(
                "parameters.properties.secret",
                "\"secret\" is the stored secret's name",
            ));
        }
        let declared = |name: &str| name == SECRET || schema.get(name).is_some();
        let url = template::url(&spec.url)?;
        for slot in url.slots() {
            if !declared(slot) {
                return Err(bad("url", format!("{{{slot}}} is not a parameter")));
            }
        }
        if spec.headers.len() > MAX_HEADERS {
            return Err(bad("headers", format!("at most {MAX_HEADERS}")));
        }
        let mut headers = Vec::new();
        for (name, value) in &spec.headers {
            template::header_name(name)?;
            let path = format!("headers.{name}");
            if value.chars().any(char::is_control) {
                return Err(bad(&path, "cannot hold line breaks or control characters"));
            }
            let t = Template::parse(value, &path)?;
            if let Some(slot) = t.slots().find(|s| !declared(s)) {
                return Err(bad(&path, format!("{{{slot}}} is not a parameter")));
            }
            headers.push((name.clone(), t));
        }
        if let Some(body) = &spec.body {
            if spec.method == Method::Get {
                return Err(bad("body", "a GET request has no body"));
            }
            let mut slots = Vec::new();
            template::body_slots(body, "body", &mut slots)?;
            for (slot, path) in slots {
                if slot == SECRET {
                    return Err(bad(&path, "the secret goes in a header"));
                }
                if !declared(&slot) {
                    return Err(bad(&path, format!("{{{slot}}} is not a parameter")));
                }
            }
        }
        if spec.response.len() > MAX_FIELDS {
            return Err(bad("response", format!("at most {MAX_FIELDS} fields")));
        }
        for (field, pointer) in &spec.response {
            if !schema::is_name(field) {
                return Err(bad(
                    &format!("response.{field}"),
                    "a field's name is like a parameter's",
                ));
            }
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                return Err(bad(&format!("response.{field}"), "a JSON pointer starts with /"));
            }
        }
        for c in &spec.contact {
            if !spec.response.contains_key(c) {
                return Err(bad("contact", format!("{c:?} is not a response field")));
            }
        }
        if spec.identity == Identity::VerifiedOrContact && spec.contact.is_empty() && spec.check.is_none() {
            return Err(bad(
                "contact",
                "names the response fields the customer's e-mail or phone must match",
            ));
        }
        for (lang, text) in [("en", &spec.result.en), ("zh", &spec.result.zh)] {
            let path = format!("result.{lang}");
            for slot in Template::parse(text, &path)?.slots() {
                if !spec.response.contains_key(slot) {
                    return Err(bad(&path, format!("{{{slot}}} is not a response field")));
                }
            }
        }
        // A panel action is read by agents, never told to a customer.
        if spec.result.en.trim().is_empty() && spec.panel.is_none() {
            return Err(bad("result.en", "says how the result is told"));
        }
        if spec.effect == Effect::Change && spec.confirm.en.trim().is_empty() {
            return Err(bad("confirm.en", "a change needs the summary the customer confirms"));
        }
        for (lang, text) in [("en", &spec.confirm.en), ("zh", &spec.confirm.zh)] {
            let path = format!("confirm.{lang}");
            for slot in Template::parse(text, &path)?.slots() {
                // The check's fields are known only when it runs: a name that is neither a
                // parameter nor one of them is left empty then (the check's own definition is
                // another action's, checked on its own).
                if schema.get(slot).is_none() && spec.check.is_none() {
                    return Err(bad(&path, format!("{{{slot}}} is not a parameter")));
                }
            }
        }
        for (field, values) in &spec.labels {
            if !spec.response.contains_key(field) {
                return Err(bad(&format!("labels.{field}"), "is not a response field"));
            }
            if values.len() > 100 {
                return Err(bad(&format!("labels.{field}"), "at most 100 values"));
            }
        }
        if spec.intents.len() > 20 {
            return Err(bad("intents", "at most 20"));
        }
        for (i, intent) in spec.intents.iter().enumerate() {
            let ok = !intent.is_empty()
                && intent.len() <= 64
                && intent.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
            if !ok {
                return Err(bad(
                    &format!("intents[{i}]"),
                    "an article slug, topic or intent label: letters, digits, - or _",
                ));
            }
        }
        if let Some(check) = &spec.check {
            if !schema::is_name(check) || check == &spec.name {
                return Err(bad("check", "names another (reading) action"));
            }
        }
        if let Some(panel) = &spec.panel {
            if spec.effect != Effect::Read {
                return Err(bad("panel", "only a reading action is shown in the customer panel"));
            }
            if !spec.response.contains_key(&panel.field) {
                return Err(bad("panel.field", "names a field of response that holds the list"));
            }
            if panel.columns.is_empty() || panel.columns.len() > PANEL_MAX_COLUMNS {
                return Err(bad(
                    "panel.columns",
                    format!("lists 1 to {PANEL_MAX_COLUMNS} keys of a row"),
                ));
            }
            if panel
                .columns
                .iter()
                .any(|c| c.trim().is_empty() || c.chars().count() > 40)
            {
                return Err(bad("panel.columns", "each is a row's key of 1 to 40 characters"));
            }
            if let Some(p) = schema
                .parameters
                .iter()
                .find(|p| p.required && p.entity != schema::Entity::Email)
            {
                return Err(bad(
                    &format!("parameters.{}", p.name),
                    "a panel action is run with the verified customer's e-mail only: every required parameter is an e-mail (x-entity \"email\")",
                ));
            }
        }
        Ok(Action {
            spec,
            schema,
            url,
            headers,
        })
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The request for `values` (from `Schema::check`), with the stored `secret` and, for a
    /// change, the confirmed action's idempotency key.
    pub fn request(
        &self,
        values: &BTreeMap<String, Val>,
        secret: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<Request, ActionError> {
        for p in &self.schema.parameters {
            if p.required && !values.contains_key(&p.name) {
                return Err(ActionError::Unchecked(p.name.clone()));
            }
        }
        for (name, v) in values {
            let p = self
                .schema
                .get(name)
                .ok_or_else(|| ActionError::Unchecked(name.clone()))?;
            // Values are checked by the schema; a caller that skipped it is caught here.
            if p.value(&v.as_text()).is_err() && !matches!(v, Val::Bool(_)) {
                return Err(ActionError::Unchecked(name.clone()));
            }
        }
        let text = |name: &str| -> String {
            if name == SECRET {
                return secret.unwrap_or_default().to_string();
            }
            values.get(name).map(Val::as_text).unwrap_or_default()
        };
        let url = self.url.render(|name| template::encode(&text(name)));
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, t)| {
                let v = t.render(&text);
                (k.clone(), v.chars().filter(|c| !c.is_control()).collect())
            })
            .collect();
        if let Some(key) = idempotency_key {
            headers.push(("Idempotency-Key".into(), template::encode(key)));
        }
        Ok(Request {
            method: self.spec.method,
            url,
            headers,
            body: self.spec.body.as_ref().map(|b| template::body(b, values)),
            timeout_ms: self.spec.timeout_ms,
        })
    }

    /// The mapped fields of the merchant's answer; a mapped field missing is a shape error,
    /// unless the answer says plainly there is nothing there (a `null` on its way: an order not
    /// shipped yet has `"shipment": null`), which reads as `null`.
    pub fn read(&self, response: &Value) -> Result<BTreeMap<String, Value>, ActionError> {
        let mut out = BTreeMap::new();
        for (field, pointer) in &self.spec.response {
            let v = match response.pointer(pointer) {
                Some(v) => v.clone(),
                None if null_on_the_way(response, pointer) => Value::Null,
                None => {
                    return Err(ActionError::Shape {
                        field: field.clone(),
                        pointer: pointer.clone(),
                    })
                }
            };
            out.insert(field.clone(), v);
        }
        Ok(out)
    }

    /// Does `given` (an e-mail or phone the customer wrote) match one of the result's contact
    /// fields? E-mails compare case-blind; phones by their last eleven digits (a country code
    /// or spaces aside).
    pub fn contact_matches(&self, fields: &BTreeMap<String, Value>, given: &str) -> bool {
        let norm = |s: &str| -> String {
            if s.contains('@') {
                s.trim().to_lowercase()
            } else {
                let d: String = s.chars().filter(char::is_ascii_digit).collect();
                d[d.len().saturating_sub(11)..].to_string()
            }
        };
        let want = norm(given);
        want.len() >= 6
            && self
                .spec
                .contact
                .iter()
                .filter_map(|c| fields.get(c).and_then(Value::as_str))
                .any(|v| norm(v) == want)
    }

    /// The result told in `lang` from the mapped fields. A line that names a field with no value
    /// (`null` or empty) is left out, so one template tells a shipped and an unshipped order.
    pub fn tell(&self, lang: Lang, fields: &BTreeMap<String, Value>) -> String {
        let said = |name: &str| {
            fields
                .get(name)
                .filter(|v| !v.is_null())
                .map(|v| self.label(name, v, lang))
                .filter(|s| !s.trim().is_empty())
        };
        let lines: Vec<String> = self
            .spec
            .result
            .get(lang)
            .lines()
            .filter(|line| match Template::parse(line, "") {
                Ok(t) => t.slots().all(|s| said(s).is_some()),
                Err(_) => true,
            })
            .map(|line| fill(line, |name| said(name).unwrap_or_default()))
            .collect();
        lines.join("\n").trim().to_string()
    }

    /// A response field's value in words: the tenant's label for it in `lang`, else as it is.
    pub fn label(&self, field: &str, value: &Value, lang: Lang) -> String {
        let raw = shown(value);
        self.spec
            .labels
            .get(field)
            .and_then(|l| l.get(&raw))
            .map(|l| l.get(lang).to_string())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(raw)
    }

    /// The summary the customer confirms before a change, in `lang`: parameters, and the check's
    /// fields (`checked`, told in words by `checker`'s labels) where the text names them.
    pub fn summary(
        &self,
        lang: Lang,
        values: &BTreeMap<String, Val>,
        checked: Option<(&Action, &BTreeMap<String, Value>)>,
    ) -> String {
        fill(self.spec.confirm.get(lang), |name| match values.get(name) {
            Some(v) => v.as_text(),
            None => checked
                .and_then(|(a, f)| f.get(name).map(|v| a.label(name, v, lang)))
                .unwrap_or_default(),
        })
    }

    /// Does the action answer `intent` (an article slug, topic or intent label)?
    pub fn serves(&self, intent: &str) -> bool {
        self.spec.intents.iter().any(|i| i.eq_ignore_ascii_case(intent))
    }
}

/// Whether following `pointer` into `v` meets a `null` before the pointer runs out.
fn null_on_the_way(v: &Value, pointer: &str) -> bool {
    let mut at = v;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match at {
            Value::Object(m) => m.get(&token),
            Value::Array(a) => token.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(Value::Null) => return true,
            Some(n) => at = n,
            None => return false,
        }
    }
    false
}

/// A response value as words: a string as it is, numbers and booleans written, lists joined.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(a) => a.iter().map(shown).collect::<Vec<_>>().join(", "),
        // 389.0 is said "389", 12.5 "12.50": money as people write it.
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            Some(f) if n.is_f64() => format!("{f:.2}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn fill(text: &str, value: impl Fn(&str) -> String) -> String {
    match Template::parse(text, "") {
        Ok(t) => {
            t.0.iter()
                .map(|p| match p {
                    Piece::Text(s) => s.clone(),
                    Piece::Slot(s) => value(s),
                })
                .collect()
        }
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod tests;
