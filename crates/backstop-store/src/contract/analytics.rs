//! Contract checks of the analytics tables: a conversation's facts replaced whole with the rollups
//! moved by the difference (also between rollup rows), the questions the dashboard asks, and
//! tenant isolation.

use backstop_core::analytics::{Contribution, MessageCounts, Sum};
use backstop_core::conversation::Actor;
use backstop_core::event::{Event, EventKind};
use backstop_core::ids::{AgentId, ConversationId, TenantId};
use backstop_core::outcome::{Facts, Outcome, SettleRule};
use backstop_core::Timestamp;
use time::Duration;

use super::{customer_msg, decision, setup, t0};
use crate::*;

fn key(team: &str, lang: &str) -> RollupKey {
    RollupKey {
        hour: t0().unix_timestamp() / 3600,
        team: team.into(),
        channel: "web".into(),
        lang: lang.into(),
        topic: "shipping".into(),
    }
}

fn row(tenant: &TenantId, conv: ConversationId, key: RollupKey, facts: &Facts, at: Timestamp, event: i64) -> FactsRow {
    let s = facts.settle(SettleRule::default(), at);
    FactsRow {
        tenant: tenant.clone(),
        conversation: conv,
        key,
        outcome: s.outcome,
        is_final: s.is_final,
        final_at: s.final_at,
        last_event_id: event,
        contribution: Contribution::of(facts, &s, MessageCounts::default()),
    }
}

fn filter() -> RollupFilter {
    let h = t0().unix_timestamp() / 3600;
    RollupFilter {
        from_hour: h - 1,
        to_hour: h + 1,
        ..Default::default()
    }
}

fn sum(rows: &[(String, Vec<i64>)], group: &str, k: Sum) -> i64 {
    let i = Sum::ALL.iter().position(|x| *x == k).unwrap();
    rows.iter().find(|(g, _)| g == group).map_or(0, |(_, v)| v[i])
}

pub async fn facts_move_the_rollups_by_their_difference(s: &dyn Store) {
    let (a, _, conv) = setup(s, "shop-a").await;
    let (b, _, other) = setup(s, "shop-b").await;
    let mut facts = Facts::new(t0());
    facts.ai_answers = 1;
    facts.ai_last_answered = true;
    facts.customer_turns = 1;
    facts.last_activity = t0() + Duration::minutes(1);
    // Going: counted, unsettled.
    s.save_facts(&[row(&a, conv, key("", "en"), &facts, t0() + Duration::minutes(2), 5)])
        .await
        .unwrap();
    let all = s.rollup_sums(&a, &filter(), RollupGroup::All, Sum::ALL).await.unwrap();
    assert_eq!(sum(&all, "", Sum::Conversations), 1);
    assert_eq!((sum(&all, "", Sum::Unsettled), sum(&all, "", Sum::AiResolved)), (1, 0));
    assert_eq!(s.facts_cursor().await.unwrap(), 5);
    let due = s.facts_due(t0() + Duration::days(2), 10).await.unwrap();
    assert_eq!(due, vec![(a.clone(), conv)]);
    // Settled a day later: the same row moves from unsettled to AI resolved, still one conversation.
    let later = t0() + Duration::days(2);
    s.save_facts(&[row(&a, conv, key("", "en"), &facts, later, 5)])
        .await
        .unwrap();
    let all = s.rollup_sums(&a, &filter(), RollupGroup::All, Sum::ALL).await.unwrap();
    assert_eq!(sum(&all, "", Sum::Conversations), 1);
    assert_eq!((sum(&all, "", Sum::Unsettled), sum(&all, "", Sum::AiResolved)), (0, 1));
    assert!(s.facts_due(later, 10).await.unwrap().is_empty(), "final: no longer due");
    // Handed over and answered by a person in another team's row: the old row empties.
    facts.handoffs = 1;
    facts.handoff_reason = Some(backstop_core::routing::HandoffReason::Anger);
    facts.first_handoff_at = Some(t0() + Duration::minutes(3));
    facts.person_replies = 2;
    facts.first_person_reply_at = Some(t0() + Duration::minutes(5));
    facts.agent = Some(AgentId(uuid::Uuid::from_u128(11)));
    facts.csat = Some(5);
    facts.last_activity = t0() + Duration::minutes(9);
    s.save_facts(&[row(&a, conv, key("support", "zh"), &facts, later, 9)])
        .await
        .unwrap();
    let by_team = s.rollup_sums(&a, &filter(), RollupGroup::Team, Sum::ALL).await.unwrap();
    assert_eq!(sum(&by_team, "", Sum::Conversations), 0);
    assert_eq!(sum(&by_team, "support", Sum::Conversations), 1);
    assert_eq!(sum(&by_team, "support", Sum::Assisted), 1);
    assert_eq!(sum(&by_team, "support", Sum::AiResolved), 0);
    let zh = RollupFilter {
        lang: Some("zh".into()),
        ..filter()
    };
    let only = s.rollup_sums(&a, &zh, RollupGroup::All, Sum::ALL).await.unwrap();
    assert_eq!(sum(&only, "", Sum::CsatSum), 5);
    let reasons = s
        .rollup_counts(&a, &filter(), RollupGroup::All, "reason:")
        .await
        .unwrap();
    assert_eq!(reasons, vec![("".into(), "reason:anger".into(), 1)]);
    let csat = s
        .rollup_counts(&a, &filter(), RollupGroup::Lang, "csat:")
        .await
        .unwrap();
    assert_eq!(csat, vec![("zh".into(), "csat:5".into(), 1)]);
    let agents = s.agent_rollups(&a, &filter()).await.unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].sums, vec![1, 2, 1, 0, 5, 1]);
    // The drill-down lists it under its outcome, and the stored row reads back as saved.
    let q = FactsQuery {
        filter: filter(),
        outcome: Some("assisted".into()),
        limit: 10,
    };
    let listed = s.list_facts(&a, &q).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].outcome, Some(Outcome::Assisted));
    assert_eq!(s.get_facts(&a, conv).await.unwrap().as_ref(), listed.first());
    let none = FactsQuery {
        outcome: Some("unsettled".into()),
        ..q.clone()
    };
    assert!(s.list_facts(&a, &none).await.unwrap().is_empty());
    // Fresh statistics change no answer.
    s.refresh_analytics_statistics().await.unwrap();
    assert_eq!(s.list_facts(&a, &q).await.unwrap(), listed);
    // Another tenant sees nothing, and clearing one tenant leaves the other.
    s.save_facts(&[row(&b, other, key("", "en"), &Facts::new(t0()), t0(), 12)])
        .await
        .unwrap();
    assert_eq!(
        sum(
            &s.rollup_sums(&b, &filter(), RollupGroup::All, Sum::ALL).await.unwrap(),
            "",
            Sum::Conversations
        ),
        1
    );
    assert!(s.agent_rollups(&b, &filter()).await.unwrap().is_empty());
    s.clear_analytics(Some(&a)).await.unwrap();
    assert!(s
        .rollup_sums(&a, &filter(), RollupGroup::Team, Sum::ALL)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.get_facts(&a, conv).await.unwrap(), None);
    assert!(s.get_facts(&b, other).await.unwrap().is_some());
    s.clear_analytics(None).await.unwrap();
    assert_eq!(s.facts_cursor().await.unwrap(), 0);
}

pub async fn conversations_with_new_events_are_found_with_their_message_counts(s: &dyn Store) {
    let (a, _, conv) = setup(s, "shop-a").await;
    let (_, _, second) = setup(s, "shop-a").await;
    for (c, body) in [(conv, "where is my parcel?"), (second, "hello")] {
        s.append_message(&customer_msg(&a, c, None, body)).await.unwrap();
        let mut record = s.get_conversation(&a, c).await.unwrap().unwrap();
        record.updated_at = t0();
        s.apply_turn(&Turn {
            conversation: record,
            events: vec![Event::note(EventKind::AiAnswer, Actor::Ai, None, decision(body), t0())],
            messages: vec![],
            handled: vec![],
        })
        .await
        .unwrap();
    }
    let top = s.max_event_id().await.unwrap();
    let found = s.conversations_with_events_in(0, top).await.unwrap();
    assert_eq!(found.iter().map(|f| f.1).collect::<Vec<_>>(), vec![conv, second]);
    assert_eq!(found[1].2, top);
    assert!(found[0].2 < found[1].2);
    let after_first = s.conversations_with_events_in(found[0].2, top).await.unwrap();
    assert_eq!(after_first.iter().map(|f| f.1).collect::<Vec<_>>(), vec![second]);
    let only_first = s.conversations_with_events_in(0, found[0].2).await.unwrap();
    assert_eq!(only_first.iter().map(|f| f.1).collect::<Vec<_>>(), vec![conv]);
    assert!(s.conversations_with_events_in(top, top + 10).await.unwrap().is_empty());
    let m = s.message_counts(&a, conv).await.unwrap();
    assert_eq!(
        m,
        MessageCounts {
            customer: 1,
            ai: 0,
            agent: 0
        }
    );
}

pub async fn imported_conversations_read_back_whole(s: &dyn Store) {
    let (a, customer, _) = setup(s, "shop-a").await;
    let size_before = s.database_size().await.unwrap().unwrap();
    assert!(size_before > 0);
    let mut items = Vec::new();
    for i in 0..3 {
        let at = t0() + Duration::minutes(i);
        let mut record = ConversationRecord::new(
            ConversationId::new_at(at),
            a.clone(),
            customer,
            backstop_core::message::Lang::Zh,
            at,
        );
        record.status = backstop_core::conversation::Status::Resolved;
        let messages = (0..4)
            .map(|k| {
                let mut m = customer_msg(&a, record.id, None, &format!("message {k}"));
                m.handled = true;
                m
            })
            .collect();
        let events = vec![
            Event::note(EventKind::AiAnswer, Actor::Ai, None, decision("q"), at),
            Event::note(EventKind::AiSmallTalk, Actor::Ai, None, decision("thanks"), at),
        ];
        items.push(ImportedConversation {
            record,
            messages,
            events,
        });
    }
    s.import_conversations(&items).await.unwrap();
    for item in &items {
        let c = s.get_conversation(&a, item.record.id).await.unwrap().unwrap();
        assert_eq!(
            (c.last_seq, c.status),
            (4, backstop_core::conversation::Status::Resolved)
        );
        let msgs = s
            .list_messages(&a, item.record.id, &MessageQuery::default())
            .await
            .unwrap();
        assert_eq!(msgs.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        assert_eq!(msgs[2].body, "message 2");
        let events = s.list_events(&a, item.record.id).await.unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].event.kind, EventKind::AiAnswer);
        assert!(s
            .pending_customer_messages(&a, item.record.id)
            .await
            .unwrap()
            .is_empty());
    }
    // Importing the same conversation twice is refused whole.
    assert!(s.import_conversations(&items[..1]).await.is_err());
    assert_eq!(s.list_events(&a, items[0].record.id).await.unwrap().len(), 2);
    assert!(s.database_size().await.unwrap().unwrap() >= size_before);
}

/// Conversations spread over seven weeks: every range, read through its weeks, days and hours,
/// gives the same figures as adding up the conversations of its hours — and so does a conversation
/// moved to another hour, which leaves every grain's old row.
pub async fn long_ranges_read_what_their_hours_hold(s: &dyn Store) {
    let (a, customer, _) = setup(s, "shop-a").await;
    let start = t0().unix_timestamp() / 3600;
    let mut saved: Vec<(RollupKey, Contribution)> = Vec::new();
    let mut rows = Vec::new();
    for i in 0..48i64 {
        // Hours scattered over 49 days, a step that is prime to 24 and 168.
        let hour = start + (i * 1151) % (49 * 24);
        let conv = super::new_conversation(&a, customer, t0());
        s.create_conversation(&conv).await.unwrap();
        let conv = conv.id;
        let mut facts = Facts::new(t0());
        facts.customer_turns = 1;
        if i % 3 == 0 {
            facts.handoffs = 1;
            facts.handoff_reason = Some(backstop_core::routing::HandoffReason::Anger);
            facts.agent = Some(AgentId(uuid::Uuid::from_u128(7)));
            facts.person_replies = 1;
            facts.csat = Some(1 + (i % 5) as u8);
        }
        let k = RollupKey {
            hour,
            team: ["orders", "billing"][(i % 2) as usize].into(),
            ..key("", ["en", "zh"][(i % 4 / 2) as usize])
        };
        let r = row(&a, conv, k.clone(), &facts, t0(), 100 + i);
        saved.push((k, r.contribution.clone()));
        rows.push(r);
    }
    s.save_facts(&rows).await.unwrap();
    // One conversation moves to another hour (and so to another day and week).
    let mut moved = rows[5].clone();
    moved.key.hour = start + 40 * 24 + 13;
    moved.last_event_id = 200;
    saved[5].0.hour = moved.key.hour;
    s.save_facts(&[moved]).await.unwrap();
    let conversations = Sum::ALL.iter().position(|x| *x == Sum::Conversations).unwrap();
    let csat_sum = Sum::ALL.iter().position(|x| *x == Sum::CsatSum).unwrap();
    for (from, to) in [
        (start, start + 49 * 24),
        (start + 5, start + 45 * 24 + 7),
        (start + 24, start + 24 * 8),
        (start + 100, start + 101),
        (start - 500, start + 3000),
        (start + 30 * 24 + 1, start + 43 * 24 - 1),
    ] {
        let f = RollupFilter {
            from_hour: from,
            to_hour: to,
            ..Default::default()
        };
        let inside: Vec<&(RollupKey, Contribution)> =
            saved.iter().filter(|(k, _)| k.hour >= from && k.hour < to).collect();
        let all = s.rollup_sums(&a, &f, RollupGroup::All, Sum::ALL).await.unwrap();
        let expect = |pick: &dyn Fn(&RollupKey) -> bool, col: usize| -> i64 {
            inside.iter().filter(|(k, _)| pick(k)).map(|(_, c)| c.sums[col]).sum()
        };
        assert_eq!(
            all[0].1[conversations],
            expect(&|_| true, conversations),
            "{from}..{to}"
        );
        assert_eq!(all[0].1[csat_sum], expect(&|_| true, csat_sum), "{from}..{to}");
        let teams = s.rollup_sums(&a, &f, RollupGroup::Team, Sum::ALL).await.unwrap();
        for team in ["orders", "billing"] {
            assert_eq!(
                sum(&teams, team, Sum::Conversations),
                expect(&|k| k.team == team, conversations)
            );
        }
        // By every dimension at once: each cell names its four dimensions.
        let cells = s
            .rollup_sums(&a, &f, RollupGroup::Dimensions, &[Sum::Conversations])
            .await
            .unwrap();
        for (cell, v) in &cells {
            let parts: Vec<&str> = cell.split(DIMENSIONS_SEPARATOR).collect();
            assert_eq!(parts.len(), 4, "{cell:?}");
            let n = expect(
                &|k| k.team == parts[0] && k.channel == parts[1] && k.lang == parts[2] && k.topic == parts[3],
                conversations,
            );
            assert_eq!(v[0], n, "{cell:?}");
        }
        assert_eq!(cells.iter().map(|c| c.1[0]).sum::<i64>(), inside.len() as i64);
        let zh = RollupFilter {
            lang: Some("zh".into()),
            ..f.clone()
        };
        let only = s.rollup_sums(&a, &zh, RollupGroup::All, Sum::ALL).await.unwrap();
        assert_eq!(only[0].1[conversations], expect(&|k| k.lang == "zh", conversations));
        // By day and by hour: every group inside the range, and they add up.
        for (group, width) in [(RollupGroup::Day, 24), (RollupGroup::Hour, 1)] {
            let rows = s.rollup_sums(&a, &f, group, Sum::ALL).await.unwrap();
            let mut total = 0;
            for (g, v) in &rows {
                let g: i64 = g.parse().unwrap();
                let n: i64 = inside
                    .iter()
                    .filter(|(k, _)| k.hour.div_euclid(width) == g)
                    .map(|(_, c)| c.sums[conversations])
                    .sum();
                assert_eq!(v[conversations], n, "{group:?} {g}");
                total += v[conversations];
            }
            assert_eq!(total, inside.len() as i64, "{group:?} {from}..{to}");
            assert!(rows
                .windows(2)
                .all(|w| w[0].0.parse::<i64>().unwrap() < w[1].0.parse::<i64>().unwrap()));
        }
        let reasons = s.rollup_counts(&a, &f, RollupGroup::All, "reason:").await.unwrap();
        let angry = inside
            .iter()
            .filter(|(_, c)| c.counts.contains_key("reason:anger"))
            .count() as i64;
        let expected: Vec<(String, String, i64)> = if angry > 0 {
            vec![("".into(), "reason:anger".into(), angry)]
        } else {
            vec![]
        };
        assert_eq!(reasons, expected, "{from}..{to}");
        let agents = s.agent_rollups(&a, &f).await.unwrap();
        let answered: i64 = inside.iter().filter(|(_, c)| c.agent.is_some()).count() as i64;
        assert_eq!(agents.first().map_or(0, |r| r.sums[0]), answered, "{from}..{to}");
    }
}

/// One batch may hold a conversation twice (folded again before the batch was written) and many
/// conversations at once: each counts once, as its last row says.
pub async fn a_batch_folds_each_conversation_once_as_its_last_row(s: &dyn Store) {
    let (a, customer, first) = setup(s, "shop-batch").await;
    let mut convs = vec![first];
    for i in 1..150 {
        let c = super::new_conversation(&a, customer, t0() + Duration::seconds(i));
        s.create_conversation(&c).await.unwrap();
        convs.push(c.id);
    }
    let mut going = Facts::new(t0());
    going.ai_answers = 1;
    going.ai_last_answered = true;
    going.customer_turns = 1;
    going.last_activity = t0() + Duration::minutes(1);
    let mut handed = going.clone();
    handed.handoffs = 1;
    handed.handoff_reason = Some(backstop_core::routing::HandoffReason::Anger);
    handed.first_handoff_at = Some(t0() + Duration::minutes(3));
    let at = t0() + Duration::minutes(4);
    // Every conversation going in English; the first one again, handed over in Chinese.
    let mut rows: Vec<FactsRow> = convs
        .iter()
        .map(|c| row(&a, *c, key("", "en"), &going, at, 3))
        .collect();
    rows.push(row(&a, first, key("support", "zh"), &handed, at, 4));
    s.save_facts(&rows).await.unwrap();
    let by_lang = s.rollup_sums(&a, &filter(), RollupGroup::Lang, Sum::ALL).await.unwrap();
    assert_eq!(sum(&by_lang, "en", Sum::Conversations), 149);
    assert_eq!(sum(&by_lang, "zh", Sum::Conversations), 1);
    let reasons = s
        .rollup_counts(&a, &filter(), RollupGroup::All, "reason:")
        .await
        .unwrap();
    assert_eq!(reasons, vec![("".into(), "reason:anger".into(), 1)]);
    assert_eq!(s.get_facts(&a, first).await.unwrap().unwrap().key.lang, "zh");
    // Saved again as it is: nothing moves.
    s.save_facts(&rows).await.unwrap();
    let again = s.rollup_sums(&a, &filter(), RollupGroup::Lang, Sum::ALL).await.unwrap();
    assert_eq!(again, by_lang);
}
