//! The SQL both backends share, written once and compiled into each of them (`#[path]` from the
//! backend's `lib.rs`) against that backend's driver: every query uses `$N` placeholders, which
//! SQLite and PostgreSQL both accept, and binds the same values in the same order.
//!
//! A backend provides three things next to it: `crate::Backend` (its store type, with `reader()`
//! and `writer()` pools), and `crate::dialect`, which holds what really differs between the two
//! databases — the driver types, a few SQL functions (`MAX` of two values, JSON aggregation and
//! field access), how a tenant or a conversation is locked, and how the hot writes (appending a
//! message, applying a turn) are committed. Nothing else may differ: the one contract suite in
//! `backstop-store` runs on both.

pub(crate) mod actions;
pub(crate) mod analytics;
mod channels;
mod conversations;
pub(crate) mod directory;
pub(crate) mod history;
pub(crate) mod kb;
pub(crate) mod models;
pub(crate) mod policies;
mod settings;
mod store;
pub(crate) mod turns;
pub(crate) mod understanding;
