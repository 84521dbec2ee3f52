//! The knowledge loop end to end: a question the AI cannot answer goes to a person; the person
//! answers and resolves; a candidate entry is drafted without personal data; the trainer approves
//! it; the same question in other words now gets the AI's answer citing the new entry.

use serde_json::{json, Value};

use crate::support::{handed_over, AgentClient, TestApp, Visitor};

/// Asks `question`; makes sure a person gets it (asking for one in the question's language).
async fn to_a_person(app: &TestApp, v: &Visitor, question: &str) {
    if !handed_over(&app.ask(v, question).await) {
        let ask = if question.is_ascii() {
            "talk to a human"
        } else {
            "转人工"
        };
        assert!(handed_over(&app.ask(v, ask).await));
    }
}

async fn answer_and_resolve(app: &TestApp, agent: &AgentClient, conversation: &str, answer: &str) {
    let path = |what: &str| format!("/api/v1/conversations/{conversation}/{what}");
    assert_eq!(app.agent_post(agent, &path("take"), json!({})).await.0, 200);
    assert_eq!(
        app.agent_post(agent, &path("messages"), json!({ "body": answer }))
            .await
            .0,
        201
    );
    assert_eq!(app.agent_post(agent, &path("resolve"), json!({})).await.0, 200);
}

async fn pending(app: &TestApp, trainer: &AgentClient) -> Vec<Value> {
    let (status, list) = app.agent_get(trainer, "/api/v1/candidates").await;
    assert_eq!(status, 200, "{list}");
    list["candidates"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_human_answer_becomes_knowledge_the_ai_then_uses() {
    let app = TestApp::spawn().await;
    let _staff = app.staff().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let zhao = app.login("demo", "zhao@maple.example").await;

    let v = app.visitor(json!({ "lang": "en", "name": "Wong Mei" })).await;
    to_a_person(
        &app,
        &v,
        "Can I pick up my order myself at your Shanghai warehouse instead of delivery?",
    )
    .await;
    answer_and_resolve(
        &app,
        &lin,
        &v.conversation,
        "Hi Wong Mei! Yes, you can collect it yourself at our Shanghai warehouse, 88 Jiangning Road, on weekdays \
         10:00-17:00. Bring your order number MM-20261121-0042 and call 138-0013-8000 when you arrive.",
    )
    .await;

    // The candidate: the customer's question, the answer without personal data, its provenance.
    let list = pending(&app, &zhao).await;
    assert_eq!(list.len(), 1, "{list:#?}");
    let c = &list[0];
    assert!(c["question"].as_str().unwrap().contains("Shanghai warehouse"), "{c}");
    assert!(
        !c["question"].as_str().unwrap().contains("talk to a human"),
        "the bare request is not the question"
    );
    let answer = c["answer"].as_str().unwrap();
    for personal in ["Wong Mei", "MM-20261121-0042", "138-0013-8000"] {
        assert!(!answer.contains(personal), "{personal} left in: {answer}");
    }
    assert!(
        answer.contains("[name]") && answer.contains("[order number]") && answer.contains("[phone]"),
        "{answer}"
    );
    // A street address goes too (the trainer puts a shop's own back when editing the answer).
    assert!(
        answer.contains("Shanghai warehouse, [address], on weekdays 10:00-17:00"),
        "the answer itself stays: {answer}"
    );
    assert_eq!(
        (c["agent_name"].as_str(), c["conversation_id"].as_str()),
        (Some("Lin Wei"), Some(v.conversation.as_str()))
    );
    assert_eq!(
        app.agent_get(&lin, "/api/v1/candidates").await.0,
        403,
        "agents do not review"
    );

    // The trainer approves it with a title, putting the warehouse's own address back: a new
    // article, used at once.
    let id = c["id"].as_str().unwrap();
    let body = answer.replace("[address]", "88 Jiangning Road");
    let (status, approved) = app
        .agent_post(
            &zhao,
            &format!("/api/v1/candidates/{id}/approve"),
            json!({ "title": "Collecting an order at the Shanghai warehouse", "topic": "shipping", "body": body }),
        )
        .await;
    assert_eq!(status, 200, "{approved}");
    let article = approved["article"]["id"].as_str().unwrap().to_string();
    assert_eq!(approved["candidate"]["status"], "approved");
    assert_eq!(approved["candidate"]["decided_by"], "zhao@maple.example");
    assert_eq!(approved["candidate"]["article_id"].as_str(), Some(article.as_str()));
    let (_, detail) = app.agent_get(&zhao, &format!("/api/v1/articles/{article}")).await;
    assert_eq!(
        detail["versions"][0]["author"], "zhao@maple.example",
        "provenance: who approved"
    );
    let (status, again) = app
        .agent_post(&zhao, &format!("/api/v1/candidates/{id}/approve"), json!({}))
        .await;
    assert_eq!((status, again["error"]["code"].as_str()), (409, Some("conflict")));

    // Another customer asks the same in other words: the AI answers, citing the new entry.
    let w = app.visitor(json!({ "lang": "en" })).await;
    let reply = app
        .ask(
            &w,
            "Is it possible to collect my parcel in person from the Shanghai warehouse?",
        )
        .await;
    assert_eq!(reply["author"]["kind"], "ai", "{reply}");
    assert_eq!(
        reply["citations"][0]["article_id"].as_str(),
        Some(article.as_str()),
        "{reply}"
    );
    assert!(reply["body"].as_str().unwrap().contains("88 Jiangning Road"));

    // A second answer to the same question is a near-duplicate: merged into the article.
    let x = app.visitor(json!({ "lang": "en" })).await;
    to_a_person(
        &app,
        &x,
        "Can I pick up at the Shanghai warehouse on a Saturday, and what about self pickup hours?",
    )
    .await;
    let conv = x.conversation.clone();
    if app.transcript(&x).await.1["owner"] == "queue" {
        answer_and_resolve(
            &app,
            &lin,
            &conv,
            "Pickup at the Shanghai warehouse is weekdays only, 10:00-17:00, sorry!",
        )
        .await;
        let list = pending(&app, &zhao).await;
        let c = list
            .iter()
            .find(|c| c["conversation_id"] == conv.as_str())
            .expect("drafted");
        assert_eq!(c["near"]["article_id"].as_str(), Some(article.as_str()), "{c}");
        let (status, merged) = app
            .agent_post(
                &zhao,
                &format!("/api/v1/candidates/{}/merge", c["id"].as_str().unwrap()),
                json!({ "article_id": article }),
            )
            .await;
        assert_eq!(status, 200, "{merged}");
        assert_eq!(merged["article"]["version"], 2);
        assert!(merged["article"]["questions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q.as_str().unwrap().contains("Saturday")));
    }
    // Rejecting leaves the knowledge base alone.
    let y = app.visitor(json!({ "lang": "zh" })).await;
    to_a_person(&app, &y, "你们的仓库可以自提吗？周末开门吗").await;
    answer_and_resolve(
        &app,
        &lin,
        &y.conversation,
        "可以自提，地址是上海江宁路 88 号，工作日 10:00-17:00 开放。",
    )
    .await;
    let list = pending(&app, &zhao).await;
    let c = list
        .iter()
        .find(|c| c["conversation_id"] == y.conversation.as_str())
        .expect("a Chinese candidate");
    assert_eq!(c["lang"], "zh");
    let (status, rejected) = app
        .agent_post(
            &zhao,
            &format!("/api/v1/candidates/{}/reject", c["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, rejected["candidate"]["status"].as_str()),
        (200, Some("rejected"))
    );
    app.stop().await;
}
