//! The server on PostgreSQL: the demo seeds, a customer is answered from the knowledge base, an
//! agent signs in, and everything is still there after a restart on the same database.

use crate::support::*;
use serde_json::json;

#[tokio::test]
async fn the_demo_runs_on_postgres_and_survives_a_restart() {
    let url = fresh_postgres_schema().await;
    let app = TestApp::spawn_on_url(url.clone()).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&v, "How long does delivery take?").await;
    assert_eq!(reply["author"]["kind"], "ai", "{reply}");
    assert_eq!(reply["citations"][0]["title"], kb_title("shipping-times", "en"));
    let agent = app.login("demo", "lin@maple.example").await;
    let (status, _) = app.agent_get(&agent, "/api/v1/conversations").await;
    assert_eq!(status, 200);
    app.stop().await;

    // A second start on the same schema: the seed is not applied twice, the transcript is kept.
    let app = TestApp::spawn_on_url(url).await;
    let (msgs, _) = app.transcript(&v).await;
    assert_eq!(authors(&msgs), ["customer", "ai"]);
    let reply = app.ask(&v, "我的订单 MM-20261121-0042 什么时候发货？").await;
    assert_eq!(reply["author"]["kind"], "ai", "{reply}");
    app.stop().await;
}
