//! Contract checks of writes racing each other, as they do when several nodes share one database
//! (or many actors share one node): a conversation's sequence numbers stay gapless and unique, a
//! message delivered twice at the same moment is stored once, versions stay consecutive, and a
//! customer message is answered by one turn only.

use std::collections::BTreeSet;

use futures::future::join_all;

use super::{customer_msg, setup, t0};
use crate::*;
use backstop_core::conversation::Actor;
use backstop_core::event::{Event, EventKind};

pub async fn concurrent_appends_are_ordered_and_deduplicated(s: &dyn Store) {
    let (t, _, conv) = setup(s, "shop-race").await;
    // 24 distinct messages, each delivered three times at once (a webhook retry, a reconnecting
    // widget resending, a second node), all in flight together.
    let deliveries: Vec<NewMessage> = (0..72)
        .map(|i| {
            let n = i % 24;
            customer_msg(&t, conv, Some(&format!("c-{n}")), &format!("message {n}"))
        })
        .collect();
    let results = join_all(deliveries.iter().map(|m| s.append_message(m))).await;
    let mut fresh = 0;
    let mut seqs = BTreeSet::new();
    for r in results {
        let a = r.expect("a racing append succeeds (first copy or duplicate)");
        if !a.duplicate {
            fresh += 1;
            assert!(
                seqs.insert(a.message.seq),
                "sequence number {} given twice",
                a.message.seq
            );
        }
    }
    assert_eq!(fresh, 24, "each client id is stored exactly once");
    assert_eq!(
        seqs,
        (1..=24).collect::<BTreeSet<i64>>(),
        "sequence numbers are gapless"
    );
    let stored = s.list_messages(&t, conv, &MessageQuery::default()).await.unwrap();
    assert_eq!(stored.len(), 24);
    let ids: BTreeSet<_> = stored.iter().map(|m| m.client_id.clone().unwrap()).collect();
    assert_eq!(ids.len(), 24);
    assert_eq!(s.get_conversation(&t, conv).await.unwrap().unwrap().last_seq, 24);
}

pub async fn concurrent_versions_are_consecutive(s: &dyn Store) {
    let (t, _, _) = setup(s, "shop-versions").await;
    let saves = join_all((0..8).map(|i| {
        let source = format!("# policy {i}\n");
        let t = t.clone();
        async move { s.save_policy(&t, &source, "admin", t0()).await }
    }))
    .await;
    let versions: BTreeSet<u32> = saves.into_iter().map(|r| r.unwrap().version).collect();
    assert_eq!(versions, (1..=8).collect::<BTreeSet<u32>>());

    let article = ArticleRecord {
        id: backstop_core::ids::ArticleId::new_at(t0()),
        tenant: t.clone(),
        slug: "returns".into(),
        lang: backstop_core::message::Lang::En,
        topic: "returns".into(),
        title: "Returns".into(),
        body: "Thirty days.".into(),
        questions: vec![],
        updated_at: t0(),
        version: 0,
        archived: false,
    };
    let edits: Vec<ArticleRecord> = (0..6)
        .map(|i| ArticleRecord {
            body: format!("Thirty days, edit {i}."),
            ..article.clone()
        })
        .collect();
    let saved = join_all(edits.iter().map(|a| s.save_article(a, "update", "trainer"))).await;
    let versions: BTreeSet<u32> = saved.into_iter().map(|r| r.unwrap().version).collect();
    assert_eq!(versions, (1..=6).collect::<BTreeSet<u32>>());
    assert_eq!(s.article_versions(&t, article.id).await.unwrap().len(), 6);
}

pub async fn a_message_is_handled_by_one_turn_only(s: &dyn Store) {
    use backstop_core::ids::MessageId;
    use backstop_core::message::Author;
    let (t, _, conv) = setup(s, "shop-once").await;
    let asked = s
        .append_message(&customer_msg(&t, conv, Some("q"), "where is my parcel?"))
        .await
        .unwrap()
        .message;
    let state = s.get_conversation(&t, conv).await.unwrap().unwrap();
    // Two workers answer the same question at once (one took over while the other still ran).
    let turn = |answer: &str| Turn {
        conversation: state.clone(),
        events: vec![Event::note(
            EventKind::AiAnswer,
            Actor::Ai,
            None,
            super::decision(answer),
            t0(),
        )],
        messages: vec![NewMessage {
            id: MessageId::new_at(t0()),
            author: Author::Ai,
            handled: true,
            ..customer_msg(&t, conv, None, answer)
        }],
        handled: vec![asked.id],
    };
    let (a, b) = (turn("first"), turn("second"));
    let results = join_all([s.apply_turn(&a), s.apply_turn(&b)]).await;
    let applied = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(applied, 1, "exactly one turn answers: {results:?}");
    assert!(
        results.iter().any(|r| matches!(r, Err(StoreError::Conflict(_)))),
        "the other is refused: {results:?}"
    );
    let all = s.list_messages(&t, conv, &MessageQuery::default()).await.unwrap();
    assert_eq!(
        all.iter().filter(|m| m.author == Author::Ai).count(),
        1,
        "one reply stored"
    );
    assert_eq!(
        s.list_events(&t, conv).await.unwrap().len(),
        1,
        "nothing of the refused turn is kept"
    );
    // Replaying a turn later (a redelivered job) is refused the same way.
    assert!(matches!(s.apply_turn(&a).await, Err(StoreError::Conflict(_))));
    assert_eq!(
        s.list_messages(&t, conv, &MessageQuery::default()).await.unwrap().len(),
        2
    );
}
