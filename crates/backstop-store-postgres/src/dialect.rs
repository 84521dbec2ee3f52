//! What PostgreSQL does differently from SQLite under the shared SQL (`backstop-store/sql`): its
//! driver types, a few SQL functions, row and advisory locks (several nodes write at once), and
//! plain transactions for the hot writes.

use backstop_core::ids::{ConversationId, TenantId};
use backstop_store::codec::db;
use backstop_store::{Appended, ConversationLock, MessageRecord, NewMessage, Result, StoreError, Turn};

use crate::shared::turns;
use crate::PgStore;

pub(crate) type Conn = sqlx::PgConnection;

/// The larger of two values.
pub(crate) const GREATEST: &str = "GREATEST";
/// The bodies of the messages `q`, in order, as a JSON array (text, `[]` when there are none).
pub(crate) const JSON_ARRAY_OF_BODIES: &str = "COALESCE(json_agg(q.body ORDER BY q.seq)::text, '[]')";
/// A conversation's CSAT rating and the time it was given.
pub(crate) const CSAT_RATING: &str = "(csat::jsonb ->> 'rating')::bigint";
pub(crate) const CSAT_AT: &str = "(csat::jsonb ->> 'at')";
/// The `LIMIT` that means none (PostgreSQL: `LIMIT NULL`).
pub(crate) const NO_LIMIT: Option<i64> = None;

/// Locks the tenant's row until the transaction ends: versions (articles, policies) are read and
/// written under it, so two nodes saving at once get consecutive numbers. `NO KEY UPDATE` leaves
/// inserts that only reference the tenant (messages, conversations) unblocked.
pub(crate) async fn lock_tenant(conn: &mut Conn, tenant: &TenantId) -> Result<()> {
    let found = sqlx::query("SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE")
        .bind(tenant.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    found.map(|_| ()).ok_or(StoreError::NotFound("tenant"))
}

/// Locks the conversation's row until the transaction ends, so a duplicate delivered to another
/// node at the same moment waits, then finds the first copy.
pub(crate) async fn lock_conversation_row(conn: &mut Conn, tenant: &TenantId, conv: ConversationId) -> Result<()> {
    let found = sqlx::query("SELECT id FROM conversations WHERE tenant_id = $1 AND id = $2 FOR UPDATE")
        .bind(tenant.as_str())
        .bind(conv.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    found.map(|_| ()).ok_or(StoreError::NotFound("conversation"))
}

/// Locks many conversations' rows at once, in the order given (callers sort them), for the rest of
/// the transaction; `NotFound` when one of them does not exist.
pub(crate) async fn lock_conversation_rows(conn: &mut Conn, keys: &[(String, String)]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new("SELECT id FROM conversations WHERE (tenant_id, id) IN (");
    let mut list = q.separated(", ");
    for (t, c) in keys {
        list.push("(");
        list.push_bind_unseparated(t.clone());
        list.push_unseparated(", ");
        list.push_bind_unseparated(c.clone());
        list.push_unseparated(")");
    }
    q.push(") ORDER BY tenant_id, id FOR UPDATE");
    let found = q.build().fetch_all(&mut *conn).await.map_err(db)?;
    if found.len() < keys.len() {
        return Err(StoreError::NotFound("conversation"));
    }
    Ok(())
}

/// A transaction-scoped advisory lock: released at commit or rollback, and by the server when this
/// node's connection dies, so a crashed node never keeps a conversation.
pub(crate) async fn lock_conversation(
    store: &PgStore,
    tenant: &TenantId,
    conv: ConversationId,
) -> Result<ConversationLock> {
    let mut tx = store.locks.begin().await.map_err(db)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(lock_key(tenant, conv))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    Ok(ConversationLock::held(Box::new(tx)))
}

/// The advisory lock key of a conversation: its id's random low 64 bits, mixed with the tenant.
fn lock_key(tenant: &TenantId, conv: ConversationId) -> i64 {
    let low = u64::from_be_bytes(conv.0.as_bytes()[8..].try_into().expect("16-byte uuid"));
    let t = tenant.as_str().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (low ^ t) as i64
}

pub(crate) async fn append_message(store: &PgStore, m: &NewMessage) -> Result<Appended> {
    let mut tx = store.pool.begin().await.map_err(db)?;
    let appended = turns::append_in(&mut tx, m).await?;
    tx.commit().await.map_err(db)?;
    Ok(appended)
}

pub(crate) async fn apply_turn(store: &PgStore, turn: &Turn) -> Result<Vec<MessageRecord>> {
    let mut tx = store.pool.begin().await.map_err(db)?;
    let stored = turns::apply_turn_in(&mut tx, turn).await?;
    tx.commit().await.map_err(db)?;
    Ok(stored)
}

/// Reads the analytics tables' statistics again: a rebuild writes them whole, and until
/// autovacuum analyses them the planner guesses (the drill-down then scanned a 90-day range of a
/// million facts from disk: 697 ms, against 75 ms with statistics).
pub(crate) async fn refresh_analytics_statistics(store: &PgStore) -> Result<()> {
    sqlx::query("ANALYZE conversation_facts, rollups, rollup_counts, agent_rollups")
        .execute(store.writer())
        .await
        .map_err(db)?;
    Ok(())
}

/// The database's size: this schema's tables with their indexes and TOAST.
pub(crate) async fn database_size(store: &PgStore) -> Result<u64> {
    let bytes: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(pg_total_relation_size(c.oid)) AS BIGINT) FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'",
    )
    .fetch_one(store.reader())
    .await
    .map_err(db)?;
    Ok(bytes.unwrap_or(0).max(0) as u64)
}
