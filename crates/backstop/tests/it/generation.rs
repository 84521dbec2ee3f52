//! Generative answers through the real server, with the model replaced by the fault-injecting
//! stand-in of the OpenAI API: the admin sets the endpoint (the key is write-only), the next
//! answer is the model's — checked by the guard, cited —, a fault the guard finds is rewritten
//! once and then replaced by the extractive answer, a failing model costs nothing but the
//! wording, and the model's "the article does not say" becomes a clarifying question.

use backstop_llm::standin::{Fault, Options, StandIn};
use serde_json::{json, Value};

use crate::support::*;

/// A model that answers with the first sentence of the article it was given, cited.
async fn copying_model() -> StandIn {
    let mut o = Options::answering(|body: &Value| {
        let user = body["messages"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"].as_str())
            .unwrap_or("");
        let article = user.split("Article [1]: ").nth(1).unwrap_or("");
        let text = article.split_once('\n').map_or("", |(_, b)| b);
        let first = text.split_inclusive(['.', '。']).next().unwrap_or("").trim();
        format!("{first} [1]")
    });
    o.key = Some("sk-test-0123456789abcd".into());
    StandIn::start(o).await.unwrap()
}

pub(crate) async fn point_at(app: &TestApp, admin: &AgentClient, model: &StandIn) -> Value {
    let (status, body) = app
        .agent_put(
            admin,
            "/api/v1/model",
            json!({
                "enabled": true,
                "base_url": model.base_url(),
                "model": "standin-1",
                "api_key": "sk-test-0123456789abcd",
                "temperature": 0.0,
                "first_token_ms": 2000,
                "answer_ms": 5000,
                "persona": "Maple",
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn the_admin_sets_the_model_and_the_key_never_comes_back() {
    let app = TestApp::spawn().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let (status, body) = app.agent_get(&lin, "/api/v1/model").await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));
    let (status, _) = app.agent_put(&lin, "/api/v1/model", json!({"enabled": false})).await;
    assert_eq!(status, 403);

    let chen = app.login("demo", "chen@maple.example").await;
    let (status, body) = app.agent_get(&chen, "/api/v1/model").await;
    assert_eq!(status, 200);
    assert_eq!(
        (body["enabled"].as_bool(), body["api_key_hint"].is_null()),
        (Some(false), true)
    );
    assert_eq!(body["usage"]["calls"], 0);

    // Bad settings are refused, each field named.
    let (status, body) = app
        .agent_put(
            &chen,
            "/api/v1/model",
            json!({"enabled": true, "base_url": "ftp://x", "temperature": 5}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_input")),
        "{body}"
    );
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("base_url") && msg.contains("model") && msg.contains("temperature"),
        "{msg}"
    );
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["base_url", "model", "temperature"],
        "each named for the page: {body}"
    );
    let (status, body) = app
        .agent_put(&chen, "/api/v1/model", json!({"enabled": true, "surprise": 1}))
        .await;
    assert_eq!(status, 422, "an unknown field is refused: {body}");

    let model = copying_model().await;
    let saved = point_at(&app, &chen, &model).await;
    assert_eq!(saved["api_key_hint"], "…abcd");
    assert_eq!(saved["updated_by"], "chen@maple.example");
    let (_, shown) = app.agent_get(&chen, "/api/v1/model").await;
    assert!(!shown.to_string().contains("sk-test"), "the key never leaves: {shown}");
    // Saving without a key keeps it; clearing removes it.
    let (_, kept) = app
        .agent_put(
            &chen,
            "/api/v1/model",
            json!({"enabled": false, "base_url": model.base_url(), "model": "m"}),
        )
        .await;
    assert_eq!(kept["api_key_hint"], "…abcd");
    let (_, cleared) = app
        .agent_put(&chen, "/api/v1/model", json!({"enabled": false, "clear_api_key": true}))
        .await;
    assert!(cleared["api_key_hint"].is_null());

    // Another tenant's admin sees only its own (acme's agent is not an admin: refused).
    let ada = app.login("acme", "ada@acme.example").await;
    let (status, _) = app.agent_get(&ada, "/api/v1/model").await;
    assert_eq!(status, 403);
    app.stop().await;
}

#[tokio::test]
async fn the_next_answer_is_the_models_cited_and_checked() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let model = copying_model().await;
    point_at(&app, &chen, &model).await;

    let v = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&v, "What is your return window?").await;
    assert_eq!(reply["author"]["kind"], "ai", "{reply}");
    let body = reply["body"].as_str().unwrap();
    assert!(
        body.starts_with("Our return window is 30 days") && body.ends_with("[1]"),
        "the model's words: {body}"
    );
    assert_eq!(reply["citations"][0]["title"], kb_title("return-policy", "en"));

    // What the model was sent: instructions apart from the data, the article and the question.
    let sent = &model.requests()[0];
    let system = sent["messages"][0]["content"].as_str().unwrap();
    assert_eq!(sent["messages"][0]["role"], "system");
    assert!(
        system.contains("Maple") && !system.contains("return window"),
        "{system}"
    );
    let user = sent["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap();
    assert!(user.contains("Article [1]: Our return policy") && user.ends_with("What is your return window?"));

    // A follow-up: the model reads the earlier turns in the order they were said.
    app.ask(&v, "And opened electronics?").await;
    let sent = model.requests().last().cloned().unwrap();
    let roles: Vec<(&str, &str)> = sent["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["role"].as_str().unwrap(), m["content"].as_str().unwrap()))
        .collect();
    assert_eq!(roles.len(), 4, "{roles:?}");
    assert_eq!(roles[1], ("user", "What is your return window?"), "{roles:?}");
    assert_eq!(roles[2].0, "assistant");
    assert!(roles[2].1.starts_with("Our return window is 30 days"), "{roles:?}");
    assert!(roles[3].1.ends_with("And opened electronics?"), "{roles:?}");

    // A Chinese question on the same topic: the model is asked to answer in Chinese.
    let w = app.visitor(json!({ "lang": "zh" })).await;
    let reply = app.ask(&w, "几天内可以退？").await;
    assert!(reply["body"].as_str().unwrap().contains("30天"), "{reply}");
    let last = model.requests().last().cloned().unwrap();
    assert!(last["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("Simplified Chinese"));

    // Usage is counted.
    let (_, shown) = app.agent_get(&chen, "/api/v1/model").await;
    assert_eq!(shown["usage"]["calls"], 3);
    assert!(shown["usage"]["prompt_tokens"].as_u64().unwrap() > 50);
    app.stop().await;
}

#[tokio::test]
async fn an_unsupported_figure_is_rewritten_once_then_the_extractive_answer_goes_out() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let mut o =
        Options::answering(|_| "You can return items within 90 days, and we will refund the postage too [1].".into());
    o.key = Some("sk-test-0123456789abcd".into());
    let model = StandIn::start(o).await.unwrap();
    point_at(&app, &chen, &model).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&v, "What is your return window?").await;
    let body = reply["body"].as_str().unwrap();
    assert!(!body.contains("90 days"), "the invented figure was never sent: {body}");
    assert!(body.contains("30 days"), "the extractive answer: {body}");
    assert_eq!(reply["citations"][0]["title"], kb_title("return-policy", "en"));
    let requests = model.requests();
    assert_eq!(requests.len(), 2, "one rewrite");
    let second = requests[1]["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(second.contains("was not sent") && second.contains("90"), "{second}");
    app.stop().await;
}

#[tokio::test]
async fn a_failing_model_costs_only_the_wording() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let model = copying_model().await;
    point_at(&app, &chen, &model).await;
    for _ in 0..2 {
        model.fail_next(Fault::Status(503));
    }
    let v = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&v, "What is your return window?").await;
    assert_eq!(reply["author"]["kind"], "ai");
    assert!(reply["body"].as_str().unwrap().contains("30 days"), "{reply}");
    // A stream cut mid-answer: the same, sent once.
    model.fail_next(Fault::CutAfter(3));
    let reply = app.ask(&v, "and how long does shipping take?").await;
    assert!(
        reply["body"].as_str().unwrap().contains("24 hours") || reply["body"].as_str().unwrap().contains("2–4"),
        "{reply}"
    );
    let (msgs, _) = app.transcript(&v).await;
    let ai = msgs.iter().filter(|m| m["author"]["kind"] == "ai").count();
    assert_eq!(ai, 2, "one answer per question: {msgs:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_model_saying_the_article_does_not_answer_becomes_a_clarifying_question() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let mut o = Options::answering(|_| "NO_ANSWER".into());
    o.key = Some("sk-test-0123456789abcd".into());
    let model = StandIn::start(o).await.unwrap();
    point_at(&app, &chen, &model).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&v, "What is your return window?").await;
    assert!(reply["citations"].as_array().is_none_or(|c| c.is_empty()), "{reply}");
    assert!(!reply["body"].as_str().unwrap().contains("30 days"), "{reply}");
    app.stop().await;
}

#[tokio::test]
async fn a_customer_writing_another_language_is_answered_in_it_or_not_by_the_model() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    // The stand-in answers in English whatever it is asked: the guard holds it to French.
    let model = copying_model().await;
    point_at(&app, &chen, &model).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&v, "Quel est votre délai de retour pour un article ?").await;
    let sent = model.requests();
    assert!(!sent.is_empty(), "the model was asked: {reply}");
    let system = sent[0]["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("Reply in French"), "{system}");
    assert_eq!(
        sent.len(),
        2,
        "an English answer to a French question is rewritten once"
    );
    // Then the extractive answer, from the article, as before.
    assert!(reply["body"].as_str().unwrap().contains("30 days"), "{reply}");
    app.stop().await;
}

#[tokio::test]
async fn each_tenants_model_is_its_own() {
    let app = TestApp::spawn().await;
    // Make acme's agent an admin of acme (through the store: the demo has no acme admin).
    let store = app.store().await;
    let acme = backstop_core::ids::TenantId::parse("acme").unwrap();
    let mut ada = store
        .list_agents(&acme)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.email == "ada@acme.example")
        .unwrap();
    ada.role = backstop_core::directory::AgentRole::Admin;
    store.update_agent(&ada).await.unwrap();
    drop(store);

    let chen = app.login("demo", "chen@maple.example").await;
    let model = copying_model().await;
    point_at(&app, &chen, &model).await;

    let ada = app.login("acme", "ada@acme.example").await;
    let (status, theirs) = app.agent_get(&ada, "/api/v1/model").await;
    assert_eq!(status, 200, "{theirs}");
    assert_eq!(
        (theirs["enabled"].as_bool(), theirs["base_url"].as_str()),
        (Some(false), Some("")),
        "acme sees its own defaults, not the demo's: {theirs}"
    );
    assert!(theirs["api_key_hint"].is_null());
    let (status, _) = app
        .agent_put(&ada, "/api/v1/model", json!({"enabled": true, "base_url": "http://127.0.0.1:9/v1", "model": "acme-model", "api_key": "sk-acme-000000000000"}))
        .await;
    assert_eq!(status, 200);
    // The demo's settings are untouched by acme's save.
    let (_, demo) = app.agent_get(&chen, "/api/v1/model").await;
    assert_eq!(
        (demo["model"].as_str(), demo["api_key_hint"].as_str()),
        (Some("standin-1"), Some("…abcd")),
        "{demo}"
    );
    app.stop().await;
}

#[tokio::test]
async fn at_the_plans_hard_limit_on_model_tokens_the_ai_answers_from_the_articles_only() {
    let app = TestApp::spawn().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let model = copying_model().await;
    point_at(&app, &chen, &model).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let first = app.ask(&v, "What is your return window?").await;
    assert!(first["body"].as_str().unwrap().ends_with("[1]"), "the model's: {first}");
    let (_, shown) = app.agent_get(&chen, "/api/v1/model").await;
    let used =
        shown["usage"]["prompt_tokens"].as_u64().unwrap() + shown["usage"]["completion_tokens"].as_u64().unwrap();

    // The plan stops model tokens at what is already used (and warns a little before).
    let (status, body) = app
        .agent_put(
            &chen,
            "/api/v1/billing/plan",
            json!({"name": "Capped", "currency": "CNY", "pricing": [
                {"item": "model_tokens", "per": 1000, "tiers": [{"price": 2}], "soft_limit": used / 2, "hard_limit": used}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let calls = model.requests().len();
    let w = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&w, "What is your return window?").await;
    assert_eq!(reply["author"]["kind"], "ai", "{reply}");
    assert!(
        !reply["body"].as_str().unwrap().ends_with("[1]"),
        "the article's own words: {reply}"
    );
    assert_eq!(model.requests().len(), calls, "no call past the limit");
    let (_, s) = app.agent_get(&chen, "/api/v1/billing/statement").await;
    assert_eq!(s["statement"]["lines"][0]["limit"], "reached", "{s:#}");
    assert_eq!(
        s["breakdown"]["model_tokens"],
        json!({ "standin-1": used }),
        "the ledger lists the tokens by model: {s:#}"
    );
    app.stop().await;
}
