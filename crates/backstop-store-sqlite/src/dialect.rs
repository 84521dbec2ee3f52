//! What SQLite does differently from PostgreSQL under the shared SQL (`backstop-store/sql`): its
//! driver types, a few SQL functions, and locking — nothing to lock, since every write goes
//! through the one writer connection — and the hot writes, which go through the group commit.

use backstop_core::ids::{ConversationId, TenantId};
use backstop_store::{Appended, ConversationLock, MessageRecord, NewMessage, Result, Turn};

use crate::SqliteStore;

pub(crate) type Conn = sqlx::SqliteConnection;

/// The larger of two values (SQLite's scalar `MAX`).
pub(crate) const GREATEST: &str = "MAX";
/// The bodies of the messages `q`, in order, as a JSON array.
pub(crate) const JSON_ARRAY_OF_BODIES: &str = "json_group_array(q.body ORDER BY q.seq)";
/// A conversation's CSAT rating and the time it was given.
pub(crate) const CSAT_RATING: &str = "json_extract(csat, '$.rating')";
pub(crate) const CSAT_AT: &str = "json_extract(csat, '$.at')";
/// The `LIMIT` that means none (SQLite: a negative number).
pub(crate) const NO_LIMIT: Option<i64> = Some(-1);

/// Versions are read and written on the single writer connection: nothing to lock.
pub(crate) async fn lock_tenant(_conn: &mut Conn, _tenant: &TenantId) -> Result<()> {
    Ok(())
}

/// Appends are applied one at a time by the writer task: nothing to lock.
pub(crate) async fn lock_conversation_row(_conn: &mut Conn, _tenant: &TenantId, _conv: ConversationId) -> Result<()> {
    Ok(())
}

/// Nothing to lock: SQLite has one writer, and a transaction holds it.
pub(crate) async fn lock_conversation_rows(_conn: &mut Conn, _keys: &[(String, String)]) -> Result<()> {
    Ok(())
}

/// One node: its actors already take turns.
pub(crate) async fn lock_conversation(_: &SqliteStore, _: &TenantId, _: ConversationId) -> Result<ConversationLock> {
    Ok(ConversationLock::none())
}

pub(crate) async fn append_message(store: &SqliteStore, m: &NewMessage) -> Result<Appended> {
    store.batch.append(m.clone()).await
}

pub(crate) async fn apply_turn(store: &SqliteStore, turn: &Turn) -> Result<Vec<MessageRecord>> {
    store.batch.turn(turn.clone()).await
}

/// Nothing: SQLite keeps no statistics until a first `ANALYZE`, and its planner picks the facts'
/// and rollups' indexes by their columns (measured at 1 M conversations without statistics); a
/// first `ANALYZE` could change plans that were measured without one.
pub(crate) async fn refresh_analytics_statistics(_store: &SqliteStore) -> Result<()> {
    Ok(())
}

/// The database's size: its pages.
pub(crate) async fn database_size(store: &SqliteStore) -> Result<u64> {
    let row: (i64, i64) = sqlx::query_as("SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()")
        .fetch_one(store.reader())
        .await
        .map_err(backstop_store::codec::db)?;
    Ok((row.0 * row.1).max(0) as u64)
}
