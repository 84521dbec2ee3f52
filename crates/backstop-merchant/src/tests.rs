//! The demo merchant over real HTTP: the key, lookups, a cancellation made once however often it
//! is sent, refunds within what was paid, and the faults tests inject.

use std::net::SocketAddr;

use serde_json::{json, Value};

use super::*;

const KEY: &str = "test-key";

async fn shop() -> (String, reqwest::Client) {
    let (addr, _task) = spawn(SocketAddr::from(([127, 0, 0, 1], 0)), KEY).await.unwrap();
    (format!("http://{addr}"), reqwest::Client::new())
}

async fn call(c: &reqwest::Client, req: reqwest::RequestBuilder) -> (u16, Value) {
    let _ = c;
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn orders_are_read_with_the_key_only() {
    let (base, c) = shop().await;
    let (s, _) = call(&c, c.get(format!("{base}/api/orders/MM-20261128-0001"))).await;
    assert_eq!(s, 401);
    let (s, _) = call(
        &c,
        c.get(format!("{base}/api/orders/MM-20261128-0001"))
            .bearer_auth("wrong"),
    )
    .await;
    assert_eq!(s, 401);
    let (s, v) = call(
        &c,
        c.get(format!("{base}/api/orders/MM-20261128-0001")).bearer_auth(KEY),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["order"]["status"], "shipped");
    assert_eq!(v["order"]["email"], "alice@example.com");
    assert_eq!(v["shipment"]["carrier"], "SF Express");
    assert_eq!(v["shipment"]["events"].as_array().unwrap().len(), 3);
    let (s, v) = call(
        &c,
        c.get(format!("{base}/api/orders/MM-20260101-9999")).bearer_auth(KEY),
    )
    .await;
    assert_eq!((s, v["error"].as_str()), (404, Some("not_found")));
    let (_, v) = call(
        &c,
        c.get(format!("{base}/api/customers/alice@example.com/orders"))
            .bearer_auth(KEY),
    )
    .await;
    let numbers: Vec<&str> = v["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["MM-20261205-0002", "MM-20261128-0001", "MM-20261110-0004"]);
}

#[tokio::test]
async fn a_cancellation_happens_once_per_key_and_never_after_shipping() {
    let (base, c) = shop().await;
    let cancel = |n: &str, key: Option<&str>| {
        let mut r = c.post(format!("{base}/api/orders/{n}/cancel")).bearer_auth(KEY);
        if let Some(k) = key {
            r = r.header("Idempotency-Key", k);
        }
        r
    };
    let (s, v) = call(&c, cancel("MM-20261205-0002", None)).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("idempotency_key_required")));
    let (s, first) = call(&c, cancel("MM-20261205-0002", Some("k1"))).await;
    assert_eq!(s, 200);
    assert_eq!(first["refund"]["amount"], json!(389.0));
    let (s, again) = call(&c, cancel("MM-20261205-0002", Some("k1"))).await;
    assert_eq!((s, &again), (200, &first), "the same key, the same answer");
    let (s, v) = call(&c, cancel("MM-20261205-0002", Some("k2"))).await;
    assert_eq!((s, v["error"].as_str()), (409, Some("already_cancelled")));
    let (s, v) = call(&c, cancel("MM-20261128-0001", Some("k3"))).await;
    assert_eq!((s, v["error"].as_str()), (409, Some("already_shipped")));
    let (_, v) = call(&c, c.get(format!("{base}/_control/changes")).bearer_auth(KEY)).await;
    assert_eq!(v["changes"], 1);
    assert_eq!(v["log"], json!(["cancel MM-20261205-0002"]));
    // A reset brings the seeded shop back: the order paid again, no change, no key remembered.
    let (s, _) = call(&c, c.post(format!("{base}/_control/reset")).bearer_auth(KEY)).await;
    assert_eq!(s, 204);
    let (_, v) = call(&c, c.get(format!("{base}/_control/changes")).bearer_auth(KEY)).await;
    assert_eq!(
        (v["changes"].as_u64(), v["log"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    let (s, again) = call(&c, cancel("MM-20261205-0002", Some("k1"))).await;
    assert_eq!((s, again["state"].as_str()), (200, Some("cancelled")));
}

#[tokio::test]
async fn refunds_stay_within_what_was_paid() {
    let (base, c) = shop().await;
    let refund = |amount: f64, key: &str| {
        c.post(format!("{base}/api/orders/MM-20261110-0004/refunds"))
            .bearer_auth(KEY)
            .header("Idempotency-Key", key)
            .json(&json!({"amount": amount, "reason": "faulty"}))
    };
    let (s, v) = call(&c, refund(1500.0, "r1")).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("requested")));
    let (s, v) = call(&c, refund(500.0, "r2")).await;
    assert_eq!((s, v["error"].as_str()), (422, Some("amount")));
    assert_eq!(v["refundable"], json!(399.0));
    let (s, _) = call(&c, refund(1500.0, "r1")).await;
    assert_eq!(s, 200);
    let (_, v) = call(&c, c.get(format!("{base}/_control/changes")).bearer_auth(KEY)).await;
    assert_eq!(v["changes"], 1);
}

#[tokio::test]
async fn injected_faults_fail_or_stall_the_next_requests() {
    let (base, c) = shop().await;
    let (s, _) = call(
        &c,
        c.post(format!("{base}/_control/fault"))
            .bearer_auth(KEY)
            .json(&json!({"status": 500, "times": 1})),
    )
    .await;
    assert_eq!(s, 204);
    let (s, _) = call(
        &c,
        c.get(format!("{base}/api/orders/MM-20261128-0001")).bearer_auth(KEY),
    )
    .await;
    assert_eq!(s, 500);
    let (s, _) = call(
        &c,
        c.get(format!("{base}/api/orders/MM-20261128-0001")).bearer_auth(KEY),
    )
    .await;
    assert_eq!(s, 200, "only the next one");
    call(
        &c,
        c.post(format!("{base}/_control/fault"))
            .bearer_auth(KEY)
            .json(&json!({"delay_ms": 2000, "times": 1})),
    )
    .await;
    let slow = c
        .get(format!("{base}/api/orders/MM-20261128-0001"))
        .bearer_auth(KEY)
        .timeout(std::time::Duration::from_millis(300))
        .send()
        .await;
    assert!(slow.is_err_and(|e| e.is_timeout()));
}
