//! The chat-completions vocabulary: messages, a request, a completion and its token usage.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// Who says a message. The system part holds instructions only; what customers and the knowledge
/// base wrote always travels as data in user messages, never concatenated into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// One call: the messages and how to sample.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub messages: Vec<Message>,
    /// 0 for the most likely text (what grounded answers use).
    pub temperature: f32,
    /// The longest answer, in tokens.
    pub max_tokens: u32,
    /// Strings that end the answer.
    pub stop: Vec<String>,
    /// A sampling seed, for servers that honour one (repeatable evaluations).
    pub seed: Option<u64>,
    /// Functions the model may call instead of answering (none: a plain answer).
    pub tools: Vec<Tool>,
    /// Whether it must call one (`Required`) or may answer instead (`Auto`, the default).
    pub tool_choice: ToolChoice,
}

impl ChatRequest {
    pub fn new(messages: Vec<Message>) -> Self {
        ChatRequest {
            messages,
            temperature: 0.0,
            max_tokens: 400,
            stop: Vec::new(),
            seed: None,
            tools: Vec::new(),
            tool_choice: ToolChoice::Auto,
        }
    }

    /// Checks what no endpoint would accept, before any call.
    pub(crate) fn validate(&self) -> Result<(), crate::LlmError> {
        if self.messages.is_empty() {
            return Err(crate::LlmError::Invalid("no messages".into()));
        }
        if !(0.0..=2.0).contains(&self.temperature) || self.temperature.is_nan() {
            return Err(crate::LlmError::Invalid(format!(
                "temperature {} is outside 0–2",
                self.temperature
            )));
        }
        if self.max_tokens == 0 {
            return Err(crate::LlmError::Invalid("max_tokens is 0".into()));
        }
        for (i, t) in self.tools.iter().enumerate() {
            let ok_name = !t.name.is_empty()
                && t.name.len() <= 64
                && t.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !ok_name {
                return Err(crate::LlmError::Invalid(format!(
                    "tool {i}: a name is 1-64 letters, digits, _ or -"
                )));
            }
            if !t.parameters.is_object() {
                return Err(crate::LlmError::Invalid(format!(
                    "tool {}: parameters must be a JSON schema object",
                    t.name
                )));
            }
            if self.tools[..i].iter().any(|o| o.name == t.name) {
                return Err(crate::LlmError::Invalid(format!("tool {} is given twice", t.name)));
            }
        }
        if self.tool_choice == ToolChoice::Required && self.tools.is_empty() {
            return Err(crate::LlmError::Invalid(
                "a tool call is required but no tools are given".into(),
            ));
        }
        Ok(())
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// It finished its answer (or reached a stop string).
    Stop,
    /// It reached `max_tokens`: the answer may be cut.
    Length,
    /// It called one or more tools instead of answering.
    ToolCalls,
    /// Anything else the server named (`content_filter`, …).
    Other(String),
}

impl Finish {
    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "stop" | "eos" => Finish::Stop,
            "length" => Finish::Length,
            "tool_calls" | "function_call" => Finish::ToolCalls,
            other => Finish::Other(other.to_string()),
        }
    }
}

/// Tokens a call cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// True when the server reported these figures; false when they are estimated from the text.
    pub reported: bool,
}

impl Usage {
    pub fn total(&self) -> u32 {
        self.prompt_tokens + self.completion_tokens
    }
}

/// A finished answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub finish: Finish,
    pub usage: Usage,
    /// From the call's start to the first piece of text (the last attempt's).
    pub first_token: Option<Duration>,
    /// From the call's start (the first attempt's) to the end.
    pub elapsed: Duration,
    /// How many attempts it took (1 when the first one answered).
    pub attempts: u32,
    /// The tools the model called, in order (empty when it answered in text).
    pub tool_calls: Vec<ToolCall>,
}

/// A function the model may call: its name, what it does (the model reads this to choose), and a
/// JSON schema of its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    pub name: String,
    pub description: String,
    pub parameters: serde_json::Value,
}

/// Whether the model must call a tool. The chat-completions API also names one function to force,
/// but servers differ in honouring it (llama.cpp treats it as `auto`): send only that tool with
/// `Required` instead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoice {
    #[default]
    Auto,
    Required,
    None,
}

/// A call the model made: the function's name and its arguments as the model wrote them — a JSON
/// text that may be malformed or break the schema, so the caller parses and checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

impl ToolCall {
    /// The arguments as a JSON object, or why they are not one.
    pub fn arguments_object(&self) -> Result<serde_json::Map<String, serde_json::Value>, String> {
        let text = self.arguments.trim();
        if text.is_empty() {
            return Ok(serde_json::Map::new());
        }
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            Ok(other) => Err(format!("the arguments are not an object but {other}")),
            Err(e) => Err(format!("the arguments are not JSON ({e})")),
        }
    }
}

/// Tool calls a model wrote as its text instead of through the API's `tool_calls`: small models
/// (Qwen2.5-Coder-0.5B through llama.cpp, for one) often answer with the bare JSON the template
/// asks for — `{"name": …, "arguments": {…}}`, a list of them, inside `<tool_call>` tags or a
/// code fence. Read only when the whole text is such calls and every name is one of `offered`;
/// anything else is an answer in words.
pub fn calls_in_text(text: &str, offered: &[Tool]) -> Option<Vec<ToolCall>> {
    let mut t = text.trim();
    for (open, close) in [("```json", "```"), ("```", "```")] {
        if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            t = inner.trim();
            break;
        }
    }
    let mut bodies: Vec<&str> = Vec::new();
    if t.starts_with("<tool_call>") {
        for part in t.split("<tool_call>").filter(|p| !p.trim().is_empty()) {
            bodies.push(part.trim().strip_suffix("</tool_call>")?.trim());
        }
    } else {
        bodies.push(t);
    }
    let mut values = Vec::new();
    for b in bodies {
        match serde_json::from_str::<serde_json::Value>(b).ok()? {
            serde_json::Value::Array(items) => values.extend(items),
            v => values.push(v),
        }
    }
    if values.is_empty() {
        return None;
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let o = v.as_object()?;
            let name = o.get("name")?.as_str()?;
            if !offered.iter().any(|t| t.name == name)
                || o.keys()
                    .any(|k| !matches!(k.as_str(), "name" | "arguments" | "parameters"))
            {
                return None;
            }
            let arguments = match o.get("arguments").or_else(|| o.get("parameters")) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            Some(ToolCall {
                id: format!("text_{i}"),
                name: name.to_string(),
                arguments,
            })
        })
        .collect()
}

/// A tool as the API takes it: `{"type":"function","function":{…}}`.
#[derive(Serialize)]
pub(crate) struct WireTool<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: WireFunction<'a>,
}

#[derive(Serialize)]
pub(crate) struct WireFunction<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub parameters: &'a serde_json::Value,
}

impl<'a> From<&'a Tool> for WireTool<'a> {
    fn from(t: &'a Tool) -> Self {
        WireTool {
            kind: "function",
            function: WireFunction {
                name: &t.name,
                description: &t.description,
                parameters: &t.parameters,
            },
        }
    }
}

/// A rough token count for servers that report none: a CJK character is about one token, other
/// text about four characters per token.
pub fn estimate_tokens(text: &str) -> u32 {
    let mut cjk = 0u32;
    let mut other = 0u32;
    for c in text.chars() {
        if matches!(c as u32, 0x3000..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF) {
            cjk += 1;
        } else {
            other += 1;
        }
    }
    cjk + other.div_ceil(4)
}

/// An API key: printed as `***` by `Debug` and `Display`, so it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }
    /// The key itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The body sent to `/chat/completions`.
#[derive(Serialize)]
pub(crate) struct Body<'a> {
    pub model: &'a str,
    pub messages: &'a [Message],
    pub temperature: f32,
    pub max_tokens: u32,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub stop: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub stream: bool,
    pub stream_options: StreamOptions,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<WireTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
}

#[derive(Serialize)]
pub(crate) struct StreamOptions {
    pub include_usage: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_prints() {
        let k = ApiKey::new("sk-secret-123");
        assert_eq!(format!("{k:?} {k}"), "ApiKey(***) ***");
        assert_eq!(k.expose(), "sk-secret-123");
    }

    #[test]
    fn tokens_are_estimated_per_script() {
        assert_eq!(estimate_tokens("退货需要几天"), 6);
        assert_eq!(estimate_tokens("abcdefgh"), 2);
        assert_eq!(estimate_tokens(""), 0);
    }

    #[test]
    fn nonsense_requests_are_refused_before_any_call() {
        assert!(ChatRequest::new(vec![]).validate().is_err());
        let mut r = ChatRequest::new(vec![Message::user("hi")]);
        assert!(r.validate().is_ok());
        r.temperature = 3.0;
        assert!(r.validate().is_err());
        r.temperature = f32::NAN;
        assert!(r.validate().is_err());
        let tool = |name: &str| Tool {
            name: name.into(),
            description: "d".into(),
            parameters: serde_json::json!({"type": "object"}),
        };
        let mut r = ChatRequest::new(vec![Message::user("hi")]);
        r.tool_choice = ToolChoice::Required;
        assert!(r.validate().unwrap_err().to_string().contains("no tools"));
        r.tools = vec![tool("lookup_order"), tool("cancel order")];
        assert!(r.validate().unwrap_err().to_string().contains("tool 1"));
        r.tools = vec![tool("lookup_order"), tool("lookup_order")];
        assert!(r.validate().unwrap_err().to_string().contains("twice"));
        r.tools = vec![tool("lookup_order")];
        assert!(r.validate().is_ok());
    }

    #[test]
    fn calls_written_as_text_are_read_only_when_that_is_all_the_text_is() {
        let offered = vec![Tool {
            name: "lookup_order".into(),
            description: "d".into(),
            parameters: serde_json::json!({"type": "object"}),
        }];
        let bare = r#"{"name": "lookup_order", "arguments": {"order_number": "MM-1"}}"#;
        let c = calls_in_text(bare, &offered).unwrap();
        assert_eq!(
            (c[0].name.as_str(), c[0].arguments.as_str()),
            ("lookup_order", r#"{"order_number":"MM-1"}"#)
        );
        let tagged = format!("<tool_call>\n{bare}\n</tool_call>");
        assert_eq!(calls_in_text(&tagged, &offered).unwrap().len(), 1);
        let fenced = format!("```json\n{bare}\n```");
        assert_eq!(calls_in_text(&fenced, &offered).unwrap().len(), 1);
        for not in [
            "NONE",
            "Your order is on its way.",
            r#"{"name": "drop_tables", "arguments": {}}"#,
            r#"{"name": "lookup_order", "arguments": {}, "note": "x"}"#,
            &format!("Sure! {bare}"),
            "[]",
        ] {
            assert!(calls_in_text(not, &offered).is_none(), "{not}");
        }
    }

    #[test]
    fn arguments_are_read_or_refused_with_a_reason() {
        let call = |a: &str| ToolCall {
            id: "c".into(),
            name: "f".into(),
            arguments: a.into(),
        };
        assert_eq!(
            call(r#"{"order_number":"MM-1"}"#).arguments_object().unwrap()["order_number"],
            "MM-1"
        );
        assert!(call("").arguments_object().unwrap().is_empty());
        assert!(call("[1]").arguments_object().unwrap_err().contains("not an object"));
        assert!(call("{\"a\":").arguments_object().unwrap_err().contains("not JSON"));
    }
}
