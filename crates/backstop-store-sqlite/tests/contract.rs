//! Runs the shared storage contract suite against a fresh SQLite file per test.

use backstop_store_sqlite::SqliteStore;

async fn fresh() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("backstop.db");
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open sqlite");
    (store, dir)
}

backstop_store::store_contract_tests!(fresh);
