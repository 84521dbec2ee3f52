//! Runs the shared storage contract suite against PostgreSQL, each test in a fresh schema of the
//! database named by `BACKSTOP_TEST_POSTGRES` (`scripts/test.sh` starts a server and sets it; run
//! without it, these tests fail and say how to provide one). Schemas older than an hour are swept
//! away as new ones are made (`backstop_store_postgres::scratch`).

use std::str::FromStr;

use backstop_store_postgres::PgStore;
use sqlx::postgres::PgConnectOptions;

async fn fresh() -> (PgStore, ()) {
    let url = std::env::var("BACKSTOP_TEST_POSTGRES").expect(
        "BACKSTOP_TEST_POSTGRES is not set: run scripts/test.sh (it starts PostgreSQL), or point it at a \
         database you may create schemas in, e.g. postgres://backstop:backstop@127.0.0.1:5432/backstop_test",
    );
    let opts = PgConnectOptions::from_str(&url).expect("BACKSTOP_TEST_POSTGRES is a postgres:// URL");
    let schema = backstop_store_postgres::scratch::test_schema(&opts, "contract")
        .await
        .expect("create a schema in the test database");
    let store = PgStore::connect_with(opts.options([("search_path", schema.as_str())]))
        .await
        .expect("open the PostgreSQL store");
    (store, ())
}

backstop_store::store_contract_tests!(fresh);

/// Beyond the shared contract: with PostgreSQL, a conversation held by one node's actor waits for
/// it (several nodes, one database); another conversation does not.
#[tokio::test]
async fn a_held_conversation_waits_for_its_holder() {
    use backstop_core::ids::{ConversationId, TenantId};
    use backstop_store::Store;
    use std::time::Duration;
    let (store, ()) = fresh().await;
    let tenant = TenantId::parse("shop").unwrap();
    let (a, b) = (
        ConversationId(uuid::Uuid::now_v7()),
        ConversationId(uuid::Uuid::now_v7()),
    );
    let held = store.lock_conversation(&tenant, a).await.unwrap();
    assert!(held.is_held());
    let other = store.clone();
    let waiting = {
        let tenant = tenant.clone();
        tokio::spawn(async move { other.lock_conversation(&tenant, a).await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "the second hold waits while the first is held");
    let elsewhere = tokio::time::timeout(Duration::from_secs(5), store.lock_conversation(&tenant, b)).await;
    assert!(elsewhere.is_ok(), "another conversation is not blocked");
    drop(held);
    let second = tokio::time::timeout(Duration::from_secs(5), waiting).await;
    assert!(second.is_ok(), "released when the holder drops it");
}
