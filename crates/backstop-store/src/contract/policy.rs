//! Contract checks of what the escalation policy keeps: its saved versions per tenant, and each
//! conversation's mood trajectory and policy memory.

use time::Duration;

use super::{setup, t0};
use crate::*;

pub async fn policies_are_versioned(s: &dyn Store) {
    let (a, _, _) = setup(s, "shop-a").await;
    let (b, _, _) = setup(s, "shop-b").await;
    assert_eq!(s.current_policy(&a).await.unwrap(), None);
    let v1 = s.save_policy(&a, "[[rule]] # one", "admin@shop-a", t0()).await.unwrap();
    let v2 = s
        .save_policy(&a, "[[rule]] # two", "lead@shop-a", t0() + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    let current = s.current_policy(&a).await.unwrap().unwrap();
    assert_eq!(current, v2);
    assert_eq!(current.author, "lead@shop-a");
    let all = s.list_policies(&a).await.unwrap();
    assert_eq!(all.iter().map(|p| p.version).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(all[1].source, "[[rule]] # one");
    // Another tenant's versions start at 1 and see nothing of shop-a's.
    assert_eq!(s.current_policy(&b).await.unwrap(), None);
    assert_eq!(s.save_policy(&b, "x", "cli", t0()).await.unwrap().version, 1);
}

pub async fn mood_and_policy_state_round_trip(s: &dyn Store) {
    use backstop_core::emotion::{EmotionScores, MoodPoint};
    use backstop_core::policy::PolicyState;
    let (a, _, conv) = setup(s, "shop-a").await;
    let fresh = s.get_conversation(&a, conv).await.unwrap().unwrap();
    assert!(fresh.mood.is_empty());
    assert_eq!(fresh.policy_state, PolicyState::default());
    let mut c = fresh;
    c.mood.push(MoodPoint {
        turn: 1,
        scores: EmotionScores {
            anger: 0.25,
            satisfaction: 0.5,
            ..EmotionScores::default()
        },
        after_answer: true,
        at: t0(),
    });
    c.policy_state = PolicyState {
        last_rule: Some("anger_inflection".into()),
        turns_since_handback: Some(1),
        // An action under way rides along with the policy's memory.
        action: Some(backstop_core::action::dialogue::PendingAction {
            stage: backstop_core::action::dialogue::Stage::Confirm,
            key: Some("k-1".into()),
            values: [("order_number".to_string(), "MM-20261205-0002".to_string())].into(),
            ..backstop_core::action::dialogue::PendingAction::new("cancel_order")
        }),
        // So does what the automation rules remember.
        automation: backstop_core::automation::Memory {
            page: Some("/pricing?plan=team".into()),
            started: true,
            team: Some("Sales".into()),
            priority: Some(backstop_core::conversation::Priority::High),
            tags: vec!["lead".into()],
            fired: vec!["buying_to_sales".into()],
        },
    };
    s.apply_turn(&Turn {
        conversation: c.clone(),
        events: vec![],
        messages: vec![],
        handled: vec![],
    })
    .await
    .unwrap();
    let back = s.get_conversation(&a, conv).await.unwrap().unwrap();
    assert_eq!(back.mood, c.mood);
    assert_eq!(back.policy_state, c.policy_state);
}
