//! The insight room: what managers and trainers learn from past conversations. A conversation's
//! customer turns replayed through understanding and policy off the store ([`replay`]), past
//! conversations replayed against a draft knowledge base and policy side by side ([`whatif`]),
//! and the questions the AI could not settle, grouped by meaning ([`gaps`]); the rollups kept
//! current from the event log ([`analytics`]), the reports read from them ([`reports`]) and the
//! monthly billing statement priced by the tenant's plan ([`billing`]).
//!
//! The top room: it may read every other, and none reads it.

pub mod analytics;
pub mod billing;
pub mod gaps;
pub mod replay;
pub mod reports;
pub mod whatif;
