//! An action's parameters: the subset of JSON Schema a tenant writes them in (an object of
//! strings, numbers, integers and booleans, with `required`, `pattern`, `enum`, `maxLength`,
//! `minimum`, `maximum` and `format: email`), read once into a typed form, and the check of the
//! values slot filling found against it. Anything outside the subset is refused by name, so a
//! schema never means more than Backstop enforces.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Serialize;
use serde_json::Value;

use super::{ActionError, Localized};

/// The longest string value any parameter takes (a URL segment, a header, a body field).
pub const MAX_VALUE_CHARS: usize = 200;
/// At most this many parameters per action.
pub const MAX_PARAMETERS: usize = 20;

/// Where slot filling takes a parameter's value from, besides what the customer writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    OrderNumber,
    Email,
    Phone,
    Amount,
    Date,
    /// Free text (an address, a reason): asked for, never guessed.
    Text,
}

impl Entity {
    fn parse(s: &str) -> Option<Entity> {
        Some(match s {
            "order_number" => Entity::OrderNumber,
            "email" => Entity::Email,
            "phone" => Entity::Phone,
            "amount" => Entity::Amount,
            "date" => Entity::Date,
            "text" => Entity::Text,
            _ => return None,
        })
    }
}

/// What a parameter holds.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    String {
        #[serde(skip)]
        pattern: Option<Regex>,
        #[serde(rename = "pattern", skip_serializing_if = "Option::is_none")]
        pattern_text: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        choices: Vec<String>,
        max_length: usize,
        email: bool,
    },
    Number {
        minimum: Option<f64>,
        maximum: Option<f64>,
        integer: bool,
    },
    Boolean,
}

/// One parameter.
#[derive(Clone, Debug, Serialize)]
pub struct Parameter {
    pub name: String,
    pub kind: Kind,
    pub required: bool,
    /// What it is, for the model choosing the action and the admin page.
    pub description: String,
    /// Which extractor fills it from the conversation (`x-entity`).
    pub entity: Entity,
    /// How the customer is asked for it (`x-ask`, per language), when it is missing.
    pub ask: Localized,
}

/// A value slot filling found, checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Val {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Val {
    /// As it goes into a URL or a header.
    pub fn as_text(&self) -> String {
        match self {
            Val::Text(s) => s.clone(),
            Val::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Val::Number(n) => format!("{n}"),
            Val::Bool(b) => b.to_string(),
        }
    }

    /// As it goes into a JSON body.
    pub fn to_json(&self) -> Value {
        match self {
            Val::Text(s) => Value::String(s.clone()),
            Val::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Value::from(*n as i64),
            Val::Number(n) => Value::from(*n),
            Val::Bool(b) => Value::Bool(*b),
        }
    }
}

/// Why a value was refused: the customer is asked again with this.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    Missing,
    /// Not the shape the merchant's numbers have (the tenant's `pattern`).
    Pattern,
    NotAnEmail,
    NotANumber,
    TooSmall {
        minimum: f64,
    },
    TooLarge {
        maximum: f64,
    },
    NotAChoice {
        choices: Vec<String>,
    },
    TooLong {
        max_length: usize,
    },
    /// Line breaks or control characters: never part of a value.
    Control,
}

/// The parameters of an action, from its JSON Schema.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Schema {
    pub parameters: Vec<Parameter>,
}

fn bad(path: &str, message: impl Into<String>) -> ActionError {
    ActionError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

/// `name` as a parameter may be called: a letter, then letters, digits and `_`, at most 40.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Schema {
    /// Reads a JSON Schema object; anything Backstop would not enforce is an error with its path.
    pub fn parse(schema: &Value) -> Result<Schema, ActionError> {
        let obj = schema
            .as_object()
            .ok_or_else(|| bad("parameters", "must be a JSON Schema object"))?;
        for key in obj.keys() {
            if !matches!(
                key.as_str(),
                "type" | "properties" | "required" | "additionalProperties" | "description"
            ) {
                return Err(bad(&format!("parameters.{key}"), "is not supported"));
            }
        }
        if obj.get("type").and_then(Value::as_str) != Some("object") {
            return Err(bad("parameters.type", "must be \"object\""));
        }
        if obj
            .get("additionalProperties")
            .is_some_and(|v| v != &Value::Bool(false))
        {
            return Err(bad("parameters.additionalProperties", "may only be false"));
        }
        let empty = serde_json::Map::new();
        let props = match obj.get("properties") {
            None => &empty,
            Some(p) => p
                .as_object()
                .ok_or_else(|| bad("parameters.properties", "must be an object"))?,
        };
        if props.len() > MAX_PARAMETERS {
            return Err(bad(
                "parameters.properties",
                format!("at most {MAX_PARAMETERS} parameters"),
            ));
        }
        let required: Vec<&str> = match obj.get("required") {
            None => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| v.as_str().ok_or_else(|| bad("parameters.required", "must list names")))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(bad("parameters.required", "must be an array of names")),
        };
        for r in &required {
            if !props.contains_key(*r) {
                return Err(bad("parameters.required", format!("{r:?} is not among the properties")));
            }
        }
        let mut parameters = Vec::new();
        for (name, p) in props {
            let path = format!("parameters.properties.{name}");
            if !is_name(name) {
                return Err(bad(&path, "a name is a lower-case letter, then letters, digits or _"));
            }
            parameters.push(parameter(name, p, &path, required.contains(&name.as_str()))?);
        }
        Ok(Schema { parameters })
    }

    /// The parameters as a generative model is shown them to choose an action (tool calling):
    /// a plain JSON Schema rebuilt from what was parsed — type, description, pattern, choices,
    /// bounds — without the tenant's own extensions (the questions, the extractors).
    pub fn for_model(&self) -> Value {
        let mut properties = serde_json::Map::new();
        for p in &self.parameters {
            let mut prop = serde_json::Map::new();
            match &p.kind {
                Kind::String {
                    pattern_text,
                    choices,
                    email,
                    ..
                } => {
                    prop.insert("type".into(), "string".into());
                    if let Some(t) = pattern_text {
                        prop.insert("pattern".into(), t.clone().into());
                    }
                    if !choices.is_empty() {
                        prop.insert("enum".into(), choices.clone().into());
                    }
                    if *email {
                        prop.insert("format".into(), "email".into());
                    }
                }
                Kind::Number {
                    minimum,
                    maximum,
                    integer,
                } => {
                    prop.insert("type".into(), if *integer { "integer" } else { "number" }.into());
                    if let Some(m) = minimum {
                        prop.insert("minimum".into(), (*m).into());
                    }
                    if let Some(m) = maximum {
                        prop.insert("maximum".into(), (*m).into());
                    }
                }
                Kind::Boolean => {
                    prop.insert("type".into(), "boolean".into());
                }
            }
            if !p.description.trim().is_empty() {
                prop.insert("description".into(), p.description.clone().into());
            }
            properties.insert(p.name.clone(), Value::Object(prop));
        }
        let required: Vec<Value> = self
            .parameters
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name.clone().into())
            .collect();
        serde_json::json!({"type": "object", "properties": properties, "required": required})
    }

    pub fn get(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// Checks what slot filling found. Every problem is reported, each with its parameter, so the
    /// customer is asked for all that is missing or malformed at once.
    pub fn check(&self, found: &BTreeMap<String, String>) -> Result<BTreeMap<String, Val>, Vec<(String, Problem)>> {
        let mut values = BTreeMap::new();
        let mut problems = Vec::new();
        for p in &self.parameters {
            match found.get(&p.name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                None if p.required => problems.push((p.name.clone(), Problem::Missing)),
                None => {}
                Some(raw) => match p.value(raw) {
                    Ok(v) => {
                        values.insert(p.name.clone(), v);
                    }
                    Err(problem) => problems.push((p.name.clone(), problem)),
                },
            }
        }
        if problems.is_empty() {
            Ok(values)
        } else {
            Err(problems)
        }
    }
}

impl Parameter {
    /// `raw` as this parameter's value, or why not.
    pub fn value(&self, raw: &str) -> Result<Val, Problem> {
        if raw.chars().any(char::is_control) {
            return Err(Problem::Control);
        }
        match &self.kind {
            Kind::String {
                pattern,
                choices,
                max_length,
                email,
                ..
            } => {
                if raw.chars().count() > *max_length {
                    return Err(Problem::TooLong {
                        max_length: *max_length,
                    });
                }
                if !choices.is_empty() && !choices.iter().any(|c| c == raw) {
                    return Err(Problem::NotAChoice {
                        choices: choices.clone(),
                    });
                }
                if *email && !is_email(raw) {
                    return Err(Problem::NotAnEmail);
                }
                if pattern.as_ref().is_some_and(|re| !re.is_match(raw)) {
                    return Err(Problem::Pattern);
                }
                Ok(Val::Text(raw.to_string()))
            }
            Kind::Number {
                minimum,
                maximum,
                integer,
            } => {
                let n: f64 = raw
                    .replace([',', '，'], "")
                    .trim_start_matches(['¥', '￥', '$', '€', '£'])
                    .parse()
                    .map_err(|_| Problem::NotANumber)?;
                if !n.is_finite() || (*integer && n.fract() != 0.0) {
                    return Err(Problem::NotANumber);
                }
                if let Some(m) = minimum.filter(|m| n < *m) {
                    return Err(Problem::TooSmall { minimum: m });
                }
                if let Some(m) = maximum.filter(|m| n > *m) {
                    return Err(Problem::TooLarge { maximum: m });
                }
                Ok(Val::Number(n))
            }
            Kind::Boolean => match raw.to_lowercase().as_str() {
                "true" | "yes" | "是" => Ok(Val::Bool(true)),
                "false" | "no" | "否" => Ok(Val::Bool(false)),
                _ => Err(Problem::NotAChoice {
                    choices: vec!["yes".into(), "no".into()],
                }),
            },
        }
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "@._+-".contains(c))
}

fn parameter(name: &str, p: &Value, path: &str, required: bool) -> Result<Parameter, ActionError> {
    let obj = p.as_object().ok_or_else(|| bad(path, "must be an object"))?;
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "type"
                | "description"
                | "pattern"
                | "enum"
                | "maxLength"
                | "minimum"
                | "maximum"
                | "format"
                | "x-entity"
                | "x-ask"
        ) {
            return Err(bad(&format!("{path}.{key}"), "is not supported"));
        }
    }
    let text = |key: &str| -> Result<Option<&str>, ActionError> {
        match obj.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(bad(&format!("{path}.{key}"), "must be a string")),
        }
    };
    let number = |key: &str| -> Result<Option<f64>, ActionError> {
        match obj.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| bad(&format!("{path}.{key}"), "must be a number")),
        }
    };
    let ty = text("type")?.ok_or_else(|| bad(&format!("{path}.type"), "is required"))?;
    let description = text("description")?.unwrap_or_default().to_string();
    let kind = match ty {
        "string" => {
            let pattern_text = text("pattern")?.map(str::to_string);
            let pattern = match &pattern_text {
                None => None,
                Some(p) => {
                    // Anchored whole: "MM-\d{4}" must be the whole value, not a part of it.
                    let anchored = format!("^(?:{})$", p.trim_start_matches('^').trim_end_matches('$'));
                    Some(
                        regex::RegexBuilder::new(&anchored)
                            .size_limit(1 << 16)
                            .build()
                            .map_err(|e| bad(&format!("{path}.pattern"), format!("is not a valid pattern: {e}")))?,
                    )
                }
            };
            let choices = match obj.get("enum") {
                None => Vec::new(),
                Some(Value::Array(a)) if !a.is_empty() => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| bad(&format!("{path}.enum"), "must list strings"))
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(bad(&format!("{path}.enum"), "must be a non-empty array")),
            };
            let max_length = match number("maxLength")? {
                None => MAX_VALUE_CHARS,
                Some(n) if n >= 1.0 && n <= MAX_VALUE_CHARS as f64 && n.fract() == 0.0 => n as usize,
                Some(_) => {
                    return Err(bad(
                        &format!("{path}.maxLength"),
                        format!("must be a whole number from 1 to {MAX_VALUE_CHARS}"),
                    ))
                }
            };
            let email = match text("format")? {
                None => false,
                Some("email") => true,
                Some(other) => {
                    return Err(bad(
                        &format!("{path}.format"),
                        format!("{other:?} is not supported (only \"email\")"),
                    ))
                }
            };
            for key in ["minimum", "maximum"] {
                if obj.contains_key(key) {
                    return Err(bad(&format!("{path}.{key}"), "applies to numbers only"));
                }
            }
            Kind::String {
                pattern,
                pattern_text,
                choices,
                max_length,
                email,
            }
        }
        "number" | "integer" => {
            for key in ["pattern", "enum", "maxLength", "format"] {
                if obj.contains_key(key) {
                    return Err(bad(&format!("{path}.{key}"), "applies to strings only"));
                }
            }
            let (minimum, maximum) = (number("minimum")?, number("maximum")?);
            if let (Some(lo), Some(hi)) = (minimum, maximum) {
                if lo > hi {
                    return Err(bad(&format!("{path}.minimum"), "is above the maximum"));
                }
            }
            Kind::Number {
                minimum,
                maximum,
                integer: ty == "integer",
            }
        }
        "boolean" => Kind::Boolean,
        other => {
            return Err(bad(
                &format!("{path}.type"),
                format!("{other:?} is not supported (string, number, integer, boolean)"),
            ))
        }
    };
    let entity = match text("x-entity")? {
        None => match &kind {
            Kind::String { email: true, .. } => Entity::Email,
            Kind::Number { .. } => Entity::Amount,
            _ => Entity::Text,
        },
        Some(e) => Entity::parse(e).ok_or_else(|| {
            bad(
                &format!("{path}.x-entity"),
                format!("{e:?} is not one of order_number, email, phone, amount, date, text"),
            )
        })?,
    };
    let ask = match obj.get("x-ask") {
        None => Localized::default(),
        Some(v) => Localized::parse(v, &format!("{path}.x-ask"))?,
    };
    Ok(Parameter {
        name: name.to_string(),
        kind,
        required,
        description,
        entity,
        ask,
    })
}
