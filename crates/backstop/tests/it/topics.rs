//! Topics by name: the demo's topics read by their names in both languages, a trainer renames one
//! and every reader sees the new name, agents read but cannot rename, bad input says what is wrong,
//! and another tenant sees none of them.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn a_trainer_names_topics_and_every_agent_reads_them_in_their_tenant_only() {
    let app = TestApp::spawn().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let lin = app.login("demo", "lin@maple.example").await;
    let ada = app.login("acme", "ada@acme.example").await;

    // Every topic the demo's articles use, named in both languages, with its article count.
    let (status, list) = app.agent_get(&lin, "/api/v1/topics").await;
    assert_eq!(status, 200);
    let topics = list["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 9, "{list:#}");
    let shipping = topics.iter().find(|t| t["slug"] == "shipping").unwrap();
    assert_eq!(shipping["names"], json!({ "en": "Shipping", "zh": "物流配送" }));
    assert_eq!(shipping["articles"], 11);
    assert_eq!(topics.iter().map(|t| t["articles"].as_u64().unwrap()).sum::<u64>(), 50);

    // Agents read but do not rename.
    let rename = json!({ "names": { "en": "Delivery", "zh": "配送" } });
    let (status, body) = app.agent_put(&lin, "/api/v1/topics/shipping", rename.clone()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));

    // A trainer renames; a language left out is no longer named (it reads as the slug).
    let (status, body) = app.agent_put(&zhao, "/api/v1/topics/shipping", rename).await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body["names"], json!({ "en": "Delivery", "zh": "配送" }));
    let (_, body) = app
        .agent_put(&zhao, "/api/v1/topics/returns", json!({ "names": { "zh": "退货" } }))
        .await;
    assert_eq!(body["names"], json!({ "zh": "退货" }));
    let (_, list) = app.agent_get(&lin, "/api/v1/topics").await;
    let find = |slug: &str| {
        list["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == slug)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("shipping")["names"]["zh"], "配送");
    assert_eq!(find("returns")["names"], json!({ "zh": "退货" }));

    // A topic no article uses yet can be named ahead of its articles.
    let (status, body) = app
        .agent_put(
            &zhao,
            "/api/v1/topics/gift_cards",
            json!({ "names": { "en": "Gift cards" } }),
        )
        .await;
    assert_eq!((status, body["articles"].as_u64()), (200, Some(0)));

    // Bad input names what is wrong.
    let (status, body) = app
        .agent_put(&zhao, "/api/v1/topics/Gift%20Cards", json!({ "names": { "en": "x" } }))
        .await;
    assert_eq!(status, 422);
    assert!(body["error"]["message"].as_str().unwrap().contains("topic"), "{body:#}");
    let long = "x".repeat(61);
    let (status, body) = app
        .agent_put(&zhao, "/api/v1/topics/shipping", json!({ "names": { "en": long } }))
        .await;
    assert_eq!(status, 422);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("topic name"),
        "{body:#}"
    );
    let (status, _) = app
        .agent_put(
            &zhao,
            "/api/v1/topics/shipping",
            json!({ "names": { "fr": "Livraison" } }),
        )
        .await;
    assert!(
        status == 400 || status == 422,
        "an unknown language is refused ({status})"
    );

    // Another tenant (no articles, nothing named) sees none of the demo's topics.
    let (status, list) = app.agent_get(&ada, "/api/v1/topics").await;
    assert_eq!(
        (status, list["topics"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{list:#}"
    );
    let (status, _) = app
        .agent_put(
            &ada,
            "/api/v1/topics/shipping",
            json!({ "names": { "en": "Acme shipping" } }),
        )
        .await;
    assert_eq!(status, 403, "acme's agent is no trainer");
    let (_, list) = app.agent_get(&lin, "/api/v1/topics").await;
    let shipping = list["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "shipping")
        .cloned()
        .unwrap();
    assert_eq!(shipping["names"]["en"], "Delivery");
    app.stop().await;
}
