//! The embedded SQLite backend of Backstop's [`Store`] trait: one file, WAL journal, migrations
//! applied at start.
//!
//! Writes go through a single-connection pool, so write transactions never race each other into
//! `SQLITE_BUSY`; reads use a separate pool and see the last committed state (WAL). The journal is
//! synced on every commit (`synchronous = FULL`): a message is on disk before it is acknowledged.

mod batch;
mod dialect;
#[path = "../../backstop-store/sql/mod.rs"]
mod shared;

use std::str::FromStr;
use std::time::Duration;

use backstop_store::codec::db;
use backstop_store::{Result, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

/// The store the shared SQL is compiled for.
type Backend = SqliteStore;

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    /// Group commit of message appends and turns (see `batch`).
    batch: batch::Batcher,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path/to/file.db`) and migrates it.
    pub async fn connect(url: &str) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(db)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await
            .map_err(db)?;
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts.read_only(true))
            .await
            .map_err(db)?;
        let batch = batch::Batcher::start(writer.clone());
        Ok(SqliteStore { writer, reader, batch })
    }

    /// The connections that read (read-only, several).
    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// The one connection that writes.
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// Closes both pools, waiting for in-flight work.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}
