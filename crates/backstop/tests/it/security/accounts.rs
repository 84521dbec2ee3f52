//! Finding 8, the account lifecycle: sessions end when unused, everywhere at once on request, on a
//! new password and on deactivation (open inboxes close too); admins deactivate, reactivate,
//! re-role, reset passwords and rotate the widget secret (agents may not, nor may an admin lock
//! themselves out); the password policy refuses trivial passwords; the cookie is `Secure` behind an
//! HTTPS proxy; the visitor token is not taken from a socket's URL.

use serde_json::{json, Value};

use super::{agent_id, session, sign_in};
use crate::support::*;

async fn me(app: &TestApp, a: &AgentClient) -> u16 {
    app.agent_get(a, "/api/v1/me").await.0
}

#[tokio::test]
async fn an_unused_session_ends_after_the_idle_timeout() {
    let app = TestApp::spawn_lexical().await;
    let lin = app.login("demo", "lin@maple.example").await;
    app.clock.advance(time::Duration::hours(11));
    assert_eq!(me(&app, &lin).await, 200, "used within 12 hours: still valid");
    app.clock.advance(time::Duration::hours(11));
    assert_eq!(me(&app, &lin).await, 200, "each use starts the 12 hours again");
    app.clock.advance(time::Duration::hours(13));
    assert_eq!(me(&app, &lin).await, 401, "13 hours unused: signed out");
    app.stop().await;
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_and_closes_open_inboxes() {
    let app = TestApp::spawn_lexical().await;
    let laptop = app.login("demo", "lin@maple.example").await;
    let phone = app.login("demo", "lin@maple.example").await;
    let sam = app.login("demo", "sam@maple.example").await;
    let mut inbox = app.inbox_socket(&phone).await;
    let (status, _) = app
        .agent_post(&laptop, "/api/v1/auth/logout-everywhere", json!({}))
        .await;
    assert_eq!(status, 204);
    assert_eq!((me(&app, &laptop).await, me(&app, &phone).await), (401, 401));
    assert_eq!(me(&app, &sam).await, 200, "a colleague stays signed in");
    inbox
        .until("the inbox told it is signed out", |f| f["type"] == "signed_out")
        .await;
    app.stop().await;
}

#[tokio::test]
async fn a_new_password_ends_the_other_sessions_and_must_meet_the_policy() {
    let app = TestApp::spawn_lexical().await;
    let laptop = app.login("demo", "lin@maple.example").await;
    let phone = app.login("demo", "lin@maple.example").await;
    let change = |current: &str, new: &str| json!({ "current": current, "new": new });
    for (bad, code) in [
        ("          ", "invalid_input"),
        ("aaaaaaaaaa", "invalid_input"),
        ("Password123!", "invalid_input"),
        (&*"x".repeat(129), "invalid_input"),
    ] {
        let (status, body) = app
            .agent_post(
                &laptop,
                "/api/v1/auth/password",
                change(backstop::seed::DEMO_PASSWORD, bad),
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some(code)),
            "{bad:?}: {body}"
        );
    }
    let (status, body) = app
        .agent_post(
            &laptop,
            "/api/v1/auth/password",
            change("wrong current", "plum-Orbit-94"),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    let (status, body) = app
        .agent_post(
            &laptop,
            "/api/v1/auth/password",
            change(backstop::seed::DEMO_PASSWORD, "  plum-Orbit-94  "),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let fresh = AgentClient {
        token: body["token"].as_str().unwrap().to_owned(),
    };
    assert_eq!((me(&app, &laptop).await, me(&app, &phone).await), (401, 401));
    assert_eq!(
        me(&app, &fresh).await,
        200,
        "the browser that changed it has a new session"
    );
    // Surrounding spaces are not part of a password, at sign-in either.
    assert_eq!(sign_in(&app, "demo", "lin@maple.example", "plum-Orbit-94").await.0, 200);
    assert_eq!(
        sign_in(&app, "demo", "lin@maple.example", " plum-Orbit-94\n").await.0,
        200
    );
    assert_eq!(
        sign_in(&app, "demo", "lin@maple.example", backstop::seed::DEMO_PASSWORD)
            .await
            .0,
        401
    );
    app.stop().await;
}

#[tokio::test]
async fn admins_manage_accounts_and_nobody_else_does() {
    let app = TestApp::spawn_guarded(|_| {}).await;
    let chen = app.login("demo", "chen@maple.example").await; // admin
    let zhao = app.login("demo", "zhao@maple.example").await; // supervisor
    let sam = app.login("demo", "sam@maple.example").await;
    let sam_id = agent_id(&app, &chen, "sam@maple.example").await;
    let chen_id = agent_id(&app, &chen, "chen@maple.example").await;
    async fn action(app: &TestApp, who: &AgentClient, id: &str, what: &str) -> (u16, Value) {
        app.agent_post(who, &format!("/api/v1/agents/{id}/{what}"), json!({}))
            .await
    }
    let post = |who: &AgentClient, what: &'static str| {
        let (who, id) = (
            AgentClient {
                token: who.token.clone(),
            },
            sam_id.clone(),
        );
        let app = &app;
        async move { action(app, &who, &id, what).await }
    };
    // Agents and supervisors may not.
    for who in [&sam, &zhao] {
        assert_eq!(post(who, "deactivate").await.0, 403);
        assert_eq!(
            app.agent_put(
                who,
                &format!("/api/v1/agents/{sam_id}/role"),
                json!({ "role": "admin" })
            )
            .await
            .0,
            403
        );
        assert_eq!(
            app.agent_post(who, "/api/v1/tenant/widget-secret", json!({})).await.0,
            403
        );
    }
    // Deactivation: sessions end, sign-in is refused like a wrong password, no new conversations.
    let (status, body) = post(&chen, "deactivate").await;
    assert_eq!(
        (status, body["agent"]["active"].as_bool()),
        (200, Some(false)),
        "{body}"
    );
    assert_eq!(me(&app, &sam).await, 401);
    let (status, _, body) = sign_in(&app, "demo", "sam@maple.example", backstop::seed::DEMO_PASSWORD).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    let (_, body) = post(&chen, "reactivate").await;
    assert_eq!(body["agent"]["active"], true);
    let sam = app.login("demo", "sam@maple.example").await;
    // A role: more access keeps the session; less ends it.
    let role = |r: &str| json!({ "role": r });
    let (status, body) = app
        .agent_put(&chen, &format!("/api/v1/agents/{sam_id}/role"), role("supervisor"))
        .await;
    assert_eq!((status, body["agent"]["role"].as_str()), (200, Some("supervisor")));
    assert_eq!(me(&app, &sam).await, 200);
    app.agent_put(&chen, &format!("/api/v1/agents/{sam_id}/role"), role("agent"))
        .await;
    assert_eq!(me(&app, &sam).await, 401);
    let (status, _) = app
        .agent_put(&chen, &format!("/api/v1/agents/{sam_id}/role"), role("owner"))
        .await;
    assert_eq!(status, 422);
    // A password set by the admin: the policy applies, sessions end.
    let sam = app.login("demo", "sam@maple.example").await;
    let pw = |p: &str| json!({ "password": p, "confirm_password": backstop::seed::DEMO_PASSWORD });
    assert_eq!(
        app.agent_put(&chen, &format!("/api/v1/agents/{sam_id}/password"), pw("aaaaaaaaaa"))
            .await
            .0,
        422
    );
    assert_eq!(
        app.agent_put(
            &chen,
            &format!("/api/v1/agents/{sam_id}/password"),
            pw("Maple-Tree-Seven")
        )
        .await
        .0,
        200
    );
    assert_eq!(me(&app, &sam).await, 401);
    assert_eq!(
        sign_in(&app, "demo", "sam@maple.example", "Maple-Tree-Seven").await.0,
        200
    );
    // An admin cannot set their own password without the current one, nor lock themselves out.
    let (status, _) = app
        .agent_put(
            &chen,
            &format!("/api/v1/agents/{chen_id}/password"),
            pw("Maple-Tree-Eight"),
        )
        .await;
    assert_eq!(status, 409);
    let (status, body) = app
        .agent_post(&chen, &format!("/api/v1/agents/{chen_id}/deactivate"), json!({}))
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")));
    let (status, _) = app
        .agent_put(&chen, &format!("/api/v1/agents/{chen_id}/role"), role("agent"))
        .await;
    assert_eq!(status, 409);
    // Another tenant's agent is not found.
    let ada = app.login("acme", "ada@acme.example").await;
    assert_eq!(me(&app, &ada).await, 200);
    let ada_id = agent_id(&app, &ada, "ada@acme.example").await;
    // Another tenant's agent does not exist for this admin, whatever the command (isolation).
    for what in ["deactivate", "reactivate", "unlock", "sign-out"] {
        let (status, _) = app
            .agent_post(&chen, &format!("/api/v1/agents/{ada_id}/{what}"), json!({}))
            .await;
        assert_eq!(status, 404, "{what}");
    }
    let promote = json!({ "role": "admin", "confirm_password": backstop::seed::DEMO_PASSWORD });
    for (what, body) in [("role", promote), ("password", pw("Acme-Takeover-77"))] {
        let (status, _) = app
            .agent_put(&chen, &format!("/api/v1/agents/{ada_id}/{what}"), body)
            .await;
        assert_eq!(status, 404, "{what}");
    }
    assert_eq!(me(&app, &ada).await, 200, "Ada is still signed in");
    assert_eq!(
        sign_in(&app, "acme", "ada@acme.example", backstop::seed::DEMO_PASSWORD)
            .await
            .0,
        200
    );
    let (_, ada_me) = app.agent_get(&ada, "/api/v1/me").await;
    assert_eq!(ada_me["agent"]["role"], "agent");
    // The demo's widget secret rotation leaves acme's alone (it answers only its own tenant).
    let store = app.store().await;
    let acme_before = {
        store
            .get_tenant(&backstop_core::ids::TenantId::parse("acme").unwrap())
            .await
            .unwrap()
            .unwrap()
            .widget_secret
    };
    let confirm = json!({ "confirm_password": backstop::seed::DEMO_PASSWORD });
    assert_eq!(
        app.agent_post(&chen, "/api/v1/tenant/widget-secret", confirm).await.0,
        200
    );
    let acme_after = store
        .get_tenant(&backstop_core::ids::TenantId::parse("acme").unwrap())
        .await
        .unwrap()
        .unwrap()
        .widget_secret;
    assert_eq!(acme_before, acme_after);
    app.stop().await;
}

#[tokio::test]
async fn rotating_the_widget_secret_stops_old_signatures() {
    let app = TestApp::spawn_lexical().await;
    let chen = app.login("demo", "chen@maple.example").await;
    let old = app.vip_hash().await;
    let alice = json!({ "email": backstop::seed::VIP_EMAIL, "user_hash": old });
    assert_eq!(session(&app, alice.clone()).await.1["verified"], true);
    // Whoever holds the secret can sign in any customer: it takes the admin's own password.
    let (status, body) = app.agent_post(&chen, "/api/v1/tenant/widget-secret", json!({})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("password_required"))
    );
    let wrong = json!({ "confirm_password": "not my password" });
    assert_eq!(
        app.agent_post(&chen, "/api/v1/tenant/widget-secret", wrong).await.0,
        401
    );
    let confirm = json!({ "confirm_password": backstop::seed::DEMO_PASSWORD });
    let (status, body) = app.agent_post(&chen, "/api/v1/tenant/widget-secret", confirm).await;
    assert_eq!(status, 200);
    let secret = body["widget_secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 32);
    assert_eq!(
        session(&app, alice).await.1["verified"],
        false,
        "the old signature no longer verifies"
    );
    let new = backstop_engine::user_hash(&secret, backstop::seed::VIP_EMAIL);
    let signed = json!({ "email": backstop::seed::VIP_EMAIL, "user_hash": new });
    assert_eq!(session(&app, signed).await.1["verified"], true);
    app.stop().await;
}

#[tokio::test]
async fn the_cookie_is_secure_behind_an_https_proxy() {
    let app = TestApp::spawn_lexical().await;
    let cookie = |r: &reqwest::Response| r.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    let body = json!({ "tenant": "demo", "email": "lin@maple.example", "password": backstop::seed::DEMO_PASSWORD });
    let plain = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        !cookie(&plain).contains("Secure"),
        "plain HTTP on this machine: {}",
        cookie(&plain)
    );
    // The proxy in front (a trusted address: here, loopback) says the browser used HTTPS.
    let proxied = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-proto", "https")
        .json(&body)
        .send()
        .await
        .unwrap();
    let c = cookie(&proxied);
    assert!(
        c.contains("; Secure") && c.contains("HttpOnly") && c.contains("SameSite=Lax"),
        "{c}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_visitor_token_is_not_taken_from_a_socket_url() {
    let app = TestApp::spawn_lexical().await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    // The old way: the token in the query string. Refused: it never authenticates anyone.
    let url = app.ws_url(&format!(
        "/api/widget/v1/demo/ws?token={}&conversation={}",
        v.token, v.conversation
    ));
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut ws = Ws(ws);
    let first: Value = ws.until("the answer", |_| true).await;
    assert_eq!(
        (first["type"].as_str(), first["code"].as_str()),
        (Some("error"), Some("unauthenticated")),
        "{first}"
    );
    // The widget's own script sends it in the first frame.
    let script = app
        .http
        .get(app.url("/widget.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!script.contains("ws?token="), "widget.js puts no token in a URL");
    app.stop().await;
}

/// Runs `backstop ARGS` on the server's data directory with `stdin`; success and what it printed.
/// The command line stamps what it writes with the wall clock, so the server's manual clock is
/// brought level with it afterwards (as two processes on one machine would be).
fn cli(app: &TestApp, args: &[&str], stdin: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_backstop"))
        .args(args)
        .env("BACKSTOP__STORAGE__DATA_DIR", &app.dir)
        .env("BACKSTOP__MODELS__EMBEDDINGS", "false")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    app.clock.advance_to(time::OffsetDateTime::now_utc());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn the_command_line_manages_accounts_too() {
    let app = TestApp::spawn_lexical().await;
    let sam = app.login("demo", "sam@maple.example").await;
    let who = ["--tenant", "demo", "--email", "sam@maple.example"];
    let args = |cmd: &'static str| {
        let mut a = vec!["agent", cmd];
        a.extend(who);
        a
    };
    let (ok, out) = cli(&app, &args("deactivate"), "");
    assert!(ok && out.contains("deactivated"), "{out}");
    assert_eq!(me(&app, &sam).await, 401, "sessions ended");
    assert_eq!(
        sign_in(&app, "demo", "sam@maple.example", backstop::seed::DEMO_PASSWORD)
            .await
            .0,
        401
    );
    assert!(cli(&app, &args("reactivate"), "").0);
    // A weak password is refused with the reason; a good one is set.
    let (ok, out) = cli(&app, &args("password"), "aaaaaaaaaa\n");
    assert!(!ok && out.contains("too easy to guess"), "{out}");
    let (ok, out) = cli(&app, &args("password"), "Quiet-Harbour-31\n");
    assert!(ok, "{out}");
    assert_eq!(
        sign_in(&app, "demo", "sam@maple.example", "Quiet-Harbour-31").await.0,
        200
    );
    let mut role = args("role");
    role.push("supervisor");
    assert!(cli(&app, &role, "").0);
    let s = app.login_with("demo", "sam@maple.example", "Quiet-Harbour-31").await;
    let (_, m) = app.agent_get(&s, "/api/v1/me").await;
    assert_eq!(m["agent"]["role"], "supervisor");
    // Unlock after failures; an unknown agent is a clear error.
    for _ in 0..5 {
        sign_in(&app, "demo", "sam@maple.example", "wrong-password-x").await;
    }
    super::sign_in::counted(&app, "sam@maple.example", 5).await;
    assert_eq!(
        sign_in(&app, "demo", "sam@maple.example", "Quiet-Harbour-31").await.0,
        429
    );
    assert!(cli(&app, &args("unlock"), "").0);
    assert_eq!(
        sign_in(&app, "demo", "sam@maple.example", "Quiet-Harbour-31").await.0,
        200
    );
    let (ok, out) = cli(
        &app,
        &["agent", "unlock", "--tenant", "demo", "--email", "nobody@maple.example"],
        "",
    );
    assert!(!ok && out.contains("no agent"), "{out}");
    // A new widget secret, printed once; the old signature stops verifying.
    let old = app.vip_hash().await;
    let (ok, out) = cli(&app, &["tenant", "rotate-secret", "demo"], "");
    assert!(ok && out.contains("New widget secret"), "{out}");
    let alice = json!({ "email": backstop::seed::VIP_EMAIL, "user_hash": old });
    assert_eq!(session(&app, alice).await.1["verified"], false);
    app.stop().await;
}
