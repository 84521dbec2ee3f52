//! Runs the shared storage contract suite against PostgreSQL, each test in a fresh schema of the
//! database named by `BACKSTOP_TEST_POSTGRES` (`scripts/test.sh` starts a server and sets it; run
//! without it, these tests fail and say how to provide one).

use std::str::FromStr;

use backstop_store_postgres::PgStore;
use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;

async fn fresh() -> PgStore {
    let url = std::env::var("BACKSTOP_TEST_POSTGRES").expect(
        "BACKSTOP_TEST_POSTGRES is not set: run scripts/test.sh (it starts PostgreSQL), or point it at a \
         database you may create schemas in, e.g. postgres://backstop:backstop@127.0.0.1:5432/backstop_test",
    );
    let schema = format!("contract_{}", uuid::Uuid::now_v7().simple());
    let opts = PgConnectOptions::from_str(&url).expect("BACKSTOP_TEST_POSTGRES is a postgres:// URL");
    let mut admin = sqlx::PgConnection::connect_with(&opts)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("create schema");
    admin.close().await.ok();
    PgStore::connect_with(opts.options([("search_path", schema.as_str())]))
        .await
        .expect("open the PostgreSQL store")
}

backstop_store::store_contract_tests!(fresh);
