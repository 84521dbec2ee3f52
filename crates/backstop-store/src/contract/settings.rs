//! Contract checks of the tenant settings kept outside the conversation path: the widget's
//! settings, the billing plan and the API keys.

use backstop_core::apikey::Scope;
use backstop_core::ids::{AgentId, ApiKeyId};
use backstop_core::message::Lang;
use backstop_core::widget::{Corner, WidgetSettings};
use time::Duration;

use super::{t0, tenant};
use crate::*;

pub async fn widget_settings_plans_and_api_keys_are_kept_per_tenant(s: &dyn Store) {
    let (a, b) = (tenant("set-a"), tenant("set-b"));
    s.create_tenant(&a).await.unwrap();
    s.create_tenant(&b).await.unwrap();
    assert_eq!(s.get_widget_settings(&a.id).await.unwrap(), None);
    let mut w = WidgetSettings {
        color: "#0f766e".into(),
        corner: Corner::Left,
        languages: vec![Lang::Zh],
        origins: vec!["https://shop.example".into()],
        ..Default::default()
    };
    w.greeting.insert(Lang::Zh, "您好，有什么可以帮您？".into());
    s.save_widget_settings(&a.id, &w, "admin@a", t0()).await.unwrap();
    assert_eq!(s.get_widget_settings(&a.id).await.unwrap(), Some(w.clone()));
    w.origins.clear();
    s.save_widget_settings(&a.id, &w, "admin@a", t0()).await.unwrap();
    assert_eq!(s.get_widget_settings(&a.id).await.unwrap(), Some(w), "replaced");
    assert_eq!(
        s.get_widget_settings(&b.id).await.unwrap(),
        None,
        "the other tenant's stay its own"
    );

    assert_eq!(s.get_plan(&a.id).await.unwrap(), None);
    let plan = backstop_core::billing::Plan {
        name: "Growth".into(),
        currency: "CNY".into(),
        monthly_fee: 199_900,
        pricing: vec![backstop_core::billing::Pricing {
            item: backstop_core::billing::Item::AiResolution,
            included: 1_000,
            per: 1,
            tiers: vec![backstop_core::billing::Tier { up_to: None, price: 80 }],
            soft_limit: None,
            hard_limit: None,
        }],
    };
    s.save_plan(&a.id, &plan, "admin@a", t0()).await.unwrap();
    assert_eq!(s.get_plan(&a.id).await.unwrap(), Some(plan.clone()));
    assert_eq!(s.get_plan(&b.id).await.unwrap(), None, "per tenant");
    // A later version: the newest is the plan; each moment has the one saved before it.
    let dearer = backstop_core::billing::Plan {
        monthly_fee: 299_900,
        ..plan.clone()
    };
    s.save_plan(&a.id, &dearer, "admin@a", t0() + Duration::days(40))
        .await
        .unwrap();
    assert_eq!(s.get_plan(&a.id).await.unwrap(), Some(dearer.clone()));
    let at = |days: i64| t0() + Duration::days(days);
    assert_eq!(
        s.plan_in_effect(&a.id, t0()).await.unwrap(),
        None,
        "none before the first"
    );
    assert_eq!(s.plan_in_effect(&a.id, at(1)).await.unwrap(), Some(plan.clone()));
    assert_eq!(
        s.plan_in_effect(&a.id, at(40)).await.unwrap(),
        Some(plan.clone()),
        "strictly before"
    );
    assert_eq!(s.plan_in_effect(&a.id, at(41)).await.unwrap(), Some(dearer));
    assert_eq!(s.plan_in_effect(&b.id, at(41)).await.unwrap(), None, "per tenant");

    let admin = AgentId::new_at(t0());
    let key = |n: u32, tenant: &backstop_core::ids::TenantId| ApiKeyRecord {
        id: ApiKeyId::new_at(t0() + Duration::seconds(n as i64)),
        tenant: tenant.clone(),
        name: format!("key {n}"),
        scopes: vec![Scope::Knowledge, Scope::Reports],
        shown: format!("bsk_0000000{n}"),
        created_by: admin,
        created_at: t0() + Duration::seconds(n as i64),
        last_used_at: None,
        revoked_at: None,
    };
    let (k1, k2, kb) = (key(1, &a.id), key(2, &a.id), key(3, &b.id));
    s.create_api_key(&k1, "hash-1").await.unwrap();
    s.create_api_key(&k2, "hash-2").await.unwrap();
    s.create_api_key(&kb, "hash-3").await.unwrap();
    assert!(matches!(
        s.create_api_key(&key(4, &a.id), "hash-1").await,
        Err(StoreError::Conflict(_))
    ));
    let listed = s.list_api_keys(&a.id).await.unwrap();
    assert_eq!(listed, vec![k2.clone(), k1.clone()], "newest first, the tenant's only");
    assert_eq!(s.find_api_key("hash-3").await.unwrap(), Some(kb.clone()));
    assert_eq!(s.find_api_key("nothing").await.unwrap(), None);

    let later = t0() + Duration::hours(1);
    s.touch_api_key(k1.id, later).await.unwrap();
    assert_eq!(
        s.find_api_key("hash-1").await.unwrap().unwrap().last_used_at,
        Some(later)
    );
    assert!(
        !s.revoke_api_key(&b.id, k1.id, later).await.unwrap(),
        "not another tenant's key"
    );
    assert!(s.revoke_api_key(&a.id, k1.id, later).await.unwrap());
    assert!(!s.revoke_api_key(&a.id, k1.id, later).await.unwrap(), "once");
    let found = s.find_api_key("hash-1").await.unwrap().unwrap();
    assert_eq!(
        found.revoked_at,
        Some(later),
        "a revoked key is still found, to be refused"
    );
}
