//! Contract checks of a tenant's actions: versions per action name, the secret kept apart from
//! them (kept across versions, forgotten on removal), and nothing shared between tenants.

use super::setup;
use crate::*;

pub async fn actions_are_versioned_with_a_secret_apart(s: &dyn Store) {
    let (a, _, _) = setup(s, "shop-a").await;
    let (b, _, _) = setup(s, "shop-b").await;
    let at = time::macros::datetime!(2026-12-06 10:00 UTC);
    assert!(s.current_actions(&a).await.unwrap().is_empty());
    let v1 = s
        .save_action(
            &a,
            "lookup_order",
            Some(r#"{"v":1}"#),
            &KeyChange::Set("k-1".into()),
            "admin@a",
            at,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            v1.version,
            v1.spec.as_deref(),
            v1.secret.as_deref(),
            v1.author.as_str(),
            v1.created_at
        ),
        (1, Some(r#"{"v":1}"#), Some("k-1"), "admin@a", at)
    );
    // A new version keeps the secret unless told otherwise; versions count per action.
    let v2 = s
        .save_action(&a, "lookup_order", Some(r#"{"v":2}"#), &KeyChange::Keep, "admin@a", at)
        .await
        .unwrap();
    assert_eq!((v2.version, v2.secret.as_deref()), (2, Some("k-1")));
    let other = s
        .save_action(&a, "cancel_order", Some(r#"{"c":1}"#), &KeyChange::Keep, "admin@a", at)
        .await
        .unwrap();
    assert_eq!((other.version, other.secret), (1, None));
    let current: Vec<(String, u32)> = s
        .current_actions(&a)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.name, r.version))
        .collect();
    assert_eq!(
        current,
        vec![("cancel_order".to_string(), 1), ("lookup_order".to_string(), 2)]
    );
    let history: Vec<u32> = s
        .action_versions(&a, "lookup_order")
        .await
        .unwrap()
        .iter()
        .map(|r| r.version)
        .collect();
    assert_eq!(history, vec![2, 1]);
    // Removing is a version without a definition; the secret goes with it.
    let removed = s
        .save_action(&a, "lookup_order", None, &KeyChange::Keep, "admin@a", at)
        .await
        .unwrap();
    assert_eq!((removed.version, removed.spec, removed.secret), (3, None, None));
    let names: Vec<String> = s
        .current_actions(&a)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, vec!["cancel_order".to_string()]);
    // Another tenant's actions are its own, even under the same name.
    assert!(s.current_actions(&b).await.unwrap().is_empty());
    assert!(s.action_versions(&b, "cancel_order").await.unwrap().is_empty());
    let theirs = s
        .save_action(
            &b,
            "cancel_order",
            Some("{}"),
            &KeyChange::Set("k-b".into()),
            "admin@b",
            at,
        )
        .await
        .unwrap();
    assert_eq!(theirs.version, 1);
    assert_eq!(s.current_actions(&a).await.unwrap()[0].secret, None);
}
