//! Contract checks of the human backstop's records: customer ratings, hand-over SLA clocks and
//! past human answers, and the candidate entries drafted from them.

use time::Duration;

use super::{customer_msg, new_conversation, setup, t0};
use crate::*;
use backstop_core::conversation::Actor;
use backstop_core::event::{Event, EventKind};
use backstop_core::ids::{AgentId, MessageId, TeamId};
use backstop_core::message::{Author, MessageKind};

pub async fn ratings_are_kept_and_listed(s: &dyn Store) {
    use backstop_core::csat::Csat;
    let (a, customer, first) = setup(s, "shop-a").await;
    let (b, _, other) = setup(s, "shop-b").await;
    let second = new_conversation(&a, customer, t0() + Duration::seconds(5));
    s.create_conversation(&second).await.unwrap();
    assert!(s.rated_conversations(&a, 5, 10).await.unwrap().is_empty());
    for (tenant, id, rating, minute) in [(&a, first, 1u8, 1i64), (&a, second.id, 4, 2), (&b, other, 1, 3)] {
        let mut c = s.get_conversation(tenant, id).await.unwrap().unwrap();
        c.csat = Some(Csat::new(rating, Some("late parcel"), t0() + Duration::minutes(minute)).unwrap());
        s.apply_turn(&Turn {
            conversation: c,
            events: vec![],
            messages: vec![],
            handled: vec![],
        })
        .await
        .unwrap();
    }
    let low = s.rated_conversations(&a, 2, 10).await.unwrap();
    assert_eq!(low.iter().map(|c| c.id).collect::<Vec<_>>(), [first]);
    assert_eq!(low[0].csat.as_ref().unwrap().comment.as_deref(), Some("late parcel"));
    // Most recently rated first; another tenant's ratings never show.
    let all = s.rated_conversations(&a, 5, 10).await.unwrap();
    assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), [second.id, first]);
}

pub async fn sla_clocks_are_swept_when_due(s: &dyn Store) {
    use backstop_core::sla::{SlaClock, SlaTargets, TicketReason};
    let (a, customer, first) = setup(s, "shop-a").await;
    let (b, _, other) = setup(s, "shop-b").await;
    let second = new_conversation(&a, customer, t0());
    s.create_conversation(&second).await.unwrap();
    assert!(s.sla_due(t0() + Duration::days(1), 10).await.unwrap().is_empty());
    assert_eq!(s.next_sla_due().await.unwrap(), None);
    let team = TeamId::new_at(t0());
    let targets = SlaTargets::default();
    // first: standard (due +120 s); second: VIP (due +30 s); other tenant: VIP too.
    for (tenant, id, vip) in [(&a, first, false), (&a, second.id, true), (&b, other, true)] {
        let mut c = s.get_conversation(tenant, id).await.unwrap().unwrap();
        c.sla = Some(SlaClock::start(team, &targets, vip, t0()));
        s.apply_turn(&Turn {
            conversation: c,
            events: vec![],
            messages: vec![],
            handled: vec![],
        })
        .await
        .unwrap();
    }
    assert!(s.sla_due(t0() + Duration::seconds(29), 10).await.unwrap().is_empty());
    assert_eq!(s.next_sla_due().await.unwrap(), Some(t0() + Duration::seconds(30)));
    let due = s.sla_due(t0() + Duration::seconds(30), 10).await.unwrap();
    assert_eq!(due.len(), 2, "both VIP clocks, across tenants");
    assert!(due.contains(&(a.clone(), second.id)) && due.contains(&(b.clone(), other)));
    let all = s.sla_due(t0() + Duration::seconds(120), 10).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2], (a.clone(), first), "soonest deadline first");
    // A reply stops the clock; a ticket moves the deadline to its promise.
    let mut c = s.get_conversation(&a, second.id).await.unwrap().unwrap();
    c.sla.as_mut().unwrap().replied(t0() + Duration::seconds(10));
    let mut f = s.get_conversation(&a, first).await.unwrap().unwrap();
    f.sla
        .as_mut()
        .unwrap()
        .make_ticket(TicketReason::OutsideHours, t0() + Duration::hours(3));
    for conv in [c, f.clone()] {
        s.apply_turn(&Turn {
            conversation: conv,
            events: vec![],
            messages: vec![],
            handled: vec![],
        })
        .await
        .unwrap();
    }
    assert_eq!(
        s.sla_due(t0() + Duration::hours(1), 10).await.unwrap(),
        vec![(b.clone(), other)]
    );
    assert_eq!(s.sla_due(t0() + Duration::hours(3), 10).await.unwrap().len(), 2);
    assert_eq!(
        s.next_sla_due().await.unwrap(),
        Some(t0() + Duration::seconds(30)),
        "the other tenant's VIP clock"
    );
    assert_eq!(s.get_conversation(&a, first).await.unwrap().unwrap().sla, f.sla);
}

pub async fn past_answers_pair_replies_with_questions(s: &dyn Store) {
    let (a, _, conv) = setup(s, "shop-a").await;
    let (b, _, other) = setup(s, "shop-b").await;
    let agent = |tenant: &TenantId, c: ConversationId, kind: MessageKind, body: &str, secs: i64| NewMessage {
        id: MessageId::new_at(t0() + Duration::seconds(secs)),
        tenant: tenant.clone(),
        conversation: c,
        author: Author::Agent {
            id: AgentId::new_at(t0()),
            name: "Lin Wei".into(),
        },
        kind,
        body: body.into(),
        client_id: None,
        citations: vec![],
        system: None,
        handled: true,
        created_at: t0() + Duration::seconds(secs),
    };
    // An agent greeting before the customer said anything has no question: left out.
    s.append_message(&agent(&a, conv, MessageKind::Text, "Hello!", 1))
        .await
        .unwrap();
    s.append_message(&customer_msg(&a, conv, Some("q1"), "my parcel is damaged"))
        .await
        .unwrap();
    s.append_message(&customer_msg(&a, conv, Some("q1b"), "it is the blue one"))
        .await
        .unwrap();
    s.append_message(&agent(&a, conv, MessageKind::Note, "check photos", 3))
        .await
        .unwrap();
    s.append_message(&agent(
        &a,
        conv,
        MessageKind::Text,
        "Sorry! I'll send a new one today.",
        4,
    ))
    .await
    .unwrap();
    s.append_message(&customer_msg(&a, conv, Some("q2"), "thanks, and the invoice?"))
        .await
        .unwrap();
    s.append_message(&agent(&a, conv, MessageKind::Text, "The invoice is in your e-mail.", 6))
        .await
        .unwrap();
    s.append_message(&customer_msg(&b, other, Some("q3"), "other tenant"))
        .await
        .unwrap();
    s.append_message(&agent(&b, other, MessageKind::Text, "not yours", 8))
        .await
        .unwrap();

    let got = s.past_answers(&a, 10).await.unwrap();
    let pairs: Vec<(Vec<&str>, &str)> = got
        .iter()
        .map(|p| (p.questions.iter().map(String::as_str).collect(), p.answer.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            (vec!["thanks, and the invoice?"], "The invoice is in your e-mail."),
            (
                vec!["my parcel is damaged", "it is the blue one"],
                "Sorry! I'll send a new one today."
            ),
        ],
        "newest first; notes and unprompted replies left out; other tenants never"
    );
    assert_eq!((got[0].agent_name.as_str(), got[0].conversation), ("Lin Wei", conv));
    // The customer's name comes along, to be taken out of the texts before anyone reuses them.
    assert_eq!(got[0].customer_name.as_deref(), Some("Li Wei"));
    assert_eq!(s.past_answers(&a, 1).await.unwrap().len(), 1);
}

pub async fn candidates_are_queued_and_decided(s: &dyn Store) {
    use backstop_core::ids::{ArticleId, CandidateId};
    use backstop_core::learn::{Candidate, CandidateStatus, Near};
    let (a, _, conv) = setup(s, "shop-a").await;
    let (b, _, _) = setup(s, "shop-b").await;
    let make = |secs: i64| Candidate {
        id: CandidateId::new_at(t0() + Duration::seconds(secs)),
        conversation: conv,
        lang: backstop_core::message::Lang::En,
        topic: Some("shipping".into()),
        question: "Can I pick it up at the warehouse?".into(),
        answer: "Yes, weekdays 10:00-17:00.".into(),
        agent_name: "Lin Wei".into(),
        near: Some(Near {
            article: ArticleId::new_at(t0()),
            title: "Shipping times".into(),
            confidence: 0.4,
        }),
        conflict: None,
        status: CandidateStatus::Pending,
        decided_by: None,
        decided_at: None,
        article: None,
        created_at: t0() + Duration::seconds(secs),
    };
    let (first, second) = (make(1), make(2));
    s.put_candidate(&a, &first).await.unwrap();
    s.put_candidate(&a, &second).await.unwrap();
    let pending = s.list_candidates(&a, Some(CandidateStatus::Pending), 10).await.unwrap();
    assert_eq!(pending, vec![second.clone(), first.clone()], "newest first, whole");
    let decided = Candidate {
        status: CandidateStatus::Approved,
        decided_by: Some("zhao@shop-a.example".into()),
        decided_at: Some(t0() + Duration::minutes(5)),
        article: Some(ArticleId::new_at(t0() + Duration::minutes(5))),
        ..first.clone()
    };
    s.put_candidate(&a, &decided).await.unwrap();
    assert_eq!(
        s.list_candidates(&a, Some(CandidateStatus::Pending), 10).await.unwrap(),
        vec![second.clone()]
    );
    assert_eq!(s.get_candidate(&a, first.id).await.unwrap(), Some(decided));
    assert_eq!(s.list_candidates(&a, None, 10).await.unwrap().len(), 2);
    assert_eq!(s.get_candidate(&b, first.id).await.unwrap(), None, "tenant-scoped");
    assert!(s.list_candidates(&b, None, 10).await.unwrap().is_empty());
}

pub async fn events_are_read_by_kind_across_conversations(s: &dyn Store) {
    let (a, customer, first) = setup(s, "shop-a").await;
    let (b, _, other) = setup(s, "shop-b").await;
    let second = new_conversation(&a, customer, t0());
    s.create_conversation(&second).await.unwrap();
    let event = |kind: EventKind, question: &str, minute: i64| {
        Event::note(
            kind,
            Actor::Ai,
            None,
            super::decision(question),
            t0() + Duration::minutes(minute),
        )
    };
    for (tenant, conv, events) in [
        (
            &a,
            first,
            vec![
                event(EventKind::AiClarify, "old", -60),
                event(EventKind::AiAnswer, "q1", 1),
            ],
        ),
        (
            &a,
            second.id,
            vec![
                event(EventKind::Handoff, "q2", 2),
                event(EventKind::AiSmallTalk, "hi", 3),
            ],
        ),
        (&b, other, vec![event(EventKind::AiAnswer, "elsewhere", 4)]),
    ] {
        let c = s.get_conversation(tenant, conv).await.unwrap().unwrap();
        s.apply_turn(&Turn {
            conversation: c,
            events,
            messages: vec![],
            handled: vec![],
        })
        .await
        .unwrap();
    }
    let kinds = [EventKind::AiAnswer, EventKind::AiClarify, EventKind::Handoff];
    let got = s.events_of_kinds(&a, &kinds, t0(), 10).await.unwrap();
    // Newest first, only these kinds, only since t0, only this tenant.
    let seen: Vec<(&str, ConversationId)> = got.iter().map(|e| (e.event.kind.as_str(), e.conversation)).collect();
    assert_eq!(seen, vec![("handoff", second.id), ("ai_answer", first)]);
    assert_eq!(got[0].event.question(), Some("q2"));
    assert_eq!(got[0].event.at, t0() + Duration::minutes(2));
    assert_eq!(s.events_of_kinds(&a, &kinds, t0(), 1).await.unwrap().len(), 1);
    assert_eq!(
        s.events_of_kinds(&a, &kinds, t0() - Duration::hours(2), 10)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(s.events_of_kinds(&a, &[], t0(), 10).await.unwrap().is_empty());
}

pub async fn idle_conversations_are_found_per_tenant(s: &dyn Store) {
    let (a, customer, first) = setup(s, "shop-a").await;
    let (b, _, other) = setup(s, "shop-b").await;
    let second = new_conversation(&a, customer, t0());
    s.create_conversation(&second).await.unwrap();
    let silent = new_conversation(&a, customer, t0());
    s.create_conversation(&silent).await.unwrap();
    for (tenant, id, minute) in [(&a, first, 1i64), (&a, second.id, 5), (&b, other, 1)] {
        let mut m = customer_msg(tenant, id, None, "hello");
        m.created_at = t0() + Duration::minutes(minute);
        s.append_message(&m).await.unwrap();
    }
    let ids = s.list_tenant_ids().await.unwrap();
    assert!(ids.contains(&a) && ids.contains(&b), "{ids:?}");
    assert!(
        s.idle_conversations(&a, t0(), 10).await.unwrap().is_empty(),
        "nobody idle yet"
    );
    assert_eq!(
        s.idle_conversations(&a, t0() + Duration::minutes(2), 10).await.unwrap(),
        [first]
    );
    // The most recently active first; a conversation without messages is never idle.
    let both = s.idle_conversations(&a, t0() + Duration::minutes(9), 10).await.unwrap();
    assert_eq!(both, [second.id, first]);
    assert_eq!(
        s.idle_conversations(&a, t0() + Duration::minutes(9), 1).await.unwrap(),
        [second.id]
    );
    // A resolved conversation is not idle.
    let mut c = s.get_conversation(&a, second.id).await.unwrap().unwrap();
    c.status = backstop_core::conversation::Status::Resolved;
    s.apply_turn(&Turn {
        conversation: c,
        events: vec![],
        messages: vec![],
        handled: vec![],
    })
    .await
    .unwrap();
    assert_eq!(
        s.idle_conversations(&a, t0() + Duration::minutes(9), 10).await.unwrap(),
        [first]
    );
}
