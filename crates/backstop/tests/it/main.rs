//! Integration tests: the real server, started with `backstop::launch` on 127.0.0.1:0, driven over
//! real HTTP and WebSocket (one test binary, a module per area).

mod support;

mod act;
mod act_model;
mod actions;
mod admin;
mod agent;
mod articles;
mod automation;
mod billing;
mod channels;
mod cluster;
mod copilot;
mod copilot_model;
mod crash;
mod csat;
mod drafts;
mod errors;
mod gaps;
mod generation;
mod handoff;
mod ingestion;
mod injection;
mod languages;
mod learning;
mod local_answers;
mod local_copilot;
mod local_llm;
mod policy;
mod postgres;
mod presence;
mod replay_cli;
mod reports;
mod retrieval;
mod security;
mod sla;
mod streaming;
mod tenancy;
mod tidy;
mod topics;
mod transfer;
mod understanding;
