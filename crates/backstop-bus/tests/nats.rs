//! The bus against a real NATS server with JetStream (`BACKSTOP_TEST_NATS`, started by
//! scripts/test.sh): signals reach the other nodes and not the sender; a work item goes to one node,
//! and one taken but never finished (its node died) is delivered again once its time runs out.

use std::time::Duration;

use backstop_bus::{NatsBus, NatsOptions, Signal, Work};
use backstop_core::ids::{ConversationId, TenantId};

fn options(node: &str, prefix: &str) -> NatsOptions {
    NatsOptions {
        url: std::env::var("BACKSTOP_TEST_NATS").expect(
            "BACKSTOP_TEST_NATS is not set: run scripts/test.sh (it starts NATS with JetStream), or point it at one",
        ),
        node: node.into(),
        prefix: prefix.into(),
        ack_wait: Duration::from_secs(1),
        concurrency: 4,
    }
}

fn prefix() -> String {
    format!("bus{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn signals_reach_the_other_nodes_only() {
    let p = prefix();
    let (x, mut x_in) = NatsBus::connect(options("x", &p)).await.unwrap();
    let (_y, mut y_in) = NatsBus::connect(options("y", &p)).await.unwrap();
    let signal = Signal::Knowledge {
        tenant: TenantId::parse("demo").unwrap(),
    };
    x.publish(&signal).await.unwrap();
    x.flush().await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), y_in.signals.recv())
        .await
        .expect("y hears x")
        .unwrap();
    assert_eq!(got.from, "x");
    assert_eq!(got.signal, signal);
    let own = tokio::time::timeout(Duration::from_millis(500), x_in.signals.recv()).await;
    assert!(own.is_err(), "a node does not hear itself: {own:?}");
}

#[tokio::test]
async fn unfinished_work_is_delivered_again_and_finished_work_is_not() {
    let p = prefix();
    let (x, mut x_in) = NatsBus::connect(options("x", &p)).await.unwrap();
    let work = Work::Turn {
        tenant: TenantId::parse("demo").unwrap(),
        conversation: ConversationId(uuid::Uuid::now_v7()),
    };
    x.enqueue(&work).await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), x_in.work.recv())
        .await
        .expect("taken")
        .unwrap();
    assert_eq!(first.work, work);
    // Taken and never finished, as by a node that died.
    drop(first);
    let (_y, mut y_in) = NatsBus::connect(options("y", &p)).await.unwrap();
    let again = tokio::select! {
        t = x_in.work.recv() => t.unwrap(),
        t = y_in.work.recv() => t.unwrap(),
        _ = tokio::time::sleep(Duration::from_secs(10)) => panic!("the unfinished item never came back"),
    };
    assert_eq!(again.work, work);
    again.done().await.unwrap();
    let third = tokio::select! {
        t = x_in.work.recv() => Some(t),
        t = y_in.work.recv() => Some(t),
        _ = tokio::time::sleep(Duration::from_secs(3)) => None,
    };
    assert!(third.is_none(), "a finished item is not delivered again: {third:?}");
}
