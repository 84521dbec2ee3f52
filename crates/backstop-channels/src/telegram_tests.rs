//! Tests of reading Telegram updates and writing `sendMessage`.

use super::*;

fn update(message: Value) -> Vec<u8> {
    json!({"update_id": 911000001, "message": message})
        .to_string()
        .into_bytes()
}

fn private(extra: Value) -> Value {
    let mut m = json!({
        "message_id": 42, "date": 1796600000,
        "from": {"id": 123456789, "is_bot": false, "first_name": "Ana", "last_name": "Silva",
                 "username": "ana_b", "language_code": "pt-BR"},
        "chat": {"id": 123456789, "type": "private", "first_name": "Ana"}
    });
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    m
}

fn only(parsed: Parsed) -> Message {
    assert_eq!(parsed.events.len(), 1, "{parsed:?}");
    match parsed.events.into_iter().next().unwrap().event {
        Event::Message(m) => m,
        Event::Status(s) => panic!("{s:?}"),
    }
}

#[test]
fn the_secret_header_must_match() {
    assert_eq!(verify_secret("s3cr3t_token-1", Some("s3cr3t_token-1")), Ok(()));
    assert_eq!(
        verify_secret("s3cr3t_token-1", Some("s3cr3t_token-2")),
        Err(InboundError::BadSignature)
    );
    assert_eq!(
        verify_secret("s3cr3t_token-1", None),
        Err(InboundError::MissingSignature)
    );
    assert_eq!(verify_secret("", Some("x")), Err(InboundError::BadSignature));
}

#[test]
fn a_private_text_message_with_its_reply() {
    let body = update(private(json!({
        "text": "My order hasn't arrived",
        "reply_to_message": {"message_id": 40, "date": 1796590000,
                             "chat": {"id": 123456789, "type": "private"}, "text": "…"}
    })));
    let m = only(parse("bot:shop", &body).unwrap());
    assert_eq!(m.external_id, "123456789:42");
    assert_eq!(m.text, "My order hasn't arrived");
    assert_eq!(m.reply_to.as_deref(), Some("123456789:40"));
    assert_eq!(m.from.id, "123456789");
    assert_eq!(m.from.address, "123456789");
    assert_eq!(m.from.name.as_deref(), Some("Ana Silva"));
    assert_eq!(m.from.locale.as_deref(), Some("pt-BR"));
    assert_eq!(m.sent_at.unix_timestamp(), 1_796_600_000);
}

#[test]
fn a_photo_keeps_its_largest_size_and_its_caption() {
    let body = update(private(json!({
        "caption": "破损的包装",
        "photo": [
            {"file_id": "small", "file_unique_id": "u1", "width": 90, "height": 67, "file_size": 1200},
            {"file_id": "large", "file_unique_id": "u3", "width": 1280, "height": 960, "file_size": 98000},
            {"file_id": "mid", "file_unique_id": "u2", "width": 320, "height": 240}
        ]
    })));
    let m = only(parse("bot:shop", &body).unwrap());
    assert_eq!(m.text, "破损的包装");
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].source, MediaSource::Id("large".into()));
    assert_eq!(m.attachments[0].size, Some(98000));
}

#[test]
fn edits_groups_bots_and_other_updates_are_passed_over() {
    let edited = json!({"update_id": 2, "edited_message": private(json!({"text": "x"}))});
    let mut group = private(json!({"text": "hi"}));
    group["chat"] = json!({"id": -100, "type": "supergroup", "title": "Fans"});
    let mut bot = private(json!({"text": "hi"}));
    bot["from"]["is_bot"] = json!(true);
    for body in [
        edited.to_string().into_bytes(),
        update(group),
        update(bot),
        update(private(json!({}))),
        json!({"update_id": 3, "my_chat_member": {}}).to_string().into_bytes(),
    ] {
        let parsed = parse("bot:shop", &body).unwrap();
        assert!(parsed.events.is_empty());
        assert_eq!(parsed.ignored, 1);
    }
    assert!(matches!(parse("bot:shop", b"[]"), Err(InboundError::Malformed(_))));
}

#[test]
fn send_body_and_answers() {
    assert_eq!(
        send_body("123456789", "<b>Shipped</b>", Some("123456789:42")),
        json!({"chat_id": "123456789", "text": "<b>Shipped</b>", "parse_mode": "HTML",
               "reply_parameters": {"message_id": 42, "allow_sending_without_reply": true}})
    );
    assert_eq!(
        send_body("1", "hi", None),
        json!({"chat_id": "1", "text": "hi", "parse_mode": "HTML"})
    );
    let ok = br#"{"ok":true,"result":{"message_id":77,"date":1,"chat":{"id":123456789,"type":"private"},"text":"x"}}"#;
    assert_eq!(sent_id(ok), Some("123456789:77".into()));

    let flood = br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 13","parameters":{"retry_after":13}}"#;
    assert_eq!(
        classify(429, flood),
        SendFailure::RateLimited {
            retry_after: Some(Duration::from_secs(13))
        }
    );
    let blocked = br#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#;
    assert!(matches!(classify(403, blocked), SendFailure::Unreachable { .. }));
    let long = br#"{"ok":false,"error_code":400,"description":"Bad Request: message is too long"}"#;
    assert!(matches!(classify(400, long), SendFailure::Rejected { code: 400, .. }));
    assert!(classify(502, b"<html>").retryable());
    assert!(matches!(
        classify(401, br#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#),
        SendFailure::Unauthorized { .. }
    ));
}
