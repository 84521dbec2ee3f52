//! The rollup vocabulary: buckets, quantiles, one conversation's contribution and its deltas.

use time::macros::datetime;

use super::*;
use crate::outcome::SettleRule;

#[test]
fn durations_fall_in_the_bucket_of_their_upper_bound() {
    assert_eq!(bucket(0), 0);
    assert_eq!(bucket(5_000), 0);
    assert_eq!(bucket(5_001), 1);
    assert_eq!(bucket(60_000), 3);
    assert_eq!(bucket(-3), 0);
    assert_eq!(bucket(i64::MAX / 2), BUCKETS_SECS.len() - 1);
}

#[test]
fn quantiles_read_the_bucket_bounds() {
    let mut c = [0i64; BUCKETS_SECS.len()];
    assert_eq!(quantile(&c, 0.5), None);
    c[bucket(20_000)] = 5; // ≤ 30 s
    c[bucket(200_000)] = 4; // ≤ 300 s
    c[bucket(9_000_000)] = 1; // ≤ 14,400 s
    assert_eq!(quantile(&c, 0.5), Some(30));
    assert_eq!(quantile(&c, 0.6), Some(300));
    assert_eq!(quantile(&c, 0.9), Some(300));
    assert_eq!(quantile(&c, 1.0), Some(14_400));
    let mut open = [0i64; BUCKETS_SECS.len()];
    open[BUCKETS_SECS.len() - 1] = 1;
    assert_eq!(
        quantile(&open, 0.5),
        Some(604_800),
        "the open bucket reads as its lower bound"
    );
}

fn facts() -> Facts {
    let mut f = Facts::new(datetime!(2026-12-01 10:00 UTC));
    f.customer_turns = 3;
    f.ai_answers = 2;
    f.ai_last_answered = true;
    f.last_activity = datetime!(2026-12-01 10:05 UTC);
    f.first_response_at = Some(datetime!(2026-12-01 10:00:02 UTC));
    f.prompt_tokens = 900;
    f.completion_tokens = 100;
    f.model_calls = 2;
    f
}

#[test]
fn an_ai_resolution_adds_its_counts() {
    let f = facts();
    let s = f.settle(SettleRule::default(), datetime!(2026-12-03 00:00 UTC));
    let c = Contribution::of(
        &f,
        &s,
        MessageCounts {
            customer: 3,
            ai: 3,
            agent: 0,
        },
    );
    assert_eq!(c.sums.len(), SUMS);
    assert_eq!(
        (c.get(Sum::Conversations), c.get(Sum::AiResolved), c.get(Sum::Final)),
        (1, 1, 1)
    );
    assert_eq!(
        (c.get(Sum::Unsettled), c.get(Sum::Assisted), c.get(Sum::HandedOver)),
        (0, 0, 0)
    );
    assert_eq!((c.get(Sum::PromptTokens), c.get(Sum::AiTurns)), (900, 3));
    assert_eq!(c.get(Sum::ResolutionMs), 300_000, "no resolve event: the last activity");
    assert_eq!(c.counts.get("frt:0"), Some(&1));
    assert_eq!(c.counts.get("mood:neutral"), Some(&1));
    assert!(c.agent.is_none());
}

#[test]
fn the_delta_moves_a_conversation_between_outcomes_and_back_to_nothing() {
    let mut f = facts();
    let open = Contribution::of(
        &f,
        &f.settle(SettleRule::default(), f.last_activity),
        MessageCounts::default(),
    );
    assert_eq!(open.get(Sum::Unsettled), 1);
    let first = open.minus(None);
    assert_eq!(first.sums, open.sums);
    f.person_replies = 1;
    f.handoffs = 1;
    f.agent = Some(AgentId(uuid::Uuid::from_u128(5)));
    f.csat = Some(4);
    let done = Contribution::of(
        &f,
        &f.settle(SettleRule::default(), datetime!(2026-12-09 00:00 UTC)),
        MessageCounts::default(),
    );
    let d = done.minus(Some(&open));
    let at = |k: Sum| d.sums[Sum::ALL.iter().position(|x| *x == k).unwrap()];
    assert_eq!(
        (at(Sum::Conversations), at(Sum::Unsettled), at(Sum::Assisted)),
        (0, -1, 1)
    );
    assert_eq!(d.counts.get("csat:4"), Some(&1));
    assert_eq!(d.agents.values().next(), Some(&vec![1, 1, 1, 0, 4, 1]));
    // Old and new together sum to new; the same contribution twice is no change.
    assert!(done.minus(Some(&done)).is_zero());
    let gone = Contribution::default().minus(Some(&done));
    assert_eq!(gone.sums.iter().sum::<i64>(), -done.sums.iter().sum::<i64>());
    assert_eq!(gone.agents.values().next().map(|v| v[0]), Some(-1));
    // It round-trips through its stored form.
    let text = serde_json::to_string(&done).unwrap();
    assert_eq!(serde_json::from_str::<Contribution>(&text).unwrap(), done);
}

#[test]
fn savings_are_ai_resolutions_at_the_human_price_less_the_ai_cost() {
    let mut c = Contribution {
        sums: vec![0; SUMS],
        ..Default::default()
    };
    let i = |k: Sum| Sum::ALL.iter().position(|x| *x == k).unwrap();
    c.sums[i(Sum::AiResolved)] = 100;
    c.sums[i(Sum::Assisted)] = 40;
    c.sums[i(Sum::PromptTokens)] = 1_500_000;
    c.sums[i(Sum::CompletionTokens)] = 500_000;
    c.sums[i(Sum::AiTurns)] = 2_000;
    let costs = Costs {
        per_thousand_embeddings: 0.5,
        ..Costs::default()
    };
    let s = costs.savings(&c);
    assert!((s.human_cost_avoided - 500.0).abs() < 1e-9);
    assert!((s.ai_cost - (2.0 * 0.6 + 1.0)).abs() < 1e-9);
    assert!((s.net - (500.0 - 2.2)).abs() < 1e-9);
    assert!(Costs::default().validate().is_ok());
    assert!(Costs {
        currency: "usd".into(),
        ..Costs::default()
    }
    .validate()
    .is_err());
    assert!(Costs {
        human_conversation: f64::NAN,
        ..Costs::default()
    }
    .validate()
    .is_err());
}
