//! Tests of assignment: each strategy, capacity and presence, sticky assignment, skills routing,
//! and the queue's order.

use super::*;

fn t(minute: i64) -> Timestamp {
    time::macros::datetime!(2026-11-21 10:00 UTC) + time::Duration::minutes(minute)
}

fn team(n: u64) -> TeamId {
    TeamId(uuid::Uuid::from_u64_pair(0, n))
}

fn agent(n: u64) -> AgentId {
    AgentId(uuid::Uuid::from_u64_pair(1, n))
}

fn load(n: u64, active: u32, capacity: u32, last: Option<i64>) -> AgentLoad {
    AgentLoad {
        agent: agent(n),
        teams: vec![team(1)],
        presence: Presence::Online,
        capacity,
        active,
        languages: vec!["en".into()],
        topics: vec![],
        last_assigned: last.map(t),
    }
}

fn need() -> Need {
    Need {
        team: team(1),
        language: "en".into(),
        topic: None,
        last_agent: None,
    }
}

fn chosen(strategy: Strategy, agents: &[AgentLoad], need: &Need) -> Option<u64> {
    choose(strategy, agents, need).map(|c| (1..100).find(|&n| agent(n) == c.agent).expect("a test agent"))
}

#[test]
fn manual_teams_are_never_assigned_automatically() {
    let agents = [load(1, 0, 3, None)];
    let back = Need {
        last_agent: Some(agent(1)),
        ..need()
    };
    assert_eq!(choose(Strategy::Manual, &agents, &back), None);
    for s in Strategy::ALL {
        assert_eq!(Strategy::parse(s.as_str()), Some(s));
    }
}

#[test]
fn round_robin_takes_turns_by_who_waited_longest_for_work() {
    let agents = [load(1, 0, 3, Some(5)), load(2, 2, 3, Some(1)), load(3, 0, 3, Some(9))];
    assert_eq!(chosen(Strategy::RoundRobin, &agents, &need()), Some(2));
    // Never assigned comes before anyone who was.
    let fresh = [load(1, 0, 3, Some(5)), load(4, 0, 3, None)];
    assert_eq!(chosen(Strategy::RoundRobin, &fresh, &need()), Some(4));
}

#[test]
fn least_loaded_uses_the_share_of_capacity() {
    // 2 of 4 (50%) is less loaded than 1 of 1 (100%) and 2 of 3 (67%).
    let agents = [load(1, 1, 1, None), load(2, 2, 4, Some(3)), load(3, 2, 3, None)];
    let c = choose(Strategy::LeastLoaded, &agents, &need()).unwrap();
    assert_eq!((c.agent, c.why), (agent(2), Why::LeastLoaded));
}

#[test]
fn nobody_is_given_more_than_their_capacity_or_while_away() {
    let mut away = load(2, 0, 3, None);
    away.presence = Presence::Away;
    let mut offline = load(3, 0, 3, None);
    offline.presence = Presence::Offline;
    let mut other_team = load(4, 0, 3, None);
    other_team.teams = vec![team(2)];
    let agents = [load(1, 3, 3, None), away, offline, other_team, load(5, 0, 0, None)];
    for s in [Strategy::RoundRobin, Strategy::LeastLoaded, Strategy::Skills] {
        assert_eq!(choose(s, &agents, &need()), None, "{s:?}");
    }
}

#[test]
fn sticky_goes_back_to_the_last_agent_when_they_have_room() {
    let agents = [load(1, 0, 3, None), load(2, 2, 3, Some(8))];
    let back = Need {
        last_agent: Some(agent(2)),
        ..need()
    };
    let c = choose(Strategy::LeastLoaded, &agents, &back).unwrap();
    assert_eq!((c.agent, c.why), (agent(2), Why::Sticky));
    // Full, so the strategy decides instead.
    let full = [load(1, 0, 3, None), load(2, 3, 3, Some(8))];
    assert_eq!(chosen(Strategy::LeastLoaded, &full, &back), Some(1));
}

#[test]
fn skills_prefer_language_then_topic_then_load() {
    let mut zh = load(1, 2, 4, None);
    zh.languages = vec!["zh".into()];
    let mut zh_refunds = load(2, 3, 4, None);
    zh_refunds.languages = vec!["zh".into(), "en".into()];
    zh_refunds.topics = vec!["refunds".into()];
    let en_refunds = {
        let mut a = load(3, 0, 4, None);
        a.topics = vec!["refunds".into()];
        a
    };
    let agents = [zh, zh_refunds, en_refunds];
    let refund_zh = Need {
        language: "zh".into(),
        topic: Some("refunds".into()),
        ..need()
    };
    let c = choose(Strategy::Skills, &agents, &refund_zh).unwrap();
    assert_eq!(
        (c.agent, c.why),
        (
            agent(2),
            Why::Skills {
                language: true,
                topic: true
            }
        )
    );
    // Chinese, another topic: both Chinese speakers qualify; the less loaded one gets it.
    let shipping_zh = Need {
        topic: Some("shipping".into()),
        ..refund_zh.clone()
    };
    assert_eq!(chosen(Strategy::Skills, &agents, &shipping_zh), Some(1));
    // Nobody speaks the language: the topic, then load, still choose someone.
    let mut only_en = agents.to_vec();
    only_en.retain(|a| a.agent == agent(3));
    let c = choose(Strategy::Skills, &only_en, &refund_zh).unwrap();
    assert_eq!(
        c.why,
        Why::Skills {
            language: false,
            topic: true
        }
    );
}

#[test]
fn the_queue_serves_tier_then_priority_then_anger_then_waiting_time() {
    let w = |tier, priority, anger: f32, since| Waiting {
        tier,
        priority,
        anger,
        since: t(since),
    };
    let mut q = [
        w(ServiceTier::L2, Priority::Normal, 0.1, 0),
        w(ServiceTier::L2, Priority::Normal, 0.8, 5),
        w(ServiceTier::L2, Priority::High, 0.0, 9),
        w(ServiceTier::L3, Priority::Normal, 0.0, 12),
        w(ServiceTier::L2, Priority::Normal, 0.2, 1),
    ];
    q.sort_by(queue_order);
    let order: Vec<i64> = q.iter().map(|x| (x.since - t(0)).whole_minutes()).collect();
    assert_eq!(order, [12, 9, 5, 0, 1]);
}
