//! Actions as data: definitions refused with their field, requests no value can bend, responses
//! read only through the mapping.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;

fn lookup() -> Value {
    json!({
        "name": "lookup_order",
        "description": "Finds an order's status and tracking by its number.",
        "identity": "verified_or_contact",
        "method": "GET",
        "url": "https://merchant.example/api/orders/{order_number}?fields=status",
        "headers": {"Authorization": "Bearer {secret}"},
        "parameters": {
            "type": "object",
            "properties": {
                "order_number": {"type": "string", "pattern": "MM-\\d{8}-\\d{4}", "x-entity": "order_number",
                                 "x-ask": {"en": "What is your order number?", "zh": "请提供订单号。"}}
            },
            "required": ["order_number"]
        },
        "response": {"status": "/order/status", "carrier": "/shipment/carrier", "email": "/order/email"},
        "contact": ["email"],
        "result": {"en": "Order status: {status}, with {carrier}.", "zh": "订单状态：{status}，承运商：{carrier}。"}
    })
}

fn cancel() -> Value {
    json!({
        "name": "cancel_order",
        "description": "Cancels an order that has not shipped.",
        "effect": "change",
        "method": "POST",
        "url": "https://merchant.example/api/orders/{order_number}/cancel",
        "body": {"reason": "{reason}", "amount": "{amount}", "note": "via Backstop: {reason}"},
        "parameters": {
            "type": "object",
            "properties": {
                "order_number": {"type": "string", "pattern": "MM-\\d{8}-\\d{4}"},
                "reason": {"type": "string", "enum": ["changed_mind", "duplicate"]},
                "amount": {"type": "number", "minimum": 0, "maximum": 5000}
            },
            "required": ["order_number", "reason"]
        },
        "response": {"state": "/state"},
        "confirm": {"en": "Cancel order {order_number}?", "zh": "确认取消订单 {order_number}？"},
        "result": {"en": "Order cancelled: {state}."},
        "idempotent": true
    })
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn refused(mut v: Value, edit: impl FnOnce(&mut Value)) -> String {
    edit(&mut v);
    match Action::parse(&v) {
        Err(ActionError::Invalid { path, .. }) => path,
        other => panic!("accepted or wrong error: {other:?}"),
    }
}

#[test]
fn a_lookup_renders_one_request_with_the_value_encoded_and_the_secret_in_its_header() {
    let a = Action::parse(&lookup()).unwrap();
    let v = a
        .schema
        .check(&values(&[("order_number", "MM-20261128-0001")]))
        .unwrap();
    let r = a.request(&v, Some("s3cret"), None).unwrap();
    assert_eq!(r.method, Method::Get);
    assert_eq!(
        r.url,
        "https://merchant.example/api/orders/MM-20261128-0001?fields=status"
    );
    assert_eq!(r.headers, vec![("Authorization".into(), "Bearer s3cret".into())]);
    assert_eq!(
        r.redacted_headers(Some("s3cret")),
        vec![("Authorization".into(), "***".into())]
    );
    assert_eq!(r.timeout_ms, DEFAULT_TIMEOUT_MS);
}

#[test]
fn values_are_checked_and_every_problem_named() {
    let a = Action::parse(&cancel()).unwrap();
    let problems = a
        .schema
        .check(&values(&[("order_number", "1234"), ("amount", "9000")]))
        .unwrap_err();
    assert_eq!(
        problems,
        vec![
            ("amount".into(), Problem::TooLarge { maximum: 5000.0 }),
            ("order_number".into(), Problem::Pattern),
            ("reason".into(), Problem::Missing),
        ]
    );
    // The pattern holds the whole value, not a part of it.
    let a = Action::parse(&lookup()).unwrap();
    assert!(a
        .schema
        .check(&values(&[("order_number", "xMM-20261128-0001")]))
        .is_err());
    assert!(a
        .schema
        .check(&values(&[("order_number", "MM-20261128-0001\r\nX-Evil: 1")]))
        .is_err());
}

#[test]
fn no_value_can_change_the_host_the_path_or_the_body_structure() {
    // A schema without a pattern: whatever the customer typed goes in, encoded whole.
    let mut open = lookup();
    open["parameters"]["properties"]["order_number"] = json!({"type": "string"});
    let a = Action::parse(&open).unwrap();
    for evil in ["../../admin", "1?all=true#x", "a@evil.example", "1/../../x", "%2e%2e"] {
        let v = a.schema.check(&values(&[("order_number", evil)])).unwrap();
        let r = a.request(&v, None, None).unwrap();
        let path = r.url.trim_start_matches("https://merchant.example/api/orders/");
        let segment = path.split('?').next().unwrap();
        assert!(!segment.contains(['/', '?', '#', '@']), "{evil} -> {}", r.url);
        assert!(r.url.starts_with("https://merchant.example/api/orders/"));
        assert!(r.url.ends_with("?fields=status"), "{}", r.url);
    }
    let a = Action::parse(&cancel()).unwrap();
    let v = a
        .schema
        .check(&values(&[
            ("order_number", "MM-20261128-0001"),
            ("reason", "duplicate"),
            ("amount", "¥389"),
        ]))
        .unwrap();
    let r = a.request(&v, None, Some("conv-1/turn-3")).unwrap();
    assert_eq!(
        r.body,
        Some(json!({"reason": "duplicate", "amount": 389, "note": "via Backstop: duplicate"}))
    );
    assert!(r
        .headers
        .contains(&("Idempotency-Key".into(), "conv-1%2Fturn-3".into())));
    // A value that skipped the schema is refused, not sent.
    let mut unchecked = v.clone();
    unchecked.insert("order_number".into(), Val::Text("1/../x".into()));
    assert_eq!(
        a.request(&unchecked, None, None),
        Err(ActionError::Unchecked("order_number".into()))
    );
}

#[test]
fn only_the_mapped_fields_are_read_and_a_missing_one_is_a_shape_error() {
    let a = Action::parse(&lookup()).unwrap();
    let merchant = json!({"order": {"status": "shipped", "email": "Li@Shop.example", "card": "4111 1111 1111 1111"},
                          "shipment": {"carrier": "SF Express"}});
    let fields = a.read(&merchant).unwrap();
    assert_eq!(fields.len(), 3);
    assert!(!fields.values().any(|v| v.to_string().contains("4111")));
    assert_eq!(a.tell(Lang::En, &fields), "Order status: shipped, with SF Express.");
    assert_eq!(a.tell(Lang::Zh, &fields), "订单状态：shipped，承运商：SF Express。");
    assert!(a.contact_matches(&fields, "li@shop.example"));
    assert!(!a.contact_matches(&fields, "other@shop.example"));
    assert!(!a.contact_matches(&fields, ""));
    assert_eq!(
        a.read(&json!({"order": {"status": "x"}})),
        Err(ActionError::Shape {
            field: "carrier".into(),
            pointer: "/shipment/carrier".into()
        })
    );
    let c = Action::parse(&cancel()).unwrap();
    let v = c
        .schema
        .check(&values(&[
            ("order_number", "MM-20261128-0001"),
            ("reason", "duplicate"),
        ]))
        .unwrap();
    assert_eq!(c.summary(Lang::Zh, &v, None), "确认取消订单 MM-20261128-0001？");
    // English stands in for a missing Chinese result.
    assert_eq!(
        c.tell(Lang::Zh, &BTreeMap::from([("state".into(), json!("cancelled"))])),
        "Order cancelled: cancelled."
    );
}

#[test]
fn unclear_definitions_are_refused_with_their_field() {
    // A wrong value or an unknown field is named by its path too, not only a rule broken.
    assert_eq!(refused(lookup(), |v| v["method"] = json!("FETCH")), "method");
    assert_eq!(refused(lookup(), |v| v["timeout_ms"] = json!("soon")), "timeout_ms");
    assert_eq!(refused(lookup(), |v| v["headers"]["X-Key"] = json!(5)), "headers.X-Key");
    assert_eq!(
        refused(lookup(), |v| v["url"] = json!("https://{order_number}.example/x")),
        "url"
    );
    assert_eq!(
        refused(lookup(), |v| v["url"] = json!("ftp://merchant.example/x")),
        "url"
    );
    assert_eq!(
        refused(lookup(), |v| v["url"] = json!("https://merchant.example/x?k={secret}")),
        "url"
    );
    assert_eq!(
        refused(lookup(), |v| v["url"] = json!("https://merchant.example/{nope}")),
        "url"
    );
    assert_eq!(
        refused(lookup(), |v| v["headers"] = json!({"Host": "x"})),
        "headers.Host"
    );
    assert_eq!(
        refused(lookup(), |v| v["headers"] = json!({"X-A": "a\r\nb"})),
        "headers.X-A"
    );
    assert_eq!(refused(lookup(), |v| v["body"] = json!({"a": 1})), "body");
    assert_eq!(refused(cancel(), |v| v["body"] = json!({"k": "{secret}"})), "body.k");
    assert_eq!(refused(cancel(), |v| v["confirm"] = json!({})), "confirm.en");
    assert_eq!(
        refused(lookup(), |v| v["result"]["en"] = json!("{nothing}")),
        "result.en"
    );
    assert_eq!(refused(lookup(), |v| v["contact"] = json!([])), "contact");
    assert_eq!(refused(lookup(), |v| v["timeout_ms"] = json!(60_000)), "timeout_ms");
    assert_eq!(refused(lookup(), |v| v["name"] = json!("Lookup Order")), "name");
    assert_eq!(
        refused(lookup(), |v| v["parameters"]["properties"]["order_number"]["pattern"] =
            json!("(")),
        "parameters.properties.order_number.pattern"
    );
    assert_eq!(
        refused(lookup(), |v| v["parameters"]["properties"]["order_number"]["oneOf"] =
            json!([])),
        "parameters.properties.order_number.oneOf"
    );
    assert_eq!(
        refused(lookup(), |v| v["parameters"]["required"] = json!(["email"])),
        "parameters.required"
    );
    assert_eq!(
        refused(cancel(), |v| v["parameters"]["properties"]["amount"]["pattern"] =
            json!("\\d+")),
        "parameters.properties.amount.pattern"
    );
    assert!(matches!(
        Action::parse(&json!({"name": "x"})),
        Err(ActionError::Invalid { .. })
    ));
}

#[test]
fn a_panel_action_reads_rows_of_its_columns_and_is_checked() {
    let mut spec = json!({
        "name": "customer_orders", "description": "The customer's orders.", "method": "GET",
        "url": "https://merchant.example/api/customers/{email}/orders",
        "parameters": {"type": "object", "required": ["email"],
                       "properties": {"email": {"type": "string", "x-entity": "email"}}},
        "response": {"orders": "/orders"},
        "panel": {"field": "orders", "columns": ["number", "status"]}
    });
    let a = Action::parse(&spec).unwrap();
    let fields: BTreeMap<String, Value> = [(
        "orders".to_string(),
        json!([{"number": "A-1", "status": "paid", "address": "secret street"}, {"number": "A-2", "items": [1]}]),
    )]
    .into();
    assert_eq!(
        a.panel_rows(&fields),
        vec![vec![json!("A-1"), json!("paid")], vec![json!("A-2"), Value::Null]]
    );
    assert!(a.panel_rows(&BTreeMap::new()).is_empty());
    assert_eq!(
        refused(spec.clone(), |v| v["panel"]["field"] = json!("nope")),
        "panel.field"
    );
    assert_eq!(
        refused(spec.clone(), |v| v["panel"]["columns"] = json!([])),
        "panel.columns"
    );
    let change = |v: &mut Value| {
        v["effect"] = json!("change");
        v["method"] = json!("POST");
        v["confirm"] = json!({"en": "Show the orders?"});
    };
    assert_eq!(refused(spec.clone(), change), "panel");
    spec["parameters"]["properties"]["email"]["x-entity"] = json!("order_number");
    assert_eq!(refused(spec, |_| {}), "parameters.email");
}

#[test]
fn a_model_sees_a_plain_schema_without_the_tenants_extensions() {
    let a = Action::parse(&lookup()).unwrap();
    let s = a.schema.for_model();
    assert_eq!(s["type"], "object");
    assert_eq!(s["required"], json!(["order_number"]));
    assert_eq!(s["properties"]["order_number"]["type"], "string");
    assert_eq!(s["properties"]["order_number"]["pattern"], "MM-\\d{8}-\\d{4}");
    assert!(
        !s.to_string().contains("x-") && !s.to_string().contains("请提供"),
        "no extension reaches the model: {s}"
    );
    let c = Action::parse(&cancel()).unwrap().schema.for_model();
    assert_eq!(c["properties"]["reason"]["enum"], json!(["changed_mind", "duplicate"]));
    assert_eq!(c["properties"]["amount"]["type"], "number");
    assert_eq!(c["properties"]["amount"]["maximum"], 5000.0);
}
