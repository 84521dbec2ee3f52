//! Finding 2, sign-in: attempts are limited per client address (429 with `Retry-After`), repeated
//! failures lock an account (a real one or not, alike) until the lock ends or an admin lifts it,
//! an unknown tenant costs the same password check as a wrong password, and a flood of wrong
//! passwords from many addresses does not take the server's memory.

use std::time::{Duration, Instant};

use backstop_load::server;
use serde_json::json;

use super::{agent_id, sign_in};
use crate::support::*;

const WRONG: &str = "not-the-password-1";

/// Waits (bounded) until the store holds `n` failed sign-ins of the demo agent `email`.
pub(crate) async fn counted(app: &TestApp, email: &str, n: u32) {
    let store = app.store().await;
    let deadline = Instant::now() + WAIT;
    loop {
        let creds = store
            .find_agent_by_email(&backstop::seed::demo_tenant_id(), email)
            .await
            .unwrap()
            .unwrap();
        if creds.failed_logins >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{email}: {} failures counted, not {n}",
            creds.failed_logins
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn attempts_from_one_address_are_rate_limited() {
    let app = TestApp::spawn_guarded(|c| c.limits.logins_per_ip = 5).await;
    for i in 0..5 {
        let (status, _, _) = sign_in(&app, "demo", &format!("nobody{i}@maple.example"), WRONG).await;
        assert_eq!(status, 401);
    }
    let (status, retry, body) = sign_in(&app, "demo", "lin@maple.example", backstop::seed::DEMO_PASSWORD).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited")),
        "{body}"
    );
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "Retry-After: {retry:?}");
    app.stop().await;
}

#[tokio::test]
async fn repeated_failures_lock_the_account_until_an_admin_unlocks_it() {
    let app = TestApp::spawn_guarded(|c| {
        c.limits.logins_per_ip = 0;
        c.limits.logins_per_account = 0;
    })
    .await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, "demo", "lin@maple.example", WRONG).await.0, 401);
    }
    // Failures are counted just after the answer (so a real account's refusal takes no longer
    // than an unknown one's): wait until the fifth is stored.
    counted(&app, "lin@maple.example", 5).await;
    // Locked: even the right password is refused, with when to come back.
    let (status, retry, body) = sign_in(&app, "demo", "lin@maple.example", backstop::seed::DEMO_PASSWORD).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("too_many_attempts")),
        "{body}"
    );
    assert!(retry.is_some_and(|s| (1..=30).contains(&s)), "{retry:?}");
    // An account that does not exist answers exactly the same way: no enumeration by lockout.
    for _ in 0..5 {
        assert_eq!(sign_in(&app, "demo", "ghost@maple.example", WRONG).await.0, 401);
    }
    let (status, _, body) = sign_in(&app, "demo", "ghost@maple.example", WRONG).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
    // The admin lifts the lock; Lin signs in.
    let chen = app.login("demo", "chen@maple.example").await;
    let lin = agent_id(&app, &chen, "lin@maple.example").await;
    let (status, body) = app
        .agent_post(&chen, &format!("/api/v1/agents/{lin}/unlock"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        sign_in(&app, "demo", "lin@maple.example", backstop::seed::DEMO_PASSWORD)
            .await
            .0,
        200
    );
    // The lock also ends by itself (the engine's clock moves past it).
    for _ in 0..5 {
        sign_in(&app, "demo", "sam@maple.example", WRONG).await;
    }
    counted(&app, "sam@maple.example", 5).await;
    assert_eq!(
        sign_in(&app, "demo", "sam@maple.example", backstop::seed::DEMO_PASSWORD)
            .await
            .0,
        429
    );
    app.clock.advance(time::Duration::seconds(31));
    assert_eq!(
        sign_in(&app, "demo", "sam@maple.example", backstop::seed::DEMO_PASSWORD)
            .await
            .0,
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_tenant_costs_the_same_check_as_a_wrong_password() {
    let app = TestApp::spawn_lexical().await;
    // Warm up (the first check allocates its memory).
    sign_in(&app, "demo", "lin@maple.example", WRONG).await;
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut known = Vec::new();
    let mut unknown_tenant = Vec::new();
    let mut unknown_email = Vec::new();
    for i in 0..5 {
        let t = Instant::now();
        sign_in(&app, "demo", &format!("lin+{i}@maple.example"), WRONG).await;
        unknown_email.push(t.elapsed());
        let t = Instant::now();
        sign_in(&app, "demo", "sam@maple.example", WRONG).await;
        known.push(t.elapsed());
        let t = Instant::now();
        let (status, _, _) = sign_in(&app, &format!("no-such-shop-{i}"), "lin@maple.example", WRONG).await;
        unknown_tenant.push(t.elapsed());
        assert_eq!(status, 401, "the same answer as a wrong password");
    }
    let (known, tenant, email) = (median(known), median(unknown_tenant), median(unknown_email));
    // Without the dummy check an unknown tenant answers in about a millisecond, some 20-100 times
    // faster than a password check; with it, alike.
    assert!(
        tenant * 2 >= known,
        "unknown tenant {tenant:?} vs wrong password {known:?}"
    );
    assert!(
        email * 2 >= known,
        "unknown e-mail {email:?} vs wrong password {known:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_flood_of_wrong_passwords_from_many_addresses_keeps_memory_bounded() {
    let srv = server::spawn(&server::SpawnOptions {
        lexical: true,
        keep_limits: true,
        exe: Some(env!("CARGO_BIN_EXE_backstop").into()),
        ..Default::default()
    })
    .await
    .expect("start the server");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let before = server::sample(srv.pid).unwrap();
    // 96 sign-ins at once, each from its own address (as a trusted proxy forwards them) and for
    // its own account: no per-address or per-account limit applies; only the bound on password
    // checks running at once stands between them and 96 × 19 MiB.
    let attempts = (0..96).map(|i| {
        let http = http.clone();
        let url = format!("{}/api/v1/auth/login", srv.base);
        async move {
            http.post(url)
                .header("x-forwarded-for", format!("198.51.{}.{}", i / 200, i % 200 + 1))
                .json(&json!({ "tenant": "demo", "email": format!("flood{i}@maple.example"), "password": WRONG }))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert!(
        statuses.iter().all(|s| matches!(s, 401 | 503)),
        "wrong passwords, or busy: {statuses:?}"
    );
    let after = server::sample(srv.pid).unwrap();
    let grew = after.peak_rss.saturating_sub(before.peak_rss) / (1024 * 1024);
    assert!(grew < 128, "peak memory grew by {grew} MiB during the flood");
    // And it still answers.
    let ok = http.get(format!("{}/healthz", srv.base)).send().await.unwrap();
    assert!(ok.status().is_success());
}
