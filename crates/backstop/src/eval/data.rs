//! Reading the evaluation formats (JSONL, one object per line; see shared/data/eval/README.md),
//! with the file and line number in every error.

use std::path::Path;

use anyhow::{bail, Context};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// Reads a JSONL file into `T`s; blank lines are skipped.
pub fn read_jsonl<T: DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row =
            serde_json::from_str(line).with_context(|| format!("{}:{}: not a valid row", path.display(), i + 1))?;
        out.push(row);
    }
    if out.is_empty() {
        bail!("{} has no rows", path.display());
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct IntentRow {
    pub text: String,
    pub label: String,
}

#[derive(Deserialize)]
pub struct PairRow {
    pub a: String,
    pub b: String,
    pub label: u8,
}

#[derive(Deserialize)]
pub struct FaqEntry {
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    pub question: String,
    pub answer: String,
}

#[derive(Deserialize)]
pub struct FaqQuery {
    pub text: String,
    #[serde(deserialize_with = "string_or_number")]
    pub answer_id: String,
}

pub(crate) fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number id, got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        std::fs::write(&p, "{\"text\":\"a\",\"label\":\"x\"}\n\n{\"text\":\"b\"}\n").unwrap();
        let e = format!("{:#}", read_jsonl::<IntentRow>(&p).err().unwrap());
        assert!(e.contains("x.jsonl:3"), "{e}");
        std::fs::write(&p, "\n").unwrap();
        assert!(format!("{:#}", read_jsonl::<IntentRow>(&p).err().unwrap()).contains("no rows"));
        std::fs::write(&p, "{\"id\":7,\"question\":\"q\",\"answer\":\"a\"}\n").unwrap();
        assert_eq!(read_jsonl::<FaqEntry>(&p).unwrap()[0].id, "7");
    }
}
