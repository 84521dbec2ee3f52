//! The files the product reads besides its knowledge base (JSONL, one object per line; see
//! shared/data/eval/README.md in the workplace), with the file and line number in every error:
//! intent examples (`backstop intents import`, `backstop-lab eval intents`) and dialogues
//! (`backstop replay --dialogues`, `backstop-lab eval dialogues`).

use std::path::Path;

use anyhow::{bail, Context};
use backstop_core::conversation::Priority;
use backstop_core::message::Lang;
use backstop_core::routing::TeamRole;
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

/// A labelled intent example: `{"text","label"}`.
#[derive(Deserialize)]
pub struct IntentRow {
    pub text: String,
    pub label: String,
}

/// An id given as a string or a number (public data sets use both), read as a string.
pub fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number id, got {other}"
        ))),
    }
}

/// A turn: `{"role","text"}`, or a bare string for a customer's message.
#[derive(Deserialize)]
#[serde(untagged)]
enum TurnRow {
    Said(String),
    Turn { role: String, text: String },
}

#[derive(Deserialize)]
struct DialogueRow {
    #[serde(deserialize_with = "string_or_number")]
    id: String,
    #[serde(default)]
    lang: Option<String>,
    turns: Vec<TurnRow>,
    #[serde(default)]
    escalate: Option<bool>,
    #[serde(default)]
    class: Option<String>,
    /// Absent: no article label; `null`: the knowledge base does not cover it.
    #[serde(default, deserialize_with = "present")]
    article: Option<Option<String>>,
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    priority: Option<String>,
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// What a dialogue is labelled with, beside its turns.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    pub escalate: Option<bool>,
    pub class: Option<String>,
    pub article: Option<Option<String>>,
    pub team: Option<TeamRole>,
    pub priority: Option<Priority>,
}

/// Reads a dialogues file: each dialogue, its labels, and its line.
/// Dialogues without any customer text are left out (and counted on standard error).
pub fn read_dialogues(path: &Path) -> anyhow::Result<Vec<(backstop_engine::insight::whatif::Dialogue, Labels, usize)>> {
    let rows: Vec<DialogueRow> = read_jsonl(path)?;
    let mut out = Vec::with_capacity(rows.len());
    let mut skipped = 0;
    for (i, r) in rows.into_iter().enumerate() {
        let line = i + 1;
        let lang = match r.lang.as_deref() {
            Some("zh") => Some(Lang::Zh),
            Some("en") => Some(Lang::En),
            None => None,
            Some(other) => anyhow::bail!("{}:{line}: lang must be zh or en, not {other:?}", path.display()),
        };
        let mut turns: Vec<Vec<String>> = Vec::new();
        let mut open = false;
        for t in r.turns {
            let (role, text) = match t {
                TurnRow::Said(text) => ("customer".to_string(), text),
                TurnRow::Turn { role, text } => (role, text),
            };
            match role.as_str() {
                "customer" | "user" => {
                    if !open {
                        turns.push(Vec::new());
                        open = true;
                    }
                    turns.last_mut().expect("pushed").push(text);
                }
                "agent" | "assistant" | "bot" | "system" => open = false,
                other => anyhow::bail!(
                    "{}:{line}: a turn's role is customer or agent, not {other:?}",
                    path.display()
                ),
            }
        }
        if turns.iter().flatten().all(|t| t.trim().is_empty()) {
            skipped += 1;
            continue;
        }
        let first = turns
            .iter()
            .flatten()
            .find(|t| !t.trim().is_empty())
            .cloned()
            .unwrap_or_default();
        let team = match r.team.as_deref() {
            None => None,
            Some(t) => Some(TeamRole::parse(t).with_context(|| {
                format!(
                    "{}:{line}: team must be general or escalation, not {t:?}",
                    path.display()
                )
            })?),
        };
        let priority = match r.priority.as_deref() {
            None => None,
            Some(p) => Some(Priority::parse(p).with_context(|| {
                format!(
                    "{}:{line}: priority must be normal, high or urgent, not {p:?}",
                    path.display()
                )
            })?),
        };
        let labels = Labels {
            escalate: r.escalate,
            class: r.class,
            article: r.article,
            team,
            priority,
        };
        let dialogue = backstop_engine::insight::whatif::Dialogue {
            id: r.id,
            lang: lang.unwrap_or_else(|| backstop_nlp::lang::detect_or(&first, Lang::En)),
            turns,
        };
        out.push((dialogue, labels, line));
    }
    if skipped > 0 {
        eprintln!("{skipped} dialogue(s) without any customer text were left out");
    }
    anyhow::ensure!(!out.is_empty(), "{} has no dialogue with customer text", path.display());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "string_or_number")]
        id: String,
    }

    #[test]
    fn errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        std::fs::write(&p, "{\"text\":\"a\",\"label\":\"x\"}\n\n{\"text\":\"b\"}\n").unwrap();
        let e = format!("{:#}", read_jsonl::<IntentRow>(&p).err().unwrap());
        assert!(e.contains("x.jsonl:3"), "{e}");
        std::fs::write(&p, "\n").unwrap();
        assert!(format!("{:#}", read_jsonl::<IntentRow>(&p).err().unwrap()).contains("no rows"));
        std::fs::write(&p, "{\"id\":7}\n").unwrap();
        assert_eq!(read_jsonl::<Row>(&p).unwrap()[0].id, "7");
    }
}
