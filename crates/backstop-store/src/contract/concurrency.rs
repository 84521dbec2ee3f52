//! Contract checks of writes racing each other, as they do when several nodes share one database
//! (or many actors share one node): a conversation's sequence numbers stay gapless and unique, a
//! message delivered twice at the same moment is stored once, and versions stay consecutive.

use std::collections::BTreeSet;

use futures::future::join_all;

use super::{customer_msg, setup, t0};
use crate::*;

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
