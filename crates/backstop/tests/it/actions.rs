//! Actions as tenant configuration over the API: an admin defines one against the demo merchant's
//! own order system (a separate HTTP service), tries it with sample values, sees its versions and
//! removes it; the secret never comes back; agents cannot; bad definitions are refused by field.

use std::net::SocketAddr;

use serde_json::{json, Value};

use crate::support::*;

const KEY: &str = "merchant-secret-key";

async fn merchant() -> String {
    let (addr, _task) = backstop_merchant::spawn(SocketAddr::from(([127, 0, 0, 1], 0)), KEY)
        .await
        .unwrap();
    format!("http://{addr}")
}

fn lookup(base: &str) -> Value {
    json!({
        "name": "find_order",
        "description": "Finds an order's status and carrier by its number.",
        "method": "GET",
        "url": format!("{base}/api/orders/{{order_number}}"),
        "headers": {"Authorization": "Bearer {secret}"},
        "parameters": {"type": "object", "required": ["order_number"], "properties": {
            "order_number": {"type": "string", "pattern": "MM-\\d{8}-\\d{4}", "x-entity": "order_number"}
        }},
        "response": {"status": "/order/status", "carrier": "/shipment/carrier"},
        "result": {"en": "Your order is {status}, with {carrier}.", "zh": "您的订单状态：{status}，承运商：{carrier}。"}
    })
}

fn cancel(base: &str) -> Value {
    json!({
        "name": "void_order",
        "description": "Cancels an order that has not shipped.",
        "effect": "change",
        "method": "POST",
        "url": format!("{base}/api/orders/{{order_number}}/cancel"),
        "headers": {"Authorization": "Bearer {secret}"},
        "idempotent": true,
        "parameters": {"type": "object", "required": ["order_number"], "properties": {
            "order_number": {"type": "string", "pattern": "MM-\\d{8}-\\d{4}"}
        }},
        "response": {"state": "/state"},
        "confirm": {"en": "Cancel order {order_number}?", "zh": "确认取消订单 {order_number}？"},
        "result": {"en": "Order {state}."}
    })
}

#[tokio::test]
async fn an_admin_defines_tries_and_removes_an_action_and_the_secret_never_comes_back() {
    let base = merchant().await;
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let (status, body) = app.agent_get(&chen, "/api/v1/actions").await;
    // The demo's own four (three the AI runs, one for the customer panel), against its merchant;
    // no secret in the listing.
    let names: Vec<&str> = body["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        (status, names),
        (
            200,
            vec!["cancel_order", "customer_orders", "lookup_order", "request_refund"]
        ),
        "{body}"
    );

    let (status, saved) = app
        .agent_put(
            &chen,
            "/api/v1/actions/find_order",
            json!({"spec": lookup(&base), "secret": KEY}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        (saved["version"].as_u64(), saved["has_secret"].as_bool()),
        (Some(1), Some(true))
    );
    let (_, listed) = app.agent_get(&chen, "/api/v1/actions").await;
    assert!(
        !listed.to_string().contains(KEY),
        "the secret never comes back: {listed}"
    );
    let ours = listed["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "find_order")
        .unwrap();
    assert_eq!(
        ours["spec"]["url"],
        json!(format!("{base}/api/orders/{{order_number}}"))
    );

    // Tried with sample values: the request with the secret hidden, the merchant's answer, the
    // result as the customer would be told it.
    let (status, tried) = app
        .agent_post(
            &chen,
            "/api/v1/actions/find_order/try",
            json!({"values": {"order_number": "MM-20261128-0001"}}),
        )
        .await;
    assert_eq!(status, 200, "{tried}");
    assert!(!tried.to_string().contains(KEY), "{tried}");
    assert_eq!(tried["headers"], json!([["Authorization", "***"]]));
    assert_eq!(tried["outcome"]["outcome"], "done");
    assert_eq!(tried["told_en"], "Your order is shipped, with SF Express.");
    assert_eq!(tried["told_zh"], "您的订单状态：shipped，承运商：SF Express。");
    let (status, tried) = app
        .agent_post(
            &chen,
            "/api/v1/actions/find_order/try",
            json!({"values": {"order_number": "MM-20260101-9999"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        tried["outcome"],
        json!({"outcome": "refused", "status": 404, "code": "not_found"})
    );
    let (status, body) = app
        .agent_post(
            &chen,
            "/api/v1/actions/find_order/try",
            json!({"values": {"order_number": "12/../x"}}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_input")),
        "{body}"
    );

    // A change is shown, and sent only when asked; the merchant makes it once.
    let (status, _) = app
        .agent_put(
            &chen,
            "/api/v1/actions/void_order",
            json!({"spec": cancel(&base), "secret": KEY}),
        )
        .await;
    assert_eq!(status, 200);
    let values = json!({"values": {"order_number": "MM-20261205-0002"}});
    let (_, shown) = app
        .agent_post(&chen, "/api/v1/actions/void_order/try", values.clone())
        .await;
    assert_eq!(
        (shown["sent"].as_bool(), shown["outcome"].is_null()),
        (Some(false), true),
        "{shown}"
    );
    let changes = || async {
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
    };
    assert_eq!(changes().await, 0);
    let mut send = values.clone();
    send["send"] = json!(true);
    let (_, sent) = app.agent_post(&chen, "/api/v1/actions/void_order/try", send).await;
    assert_eq!(sent["outcome"]["outcome"], "done", "{sent}");
    assert_eq!(changes().await, 1);

    // A new version keeps the secret; the versions are listed; removing forgets it.
    let mut v2 = lookup(&base);
    v2["timeout_ms"] = json!(2000);
    let (_, saved) = app
        .agent_put(&chen, "/api/v1/actions/find_order", json!({"spec": v2}))
        .await;
    assert_eq!(
        (saved["version"].as_u64(), saved["has_secret"].as_bool()),
        (Some(2), Some(true))
    );
    // Another action calling the same API takes find_order's secret without anyone seeing it.
    let mut twin = lookup(&base);
    twin["name"] = json!("order_twin");
    let (status, saved) = app
        .agent_put(
            &chen,
            "/api/v1/actions/order_twin",
            json!({"spec": twin, "secret_from": "find_order"}),
        )
        .await;
    assert_eq!((status, saved["has_secret"].as_bool()), (200, Some(true)), "{saved}");
    assert!(!saved.to_string().contains(KEY));
    let (_, tried) = app
        .agent_post(
            &chen,
            "/api/v1/actions/order_twin/try",
            json!({"values": {"order_number": "MM-20261128-0001"}}),
        )
        .await;
    assert_eq!(tried["outcome"]["outcome"], "done", "the shared key works: {tried}");
    let (status, body) = app
        .agent_put(
            &chen,
            "/api/v1/actions/order_twin",
            json!({"spec": twin, "secret_from": "find_order", "secret": "x"}),
        )
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_input")));
    let (status, _) = app
        .agent_put(
            &chen,
            "/api/v1/actions/order_twin",
            json!({"spec": twin, "secret_from": "nothing_here"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.agent_delete(&chen, "/api/v1/actions/find_order").await;
    assert_eq!(status, 204);
    let (_, versions) = app.agent_get(&chen, "/api/v1/actions/find_order/versions").await;
    let numbers: Vec<u64> = versions["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert!(versions["versions"][0]["spec"].is_null());
    let (status, _) = app
        .agent_post(
            &chen,
            "/api/v1/actions/find_order/try",
            json!({"values": {"order_number": "MM-20261128-0001"}}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.agent_delete(&chen, "/api/v1/actions/find_order").await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn bad_definitions_are_refused_by_field_and_agents_cannot_touch_actions() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let mut bad = lookup("http://127.0.0.1:9");
    bad["url"] = json!("http://{order_number}.example/x");
    let (status, body) = app
        .agent_put(&chen, "/api/v1/actions/find_order", json!({"spec": bad}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_input")),
        "{body}"
    );
    assert!(body["error"]["message"].as_str().unwrap().starts_with("url:"), "{body}");
    let (status, body) = app
        .agent_put(
            &chen,
            "/api/v1/actions/other_name",
            json!({"spec": lookup("http://127.0.0.1:9")}),
        )
        .await;
    assert_eq!(status, 422, "{body}");

    let lin = app.login("demo", "lin@maple.example").await;
    for (status, _) in [
        app.agent_get(&lin, "/api/v1/actions").await,
        app.agent_put(
            &lin,
            "/api/v1/actions/find_order",
            json!({"spec": lookup("http://127.0.0.1:9")}),
        )
        .await,
        app.agent_post(&lin, "/api/v1/actions/find_order/try", json!({})).await,
        app.agent_delete(&lin, "/api/v1/actions/find_order").await,
        app.agent_get(&lin, "/api/v1/actions/find_order/versions").await,
    ] {
        assert_eq!(status, 403);
    }
    app.stop().await;
}
