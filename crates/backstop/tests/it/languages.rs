//! Every customer's language, not only Chinese and English, travels with the hand-over: a
//! customer writing French goes to the team of the hand-over's role that serves French, to the
//! agent there who speaks it, and the packet names the language; a short follow-up keeps the
//! conversation's language.

use std::time::Duration;

use backstop::seed;
use backstop_core::assignment::Strategy;
use backstop_core::directory::Team;
use backstop_core::ids::TeamId;
use backstop_core::routing::TeamRole;
use serde_json::{json, Value};

use crate::support::*;

async fn press_human(app: &TestApp, v: &Visitor) {
    let r = app
        .http
        .post(app.url(&format!("/api/widget/v1/demo/conversations/{}/human", v.conversation)))
        .header("x-visitor-token", &v.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn detail_until(app: &TestApp, who: &AgentClient, v: &Visitor, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let (_, d) = app
            .agent_get(who, &format!("/api/v1/conversations/{}", v.conversation))
            .await;
        if pred(&d) {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    panic!("never: {}", v.conversation);
}

#[tokio::test]
async fn a_customer_writing_french_goes_to_the_team_and_the_agent_who_speak_it() {
    let app = TestApp::spawn_lexical().await;
    let store = app.store().await;
    let demo = seed::demo_tenant_id();
    let general = store
        .list_teams(&demo)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.role == TeamRole::General)
        .unwrap();
    let europe = Team {
        id: TeamId(uuid::Uuid::new_v4()),
        name: "Europe".into(),
        names: Default::default(),
        strategy: Strategy::Skills,
        languages: vec!["fr".into(), "es".into()],
        ..general.clone()
    };
    store.upsert_team(&europe).await.unwrap();
    // Sam speaks English, French and Spanish; he joins the European team.
    let mut sam_record = store
        .find_agent_by_email(&demo, "sam@maple.example")
        .await
        .unwrap()
        .unwrap()
        .agent;
    sam_record.team_ids.push(europe.id);
    store.update_agent(&sam_record).await.unwrap();
    let sam = app.login("demo", "sam@maple.example").await;
    let _inbox = app.inbox_socket(&sam).await;

    let v = app.visitor(json!({ "lang": "en" })).await;
    app.ask(
        &v,
        "Bonjour, ma commande n'est toujours pas arrivée et je suis inquiet.",
    )
    .await;
    app.ask(&v, "Et maintenant ?").await;
    press_human(&app, &v).await;
    let d = detail_until(&app, &sam, &v, |d| d["conversation"]["owner"]["kind"] == "agent").await;
    assert_eq!(d["conversation"]["owner"]["agent_name"], "Sam Taylor", "{d:#}");
    assert_eq!(d["packet"]["team_name"], "Europe", "{:#}", d["packet"]);
    assert_eq!(
        d["packet"]["language_code"], "fr",
        "the short follow-up kept the language"
    );

    // A Chinese customer goes to the team for every language, as before.
    let w = app.visitor(json!({ "lang": "zh" })).await;
    app.ask(&w, "我的快递三天没更新了").await;
    press_human(&app, &w).await;
    let d = detail_until(&app, &sam, &w, |d| d["packet"].is_object()).await;
    assert_eq!(d["packet"]["team_name"], general.name);
    assert_eq!(d["packet"]["language_code"], "zh");
    app.stop().await;
}

#[tokio::test]
async fn without_a_model_another_language_is_told_the_answer_is_in_the_articles() {
    let app = TestApp::spawn().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&v, "Combien de jours ai-je pour retourner un article ?").await;
    assert_eq!(reply["author"]["kind"], "ai", "{reply}");
    let body = reply["body"].as_str().unwrap();
    assert!(
        reply["citations"].as_array().is_some_and(|c| !c.is_empty()),
        "the French question found its article: {reply}"
    );
    assert!(
        body.starts_with("Désolé, cette réponse n'est disponible qu'en anglais :"),
        "{body}"
    );
    assert!(body.contains("30 days"), "{body}");
    app.stop().await;
}
