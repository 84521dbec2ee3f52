//! The people room: who may do what and who is here. Agents signing in and their sessions
//! ([`auth`]), what admins do to accounts ([`accounts`]) and set up ([`directory`]: teams, new
//! agents, profiles; [`settings`]: the widget's settings and API keys), who is online and each
//! agent's load ([`presence`]), and the widget's visitors with their verified e-mails
//! ([`visitors`]).
//!
//! Depends only on the engine's plumbing (the store, the clock, the hub); nothing here knows about
//! knowledge or conversations' workflows (the layering test in `rooms_tests.rs` checks it).

pub(crate) mod accounts;
pub(crate) mod auth;
pub mod directory;
pub mod presence;
pub(crate) mod settings;
pub(crate) mod visitors;
