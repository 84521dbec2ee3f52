//! One install, many client companies: nothing crosses tenants.

use crate::support::*;
use serde_json::{json, Value};

#[tokio::test]
async fn another_tenant_sees_nothing_and_touches_nothing() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    app.ask(&v, "talk to a human").await;

    let ada = app.login("acme", "ada@acme.example").await;
    for view in ["queue", "all", "ai"] {
        let (status, list) = app.agent_get(&ada, &format!("/api/v1/conversations?view={view}")).await;
        assert_eq!(status, 200);
        assert!(
            list["conversations"].as_array().unwrap().is_empty(),
            "acme sees no demo conversation in {view}"
        );
    }
    let (status, body) = app
        .agent_get(&ada, &format!("/api/v1/conversations/{}", v.conversation))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("conversation_not_found"))
    );
    let (status, _) = app
        .agent_post(
            &ada,
            &format!("/api/v1/conversations/{}/take", v.conversation),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    // Nor its copilot: the suggestions, and the model's draft (which would spend demo's tokens).
    let (status, _) = app
        .agent_get(&ada, &format!("/api/v1/conversations/{}/copilot", v.conversation))
        .await;
    assert_eq!(status, 404);
    // Nor its customer panel (which would call demo's shop with demo's key).
    let (status, _) = app
        .agent_get(&ada, &format!("/api/v1/conversations/{}/panel", v.conversation))
        .await;
    assert_eq!(status, 404);
    let (status, body) = app
        .agent_post(
            &ada,
            &format!("/api/v1/conversations/{}/copilot/draft", v.conversation),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("conversation_not_found"))
    );
    // Nor demo's actions, to an admin of acme: not listed, not tried, not seen, not removed.
    let chen = app.login("demo", "chen@maple.example").await;
    let spec = json!({
        "name": "lookup_order", "description": "An order's status.", "method": "GET",
        "url": "http://127.0.0.1:9/api/orders/{order_number}",
        "parameters": {"type": "object", "required": ["order_number"],
                       "properties": {"order_number": {"type": "string"}}},
        "response": {"status": "/order/status"}, "result": {"en": "{status}"}
    });
    let (status, _) = app
        .agent_put(
            &chen,
            "/api/v1/actions/lookup_order",
            json!({"spec": spec, "secret": "demo-secret"}),
        )
        .await;
    assert_eq!(status, 200);
    let alan = app.login("acme", "alan@acme.example").await;
    let (status, list) = app.agent_get(&alan, "/api/v1/actions").await;
    assert_eq!((status, list["actions"].as_array().map(Vec::len)), (200, Some(0)));
    for (status, body) in [
        app.agent_post(
            &alan,
            "/api/v1/actions/lookup_order/try",
            json!({"values": {"order_number": "1"}}),
        )
        .await,
        app.agent_get(&alan, "/api/v1/actions/lookup_order/versions").await,
        app.agent_delete(&alan, "/api/v1/actions/lookup_order").await,
    ] {
        assert_eq!(status, 404, "{body}");
    }
    let (_, list) = app.agent_get(&chen, "/api/v1/actions").await;
    assert_eq!(list["actions"][0]["version"], 1, "still demo's, untouched");
    // A demo agent's credentials do not open acme.
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "tenant": "acme", "email": "lin@maple.example", "password": backstop::seed::DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // The widget of tenant acme cannot reach a demo conversation, even with the visitor's token.
    let r = app
        .http
        .post(app.url(&format!(
            "/api/widget/v1/acme/conversations/{}/messages",
            v.conversation
        )))
        .header("x-visitor-token", &v.token)
        .json(&json!({ "body": "hi" }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    // Another demo visitor cannot read this visitor's conversation.
    let w = app.visitor(json!({ "lang": "en" })).await;
    let r = app
        .http
        .get(app.url(&format!(
            "/api/widget/v1/demo/conversations/{}/messages",
            v.conversation
        )))
        .header("x-visitor-token", &w.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "conversation_not_found");
    // … nor say it is solved.
    let r = app
        .http
        .post(app.url(&format!("/api/widget/v1/demo/conversations/{}/solved", v.conversation)))
        .header("x-visitor-token", &w.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Acme's reports hold none of demo's conversations (demo's own hold it, once the rollups have
    // caught up): not in the figures, the drill-down or the CSV.
    for i in 0.. {
        let (_, mine) = app.agent_get(&chen, "/api/v1/reports").await;
        if mine["totals"]["conversations"].as_i64() >= Some(1) {
            break;
        }
        assert!(i < 100, "demo's report never counted its conversation: {mine}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (_, report) = app.agent_get(&alan, "/api/v1/reports").await;
    assert_eq!(report["totals"]["conversations"], 0, "{report}");
    let (_, drill) = app
        .agent_get(&alan, "/api/v1/reports/conversations?outcome=unsettled")
        .await;
    assert_eq!(drill["conversations"], json!([]));
    let csv = app
        .http
        .get(app.url("/api/v1/reports/export"))
        .bearer_auth(&alan.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.lines().skip(1).all(|l| l.split(',').nth(1) == Some("0")), "{csv}");
    app.stop().await;
}

#[tokio::test]
async fn another_tenants_admin_cannot_see_or_change_demos_teams_agents_widget_or_keys() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let alan = app.login("acme", "alan@acme.example").await;
    let (_, teams) = app.agent_get(&chen, "/api/v1/teams").await;
    let demo_team = teams["teams"][0]["id"].as_str().unwrap().to_owned();
    let lin = crate::security::agent_id(&app, &chen, "lin@maple.example").await;
    let (_, key) = app
        .agent_post(
            &chen,
            "/api/v1/api-keys",
            json!({"name": "demo's", "scopes": ["settings", "reports"]}),
        )
        .await;
    let key_id = key["key"]["id"].as_str().unwrap().to_owned();
    app.agent_put(
        &chen,
        "/api/v1/widget",
        json!({"color": "#0f766e", "origins": ["https://maple.example"]}),
    )
    .await;

    // Acme's admin lists only acme's, and reaches none of demo's by id.
    let (_, theirs) = app.agent_get(&alan, "/api/v1/teams").await;
    assert!(!theirs.to_string().contains(&demo_team));
    let (_, theirs) = app.agent_get(&alan, "/api/v1/agents").await;
    assert!(!theirs.to_string().contains("maple.example"), "{theirs}");
    let (_, theirs) = app.agent_get(&alan, "/api/v1/api-keys").await;
    assert_eq!(theirs["keys"], json!([]));
    let (_, theirs) = app.agent_get(&alan, "/api/v1/widget").await;
    assert_eq!(
        (theirs["color"].as_str(), theirs["origins"].clone()),
        (Some("#3452db"), json!([]))
    );
    assert_eq!(
        app.agent_put(&alan, &format!("/api/v1/teams/{demo_team}"), json!({"name": "Taken"}))
            .await
            .0,
        404
    );
    assert_eq!(
        app.agent_put(&alan, &format!("/api/v1/agents/{lin}"), json!({"capacity": 1}))
            .await
            .0,
        404
    );
    assert_eq!(
        app.agent_delete(&alan, &format!("/api/v1/api-keys/{key_id}")).await.0,
        404
    );
    let (status, body) = app
        .agent_post(
            &alan,
            "/api/v1/agents",
            json!({"name": "Mole", "email": "mole@acme.example", "teams": [demo_team]}),
        )
        .await;
    assert_eq!(status, 422, "a demo team is no team of acme's: {body}");

    // Demo's key opens nothing of acme's (it is demo's admin, within demo).
    let demo_key = AgentClient {
        token: key["token"].as_str().unwrap().to_owned(),
    };
    let (_, seen) = app.agent_get(&demo_key, "/api/v1/teams").await;
    assert!(seen.to_string().contains(&demo_team) && !seen.to_string().contains("acme"));
    let (_, kept) = app.agent_get(&chen, "/api/v1/agents").await;
    let lin_row = kept["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"]["id"] == lin.as_str())
        .unwrap()
        .clone();
    assert_eq!(lin_row["capacity"], 5, "untouched by acme");
    app.stop().await;
}
