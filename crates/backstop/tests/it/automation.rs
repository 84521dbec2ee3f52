//! Automation rules end to end: a rule greets Chinese visitors on the pricing page in Chinese, one
//! sends buying intent to the sales team (tagged, at a higher priority), one closes idle
//! conversations with a notice, one runs the refund action for visitors on the returns page; every
//! firing is an `automation` event naming its rule, and a bad rule is refused with its line.

use serde_json::{json, Value};
use time::Duration;

use crate::support::*;

const RULES: &str = r#"
[[automation]]
name = "greet_pricing_zh"
on = "conversation_started"
when = { language = ["zh"], page = ["/pricing"] }
then = { greet = { en = "Hello! Questions about our plans?", zh = "您好！欢迎了解枫叶商城的企业采购价格，有问题随时问我。" } }

[[automation]]
name = "buying_to_sales"
on = "message"
when = { intent = ["bulk-orders"] }
then = { assign_team = "Sales", tag = ["lead"], priority = "high", note = "Buying intent: a sales colleague takes it if they ask for a person." }

[[automation]]
name = "close_idle"
on = "idle"
when = { idle_minutes = 30 }
then = { close = { en = "We haven't heard from you, so we're closing this chat. Write any time to start again.", zh = "您已有一段时间没有回复，本次会话先结束；有需要随时再联系我们。" } }
"#;

fn bulk_orders(lang: &str) -> Value {
    let (title, body, questions) = if lang == "zh" {
        (
            "企业批量采购",
            "企业或团体一次购买 50 件以上可享批量价，并可开具专票。请留下数量和联系方式，销售顾问会在一个工作日内报价。",
            json!(["公司想批量采购保温杯有优惠吗？", "团购 200 个杯子怎么报价？"]),
        )
    } else {
        (
            "Buying in bulk for your company",
            "Companies and groups buying 50 items or more get bulk prices and a VAT invoice. Tell us the quantity and how to reach you, and a sales adviser sends a quote within one working day.",
            json!(["Do you offer a discount for bulk orders?", "We want to buy 200 thermoses for our office, can you quote?"]),
        )
    };
    json!({ "slug": "bulk-orders", "lang": lang, "topic": "orders", "title": title, "body": body, "questions": questions })
}

async fn send_on_page(app: &TestApp, v: &Visitor, body: &str, page: &str) -> Value {
    let r = app
        .http
        .post(app.url(&format!(
            "/api/widget/v1/demo/conversations/{}/messages",
            v.conversation
        )))
        .header("x-visitor-token", &v.token)
        .json(&json!({ "client_id": uuid::Uuid::new_v4().to_string(), "body": body, "page": page }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn events(app: &TestApp, a: &AgentClient, conv: &str) -> Vec<Value> {
    let (status, detail) = app.agent_get(a, &format!("/api/v1/conversations/{conv}")).await;
    assert_eq!(status, 200, "{detail}");
    detail["events"].as_array().unwrap().clone()
}

fn fired(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["kind"] == "automation")
        .map(|e| e["reason"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn rules_greet_route_buying_intent_to_sales_and_close_idle_chats() {
    let app = TestApp::spawn_lexical().await;
    let admin = app.login("demo", "chen@maple.example").await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    for lang in ["en", "zh"] {
        let (status, body) = app.agent_post(&zhao, "/api/v1/articles", bulk_orders(lang)).await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, current) = app.agent_get(&admin, "/api/v1/policy").await;
    let source = format!("{}\n{RULES}", current["source"].as_str().unwrap());
    let (status, saved) = app
        .agent_put(&admin, "/api/v1/policy", json!({ "source": source }))
        .await;
    assert_eq!(status, 200, "{saved}");

    // A Chinese visitor on the pricing page is greeted in Chinese before the AI's answer.
    let zh = app.visitor(json!({ "lang": "zh" })).await;
    let sent = send_on_page(
        &app,
        &zh,
        "你们的配送要多久？",
        "https://shop.example/pricing?plan=team",
    )
    .await;
    let seq = sent["message"]["seq"].as_i64().unwrap();
    let (msgs, _) = app
        .wait_for(&zh, "the greeting and the answer", |m, _| {
            m.iter().filter(|x| x["seq"].as_i64() > Some(seq)).count() >= 2
        })
        .await;
    let after: Vec<&Value> = msgs.iter().filter(|m| m["seq"].as_i64() > Some(seq)).collect();
    assert_eq!(after[0]["author"]["kind"], "ai");
    assert!(
        after[0]["body"].as_str().unwrap().starts_with("您好！欢迎了解"),
        "{after:#?}"
    );
    assert!(
        !after[1]["body"].as_str().unwrap().contains("欢迎了解"),
        "the answer follows: {after:#?}"
    );
    assert_eq!(
        fired(&events(&app, &admin, &zh.conversation).await),
        ["greet_pricing_zh"]
    );
    // Once per conversation: the next message is answered without a second greeting.
    let next = app.ask(&zh, "运费怎么算？").await;
    assert!(!next["body"].as_str().unwrap().contains("欢迎了解"), "{next}");
    assert_eq!(
        fired(&events(&app, &admin, &zh.conversation).await),
        ["greet_pricing_zh"]
    );

    // Not Chinese, or not on the pricing page: no greeting.
    for (lang, question, page) in [
        ("en", "How long does delivery take?", "/pricing"),
        ("zh", "你们的配送要多久？", "/pricing-old/faq"),
    ] {
        let v = app.visitor(json!({ "lang": lang })).await;
        let sent = send_on_page(&app, &v, question, page).await;
        let seq = sent["message"]["seq"].as_i64().unwrap();
        let (msgs, _) = app
            .wait_for(&v, "the answer", |m, _| m.iter().any(|x| x["seq"].as_i64() > Some(seq)))
            .await;
        assert!(
            msgs.iter().all(|m| !m["body"].as_str().unwrap().contains("欢迎了解")),
            "{msgs:#?}"
        );
        assert!(
            fired(&events(&app, &admin, &v.conversation).await).is_empty(),
            "{lang} {page}"
        );
    }

    // Buying intent: answered by the AI, tagged and routed, so the hand-over goes to Sales.
    let buyer = app.visitor(json!({ "lang": "en" })).await;
    let answer = app
        .ask(&buyer, "We want to buy 200 thermoses for our office, can you quote?")
        .await;
    assert_eq!(answer["author"]["kind"], "ai", "{answer}");
    let notice = app.ask(&buyer, "I'd like to talk to a person please").await;
    assert!(handed_over(&notice), "{notice}");
    let (_, detail) = app
        .agent_get(&admin, &format!("/api/v1/conversations/{}", buyer.conversation))
        .await;
    assert_eq!(detail["packet"]["team_name"], "Sales", "{}", detail["packet"]);
    assert_eq!(detail["packet"]["tags"], json!(["lead"]));
    assert_eq!(detail["packet"]["priority"], "high");
    assert_eq!(
        fired(&events(&app, &admin, &buyer.conversation).await),
        ["buying_to_sales"]
    );
    let notes: Vec<&Value> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "note")
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n["body"].as_str().unwrap().contains("buying_to_sales")),
        "{notes:#?}"
    );
    // The note is the agents' alone.
    let (public, _) = app.transcript(&buyer).await;
    assert!(public
        .iter()
        .all(|m| !m["body"].as_str().unwrap().contains("Buying intent")));

    // The same kind of question without buying intent goes to general support, untagged.
    let other = app.visitor(json!({ "lang": "en" })).await;
    app.ask(&other, "How long does delivery take?").await;
    assert!(handed_over(
        &app.ask(&other, "I'd like to talk to a person please").await
    ));
    let (_, detail) = app
        .agent_get(&admin, &format!("/api/v1/conversations/{}", other.conversation))
        .await;
    assert_eq!(detail["packet"]["team_name"], "General support");
    assert!(detail["packet"]["tags"].as_array().unwrap().is_empty());

    // Thirty minutes of silence close the AI's open conversations with the notice.
    app.clock.advance(Duration::minutes(31));
    let (msgs, state) = app
        .wait_for(&zh, "the idle notice", |_, s| s["status"] == "resolved")
        .await;
    assert!(
        msgs.last().unwrap()["body"]
            .as_str()
            .unwrap()
            .contains("本次会话先结束"),
        "{msgs:#?}"
    );
    assert_eq!(state["status"], "resolved");
    let fired_zh = fired(&events(&app, &admin, &zh.conversation).await);
    assert_eq!(fired_zh, ["greet_pricing_zh", "close_idle"]);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_rule_is_refused_with_its_line() {
    let app = TestApp::spawn_lexical().await;
    let admin = app.login("demo", "chen@maple.example").await;
    let (_, current) = app.agent_get(&admin, "/api/v1/policy").await;
    let base = current["source"].as_str().unwrap().to_string();
    let line = base.lines().count() + 3;
    // An idle rule that never says how long: refused, naming the rule's line.
    let bad = format!(
        "{base}\n\n[[automation]]\nname = \"close_idle\"\non = \"idle\"\nthen = {{ close = {{ en = \"Bye\" }} }}\n"
    );
    let (status, body) = app.agent_put(&admin, "/api/v1/policy", json!({ "source": bad })).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_policy")),
        "{body}"
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "line {line}, automation \"close_idle\": on = \"idle\" needs when.idle_minutes"
        )),
        "{message}"
    );
    // A team that does not exist is refused too, with the teams there are.
    let unknown = format!(
        "{base}\n\n[[automation]]\nname = \"to_sales\"\non = \"message\"\nthen = {{ assign_team = \"Presales\" }}\n"
    );
    let (status, body) = app
        .agent_post(&admin, "/api/v1/policy/check", json!({ "source": unknown }))
        .await;
    assert_eq!(status, 422, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("line {line}, automation \"to_sales\"")),
        "{message}"
    );
    assert!(message.contains("Presales") && message.contains("Sales"), "{message}");
    // An action the AI does not have (or the agents' panel action) is refused, with its actions.
    for name in ["issue_voucher", "customer_orders"] {
        let unknown = format!(
            "{base}\n\n[[automation]]\nname = \"returns\"\non = \"message\"\nthen = {{ run_action = \"{name}\" }}\n"
        );
        let (status, body) = app
            .agent_post(&admin, "/api/v1/policy/check", json!({ "source": unknown }))
            .await;
        assert_eq!(status, 422, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("line {line}, automation \"returns\": then.run_action")),
            "{message}"
        );
        assert!(
            message.contains("lookup_order") && !message.contains("customer_orders,"),
            "{message}"
        );
    }
    assert_eq!(app.agent_get(&admin, "/api/v1/policy").await.1["version"], 0);
    app.stop().await;
}

#[tokio::test]
async fn a_rule_runs_an_action_for_visitors_on_the_returns_page() {
    let app = TestApp::spawn().await;
    let admin = app.login("demo", "chen@maple.example").await;
    let (_, current) = app.agent_get(&admin, "/api/v1/policy").await;
    let source = format!(
        "{}\n\n[[automation]]\nname = \"returns_page_refund\"\non = \"message\"\nwhen = {{ page = [\"/returns*\"] }}\nthen = {{ run_action = \"request_refund\" }}\n",
        current["source"].as_str().unwrap()
    );
    let (status, saved) = app
        .agent_put(&admin, "/api/v1/policy", json!({ "source": source }))
        .await;
    assert_eq!(status, 200, "{saved}");
    let text = "the case of my headphones arrived cracked";

    // Elsewhere on the site the words start nothing …
    let carol = crate::act::signed_in(&app, "carol@example.com", "en").await;
    send_on_page(&app, &carol, text, "https://shop.example/products/headphones").await;
    let (msgs, _) = app
        .wait_for(&carol, "a reply", |m, _| {
            m.iter().any(|x| x["author"]["kind"] != "customer")
        })
        .await;
    let said = crate::act::said(&msgs);
    assert!(!said.contains("How much should be refunded"), "{said}");

    // … on the returns page the rule starts the refund, asked for and confirmed as always.
    let bob = crate::act::signed_in(&app, "bob@example.com", "en").await;
    send_on_page(&app, &bob, text, "https://shop.example/returns/new").await;
    let (msgs, _) = app
        .wait_for(&bob, "a reply", |m, _| {
            m.iter().any(|x| x["author"]["kind"] != "customer")
        })
        .await;
    let said = crate::act::said(&msgs);
    assert!(said.contains("How much should be refunded"), "{said}");
    let lin = app.login("demo", "lin@maple.example").await;
    let evs = events(&app, &lin, &bob.conversation).await;
    assert_eq!(fired(&evs), vec!["returns_page_refund"]);
    assert!(
        evs.iter().any(|e| e["kind"] == "action"),
        "the action's steps are recorded"
    );
    app.stop().await;
}
