//! Finding 5, the copilot: a colleague's reply to one customer is offered in another customer's
//! conversation only with the first customer's name, order number, phone, e-mail and street
//! address taken out — as learning candidates are.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_colleagues_past_answer_is_offered_without_personal_data() {
    let app = TestApp::spawn_lexical().await;
    let lin = app.login("demo", "lin@maple.example").await;
    let sam = app.login("demo", "sam@maple.example").await;
    let personal =
        "Hi Wong Mei, I changed the delivery address of order MM-20261121-0042 to 88 Jiangning Road, Apt 12. \
                    If anything is wrong call me back on 138-0013-8000 or write to wong.mei@example.com.";
    let question = "I need to change the delivery address of my parcel, it is going to the wrong flat";
    app.answered_by(&sam, json!({ "lang": "en", "name": "Wong Mei" }), question, personal)
        .await;
    // The zh side: a colleague's answer with a Chinese address and the customer's name.
    let zh = "王小明您好，订单 MM-20261120-0007 的收货地址已改为杭州西湖区文三路90号3号楼1201室，电话 13800138000。";
    let zh_question = "我要修改快递的收货地址，寄错地方了";
    app.answered_by(&lin, json!({ "lang": "zh", "name": "王小明" }), zh_question, zh)
        .await;

    // Another customer asks the same: the copilot offers Sam's answer, without Wong Mei's data.
    for (lang, question) in [
        (
            "en",
            "How do I change the delivery address of my parcel? It is going to the wrong flat",
        ),
        ("zh", "怎么修改快递的收货地址？寄错地方了"),
    ] {
        let v = app.visitor(json!({ "lang": lang })).await;
        if !handed_over(&app.ask(&v, question).await) {
            assert!(handed_over(
                &app.ask(&v, if lang == "zh" { "转人工" } else { "talk to a human" })
                    .await
            ));
        }
        let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
        assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);
        let (status, c) = app.agent_get(&lin, &path("copilot")).await;
        assert_eq!(status, 200, "{c}");
        let past: Vec<&serde_json::Value> = c["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["source"]["kind"] == "past_answer")
            .collect();
        assert!(!past.is_empty(), "a past answer is offered ({lang}): {c:#}");
        for s in &past {
            let text = s["text"].as_str().unwrap();
            for secret in [
                "Wong Mei",
                "MM-20261121-0042",
                "88 Jiangning Road",
                "138-0013-8000",
                "wong.mei@example.com",
                "王小明",
                "MM-20261120-0007",
                "文三路90号",
                "1201室",
                "13800138000",
            ] {
                assert!(
                    !text.contains(secret),
                    "{secret} offered to another customer's agent: {text}"
                );
            }
        }
        let joined = past
            .iter()
            .map(|s| s["text"].as_str().unwrap())
            .collect::<Vec<_>>()
            .join(" ");
        if lang == "en" {
            assert!(joined.contains("[address]") && joined.contains("[name]"), "{joined}");
        } else {
            assert!(joined.contains("[地址]") && joined.contains("[姓名]"), "{joined}");
        }
    }
    app.stop().await;
}
