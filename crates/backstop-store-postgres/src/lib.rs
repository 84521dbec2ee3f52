//! The PostgreSQL backend of Backstop's [`Store`] trait, for deployments of several nodes: one
//! connection pool, migrations applied at start (under an advisory lock, so nodes starting together
//! migrate once).
//!
//! Writes that read-then-write take a row lock first: a message's sequence number comes from
//! `UPDATE conversations … RETURNING last_seq` after the conversation row is locked, so two nodes
//! appending to one conversation get consecutive numbers and a duplicate client id is seen, not
//! raced; article and policy versions lock the tenant's row. Commits are synchronous (PostgreSQL's
//! default): a message is durable before it is acknowledged.

mod dialect;
#[doc(hidden)]
pub mod scratch;
#[path = "../../backstop-store/sql/mod.rs"]
mod shared;

use std::str::FromStr;
use std::time::Duration;

use backstop_store::codec::db;
use backstop_store::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// Connections per node: enough for the actors writing at once, well under PostgreSQL's default
/// limit of 100 for a few nodes.
const POOL_SIZE: u32 = 16;
/// Conversations one node works on at once (each holds a connection of its own while it does).
const LOCK_POOL_SIZE: u32 = 8;

/// The store the shared SQL is compiled for.
type Backend = PgStore;

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Connections that hold conversation locks (a job's queries use `pool`, so a node working
    /// on many conversations at once cannot starve itself of connections).
    locks: PgPool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`) and
    /// migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        let opts = PgConnectOptions::from_str(url).map_err(db)?;
        Self::connect_with(opts).await
    }

    /// [`PgStore::connect`] with options built by the caller (a test's own schema, say).
    pub async fn connect_with(opts: PgConnectOptions) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let locks = PgPoolOptions::new()
            .max_connections(LOCK_POOL_SIZE)
            .min_connections(0)
            .connect_lazy_with(pool.connect_options().as_ref().clone());
        Ok(PgStore { pool, locks })
    }

    /// Closes the pool, waiting for in-flight work.
    pub async fn close(&self) {
        self.locks.close().await;
        self.pool.close().await;
    }

    /// The pool (reads and writes share it).
    pub(crate) fn reader(&self) -> &PgPool {
        &self.pool
    }

    pub(crate) fn writer(&self) -> &PgPool {
        &self.pool
    }
}
