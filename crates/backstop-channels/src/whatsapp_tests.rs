//! Tests of reading WhatsApp's webhook and writing its send bodies.

use super::*;
use crate::{SendFailure, StatusTarget};

const BATCH: &[u8] = include_bytes!("../tests/fixtures/whatsapp-batch.json");

fn messages(parsed: &Parsed) -> Vec<(&str, &Message)> {
    parsed
        .events
        .iter()
        .filter_map(|e| match &e.event {
            Event::Message(m) => Some((e.account.as_str(), m)),
            Event::Status(_) => None,
        })
        .collect()
}

#[test]
fn a_batch_is_read_entry_by_entry_and_change_by_change() {
    let parsed = parse(BATCH).unwrap();
    let msgs = messages(&parsed);
    let ids: Vec<_> = msgs.iter().map(|(_, m)| m.external_id.as_str()).collect();
    assert_eq!(
        ids,
        ["wamid.AAA1", "wamid.AAA2", "wamid.AAA4", "wamid.BBB1", "wamid.BBB2"]
    );
    // Each message belongs to the business number it was sent to.
    assert_eq!(msgs[0].0, "106540352242922");
    assert_eq!(msgs[3].0, "200000000000001");
    // The reaction, the unsupported message and the account_update change are passed over.
    assert_eq!(parsed.ignored, 3);

    let first = msgs[0].1;
    assert_eq!(first.text, "我的订单还没到，能帮我查一下吗？");
    assert_eq!(first.from.id, "8613800138000");
    assert_eq!(first.from.name.as_deref(), Some("Lin Wei"));
    assert_eq!(first.sent_at.unix_timestamp(), 1_796_600_000);
    assert!(first.attachments.is_empty() && first.reply_to.is_none());
}

#[test]
fn media_arrive_by_id_with_their_caption_and_the_message_they_answer() {
    let parsed = parse(BATCH).unwrap();
    let msgs = messages(&parsed);
    let image = msgs[1].1;
    assert_eq!(image.text, "包装破了");
    assert_eq!(image.reply_to.as_deref(), Some("wamid.OUT9"));
    assert_eq!(
        image.attachments,
        vec![Attachment {
            kind: AttachmentKind::Image,
            source: MediaSource::Id("1003383421387256".into()),
            mime_type: Some("image/jpeg".into()),
            filename: None,
            size: None,
        }]
    );
    let doc = msgs[2].1;
    assert_eq!(doc.text, "");
    assert_eq!(doc.attachments[0].kind, AttachmentKind::File);
    assert_eq!(doc.attachments[0].filename.as_deref(), Some("receipt.pdf"));
}

#[test]
fn button_choices_and_locations_become_text() {
    let parsed = parse(BATCH).unwrap();
    let msgs = messages(&parsed);
    assert_eq!(msgs[3].1.text, "Talk to a person");
    assert_eq!(msgs[3].1.reply_to.as_deref(), Some("wamid.OUT7"));
    assert_eq!(msgs[4].1.text, "📍 51.50070, -0.12460 (Big Ben)");
}

#[test]
fn statuses_report_read_and_failed_with_the_error_code() {
    let parsed = parse(BATCH).unwrap();
    let statuses: Vec<_> = parsed
        .events
        .iter()
        .filter_map(|e| match &e.event {
            Event::Status(s) => Some(s),
            Event::Message(_) => None,
        })
        .collect();
    assert_eq!(statuses.len(), 2);
    assert_eq!(statuses[0].target, StatusTarget::Message("wamid.OUT9".into()));
    assert_eq!(statuses[0].state, Delivery::Read);
    assert_eq!(
        statuses[1].state,
        Delivery::Failed {
            code: 131047,
            reason: "Re-engagement message".into()
        }
    );
    assert!(Delivery::Read > Delivery::Delivered);
}

#[test]
fn a_payload_of_another_object_or_not_json_is_malformed() {
    assert!(matches!(
        parse(br#"{"object":"page","entry":[]}"#),
        Err(InboundError::Malformed(_))
    ));
    assert!(matches!(parse(b"not json"), Err(InboundError::Malformed(_))));
    assert_eq!(
        parse(br#"{"object":"whatsapp_business_account","entry":[]}"#).unwrap(),
        Parsed::default()
    );
}

#[test]
fn send_bodies_follow_the_cloud_api() {
    assert_eq!(
        text_body("8613800138000", "您好", Some("wamid.AAA1")),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual",
               "to": "8613800138000", "type": "text",
               "text": {"body": "您好", "preview_url": false},
               "context": {"message_id": "wamid.AAA1"}})
    );
    assert_eq!(
        template_body(
            "447700900123",
            "ticket_answer",
            "en",
            &["#1042", "Your refund is on its way."]
        ),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual",
               "to": "447700900123", "type": "template",
               "template": {"name": "ticket_answer", "language": {"code": "en"},
                 "components": [{"type": "body", "parameters": [
                   {"type": "text", "text": "#1042"},
                   {"type": "text", "text": "Your refund is on its way."}]}]}})
    );
    assert_eq!(
        sent_id(br#"{"messaging_product":"whatsapp","contacts":[{"input":"+1","wa_id":"1"}],"messages":[{"id":"wamid.X"}]}"#),
        Some("wamid.X".into())
    );
    assert_eq!(sent_id(b"{}"), None);
    // An answer that is a closed window is told apart from one to retry.
    let closed = crate::meta::classify(
        400,
        br#"{"error":{"message":"(#131047) Re-engagement message","code":131047}}"#,
        None,
    );
    assert!(matches!(closed, SendFailure::WindowClosed { .. }) && !closed.retryable());
}
