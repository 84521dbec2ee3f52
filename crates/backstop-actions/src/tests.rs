//! Calls to the demo merchant over real HTTP: done, refused, failed, retried only when safe.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use backstop_core::action::Action;
use serde_json::{json, Value};

use super::*;

const KEY: &str = "merchant-key";

async fn merchant() -> String {
    let (addr, _task) = backstop_merchant::spawn(SocketAddr::from(([127, 0, 0, 1], 0)), KEY)
        .await
        .unwrap();
    format!("http://{addr}")
}

fn lookup(base: &str) -> Action {
    Action::parse(&json!({
        "name": "lookup_order",
        "description": "An order's status and tracking.",
        "method": "GET",
        "url": format!("{base}/api/orders/{{order_number}}"),
        "headers": {"Authorization": "Bearer {secret}"},
        "timeout_ms": 500,
        "parameters": {"type": "object", "required": ["order_number"], "properties": {
            "order_number": {"type": "string", "pattern": "MM-\\d{8}-\\d{4}", "x-entity": "order_number"},
            "email": {"type": "string", "format": "email"}
        }},
        "response": {"status": "/order/status", "carrier": "/shipment/carrier"},
        "result": {"en": "{status} with {carrier}"}
    }))
    .unwrap()
}

fn cancel(base: &str, idempotent: bool) -> Action {
    Action::parse(&json!({
        "name": "cancel_order",
        "description": "Cancels an unshipped order.",
        "effect": "change",
        "method": "POST",
        "url": format!("{base}/api/orders/{{order_number}}/cancel"),
        "headers": {"Authorization": "Bearer {secret}"},
        "timeout_ms": 500,
        "idempotent": idempotent,
        "parameters": {"type": "object", "required": ["order_number"], "properties": {
            "order_number": {"type": "string", "pattern": "MM-\\d{8}-\\d{4}"}
        }},
        "response": {"state": "/state"},
        "confirm": {"en": "Cancel {order_number}?"},
        "result": {"en": "{state}"}
    }))
    .unwrap()
}

fn values(a: &Action, pairs: &[(&str, &str)]) -> BTreeMap<String, backstop_core::action::Val> {
    let raw = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    a.schema.check(&raw).unwrap()
}

async fn fault(base: &str, f: Value) {
    reqwest::Client::new()
        .post(format!("{base}/_control/fault"))
        .bearer_auth(KEY)
        .json(&f)
        .send()
        .await
        .unwrap();
}

async fn changes(base: &str) -> u64 {
    let v: Value = reqwest::Client::new()
        .get(format!("{base}/_control/changes"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["changes"].as_u64().unwrap()
}

#[tokio::test]
async fn a_lookup_reads_only_the_mapped_fields_and_masks_personal_parameters() {
    let base = merchant().await;
    let a = lookup(&base);
    let v = values(
        &a,
        &[("order_number", "MM-20261128-0001"), ("email", "alice@example.com")],
    );
    let call = Caller::new().call(&a, &v, Some(KEY), None).await;
    assert_eq!(
        call.outcome,
        Outcome::Done {
            fields: BTreeMap::from([
                ("carrier".into(), json!("SF Express")),
                ("status".into(), json!("shipped"))
            ])
        }
    );
    assert_eq!(call.record.parameters["order_number"], "MM-20261128-0001");
    assert_eq!(call.record.parameters["email"], "al***@*******.*om");
    assert_eq!((call.record.status, call.record.attempts), (Some(200), 1));
}

#[tokio::test]
async fn the_merchant_saying_no_is_a_refusal_and_a_wrong_key_a_failure() {
    let base = merchant().await;
    let a = lookup(&base);
    let caller = Caller::new();
    let call = caller
        .call(
            &a,
            &values(&a, &[("order_number", "MM-20260101-9999")]),
            Some(KEY),
            None,
        )
        .await;
    assert_eq!(
        call.outcome,
        Outcome::Refused {
            status: 404,
            code: Some("not_found".into())
        }
    );
    let call = caller
        .call(
            &a,
            &values(&a, &[("order_number", "MM-20261128-0001")]),
            Some("wrong"),
            None,
        )
        .await;
    assert_eq!(call.outcome, Outcome::Failed(Failure::Unauthorized { status: 401 }));
    // A paid order has no shipment yet ("shipment": null): its carrier reads as null …
    let call = caller
        .call(
            &a,
            &values(&a, &[("order_number", "MM-20261205-0002")]),
            Some(KEY),
            None,
        )
        .await;
    match &call.outcome {
        Outcome::Done { fields } => assert!(fields["carrier"].is_null(), "{call:?}"),
        other => panic!("{other:?}"),
    }
    // … but a mapped field the answer does not have at all is the wrong shape.
    let mut spec = a.spec.clone();
    spec.response.insert("weight".into(), "/order/weight_kg".into());
    let heavy = Action::check(spec).unwrap();
    let call = caller
        .call(
            &heavy,
            &values(&heavy, &[("order_number", "MM-20261128-0001")]),
            Some(KEY),
            None,
        )
        .await;
    assert!(
        matches!(call.outcome, Outcome::Failed(Failure::Shape { .. })),
        "{call:?}"
    );
}

#[tokio::test]
async fn a_read_is_tried_again_once_and_a_timeout_is_a_failure() {
    let base = merchant().await;
    let a = lookup(&base);
    let v = values(&a, &[("order_number", "MM-20261128-0001")]);
    let caller = Caller::new();
    fault(&base, json!({"status": 500, "times": 1})).await;
    let call = caller.call(&a, &v, Some(KEY), None).await;
    assert!(matches!(call.outcome, Outcome::Done { .. }), "{call:?}");
    assert_eq!(call.record.attempts, 2);
    fault(&base, json!({"status": 503, "times": 2})).await;
    let call = caller.call(&a, &v, Some(KEY), None).await;
    assert_eq!(call.outcome, Outcome::Failed(Failure::Status { status: 503 }));
    fault(&base, json!({"delay_ms": 1500, "times": 2})).await;
    let call = caller.call(&a, &v, Some(KEY), None).await;
    assert_eq!(call.outcome, Outcome::Failed(Failure::Timeout));
    assert!(
        call.record.latency_ms >= 1000,
        "two timeouts of 500 ms: {}",
        call.record.latency_ms
    );
}

#[tokio::test]
async fn a_change_is_sent_once_unless_the_merchant_takes_idempotency_keys() {
    let base = merchant().await;
    let caller = Caller::new();
    // Not idempotent: a 500 is not tried again.
    let a = cancel(&base, false);
    fault(&base, json!({"status": 500, "times": 1})).await;
    let call = caller
        .call(
            &a,
            &values(&a, &[("order_number", "MM-20261205-0002")]),
            Some(KEY),
            Some("conv-1"),
        )
        .await;
    assert_eq!(call.outcome, Outcome::Failed(Failure::Status { status: 500 }));
    assert_eq!(call.record.attempts, 1);
    // Idempotent with a key: tried again, and the change is made once.
    let a = cancel(&base, true);
    fault(&base, json!({"status": 500, "times": 1})).await;
    let call = caller
        .call(
            &a,
            &values(&a, &[("order_number", "MM-20261205-0002")]),
            Some(KEY),
            Some("conv-2"),
        )
        .await;
    assert_eq!(
        call.outcome,
        Outcome::Done {
            fields: BTreeMap::from([("state".into(), json!("cancelled"))])
        }
    );
    assert_eq!(call.record.attempts, 2);
    // The same confirmed action again (a redelivery): the merchant answers as before, no change.
    let again = caller
        .call(
            &a,
            &values(&a, &[("order_number", "MM-20261205-0002")]),
            Some(KEY),
            Some("conv-2"),
        )
        .await;
    assert_eq!(again.outcome, call.outcome);
    assert_eq!(changes(&base).await, 1);
    // A shipped order: the merchant refuses, nothing changes.
    let call = caller
        .call(
            &a,
            &values(&a, &[("order_number", "MM-20261128-0001")]),
            Some(KEY),
            Some("conv-3"),
        )
        .await;
    assert_eq!(
        call.outcome,
        Outcome::Refused {
            status: 409,
            code: Some("already_shipped".into())
        }
    );
    assert_eq!(changes(&base).await, 1);
}
