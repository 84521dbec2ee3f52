//! Runs the shared storage contract suite against a fresh SQLite file per test.

use backstop_store_sqlite::SqliteStore;

async fn fresh() -> SqliteStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.keep().join("backstop.db");
    SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open sqlite")
}

backstop_store::store_contract_tests!(fresh);
