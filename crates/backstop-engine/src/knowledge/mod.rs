//! The knowledge room: what the AI knows and how it decides. A tenant's understanding built from
//! its knowledge base and examples ([`brain`]), the knowledge base's articles and versions
//! ([`kb`]), candidate entries drafted from what people answered ([`learn`]), and each tenant's
//! escalation policy ([`policies`]), the names of its topics ([`topics`]), its generative
//! model ([`models`]) and its actions on the merchant's systems ([`actions`]).
//!
//! Depends on the plumbing and the people room (who may edit); never on conversations or insight.

pub mod actions;
pub mod brain;
pub(crate) mod kb;
pub mod learn;
pub mod models;
pub(crate) mod policies;
pub mod topics;
