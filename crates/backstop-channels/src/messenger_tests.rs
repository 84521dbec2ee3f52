//! Tests of reading Messenger's and Instagram's webhook and writing Send API bodies.

use backstop_core::channel::{Channel, Sender};
use time::macros::datetime;

use super::*;

const BATCH: &[u8] = include_bytes!("../tests/fixtures/messenger-batch.json");

#[test]
fn messages_statuses_and_postbacks_are_read_and_echoes_and_reactions_passed_over() {
    let parsed = parse(Product::Messenger, BATCH).unwrap();
    assert_eq!(parsed.ignored, 3, "echo, reaction, standby");
    assert!(parsed.events.iter().all(|e| e.account == "110000000000001"));
    let events: Vec<_> = parsed.events.iter().map(|e| &e.event).collect();
    assert_eq!(events.len(), 5);

    let Event::Message(first) = events[0] else { panic!() };
    assert_eq!(first.external_id, "m_one");
    assert_eq!(first.text, "Hi, where is my parcel?");
    assert_eq!(first.from.id, "6543210987654321");
    assert_eq!(first.sent_at.unix_timestamp_nanos(), 1_796_600_000_123_000_000);

    let Event::Message(photo) = events[1] else { panic!() };
    assert_eq!(photo.text, "");
    assert_eq!(photo.reply_to.as_deref(), Some("m_out1"));
    assert_eq!(
        photo.attachments,
        vec![Attachment {
            kind: AttachmentKind::Image,
            source: MediaSource::Url("https://scontent.example/photo.jpg".into()),
            mime_type: None,
            filename: None,
            size: None,
        }]
    );

    let Event::Status(delivered) = events[2] else { panic!() };
    assert_eq!(delivered.state, Delivery::Delivered);
    assert_eq!(
        delivered.target,
        StatusTarget::UpTo {
            contact: "6543210987654321".into(),
            at: unix_millis(1_796_600_003_500)
        }
    );
    let Event::Status(read) = events[3] else { panic!() };
    assert_eq!(read.state, Delivery::Read);

    let Event::Message(tap) = events[4] else { panic!() };
    assert_eq!(
        (tap.external_id.as_str(), tap.text.as_str()),
        ("m_pb", "Talk to a person")
    );
}

#[test]
fn instagram_is_the_same_shape_under_its_own_object() {
    let ig = String::from_utf8(BATCH.to_vec())
        .unwrap()
        .replace("\"object\": \"page\"", "\"object\": \"instagram\"");
    assert_eq!(parse(Product::Instagram, ig.as_bytes()).unwrap().events.len(), 5);
    assert!(matches!(
        parse(Product::Instagram, BATCH),
        Err(InboundError::Malformed(_))
    ));
}

#[test]
fn the_send_body_follows_the_window() {
    let now = datetime!(2026-12-07 12:00 UTC);
    let last = Some(now - time::Duration::hours(30));
    let person = Channel::Messenger.window(last, now, Sender::Person);
    assert_eq!(
        text_body("654", "Following up on your refund.", person),
        Some(json!({"recipient": {"id": "654"}, "messaging_type": "MESSAGE_TAG",
                    "tag": "HUMAN_AGENT", "message": {"text": "Following up on your refund."}}))
    );
    assert_eq!(
        text_body("654", "hi", Window::Open),
        Some(json!({"recipient": {"id": "654"}, "messaging_type": "RESPONSE",
                    "message": {"text": "hi"}}))
    );
    let ai = Channel::Messenger.window(last, now, Sender::Ai);
    assert_eq!(text_body("654", "hi", ai), None);
    assert_eq!(
        sent_id(br#"{"recipient_id":"654","message_id":"m_AG5Hz2U"}"#),
        Some("m_AG5Hz2U".into())
    );
}
