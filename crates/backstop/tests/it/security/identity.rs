//! Finding 1, identity pre-hijack: an e-mail claimed without the host site's signature never leads
//! a later verified session to the claimant's record, so the claimant's token reads nothing of the
//! real customer's; the claim is kept, marked unverified where agents see it.

use serde_json::json;

use super::{send, session, widget_messages};
use crate::support::*;

#[tokio::test]
async fn an_unverified_claim_never_captures_the_verified_customer() {
    let app = TestApp::spawn_lexical().await;
    let victim = "mei.wong@example.com";

    // 1. The attacker claims the victim's e-mail, unsigned, and starts a conversation.
    let (status, attacker) = session(&app, json!({ "lang": "en", "name": "Mei Wong", "email": victim })).await;
    assert_eq!(status, 200, "{attacker}");
    let a_token = attacker["token"].as_str().unwrap().to_owned();
    let a_conv = attacker["conversation_id"].as_str().unwrap().to_owned();
    assert_eq!(
        send(&app, &a_token, &a_conv, "hello, any news on my order?").await.0,
        201
    );

    // 2. The real customer signs in on the shop: a verified session with the same e-mail.
    let hash = backstop_engine::user_hash(&app.demo_secret().await, victim);
    let (status, real) = session(
        &app,
        json!({ "lang": "en", "name": "Mei Wong", "email": victim, "user_hash": hash }),
    )
    .await;
    assert_eq!(status, 200, "{real}");
    let v_token = real["token"].as_str().unwrap().to_owned();
    let v_conv = real["conversation_id"].as_str().unwrap().to_owned();
    assert_ne!(
        real["customer_id"], attacker["customer_id"],
        "not the claimant's record"
    );
    assert_ne!(v_conv, a_conv, "not the claimant's conversation");
    assert_eq!(
        (attacker["verified"].as_bool(), real["verified"].as_bool()),
        (Some(false), Some(true))
    );
    let secret_line = "Please deliver to 12 Harbour Road, my phone is +86 138 0013 8000";
    assert_eq!(send(&app, &v_token, &v_conv, secret_line).await.0, 201);

    // 3. The attacker's token reads nothing of the victim's, by REST or by socket.
    let (status, body) = widget_messages(&app, &a_token, &v_conv).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("conversation_not_found"))
    );
    let (_, own) = widget_messages(&app, &a_token, &a_conv).await;
    assert!(!own.to_string().contains("Harbour Road"), "{own}");
    let mut ws = app
        .widget_ws(
            &Visitor {
                token: a_token.clone(),
                conversation: v_conv.clone(),
            },
            0,
        )
        .await;
    let refused = ws
        .until("a refusal", |f| f["type"] == "error" || f["type"] == "hello")
        .await;
    assert_eq!(refused["type"], "error", "{refused}");
    // A later session with the attacker's token (claiming again) stays on the attacker's record.
    let (_, again) = session(&app, json!({ "token": a_token, "email": victim })).await;
    assert_eq!(again["customer_id"], attacker["customer_id"]);
    assert_eq!(again["conversation_id"].as_str(), Some(a_conv.as_str()));

    // 4. Agents see the claim, marked unverified; the verified customer's e-mail is not.
    let zhao = app.login("demo", "zhao@maple.example").await;
    let (_, claimed) = app.agent_get(&zhao, &format!("/api/v1/conversations/{a_conv}")).await;
    let customer = &claimed["conversation"]["customer"];
    assert_eq!(
        (customer["email"].as_str(), customer["email_verified"].as_bool()),
        (Some(victim), Some(false)),
        "{claimed}"
    );
    let (_, verified) = app.agent_get(&zhao, &format!("/api/v1/conversations/{v_conv}")).await;
    assert_eq!(
        verified["conversation"]["customer"]["email_verified"], true,
        "{verified}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_verified_session_never_keeps_a_token_of_someone_else() {
    // A browser that chatted anonymously (or whose token someone planted) signs in: the verified
    // customer gets a new token; whoever holds the old one stays with the anonymous record.
    let app = TestApp::spawn_lexical().await;
    let (_, anon) = session(&app, json!({ "lang": "en" })).await;
    let old = anon["token"].as_str().unwrap().to_owned();
    let email = "li.na@example.com";
    let hash = backstop_engine::user_hash(&app.demo_secret().await, email);
    let (_, signed) = session(&app, json!({ "token": old, "email": email, "user_hash": hash })).await;
    assert_ne!(signed["token"].as_str(), Some(old.as_str()));
    assert_ne!(signed["customer_id"], anon["customer_id"]);
    let (_, back) = session(&app, json!({ "token": old })).await;
    assert_eq!(back["customer_id"], anon["customer_id"]);
    // Signing in again with the new token keeps it.
    let (_, again) = session(
        &app,
        json!({ "token": signed["token"], "email": email, "user_hash": hash }),
    )
    .await;
    assert_eq!(again["token"], signed["token"]);
    app.stop().await;
}

#[tokio::test]
async fn a_verified_token_without_the_signature_is_a_new_anonymous_visitor() {
    // The shopper signed out of the shop (or someone else uses this browser): the token the widget
    // kept no longer opens the verified customer's conversation.
    let app = TestApp::spawn_lexical().await;
    let email = "li.na@example.com";
    let hash = backstop_engine::user_hash(&app.demo_secret().await, email);
    let (_, signed) = session(&app, json!({ "email": email, "user_hash": hash })).await;
    let (token, conv) = (
        signed["token"].as_str().unwrap(),
        signed["conversation_id"].as_str().unwrap(),
    );
    assert_eq!(
        send(&app, token, conv, "my order to 12 Harbour Road is late").await.0,
        201
    );
    let (_, anon) = session(&app, json!({ "token": token })).await;
    assert_ne!(anon["customer_id"], signed["customer_id"]);
    assert_ne!(anon["token"].as_str(), Some(token));
    assert_eq!(anon["verified"], false);
    let (status, _) = widget_messages(&app, anon["token"].as_str().unwrap(), conv).await;
    assert_eq!(status, 404);
    // Signed in again: the verified customer and their conversation, with a fresh token.
    let (_, back) = session(
        &app,
        json!({ "token": anon["token"], "email": email, "user_hash": hash }),
    )
    .await;
    assert_eq!(back["customer_id"], signed["customer_id"]);
    assert_eq!(back["conversation_id"].as_str(), Some(conv));
    app.stop().await;
}
