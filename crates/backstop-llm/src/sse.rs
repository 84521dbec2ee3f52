//! Server-sent events as chat-completions streams use them: an incremental decoder (bytes in,
//! complete `data` payloads out, whatever the chunk boundaries — mid-line, mid-character) and the
//! reading of one payload.

use serde::Deserialize;

/// Turns a byte stream into the `data` of each event.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    line: Vec<u8>,
    data: Option<String>,
    /// The previous byte was `\r`: a following `\n` belongs to the same line end.
    after_cr: bool,
}

/// The most a single event may hold; a server sending more is broken or hostile.
const MAX_EVENT: usize = 1 << 20;

impl Decoder {
    /// Feeds bytes; returns the data of every event they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for &b in bytes {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    self.line(&line, &mut out)?;
                }
                _ => {
                    if self.line.len() >= MAX_EVENT {
                        return Err("an event line is over 1 MiB".into());
                    }
                    self.line.push(b);
                }
            }
        }
        Ok(out)
    }

    /// The stream ended: an event not closed by a blank line still counts.
    pub fn finish(&mut self) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.line(&line, &mut out)?;
        }
        if let Some(d) = self.data.take() {
            out.push(d);
        }
        Ok(out)
    }

    fn line(&mut self, line: &[u8], out: &mut Vec<String>) -> Result<(), String> {
        if line.is_empty() {
            if let Some(d) = self.data.take() {
                out.push(d);
            }
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(()); // a comment (keep-alive)
        }
        let line = std::str::from_utf8(line).map_err(|_| "an event line is not UTF-8".to_string())?;
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        if field == "data" {
            let d = self.data.get_or_insert_with(String::new);
            if !d.is_empty() {
                d.push('\n');
            }
            if d.len() + value.len() > MAX_EVENT {
                return Err("an event is over 1 MiB".into());
            }
            d.push_str(value);
        }
        Ok(())
    }
}

/// What one streamed payload says.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Chunk {
    pub content: String,
    pub finish: Option<String>,
    pub usage: Option<(u32, u32)>,
    /// Pieces of tool calls: a streamed call comes as its id and name first, then fragments of
    /// its arguments, all under the call's `index`.
    pub tool_calls: Vec<ToolPiece>,
}

/// A piece of one tool call.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ToolPiece {
    pub index: usize,
    pub id: Option<String>,
    pub name: Option<String>,
    pub arguments: String,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    choices: Vec<RawChoice>,
    #[serde(default)]
    usage: Option<RawUsage>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawChoice {
    #[serde(default)]
    delta: Option<RawDelta>,
    #[serde(default)]
    message: Option<RawDelta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct RawDelta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<RawToolCall>>,
}

#[derive(Deserialize)]
struct RawToolCall {
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<RawFunction>,
}

#[derive(Deserialize)]
struct RawFunction {
    #[serde(default)]
    name: Option<String>,
    /// A string by the API; some servers send the object itself.
    #[serde(default)]
    arguments: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawUsage {
    #[serde(default)]
    prompt_tokens: u32,
    #[serde(default)]
    completion_tokens: u32,
}

/// Reads one payload: a streamed chunk (`delta`) or a whole answer (`message`). An `error`
/// object, or anything that is not such JSON, is an error naming what was wrong.
pub(crate) fn parse_chunk(data: &str) -> Result<Chunk, String> {
    let raw: Raw = serde_json::from_str(data).map_err(|e| format!("not a chat-completions chunk ({e})"))?;
    if let Some(err) = raw.error {
        let msg = err
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| err.to_string());
        return Err(format!("the server reported an error: {}", clip(&msg, 300)));
    }
    let mut chunk = Chunk {
        usage: raw.usage.map(|u| (u.prompt_tokens, u.completion_tokens)),
        ..Chunk::default()
    };
    if let Some(choice) = raw.choices.into_iter().next() {
        if let Some(d) = choice.delta.or(choice.message) {
            if let Some(c) = d.content {
                chunk.content = c;
            }
            for (i, call) in d.tool_calls.unwrap_or_default().into_iter().enumerate() {
                let f = call.function;
                chunk.tool_calls.push(ToolPiece {
                    // A whole message's calls may come without an index: their order is it.
                    index: call.index.unwrap_or(i),
                    id: call.id.filter(|s| !s.is_empty()),
                    name: f.as_ref().and_then(|f| f.name.clone()).filter(|s| !s.is_empty()),
                    arguments: match f.and_then(|f| f.arguments) {
                        Some(serde_json::Value::String(s)) => s,
                        Some(serde_json::Value::Null) | None => String::new(),
                        Some(other) => other.to_string(),
                    },
                });
            }
        }
        chunk.finish = choice.finish_reason;
    }
    Ok(chunk)
}

/// At most `n` characters of `s`.
pub(crate) fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<String> {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(d.push(c).unwrap());
        }
        out.extend(d.finish().unwrap());
        out
    }

    #[test]
    fn events_survive_any_split() {
        let text = "data: {\"a\":\"退货\"}\n\n: keep-alive\n\ndata: [DONE]\n\n".as_bytes();
        let whole = all(&[text]);
        assert_eq!(whole, vec!["{\"a\":\"退货\"}".to_string(), "[DONE]".to_string()]);
        // Every split point, including inside the multi-byte characters.
        for i in 0..text.len() {
            assert_eq!(all(&[&text[..i], &text[i..]]), whole, "split at {i}");
        }
        // One byte at a time.
        let bytes: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(all(&bytes), whole);
    }

    #[test]
    fn line_ends_of_every_kind_and_multi_line_data() {
        assert_eq!(all(&[b"data: a\r\ndata: b\r\n\r\n"]), vec!["a\nb"]);
        assert_eq!(all(&[b"data:x\r\rdata: y\n\n"]), vec!["x", "y"]);
        assert_eq!(all(&[b"event: ping\nid: 3\n\n"]), Vec::<String>::new());
        // An unterminated last event still counts.
        assert_eq!(all(&[b"data: last"]), vec!["last"]);
    }

    #[test]
    fn chunks_are_read_or_refused_with_a_reason() {
        let c = parse_chunk(r#"{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}"#).unwrap();
        assert_eq!(c.content, "Hi");
        let c = parse_chunk(r#"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3}}"#).unwrap();
        assert_eq!(c.usage, Some((12, 3)));
        let c = parse_chunk(r#"{"choices":[{"message":{"content":"whole"},"finish_reason":"stop"}]}"#).unwrap();
        assert_eq!((c.content.as_str(), c.finish.as_deref()), ("whole", Some("stop")));
        assert!(parse_chunk("{not json")
            .unwrap_err()
            .contains("not a chat-completions chunk"));
        assert!(parse_chunk(r#"{"error":{"message":"context too long"}}"#)
            .unwrap_err()
            .contains("context too long"));
    }

    #[test]
    fn tool_call_pieces_are_read() {
        let c = parse_chunk(
            r#"{"choices":[{"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup_order","arguments":""}}]},"finish_reason":null}]}"#,
        )
        .unwrap();
        assert_eq!(c.content, "");
        assert_eq!(
            c.tool_calls,
            vec![ToolPiece {
                index: 0,
                id: Some("call_1".into()),
                name: Some("lookup_order".into()),
                arguments: String::new()
            }]
        );
        let c =
            parse_chunk(r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"order_"}}]}}]}"#)
                .unwrap();
        assert_eq!(
            (c.tool_calls[0].name.as_deref(), c.tool_calls[0].arguments.as_str()),
            (None, "{\"order_")
        );
        // A whole message, its arguments an object rather than the string the API documents.
        let c = parse_chunk(
            r#"{"choices":[{"message":{"tool_calls":[{"id":"a","function":{"name":"f","arguments":{"x":1}}}]},"finish_reason":"tool_calls"}]}"#,
        )
        .unwrap();
        assert_eq!(c.tool_calls[0].arguments, r#"{"x":1}"#);
        assert_eq!(c.finish.as_deref(), Some("tool_calls"));
    }

    #[test]
    fn a_huge_line_is_refused() {
        let mut d = Decoder::default();
        let big = vec![b'a'; MAX_EVENT + 1];
        assert!(d.push(&big).is_err());
    }
}
