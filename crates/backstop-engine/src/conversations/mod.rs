//! The conversations room: a conversation's life. Customer messages ingested ([`ingest`]) and run
//! in order on the conversation's actor ([`actor`], across nodes [`cluster`]); each customer turn
//! read into the policy's signals ([`assess`]) and the AI's turn ([`turn`]), its answer written by
//! the tenant's model when one serves ([`generate`]), the tenant's actions run for the customer
//! ([`act`]); what agents and
//! customers ask for ([`commands`]); who gets a waiting conversation ([`assign`]); the first-reply
//! clock and tickets ([`sla`]); the agent's copilot ([`copilot`]); the read models ([`views`]).
//!
//! Depends on the plumbing, people and knowledge; never on insight.

pub(crate) mod act;
pub(crate) mod actor;
pub mod assess;
pub(crate) mod assign;
pub mod assist;
pub(crate) mod automate;
pub(crate) mod cluster;
pub(crate) mod commands;
pub mod copilot;
pub(crate) mod generate;
pub(crate) mod ingest;
pub(crate) mod sla;
pub(crate) mod stream;
pub(crate) mod turn;
pub mod views;
