//! Knowledge-base management over the API: a trainer creates an article and the AI answers from
//! it at once; an edit is a new version the AI uses; a revert brings an old version back; an
//! archived article is no longer used. Agents read but cannot change; bad input says what is wrong.

use serde_json::{json, Value};

use crate::support::{handed_over, TestApp};

fn engraving(body: &str) -> Value {
    json!({
        "slug": "engraving",
        "lang": "en",
        "topic": "orders",
        "title": "Personal engraving",
        "body": body,
        "questions": ["Do you offer engraving?", "Can you engrave a name on the thermos?"]
    })
}

#[tokio::test]
async fn a_trainer_creates_edits_reverts_and_archives_and_the_ai_follows_each_version() {
    let app = TestApp::spawn().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let lin = app.login("demo", "lin@maple.example").await;

    // Agents read the knowledge base but do not change it.
    let (status, list) = app.agent_get(&lin, "/api/v1/articles").await;
    assert_eq!(status, 200);
    assert_eq!(list["articles"].as_array().unwrap().len(), 50);
    let (status, body) = app
        .agent_post(&lin, "/api/v1/articles", engraving("We engrave for ¥10."))
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));

    // Bad input names the field.
    let mut bad = engraving("x");
    bad["slug"] = json!("Gift Wrapping!");
    let (status, body) = app.agent_post(&zhao, "/api/v1/articles", bad).await;
    assert_eq!(status, 422);
    assert!(
        body["error"]["message"].as_str().unwrap().starts_with("slug:"),
        "{body}"
    );

    // Created: the AI answers from it at once, citing it.
    let (status, created) = app
        .agent_post(
            &zhao,
            "/api/v1/articles",
            engraving("We engrave up to 12 characters for ¥10: add the text at checkout."),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["article"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["article"]["version"], 1);
    let (status, dup) = app.agent_post(&zhao, "/api/v1/articles", engraving("again")).await;
    assert_eq!((status, dup["error"]["code"].as_str()), (409, Some("conflict")));

    let v = app.visitor(json!({ "lang": "en" })).await;
    let answer = app.ask(&v, "Do you offer engraving?").await;
    assert_eq!(answer["author"]["kind"], "ai", "{answer}");
    assert!(
        answer["body"].as_str().unwrap().contains("¥10: add the text"),
        "{answer}"
    );
    assert_eq!(answer["citations"][0]["article_id"].as_str(), Some(id.as_str()));

    // Edited: version 2, used for the next question.
    let path = format!("/api/v1/articles/{id}");
    let (status, edited) = app
        .agent_put(&zhao, &path, engraving("Engraving is free this month for every order."))
        .await;
    assert_eq!((status, edited["article"]["version"].as_u64()), (200, Some(2)));
    let answer = app.ask(&v, "Can you engrave a name on the thermos?").await;
    assert!(answer["body"].as_str().unwrap().contains("free this month"), "{answer}");

    // Reverted to version 1: a new version 3 with the old text, history kept.
    let (status, reverted) = app
        .agent_post(&zhao, &format!("{path}/revert"), json!({ "version": 1 }))
        .await;
    assert_eq!(status, 200, "{reverted}");
    assert_eq!(reverted["article"]["version"], 3);
    assert!(reverted["article"]["body"].as_str().unwrap().contains("¥10"));
    let (_, detail) = app.agent_get(&zhao, &path).await;
    let history: Vec<(u64, &str, &str)> = detail["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["version"].as_u64().unwrap(),
                x["change"].as_str().unwrap(),
                x["author"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            (3, "revert", "zhao@maple.example"),
            (2, "update", "zhao@maple.example"),
            (1, "create", "zhao@maple.example")
        ]
    );
    let (status, _) = app
        .agent_post(&zhao, &format!("{path}/revert"), json!({ "version": 9 }))
        .await;
    assert_eq!(status, 422);

    // Diffable: the edit against version 1, line by line; the revert undoes it.
    let (status, d) = app.agent_get(&zhao, &format!("{path}/diff?from=1&to=2")).await;
    assert_eq!(status, 200, "{d}");
    let ops: Vec<&str> = d["diff"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["removed", "added"], "{d}");
    assert_eq!(
        d["diff"]["body"][1]["text"],
        "Engraving is free this month for every order."
    );
    let (_, d) = app.agent_get(&zhao, &format!("{path}/diff")).await;
    assert_eq!((d["from"].as_u64(), d["to"].as_u64()), (Some(2), Some(3)), "{d}");
    assert_eq!(d["diff"]["body"][0]["op"], "removed");
    assert_eq!(app.agent_get(&zhao, &format!("{path}/diff?from=1&to=7")).await.0, 422);

    // Archived: the AI no longer answers from it (it asks or hands over instead).
    let (status, archived) = app.agent_post(&zhao, &format!("{path}/archive"), json!({})).await;
    assert_eq!((status, archived["article"]["archived"].as_bool()), (200, Some(true)));
    let w = app.visitor(json!({ "lang": "en" })).await;
    let reply = app.ask(&w, "Do you offer engraving?").await;
    let cites_it = reply["citations"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["article_id"].as_str() == Some(id.as_str())));
    assert!(!cites_it, "an archived article is not used: {reply}");
    assert!(reply["author"]["kind"] == "ai" || handed_over(&reply));
    let (_, active) = app.agent_get(&zhao, "/api/v1/articles").await;
    assert!(active["articles"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["id"] != id.as_str()));
    let (_, all) = app.agent_get(&zhao, "/api/v1/articles?archived=true").await;
    assert!(all["articles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == id.as_str()));
    // Restored: used again.
    assert_eq!(
        app.agent_post(&zhao, &format!("{path}/restore"), json!({})).await.0,
        200
    );
    let answer = app.ask(&w, "Can you engrave a name on the thermos?").await;
    assert_eq!(
        answer["citations"][0]["article_id"].as_str(),
        Some(id.as_str()),
        "{answer}"
    );

    // Another tenant's agent cannot see it.
    let acme = app.login("acme", "ada@acme.example").await;
    assert_eq!(app.agent_get(&acme, &path).await.0, 404);
    app.stop().await;
}
