//! The hand-over SLA with paused time: the server's clock is moved forward by hand (no test waits
//! 30 seconds). A missed first-reply target raises the priority, alerts the supervisors and tries
//! the next way to reach a person; a reply in time meets it; outside business hours, or with
//! nobody online, a hand-over becomes a ticket with a promised reply time.

use serde_json::{json, Value};
use time::Duration;

use crate::support::{AgentClient, TestApp, Ws};

async fn detail(app: &TestApp, a: &AgentClient, conversation: &str) -> Value {
    let (status, d) = app.agent_get(a, &format!("/api/v1/conversations/{conversation}")).await;
    assert_eq!(status, 200, "{d}");
    d
}

fn events<'a>(d: &'a Value, kind: &str) -> Vec<&'a Value> {
    d["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .collect()
}

/// Polls the conversation until `done` holds (the sweep runs on its own task).
async fn until(app: &TestApp, a: &AgentClient, conversation: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + crate::support::WAIT;
    loop {
        let d = detail(app, a, conversation).await;
        if done(&d) {
            return d;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {d:#}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
}

async fn next_alert(ws: &mut Ws) -> Value {
    ws.until("an SLA alert", |f| f["type"] == "alert").await["alert"].clone()
}

fn owner_name(d: &Value) -> String {
    d["conversation"]["owner"]["agent_name"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn a_missed_target_raises_priority_alerts_and_goes_to_the_next_agent() {
    let app = TestApp::spawn_lexical().await;
    let _staff = app.staff().await;
    let sam = app.login("demo", "sam@maple.example").await;
    let sam_inbox = app.inbox_socket(&sam).await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let mut supervisor = app.inbox_socket(&zhao).await;
    app.wait_online(&zhao, &["sam@maple.example"]).await;

    let v = app.visitor(json!({ "lang": "en" })).await;
    let notice = app.ask(&v, "get me a human").await;
    assert_eq!(
        notice["system"]["code"], "handoff",
        "people are online: a live hand-over"
    );
    let d = detail(&app, &zhao, &v.conversation).await;
    let sla = &d["conversation"]["sla"];
    assert_eq!(
        (sla["target_secs"].as_u64(), sla["breaches"].as_u64()),
        (Some(120), Some(0))
    );
    assert_eq!(d["conversation"]["owner"]["priority"], "normal");

    // Nobody takes it (a manual team). Two minutes later the first target is missed: priority
    // one step up, the supervisors are alerted, and the least loaded agent of the team is given it.
    app.clock.advance(Duration::seconds(121));
    let alert = next_alert(&mut supervisor).await;
    assert_eq!(
        (
            alert["breach"].as_u64(),
            alert["priority"].as_str(),
            alert["next"]["kind"].as_str()
        ),
        (Some(1), Some("high"), Some("team"))
    );
    let first = alert["assigned_to"].as_str().expect("someone was assigned").to_string();
    assert!(["Lin Wei", "Sam Taylor"].contains(&first.as_str()), "{alert}");
    let d = until(&app, &zhao, &v.conversation, "the assignment", |d| {
        d["conversation"]["owner"]["kind"] == "agent"
    })
    .await;
    assert_eq!(owner_name(&d), first);
    let breach = events(&d, "sla_breach");
    assert_eq!(breach.len(), 1);
    assert!(
        breach[0]["reason"].as_str().unwrap().contains("within 120 s"),
        "{breach:?}"
    );
    assert!(events(&d, "assign")[0]["reason"]
        .as_str()
        .unwrap()
        .contains("after a missed first-reply target"));
    assert_eq!(d["packet"]["priority"], "high");

    // The assigned agent does not answer either: taken back, urgent, and given to someone else
    // (any team now), never to the one who let the customer wait.
    app.clock.advance(Duration::seconds(121));
    let alert = next_alert(&mut supervisor).await;
    assert_eq!(
        (
            alert["breach"].as_u64(),
            alert["priority"].as_str(),
            alert["next"]["kind"].as_str()
        ),
        (Some(2), Some("urgent"), Some("any_team"))
    );
    let second = alert["assigned_to"].as_str().expect("someone else").to_string();
    assert_ne!(second, first);
    let d = until(&app, &zhao, &v.conversation, "the reassignment", |d| {
        owner_name(d) == second
    })
    .await;
    assert_eq!(events(&d, "escalate").len(), 2, "each breach is a recorded transition");
    let (status, alerts) = app.agent_get(&zhao, "/api/v1/alerts").await;
    assert_eq!(status, 200);
    assert_eq!(alerts["alerts"][0]["id"].as_str(), Some(v.conversation.as_str()));
    assert_eq!(
        app.agent_get(&sam, "/api/v1/alerts").await.0,
        403,
        "agents do not see alerts"
    );

    // The one who has it answers: the clock stops, recorded as a miss, and the alert clears.
    let who = match second.as_str() {
        "Sam Taylor" => "sam@maple.example",
        "Lin Wei" => "lin@maple.example",
        _ => "zhao@maple.example",
    };
    let who = app.login("demo", who).await;
    let (status, _) = app
        .agent_post(
            &who,
            &format!("/api/v1/conversations/{}/messages", v.conversation),
            json!({ "body": "Sorry for the wait — I'm here now." }),
        )
        .await;
    assert_eq!(status, 201);
    let d = detail(&app, &zhao, &v.conversation).await;
    let sla = &d["conversation"]["sla"];
    assert_eq!((sla["met"].as_bool(), sla["breaches"].as_u64()), (Some(false), Some(2)));
    assert!(sla["first_reply_secs"].as_i64().unwrap() >= 242);
    assert_eq!(events(&d, "first_reply").len(), 1);
    let (_, alerts) = app.agent_get(&zhao, "/api/v1/alerts").await;
    assert_eq!(alerts["alerts"].as_array().unwrap().len(), 0);
    // Nothing more happens to a conversation that was answered.
    app.clock.advance(Duration::minutes(10));
    app.clock.advance(Duration::seconds(1));
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        events(&detail(&app, &zhao, &v.conversation).await, "sla_breach").len(),
        2
    );
    drop(sam_inbox);
    app.stop().await;
}

#[tokio::test]
async fn a_vip_answered_within_thirty_seconds_meets_the_target() {
    let app = TestApp::spawn_lexical().await;
    let _staff = app.staff().await;
    let zhao = app.login("demo", "zhao@maple.example").await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    assert_eq!(app.ask(&v, "get me a human").await["system"]["code"], "handoff");
    let d = detail(&app, &zhao, &v.conversation).await;
    assert_eq!(d["conversation"]["sla"]["target_secs"], 120, "a standard customer");

    // The verified VIP shopper of the demo is held to 30 seconds.
    let vip = app
        .visitor(json!({ "lang": "en", "email": backstop::seed::VIP_EMAIL, "user_hash": app.vip_hash().await }))
        .await;
    let notice = app.ask(&vip, "I want to talk to a person").await;
    assert_eq!(notice["system"]["code"], "handoff", "{notice}");
    let d = detail(&app, &zhao, &vip.conversation).await;
    assert_eq!(d["conversation"]["sla"]["target_secs"], 30);
    app.clock.advance(Duration::seconds(10));
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", vip.conversation);
    assert_eq!(app.agent_post(&zhao, &path("take"), json!({})).await.0, 200);
    let (status, _) = app
        .agent_post(
            &zhao,
            &path("messages"),
            json!({ "body": "Hello, I'm Zhao. How can I help?" }),
        )
        .await;
    assert_eq!(status, 201);
    let sla = detail(&app, &zhao, &vip.conversation).await["conversation"]["sla"].clone();
    assert_eq!(sla["met"], true, "{sla}");
    assert!((10..30).contains(&sla["first_reply_secs"].as_i64().unwrap()), "{sla}");
    app.clock.advance(Duration::seconds(60));
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let d = detail(&app, &zhao, &vip.conversation).await;
    assert!(events(&d, "sla_breach").is_empty(), "answered in time: no breach");
    app.stop().await;
}

#[tokio::test]
async fn outside_business_hours_a_hand_over_becomes_a_ticket_with_a_promise() {
    let app = TestApp::spawn_lexical().await;
    let _staff = app.staff().await;
    // Open only on a weekday two days from now: closed today whatever the time.
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let open_day = days[(time::OffsetDateTime::now_utc().weekday().number_days_from_monday() as usize + 2) % 7];
    app.update_team("General support", |t| {
        t.hours =
            backstop_core::hours::BusinessHours::parse("Asia/Shanghai", &format!("{open_day} 09:00-18:00")).unwrap();
    })
    .await;
    let lin = app.login("demo", "lin@maple.example").await;
    let (_, teams) = app.agent_get(&lin, "/api/v1/teams").await;
    let general = teams["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "General support")
        .unwrap();
    assert_eq!(general["hours"]["open_now"], false);

    let v = app.visitor(json!({ "lang": "zh" })).await;
    let mut widget = app.widget_ws(&v, 0).await;
    let notice = app.ask(&v, "转人工").await;
    assert_eq!(notice["system"]["code"], "ticket", "{notice}");
    let body = notice["body"].as_str().unwrap();
    assert!(
        body.contains("不在服务时间") && body.contains("11:00 (Asia/Shanghai)"),
        "{body}"
    );
    let (_, state) = app.transcript(&v).await;
    assert_eq!(state["ticket"]["reason"], "outside_hours");
    let promised = time::OffsetDateTime::parse(
        state["ticket"]["promised_by"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    // 09:00 Shanghai = 01:00 UTC on the opening day, plus the 120 promised minutes.
    assert_eq!((promised.hour(), promised.minute()), (3, 0), "{promised}");
    let ahead = promised - time::OffsetDateTime::now_utc();
    assert!(ahead > Duration::hours(24) && ahead < Duration::days(3), "{ahead}");
    // It still waits in the queue for whoever comes in first.
    assert_eq!(state["owner"], "queue");

    // A person answers: the customer is told live and the promise is kept.
    let path = |what: &str| format!("/api/v1/conversations/{}/{what}", v.conversation);
    assert_eq!(app.agent_post(&lin, &path("take"), json!({})).await.0, 200);
    let (status, _) = app
        .agent_post(
            &lin,
            &path("messages"),
            json!({ "body": "您好，我是林伟，您的问题我来处理。" }),
        )
        .await;
    assert_eq!(status, 201);
    let pushed = widget
        .until("the agent's answer", |f| {
            f["type"] == "message" && f["message"]["author"]["kind"] == "agent"
        })
        .await;
    assert_eq!(pushed["message"]["author"]["name"], "Lin Wei");
    let (_, state) = app.transcript(&v).await;
    assert!(state["ticket"].is_null(), "answered: no promise shown any more");
    let sla = detail(&app, &lin, &v.conversation).await["conversation"]["sla"].clone();
    assert_eq!(
        sla["ticket"]["reason"], "outside_hours",
        "the record keeps it was a ticket"
    );
    assert_eq!(sla["met"], true, "answered before the promise");
    app.stop().await;
}

#[tokio::test]
async fn with_nobody_online_a_ticket_is_promised_and_a_missed_promise_alerts() {
    let app = TestApp::spawn_lexical().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let notice = app.ask(&v, "get me a human").await;
    assert_eq!(notice["system"]["code"], "ticket", "{notice}");
    assert!(notice["body"]
        .as_str()
        .unwrap()
        .contains("Nobody from General support is available"));
    let (_, state) = app.transcript(&v).await;
    assert_eq!(state["ticket"]["reason"], "nobody_available");
    let zhao = app.login("demo", "zhao@maple.example").await;
    let d = detail(&app, &zhao, &v.conversation).await;
    assert_eq!(events(&d, "ticket").len(), 1);

    // The two-hour target passes without an answer: the supervisors hear of it.
    let mut supervisor = app.inbox_socket(&zhao).await;
    app.wait_online(&zhao, &["zhao@maple.example"]).await;
    app.clock.advance(Duration::minutes(121));
    let alert = next_alert(&mut supervisor).await;
    assert_eq!(alert["next"]["kind"], "alert");
    assert_eq!(alert["ticket"]["reason"], "nobody_available");
    let d = until(&app, &zhao, &v.conversation, "the breach", |d| {
        !events(d, "sla_breach").is_empty()
    })
    .await;
    assert_eq!(
        d["conversation"]["sla"]["due_at"],
        Value::Null,
        "alerted once, then no more"
    );
    app.stop().await;
}
