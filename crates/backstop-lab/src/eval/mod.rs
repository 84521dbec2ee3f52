//! `backstop-lab eval …`: measure the AI on labelled public data. Each command shows progress bars,
//! prints a readable table, and ends with one JSON object holding every figure (rates as fractions).
//! Nothing here trains on a test file.

pub mod actions;
pub mod answers;
pub mod data;
pub mod dialogues;
pub mod emotion;
pub mod faq;
pub mod guard;
pub mod intents;
pub mod languages;
pub mod model;
pub mod pairs;
pub mod requests;

pub use backstop_report::{bar, pct, r4, report};
