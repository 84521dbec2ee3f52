//! Contract checks of a tenant's channels: connections found by their business account with
//! their secrets kept apart, one account per channel across tenants, customers' identities per
//! channel (a first sighting makes one customer even when two arrive at once), and a
//! conversation's channel and where it is answered.

use backstop_core::channel::Channel;
use backstop_core::directory::Customer;
use backstop_core::ids::{ConnectionId, CustomerId};
use backstop_core::message::Lang;
use futures::future::join_all;
use time::Duration;

use super::{new_conversation, setup, t0, tenant};
use crate::*;

fn connection(tenant: &TenantId, channel: Channel, account: &str) -> ConnectionRecord {
    ConnectionRecord {
        id: ConnectionId::new_at(t0()),
        tenant: tenant.clone(),
        channel,
        account: account.into(),
        name: format!("{channel} {account}"),
        settings: serde_json::json!({"api_version": "v23.0", "templates": {"en": "ticket_answer"}}),
        enabled: true,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn secrets(pairs: &[(&str, &str)]) -> Secrets {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

pub async fn channel_connections_are_found_by_account_with_their_secrets_apart(s: &dyn Store) {
    let (a, b) = (tenant("chan-a"), tenant("chan-b"));
    s.create_tenant(&a).await.unwrap();
    s.create_tenant(&b).await.unwrap();
    let wa = connection(&a.id, Channel::WhatsApp, "106540352242922");
    let keys = secrets(&[("access_token", "EAAG-one"), ("app_secret", "s1")]);
    s.save_connection(&wa, Some(&keys)).await.unwrap();
    assert_eq!(s.list_connections(&a.id).await.unwrap(), vec![wa.clone()]);
    assert_eq!(s.get_connection(&a.id, wa.id).await.unwrap(), Some(wa.clone()));
    assert_eq!(
        s.connection_for_account(Channel::WhatsApp, "106540352242922")
            .await
            .unwrap(),
        Some((wa.clone(), keys.clone()))
    );
    assert_eq!(
        s.connection_for_account(Channel::Messenger, "106540352242922")
            .await
            .unwrap(),
        None
    );

    // Saved again without secrets: the settings change, the secrets stay.
    let mut renamed = wa.clone();
    renamed.name = "WhatsApp (support line)".into();
    renamed.enabled = false;
    renamed.updated_at = t0() + Duration::minutes(5);
    s.save_connection(&renamed, None).await.unwrap();
    assert_eq!(s.get_connection(&a.id, wa.id).await.unwrap(), Some(renamed.clone()));
    assert_eq!(s.connection_secrets(&a.id, wa.id).await.unwrap(), Some(keys));

    // The same business account cannot be connected by anyone else, nor twice.
    let taken = connection(&b.id, Channel::WhatsApp, "106540352242922");
    assert!(matches!(
        s.save_connection(&taken, None).await,
        Err(StoreError::Conflict("connection"))
    ));
    let twice = connection(&a.id, Channel::WhatsApp, "106540352242922");
    assert!(matches!(
        s.save_connection(&twice, None).await,
        Err(StoreError::Conflict(_))
    ));
    // Another tenant cannot take over a connection by its id.
    let mut hijack = renamed.clone();
    hijack.tenant = b.id.clone();
    hijack.account = "999".into();
    assert!(matches!(
        s.save_connection(&hijack, None).await,
        Err(StoreError::Conflict(_))
    ));
    // The same account on another channel is another connection.
    let tg = connection(&b.id, Channel::Telegram, "106540352242922");
    s.save_connection(&tg, Some(&secrets(&[("bot_token", "123:ABC")])))
        .await
        .unwrap();

    // Tenants see only their own.
    assert_eq!(s.list_connections(&b.id).await.unwrap(), vec![tg.clone()]);
    assert_eq!(s.get_connection(&b.id, wa.id).await.unwrap(), None);
    assert_eq!(s.connection_secrets(&b.id, wa.id).await.unwrap(), None);
    assert!(!s.delete_connection(&b.id, wa.id).await.unwrap());
    assert!(s.delete_connection(&a.id, wa.id).await.unwrap());
    assert!(s.list_connections(&a.id).await.unwrap().is_empty());
    assert_eq!(
        s.connection_for_account(Channel::WhatsApp, "106540352242922")
            .await
            .unwrap(),
        None
    );
    assert_eq!(s.connection_secrets(&a.id, wa.id).await.unwrap(), None);
    // Once removed, the account may be connected again.
    s.save_connection(&taken, None).await.unwrap();
    assert_eq!(s.connection_secrets(&b.id, taken.id).await.unwrap(), None, "none saved");
}

fn stranger(tenant: &TenantId, name: &str, at: time::OffsetDateTime) -> Customer {
    Customer {
        id: CustomerId::new_at(at),
        tenant: tenant.clone(),
        name: Some(name.into()),
        email: None,
        email_verified: false,
        tags: Vec::new(),
        lang: Some(Lang::Zh),
    }
}

pub async fn channel_identities_make_one_customer_and_link_only_when_told(s: &dyn Store) {
    let (t, known, _) = setup(s, "ident-a").await;
    let (other, _, _) = setup(s, "ident-b").await;
    let first = stranger(&t, "Lin Wei", t0());
    let (id, created) = s
        .resolve_identity(&t, Channel::WhatsApp, "8613800138000", Some("Lin Wei"), &first, t0())
        .await
        .unwrap();
    assert!(created);
    assert_eq!(
        (id.customer, id.verified, id.name.as_deref()),
        (first.id, false, Some("Lin Wei"))
    );
    assert_eq!(s.get_customer(&t, first.id).await.unwrap(), Some(first.clone()));

    // Seen again: the same customer, no new one stored; the sighting and the name move on.
    let later = t0() + Duration::hours(2);
    let unused = stranger(&t, "someone else", later);
    let (again, created) = s
        .resolve_identity(&t, Channel::WhatsApp, "8613800138000", Some("Lin W."), &unused, later)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.customer, first.id);
    assert_eq!((again.created_at, again.last_seen_at), (t0(), later));
    assert_eq!(again.name.as_deref(), Some("Lin W."));
    assert_eq!(s.get_customer(&t, unused.id).await.unwrap(), None);
    let (kept, _) = s
        .resolve_identity(&t, Channel::WhatsApp, "8613800138000", None, &unused, later)
        .await
        .unwrap();
    assert_eq!(kept.name.as_deref(), Some("Lin W."), "no name given keeps the last one");

    // The same id on another channel, or at another tenant, is someone else.
    let (tg, created) = s
        .resolve_identity(
            &t,
            Channel::Telegram,
            "8613800138000",
            None,
            &stranger(&t, "x", later),
            later,
        )
        .await
        .unwrap();
    assert!(created && tg.customer != first.id);
    let elsewhere = stranger(&other, "y", later);
    let (theirs, created) = s
        .resolve_identity(&other, Channel::WhatsApp, "8613800138000", None, &elsewhere, later)
        .await
        .unwrap();
    assert!(created && theirs.customer == elsewhere.id);

    // A verification links the identity to the known customer; only then.
    s.link_identity(&t, Channel::WhatsApp, "8613800138000", known, later)
        .await
        .unwrap();
    s.link_identity(&t, Channel::Email, "li@ident-a.example", known, later)
        .await
        .unwrap();
    let linked = s.identities_of(&t, known).await.unwrap();
    assert_eq!(
        linked
            .iter()
            .map(|i| (i.channel, i.external_id.as_str(), i.verified))
            .collect::<Vec<_>>(),
        vec![
            (Channel::Email, "li@ident-a.example", true),
            (Channel::WhatsApp, "8613800138000", true)
        ]
    );
    assert!(s.identities_of(&t, first.id).await.unwrap().is_empty());
    assert!(s.identities_of(&other, known).await.unwrap().is_empty());
}

pub async fn first_messages_at_once_make_one_customer(s: &dyn Store) {
    let (t, _, _) = setup(s, "ident-race").await;
    let candidates: Vec<Customer> = (0..8)
        .map(|i| stranger(&t, &format!("c{i}"), t0() + Duration::milliseconds(i)))
        .collect();
    let results = join_all(
        candidates
            .iter()
            .map(|c| s.resolve_identity(&t, Channel::Telegram, "42", None, c, t0())),
    )
    .await;
    let results: Vec<_> = results
        .into_iter()
        .map(|r| r.expect("a racing first sighting succeeds"))
        .collect();
    assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
    let winner = results[0].0.customer;
    assert!(results.iter().all(|(i, _)| i.customer == winner));
    let stored: Vec<_> = join_all(candidates.iter().map(|c| s.get_customer(&t, c.id))).await;
    assert_eq!(stored.iter().filter(|c| matches!(c, Ok(Some(_)))).count(), 1);
}

pub async fn conversations_carry_their_channel_and_move(s: &dyn Store) {
    let (t, customer, web) = setup(s, "reach-a").await;
    let (other, _, _) = setup(s, "reach-b").await;
    let plain = s.get_conversation(&t, web).await.unwrap().unwrap();
    assert_eq!((plain.channel, plain.reach.clone()), (Channel::Web, None));

    let conn = ConnectionId::new_at(t0());
    let mut conv = new_conversation(&t, customer, t0());
    conv.channel = Channel::WhatsApp;
    conv.reach = Some(Reach {
        connection: conn,
        address: "8613800138000".into(),
    });
    s.create_conversation(&conv).await.unwrap();
    assert_eq!(s.get_conversation(&t, conv.id).await.unwrap(), Some(conv.clone()));

    let mail = Reach {
        connection: ConnectionId::new_at(t0() + Duration::seconds(1)),
        address: "li@reach-a.example".into(),
    };
    assert!(!s
        .set_conversation_reach(&other, conv.id, Channel::Email, Some(&mail))
        .await
        .unwrap());
    assert!(s
        .set_conversation_reach(&t, conv.id, Channel::Email, Some(&mail))
        .await
        .unwrap());
    let moved = s.get_conversation(&t, conv.id).await.unwrap().unwrap();
    assert_eq!((moved.channel, moved.reach), (Channel::Email, Some(mail)));
    let listed = s
        .list_conversations(
            &t,
            &ConversationFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(listed.iter().any(|c| c.id == conv.id && c.channel == Channel::Email));
}
