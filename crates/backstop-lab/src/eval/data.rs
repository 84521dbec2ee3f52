//! The evaluation-only formats (question pairs, FAQ entries and queries); the reader and the
//! formats the product itself reads are [`backstop::jsonl`].

pub use backstop::jsonl::{read_jsonl, string_or_number, IntentRow};
use serde::Deserialize;

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
