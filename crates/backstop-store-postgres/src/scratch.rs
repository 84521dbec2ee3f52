//! Schemas for tests: each test of a PostgreSQL store works in a fresh schema of the shared test
//! database, named `{prefix}_{uuid v7}`. A store cannot drop its own schema while its pool may
//! still hold connections, so instead every new schema first sweeps away those of its prefix that
//! earlier runs left more than an hour ago (the UUID says when each was made), and the test
//! database holds at most the last hour's schemas.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};

/// How old a test schema must be before a new one sweeps it away.
const STALE: Duration = Duration::from_secs(3600);

/// Creates an empty schema `{prefix}_{uuid v7}` and returns its name, after dropping the stale
/// schemas of `prefix`.
pub async fn test_schema(options: &PgConnectOptions, prefix: &str) -> Result<String, sqlx::Error> {
    let mut admin = PgConnection::connect_with(options).await?;
    let like = format!("{}\\_%", prefix.replace('_', "\\_"));
    let names: Vec<String> = sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE $1")
        .bind(like)
        .fetch_all(&mut admin)
        .await?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    for name in names
        .iter()
        .filter(|n| made_before(n, prefix, now.saturating_sub(STALE)))
    {
        // Another run may be sweeping the same schema: losing that race is fine.
        let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
            .execute(&mut admin)
            .await;
    }
    let schema = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await?;
    admin.close().await.ok();
    Ok(schema)
}

/// Whether `name` is a schema of `prefix` made (by its UUID v7) before `cutoff` (since the epoch).
fn made_before(name: &str, prefix: &str, cutoff: Duration) -> bool {
    let Some(id) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) else {
        return false;
    };
    let Ok(id) = uuid::Uuid::parse_str(id) else {
        return false;
    };
    match id.get_timestamp() {
        Some(t) => {
            let (secs, nanos) = t.to_unix();
            Duration::new(secs, nanos) < cutoff
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_schemas_of_the_prefix_are_stale() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let fresh = format!("contract_{}", uuid::Uuid::now_v7().simple());
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, now.as_secs() - 7200, 0);
        let old = format!("contract_{}", uuid::Uuid::new_v7(ts).simple());
        let cutoff = now - STALE;
        assert!(made_before(&old, "contract", cutoff));
        assert!(!made_before(&fresh, "contract", cutoff));
        assert!(
            !made_before(&old, "nodes", cutoff),
            "another prefix's schema is not ours"
        );
        assert!(!made_before("contract_public", "contract", cutoff));
        assert!(!made_before("public", "contract", cutoff));
    }
}
