//! Backstop's language understanding, in Chinese and English, with no network and no database.
//!
//! Layout:
//! - [`lang`]: which language a text is in.
//! - [`text`]: the analyzer shared by indexing and querying (jieba segmentation for Chinese,
//!   lower-casing, stop words, English stemming).
//! - [`retrieval`]: the [`retrieval::Retriever`] trait and its BM25 implementation on tantivy,
//!   with an explainable confidence.
//! - [`hybrid`]: BM25 fused with embedding similarity (reciprocal-rank fusion, a confidence
//!   calibrated on the knowledge base itself), cross-lingual.
//! - [`signals`]: lexicon signals: anger/frustration, small talk.
//! - [`person`]: requests for a person, structurally (persons in frames, typos, pinyin).
//! - [`emotion`] and [`emotion_head`]: the emotion radar (anger, frustration, anxiety, sadness,
//!   satisfaction) — a trained head on the sentence embedding plus customer-service rules.
//! - [`stakes`]: what is at stake: account security, billing disputes, requests to act, harm.
//! - [`entities`]: facts customers give (order numbers, e-mail, phone, amounts).
//! - [`slots`]: an action's parameters from the conversation and the verified customer, and the
//!   question for what is missing or refused, in the customer's language.
//! - [`amount`]: amounts of money in every common zh/en form (Chinese numerals, 万/k, currencies).
//! - [`replies`]: the fixed sentences the AI says, in both languages.
//! - [`passages`]: an article cut into passages, and the passage(s) that answer a question.
//! - [`summary`]: the extractive summary at the top of a handoff packet.
//! - [`embed`]: the local multilingual sentence-embedding model (e5-small, 4-bit).
//! - [`features`] and [`intent`]: sparse lexical features and the intent classifier with
//!   out-of-scope detection.
//! - [`coverage`]: what a knowledge base does not cover — a built-in taxonomy of shop questions
//!   mapped onto the tenant's articles.
//! - [`understand`]: retrieval and intent together — a tenant's training examples (with the
//!   built-in off-topic set) and the rule for which article the AI may act on.
//! - [`metrics`]: evaluation metrics (accuracy, F1, recall@k, MRR, thresholds).

pub mod act_words;
pub mod amount;
pub mod cluster;
pub mod coverage;
pub mod embed;
pub mod emotion;
pub mod emotion_head;
mod emotion_words;
pub mod entities;
pub mod features;
pub mod guard;
pub mod hybrid;
pub mod intent;
pub mod lang;
pub mod metrics;
pub mod passages;
pub mod person;
pub mod prompt;
pub mod replies;
pub mod retrieval;
pub mod signals;
pub mod slots;
pub mod stakes;
pub mod summary;
pub mod text;
pub mod understand;
