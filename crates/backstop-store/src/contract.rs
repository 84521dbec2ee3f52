//! The contract every storage backend must meet. A backend's tests invoke
//! [`store_contract_tests!`](crate::store_contract_tests) with a function that makes a fresh, empty
//! store; each check below then runs against it as its own test.

use backstop_core::conversation::{Actor, Owner, Priority, Status};
use backstop_core::directory::{Customer, Tenant};
use backstop_core::event::{Event, EventData, EventKind};
use backstop_core::ids::{
    AgentId, ArticleId, ConversationId, CustomerId, IntentExampleId, MessageId, TeamId, TenantId,
};
use backstop_core::message::{Author, Citation, Lang, MessageKind};
use backstop_core::routing::HandoffReason;
use backstop_core::Timestamp;
use time::Duration;

use crate::*;

mod actions;
mod analytics;
mod channels;
mod concurrency;
mod directory;
mod policy;
mod service;
mod settings;
pub use actions::*;
pub use analytics::*;
pub use channels::*;
pub use concurrency::*;
pub use directory::*;
pub use policy::*;
pub use service::*;
pub use settings::*;

/// Generates one `#[tokio::test]` per contract check for a backend. `$make` opens a fresh store and
/// returns it with whatever must live as long as it (a temporary directory, removed when the test
/// ends).
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@each $make;
            tenants_teams_and_agents, failed_sign_ins_are_counted_locked_and_cleared, sessions, customers_and_visitors, conversations_are_tenant_scoped,
            append_is_ordered_and_idempotent, turns_apply_atomically, listing_and_queue_positions,
            messages_query, articles_round_trip, topics_are_named_per_tenant, model_settings_and_usage, actions_are_versioned_with_a_secret_apart, embeddings_cache, intent_examples, tenant_isolation,
            policies_are_versioned, mood_and_policy_state_round_trip, ratings_are_kept_and_listed,
            sla_clocks_are_swept_when_due, idle_conversations_are_found_per_tenant, past_answers_pair_replies_with_questions,
            events_are_read_by_kind_across_conversations,
            candidates_are_queued_and_decided, concurrent_appends_are_ordered_and_deduplicated,
            concurrent_versions_are_consecutive, a_message_is_handled_by_one_turn_only,
            facts_move_the_rollups_by_their_difference, conversations_with_new_events_are_found_with_their_message_counts,
            long_ranges_read_what_their_hours_hold, imported_conversations_read_back_whole,
            widget_settings_plans_and_api_keys_are_kept_per_tenant,
            channel_connections_are_found_by_account_with_their_secrets_apart,
            channel_identities_make_one_customer_and_link_only_when_told,
            first_messages_at_once_make_one_customer, conversations_carry_their_channel_and_move,
            a_batch_folds_each_conversation_once_as_its_last_row);
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let (store, _scratch) = $make().await;
                $crate::contract::$name(&store).await;
            }
        )*
    };
}

/// The data of an AI decision on `question` (the built-in policy on quiet signals).
fn decision(question: &str) -> EventData {
    let trace = backstop_core::policy::Policy::builtin().decide(
        &backstop_core::routing::Signals::quiet(),
        &backstop_core::policy::PolicyState::default(),
    );
    EventData::Decision {
        trace: Box::new(trace),
        question: question.into(),
    }
}

fn t0() -> Timestamp {
    time::macros::datetime!(2026-11-21 10:00 UTC)
}

fn tenant(id: &str) -> Tenant {
    Tenant {
        id: TenantId::parse(id).unwrap(),
        name: format!("Shop {id}"),
        widget_secret: format!("secret-{id}"),
    }
}

async fn setup(s: &dyn Store, id: &str) -> (TenantId, CustomerId, ConversationId) {
    let t = tenant(id);
    if s.get_tenant(&t.id).await.unwrap().is_none() {
        s.create_tenant(&t).await.unwrap();
    }
    let customer = Customer {
        id: CustomerId::new_at(t0()),
        tenant: t.id.clone(),
        name: Some("Li Wei".into()),
        email: Some(format!("li@{id}.example")),
        email_verified: true,
        tags: vec!["vip".into()],
        lang: Some(Lang::Zh),
    };
    s.upsert_customer(&customer).await.unwrap();
    let conv = new_conversation(&t.id, customer.id, t0());
    s.create_conversation(&conv).await.unwrap();
    (t.id, customer.id, conv.id)
}

fn new_conversation(tenant: &TenantId, customer: CustomerId, at: Timestamp) -> ConversationRecord {
    ConversationRecord::new(ConversationId::new_at(at), tenant.clone(), customer, Lang::En, at)
}

fn customer_msg(tenant: &TenantId, conv: ConversationId, client: Option<&str>, body: &str) -> NewMessage {
    NewMessage {
        id: MessageId::new_at(t0()),
        tenant: tenant.clone(),
        conversation: conv,
        author: Author::Customer,
        kind: MessageKind::Text,
        body: body.into(),
        client_id: client.map(str::to_owned),
        citations: vec![],
        system: None,
        handled: false,
        created_at: t0(),
    }
}

pub async fn conversations_are_tenant_scoped(s: &dyn Store) {
    let (a, c, conv) = setup(s, "shop-a").await;
    let (b, _, _) = setup(s, "shop-b").await;
    assert!(s.get_conversation(&a, conv).await.unwrap().is_some());
    assert_eq!(s.get_conversation(&b, conv).await.unwrap(), None);
    let latest = s.latest_open_conversation(&a, c).await.unwrap().unwrap();
    assert_eq!(latest.id, conv);
    assert_eq!(s.latest_open_conversation(&b, c).await.unwrap(), None);
}

pub async fn append_is_ordered_and_idempotent(s: &dyn Store) {
    let (t, c, conv) = setup(s, "shop-a").await;
    let first = s
        .append_message(&customer_msg(&t, conv, Some("c-1"), "hello"))
        .await
        .unwrap();
    assert!(!first.duplicate);
    assert_eq!(first.message.seq, 1);
    let second = s
        .append_message(&customer_msg(&t, conv, Some("c-2"), "where is my order"))
        .await
        .unwrap();
    assert_eq!(second.message.seq, 2);
    let again = s
        .append_message(&customer_msg(&t, conv, Some("c-1"), "hello (resent)"))
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(
        again.message, first.message,
        "a resend returns the stored message untouched"
    );
    let no_key = s.append_message(&customer_msg(&t, conv, None, "no key")).await.unwrap();
    assert_eq!(no_key.message.seq, 3);
    // The same client id in another conversation is a different message.
    let other = new_conversation(&t, c, t0() + Duration::seconds(5));
    s.create_conversation(&other).await.unwrap();
    let elsewhere = s
        .append_message(&customer_msg(&t, other.id, Some("c-1"), "hello"))
        .await
        .unwrap();
    assert!(!elsewhere.duplicate);
    assert_eq!(elsewhere.message.seq, 1);
    let conv_row = s.get_conversation(&t, conv).await.unwrap().unwrap();
    assert_eq!(conv_row.last_seq, 3);
    assert!(conv_row.last_message_at.is_some());
    let all = s.list_messages(&t, conv, &MessageQuery::default()).await.unwrap();
    assert_eq!(all.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    // Appending to a conversation of another tenant fails.
    let (b, _, _) = setup(s, "shop-b").await;
    let foreign = s.append_message(&customer_msg(&b, conv, Some("x"), "sneaky")).await;
    assert!(matches!(foreign, Err(StoreError::NotFound(_))), "{foreign:?}");
}

pub async fn turns_apply_atomically(s: &dyn Store) {
    let (t, _, conv) = setup(s, "shop-a").await;
    let m1 = s
        .append_message(&customer_msg(&t, conv, Some("1"), "refund?"))
        .await
        .unwrap()
        .message;
    let m2 = s
        .append_message(&customer_msg(&t, conv, Some("2"), "talk to a human"))
        .await
        .unwrap()
        .message;
    let pending = s.pending_customer_messages(&t, conv).await.unwrap();
    assert_eq!(pending.iter().map(|m| m.id).collect::<Vec<_>>(), vec![m1.id, m2.id]);
    assert_eq!(s.conversations_with_pending(10).await.unwrap(), vec![(t.clone(), conv)]);

    let mut state = s.get_conversation(&t, conv).await.unwrap().unwrap();
    let team = TeamId::new_at(t0());
    state.owner = Owner::Queue {
        team,
        priority: Priority::High,
    };
    state.handoff_reason = Some(HandoffReason::CustomerRequest);
    state.queued_at = Some(t0());
    state.topic = Some("refunds".into());
    let reply = NewMessage {
        id: MessageId::new_at(t0() + Duration::seconds(1)),
        author: Author::Ai,
        handled: true,
        citations: vec![Citation {
            article_id: ArticleId::new_at(t0()),
            title: "Refunds".into(),
            article: Some("Refunds go back to the card.\n\nGift cards: at once.".into()),
        }],
        ..customer_msg(&t, conv, None, "Connecting you")
    };
    let event = Event {
        kind: EventKind::Handoff,
        actor: Actor::Ai,
        reason: Some("customer_request".into()),
        from_owner: Some(Owner::Ai),
        to_owner: Some(state.owner),
        from_status: Some(Status::Open),
        to_status: Some(Status::Open),
        data: decision("I want a person"),
        at: t0(),
    };
    let turn = Turn {
        conversation: state.clone(),
        events: vec![event.clone()],
        messages: vec![reply],
        handled: vec![m1.id, m2.id],
    };
    let stored = s.apply_turn(&turn).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].seq, 3);
    assert_eq!(stored[0].citations.len(), 1);
    assert!(s.pending_customer_messages(&t, conv).await.unwrap().is_empty());
    assert!(s.conversations_with_pending(10).await.unwrap().is_empty());
    let after = s.get_conversation(&t, conv).await.unwrap().unwrap();
    assert_eq!(after.owner, state.owner);
    assert_eq!(after.handoff_reason, Some(HandoffReason::CustomerRequest));
    assert_eq!(after.topic.as_deref(), Some("refunds"));
    assert_eq!(after.last_seq, 3);
    let events = s.list_events(&t, conv).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event, event);
}

pub async fn listing_and_queue_positions(s: &dyn Store) {
    let (t, c, first) = setup(s, "shop-a").await;
    let team = TeamId::new_at(t0());
    let mut queued = Vec::new();
    for (i, prio) in [Priority::Normal, Priority::Normal, Priority::Urgent]
        .into_iter()
        .enumerate()
    {
        let at = t0() + Duration::seconds(10 + i as i64);
        let mut conv = new_conversation(&t, c, at);
        conv.owner = Owner::Queue { team, priority: prio };
        conv.queued_at = Some(at);
        conv.last_message_at = Some(at);
        s.create_conversation(&conv).await.unwrap();
        queued.push(conv.id);
    }
    // Urgent first, then by waiting time.
    assert_eq!(s.queue_position(&t, queued[2]).await.unwrap(), Some(1));
    assert_eq!(s.queue_position(&t, queued[0]).await.unwrap(), Some(2));
    assert_eq!(s.queue_position(&t, queued[1]).await.unwrap(), Some(3));
    assert_eq!(s.queue_position(&t, first).await.unwrap(), None);

    let filter = ConversationFilter {
        owner_kind: Some("queue"),
        statuses: vec![Status::Open],
        limit: 10,
        ..Default::default()
    };
    let listed: Vec<_> = s
        .list_conversations(&t, &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0], queued[2], "queue listing is in queue order");
    assert_eq!(s.queued_count(&t).await.unwrap(), 3, "the queue's depth");
    let (other, _, _) = setup(s, "shop-z").await;
    assert_eq!(
        s.queued_count(&other).await.unwrap(),
        0,
        "another tenant's queue is its own"
    );
    let ai = ConversationFilter {
        owner_kind: Some("ai"),
        with_messages: true,
        limit: 10,
        ..Default::default()
    };
    assert!(
        s.list_conversations(&t, &ai).await.unwrap().is_empty(),
        "the AI conversation has no messages"
    );
    let ai_all = ConversationFilter {
        owner_kind: Some("ai"),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(s.list_conversations(&t, &ai_all).await.unwrap().len(), 1);
    let limited = ConversationFilter {
        limit: 2,
        ..Default::default()
    };
    assert_eq!(s.list_conversations(&t, &limited).await.unwrap().len(), 2);
}

pub async fn messages_query(s: &dyn Store) {
    let (t, _, conv) = setup(s, "shop-a").await;
    for i in 0..5 {
        s.append_message(&customer_msg(&t, conv, Some(&format!("k{i}")), &format!("m{i}")))
            .await
            .unwrap();
    }
    let note = NewMessage {
        author: Author::Agent {
            id: AgentId::new_at(t0()),
            name: "Zhang".into(),
        },
        kind: MessageKind::Note,
        handled: true,
        ..customer_msg(&t, conv, None, "private")
    };
    s.append_message(&note).await.unwrap();
    let public = s.list_messages(&t, conv, &MessageQuery::default()).await.unwrap();
    assert_eq!(public.len(), 5, "notes are excluded unless asked for");
    let all = s
        .list_messages(
            &t,
            conv,
            &MessageQuery {
                include_notes: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(all[5].author, note.author);
    let after = s
        .list_messages(
            &t,
            conv,
            &MessageQuery {
                after_seq: 3,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(after.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![4, 5]);
    let newest = MessageQuery {
        limit: 2,
        newest: true,
        include_notes: true,
        ..Default::default()
    };
    let tail = s.list_messages(&t, conv, &newest).await.unwrap();
    assert_eq!(
        tail.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![5, 6],
        "newest two, still in order"
    );
}

pub async fn articles_round_trip(s: &dyn Store) {
    let (t, _, _) = setup(s, "shop-a").await;
    let a = ArticleRecord {
        id: ArticleId::new_at(t0()),
        tenant: t.clone(),
        slug: "refund-timing".into(),
        lang: Lang::Zh,
        topic: "refunds".into(),
        title: "退款多久到账".into(),
        body: "退货签收后3-5个工作日原路退回。".into(),
        questions: vec!["退款什么时候到".into(), "钱多久退回来".into()],
        updated_at: t0(),
        version: 1,
        archived: false,
    };
    s.upsert_article(&a).await.unwrap();
    let edited = ArticleRecord {
        body: "退货签收后3至5个工作日内原路退回。".into(),
        updated_at: t0() + Duration::minutes(1),
        ..a.clone()
    };
    let saved = s.save_article(&edited, "update", "lin@shop-a.example").await.unwrap();
    assert_eq!(saved.version, 2, "the store numbers versions");
    assert_eq!(s.list_articles(&t).await.unwrap(), vec![saved.clone()]);
    assert_eq!(s.get_article(&t, a.id).await.unwrap(), Some(saved.clone()));
    // Archived articles are kept and listed, flagged.
    let archived = s
        .save_article(
            &ArticleRecord {
                archived: true,
                ..saved.clone()
            },
            "archive",
            "chen@shop-a.example",
        )
        .await
        .unwrap();
    assert!(s.list_articles(&t).await.unwrap()[0].archived);
    // Every version, newest first, with how and by whom.
    let history = s.article_versions(&t, a.id).await.unwrap();
    let summary: Vec<(u32, &str, &str, bool)> = history
        .iter()
        .map(|v| {
            (
                v.article.version,
                v.change.as_str(),
                v.author.as_str(),
                v.article.archived,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (3, "archive", "chen@shop-a.example", true),
            (2, "update", "lin@shop-a.example", false),
            (1, "import", "system", false)
        ]
    );
    assert_eq!(history[2].article.body, a.body, "the first version's content is kept");
    assert_eq!(history[0].article, archived);
    // Many at once (an import): each gets its next version.
    let second = ArticleRecord {
        id: ArticleId::new_at(t0() + Duration::seconds(1)),
        slug: "refund-method".into(),
        version: 1,
        ..a.clone()
    };
    let batch = s
        .save_articles(&[archived.clone(), second], "import", "cli")
        .await
        .unwrap();
    assert_eq!(batch.iter().map(|x| x.version).collect::<Vec<_>>(), [4, 1]);
    assert_eq!(s.list_articles(&t).await.unwrap().len(), 2);
    // Another tenant sees none of it.
    let (other, _, _) = setup(s, "shop-b").await;
    assert_eq!(s.get_article(&other, a.id).await.unwrap(), None);
    assert!(s.article_versions(&other, a.id).await.unwrap().is_empty());
}

pub async fn topics_are_named_per_tenant(s: &dyn Store) {
    use backstop_core::kb::TopicNames;
    let (a, _, _) = setup(s, "shop-a").await;
    let (b, _, _) = setup(s, "shop-b").await;
    assert!(s.list_topics(&a).await.unwrap().is_empty());
    let named = |slug: &str, pairs: &[(Lang, &str)]| TopicNames {
        slug: slug.into(),
        names: pairs.iter().map(|(l, n)| (*l, n.to_string())).collect(),
    };
    let shipping = named("shipping", &[(Lang::En, "Delivery"), (Lang::Zh, "物流配送")]);
    s.save_topic(&a, &shipping).await.unwrap();
    s.save_topic(&a, &named("gift_cards", &[(Lang::En, "Gift cards")]))
        .await
        .unwrap();
    // Saving again replaces the names.
    let renamed = named("shipping", &[(Lang::En, "Shipping")]);
    s.save_topic(&a, &renamed).await.unwrap();
    assert_eq!(
        s.list_topics(&a).await.unwrap(),
        vec![named("gift_cards", &[(Lang::En, "Gift cards")]), renamed]
    );
    // Another tenant's topics are its own, and no names forgets a topic.
    assert!(s.list_topics(&b).await.unwrap().is_empty());
    s.save_topic(&b, &named("shipping", &[(Lang::Zh, "配送")]))
        .await
        .unwrap();
    s.save_topic(&a, &named("gift_cards", &[])).await.unwrap();
    assert_eq!(s.list_topics(&a).await.unwrap().len(), 1);
    assert_eq!(s.list_topics(&b).await.unwrap()[0].names[&Lang::Zh], "配送");
}

pub async fn model_settings_and_usage(s: &dyn Store) {
    use backstop_core::generation::ModelSettings;
    let (a, _, _) = setup(s, "shop-a").await;
    let (b, _, _) = setup(s, "shop-b").await;
    assert!(s.get_model_settings(&a).await.unwrap().is_none());
    let mut settings = ModelSettings {
        enabled: true,
        base_url: "http://127.0.0.1:8080/v1".into(),
        model: "qwen".into(),
        languages: vec!["zh".into(), "en".into()],
        ..ModelSettings::default()
    };
    let at = time::macros::datetime!(2026-12-06 10:00 UTC);
    let saved = s
        .save_model_settings(&a, &settings, &KeyChange::Set("sk-one".into()), "admin@a", at)
        .await
        .unwrap();
    assert_eq!(
        (saved.settings.clone(), saved.api_key.as_deref()),
        (settings.clone(), Some("sk-one"))
    );
    assert_eq!((saved.updated_at, saved.updated_by.as_str()), (at, "admin@a"));
    // Keeping the key changes only the settings; clearing forgets it.
    settings.temperature = 0.0;
    let kept = s
        .save_model_settings(&a, &settings, &KeyChange::Keep, "admin@a", at)
        .await
        .unwrap();
    assert_eq!(
        (kept.settings.temperature, kept.api_key.as_deref()),
        (0.0, Some("sk-one"))
    );
    let cleared = s
        .save_model_settings(&a, &settings, &KeyChange::Clear, "admin@a", at)
        .await
        .unwrap();
    assert_eq!(cleared.api_key, None);
    assert!(
        s.get_model_settings(&b).await.unwrap().is_none(),
        "another tenant's settings are its own"
    );

    // Usage adds up per tenant, month and model.
    assert_eq!(s.model_usage(&a, "2026-12").await.unwrap().total(), 0);
    s.add_model_usage(&a, "2026-12", "qwen-large", 100, 20).await.unwrap();
    s.add_model_usage(&a, "2026-12", "qwen-large", 50, 5).await.unwrap();
    s.add_model_usage(&a, "2026-12", "mini", 3, 2).await.unwrap();
    s.add_model_usage(&a, "2027-01", "qwen-large", 7, 1).await.unwrap();
    s.add_model_usage(&b, "2026-12", "qwen-large", 1, 1).await.unwrap();
    let u = s.model_usage(&a, "2026-12").await.unwrap();
    assert_eq!(
        (u.prompt_tokens, u.completion_tokens, u.calls, u.month.as_str()),
        (153, 27, 3, "2026-12")
    );
    let per: Vec<_> = u
        .by_model
        .iter()
        .map(|m| (m.model.as_str(), m.prompt_tokens, m.completion_tokens, m.calls))
        .collect();
    assert_eq!(
        per,
        [("mini", 3, 2, 1), ("qwen-large", 150, 25, 2)],
        "by model, sorted by name"
    );
    assert_eq!(s.model_usage(&b, "2026-12").await.unwrap().total(), 2);
}

pub async fn embeddings_cache(s: &dyn Store) {
    let (a, _, _) = setup(s, "shop-a").await;
    let (b, _, _) = setup(s, "shop-b").await;
    let keys = |ks: &[&str]| ks.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    let v = vec![0.25f32, -1.5, 3.0e-7, f32::MAX];
    s.put_embeddings(
        &a,
        "m1",
        &[EmbeddingRecord {
            key: "k1".into(),
            vector: v.clone(),
        }],
    )
    .await
    .unwrap();
    let got = s.get_embeddings(&a, "m1", &keys(&["k1", "k2"])).await.unwrap();
    assert_eq!(got.len(), 1, "a missing key is absent");
    assert_eq!(got["k1"], v, "vectors round-trip bit for bit");
    // Replacing, and another model or tenant sees nothing.
    s.put_embeddings(
        &a,
        "m1",
        &[EmbeddingRecord {
            key: "k1".into(),
            vector: vec![1.0],
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        s.get_embeddings(&a, "m1", &keys(&["k1"])).await.unwrap()["k1"],
        vec![1.0]
    );
    assert!(s.get_embeddings(&a, "m2", &keys(&["k1"])).await.unwrap().is_empty());
    assert!(s.get_embeddings(&b, "m1", &keys(&["k1"])).await.unwrap().is_empty());
    // Many keys at once.
    let many: Vec<EmbeddingRecord> = (0..1200)
        .map(|i| EmbeddingRecord {
            key: format!("key-{i}"),
            vector: vec![i as f32],
        })
        .collect();
    s.put_embeddings(&b, "m1", &many).await.unwrap();
    let all: Vec<String> = many.iter().map(|e| e.key.clone()).collect();
    let got = s.get_embeddings(&b, "m1", &all).await.unwrap();
    assert_eq!(got.len(), 1200);
    assert_eq!(got["key-777"], vec![777.0]);
}

pub async fn intent_examples(s: &dyn Store) {
    let (a, _, _) = setup(s, "shop-a").await;
    let (b, _, _) = setup(s, "shop-b").await;
    let ex = |t: &TenantId, n: u64, text: &str, intent: &str| IntentExampleRecord {
        id: IntentExampleId::new_at(t0() + Duration::seconds(n as i64)),
        tenant: t.clone(),
        text: text.into(),
        intent: intent.into(),
        source: "import".into(),
        created_at: t0(),
    };
    let first = [
        ex(&a, 1, "退款多久到", "refund-timing"),
        ex(&a, 2, "where's my parcel", "track-package"),
    ];
    assert_eq!(s.add_intent_examples(&first).await.unwrap(), 2);
    // The same (text, intent) again is skipped; the same text under another intent is new.
    let again = [
        ex(&a, 3, "退款多久到", "refund-timing"),
        ex(&a, 4, "退款多久到", "refund-method"),
    ];
    assert_eq!(s.add_intent_examples(&again).await.unwrap(), 1);
    let listed = s.list_intent_examples(&a).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0], first[0]);
    assert!(s.list_intent_examples(&b).await.unwrap().is_empty());
}

pub async fn tenant_isolation(s: &dyn Store) {
    let (a, ca, conv_a) = setup(s, "shop-a").await;
    let (b, _, _) = setup(s, "shop-b").await;
    s.append_message(&customer_msg(&a, conv_a, Some("k"), "hello"))
        .await
        .unwrap();
    assert!(s
        .list_messages(&b, conv_a, &MessageQuery::default())
        .await
        .unwrap()
        .is_empty());
    assert!(s.pending_customer_messages(&b, conv_a).await.unwrap().is_empty());
    assert!(s.list_events(&b, conv_a).await.unwrap().is_empty());
    assert_eq!(s.get_customer(&b, ca).await.unwrap(), None);
    assert_eq!(s.find_verified_customer(&b, "li@shop-a.example").await.unwrap(), None);
    s.link_visitor(&a, "va", ca).await.unwrap();
    assert_eq!(s.find_visitor(&b, "va").await.unwrap(), None);
    assert_eq!(s.queue_position(&b, conv_a).await.unwrap(), None);
    let everything = ConversationFilter {
        limit: 100,
        ..Default::default()
    };
    let b_convs = s.list_conversations(&b, &everything).await.unwrap();
    assert!(b_convs.iter().all(|c| c.tenant == b));
    // A turn cannot write another tenant's conversation.
    let mut stolen = s.get_conversation(&a, conv_a).await.unwrap().unwrap();
    stolen.tenant = b.clone();
    let r = s
        .apply_turn(&Turn {
            conversation: stolen,
            events: vec![],
            messages: vec![],
            handled: vec![],
        })
        .await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "{r:?}");
}
