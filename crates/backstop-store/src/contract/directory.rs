//! Contract checks of the directory: tenants, teams, agents (with their failed sign-ins and
//! locks), sessions, customers (verified or only claimed e-mails) and widget visitors.

use backstop_core::assignment::Strategy;
use backstop_core::directory::{Agent, AgentProfile, AgentRole, Customer, Team};
use backstop_core::ids::{AgentId, ConversationId, CustomerId, TeamId, TenantId};
use backstop_core::message::Lang;
use backstop_core::routing::TeamRole;
use time::Duration;

use super::{setup, t0, tenant};
use crate::*;

pub async fn tenants_teams_and_agents(s: &dyn Store) {
    let t = tenant("shop-a");
    s.create_tenant(&t).await.unwrap();
    assert_eq!(s.get_tenant(&t.id).await.unwrap(), Some(t.clone()));
    assert!(matches!(s.create_tenant(&t).await, Err(StoreError::Conflict(_))));
    assert_eq!(s.get_tenant(&TenantId::parse("nobody").unwrap()).await.unwrap(), None);

    let team = Team {
        id: TeamId::new_at(t0()),
        tenant: t.id.clone(),
        name: "General".into(),
        names: Default::default(),
        role: TeamRole::General,
        strategy: Strategy::RoundRobin,
        hours: Default::default(),
        sla: Default::default(),
        languages: Vec::new(),
    };
    s.upsert_team(&team).await.unwrap();
    let renamed = Team {
        name: "General support".into(),
        names: [(Lang::Zh, "综合客服".to_string())].into(),
        strategy: Strategy::Skills,
        hours: backstop_core::hours::BusinessHours::parse("Asia/Shanghai", "mon-fri 09:00-18:00").unwrap(),
        sla: backstop_core::sla::SlaTargets {
            vip_secs: 20,
            standard_secs: 90,
            ticket_reply_mins: 60,
        },
        languages: vec!["fr".into(), "es".into()],
        ..team.clone()
    };
    s.upsert_team(&renamed).await.unwrap();
    assert_eq!(s.list_teams(&t.id).await.unwrap(), vec![renamed.clone()]);
    assert_eq!(renamed.display_name(Lang::Zh), "综合客服");
    assert_eq!(renamed.display_name(Lang::En), "General support");

    let agent = Agent {
        id: AgentId::new_at(t0()),
        tenant: t.id.clone(),
        name: "Zhang Min".into(),
        email: "zhang@shop-a.example".into(),
        role: AgentRole::Agent,
        team_ids: vec![team.id],
        profile: AgentProfile {
            capacity: 3,
            languages: vec!["zh".into()],
            topics: vec!["refunds".into()],
        },
        active: true,
    };
    s.upsert_agent(&agent, "$argon2id$hash").await.unwrap();
    assert_eq!(s.get_agent(&t.id, agent.id).await.unwrap(), Some(agent.clone()));
    let second = Agent {
        id: AgentId::new_at(t0() + Duration::seconds(1)),
        name: "An Li".into(),
        email: "an@shop-a.example".into(),
        profile: AgentProfile::default(),
        ..agent.clone()
    };
    s.upsert_agent(&second, "$argon2id$other").await.unwrap();
    assert_eq!(s.list_agents(&t.id).await.unwrap(), vec![second.clone(), agent.clone()]);
    let other = tenant("shop-b");
    s.create_tenant(&other).await.unwrap();
    assert!(s.list_agents(&other.id).await.unwrap().is_empty());
    let found = s
        .find_agent_by_email(&t.id, "ZHANG@shop-a.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        found,
        AgentCredentials {
            agent: agent.clone(),
            password_hash: "$argon2id$hash".into(),
            failed_logins: 0,
            locked_until: None,
        }
    );
    assert_eq!(s.find_agent_by_email(&t.id, "nobody@x").await.unwrap(), None);
    assert_eq!(
        s.find_agent_by_email(&other.id, "zhang@shop-a.example").await.unwrap(),
        None
    );

    // Deactivation is kept.
    let inactive = Agent {
        active: false,
        ..second.clone()
    };
    s.upsert_agent(&inactive, "$argon2id$other").await.unwrap();
    assert!(!s.get_agent(&t.id, second.id).await.unwrap().unwrap().active);

    // The widget secret can be replaced.
    s.set_widget_secret(&t.id, "rotated").await.unwrap();
    assert_eq!(s.get_tenant(&t.id).await.unwrap().unwrap().widget_secret, "rotated");
    assert_eq!(
        s.get_tenant(&other.id).await.unwrap().unwrap().widget_secret,
        other.widget_secret
    );
    assert!(matches!(
        s.set_widget_secret(&TenantId::parse("nobody").unwrap(), "x").await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn failed_sign_ins_are_counted_locked_and_cleared(s: &dyn Store) {
    let t = tenant("shop-a");
    s.create_tenant(&t).await.unwrap();
    let agent = Agent {
        id: AgentId::new_at(t0()),
        tenant: t.id.clone(),
        name: "Zhang Min".into(),
        email: "zhang@shop-a.example".into(),
        role: AgentRole::Agent,
        team_ids: vec![],
        profile: AgentProfile::default(),
        active: true,
    };
    s.upsert_agent(&agent, "$argon2id$old").await.unwrap();
    let creds = || async {
        s.find_agent_by_email(&t.id, "zhang@shop-a.example")
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(s.note_login_failure(&t.id, agent.id).await.unwrap(), 1);
    // Counting is atomic: failures at once are all counted.
    let racing: Vec<u32> = futures::future::join_all((0..8).map(|_| s.note_login_failure(&t.id, agent.id)))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let mut sorted = racing.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (2..=9).collect::<Vec<u32>>(), "{racing:?}");
    let until = t0() + Duration::minutes(5);
    s.set_login_lock(&t.id, agent.id, Some(until)).await.unwrap();
    let c = creds().await;
    assert_eq!((c.failed_logins, c.locked_until), (9, Some(until)));
    // Saving the agent's profile keeps the count and the lock; an update keeps the password too.
    s.upsert_agent(&agent, "$argon2id$old").await.unwrap();
    assert_eq!(creds().await.failed_logins, 9);
    let renamed = Agent {
        name: "Zhang Min (Shanghai)".into(),
        role: AgentRole::Supervisor,
        active: false,
        ..agent.clone()
    };
    s.update_agent(&renamed).await.unwrap();
    let c = creds().await;
    assert_eq!(
        (c.agent, c.password_hash.as_str(), c.failed_logins),
        (renamed, "$argon2id$old", 9)
    );
    assert!(matches!(
        s.update_agent(&Agent {
            id: AgentId::new_at(t0() + Duration::days(1)),
            ..agent.clone()
        })
        .await,
        Err(StoreError::NotFound(_))
    ));
    s.update_agent(&agent).await.unwrap();
    s.clear_login_failures(&t.id, agent.id).await.unwrap();
    let c = creds().await;
    assert_eq!((c.failed_logins, c.locked_until), (0, None));
    // A new password forgets failures and locks.
    s.note_login_failure(&t.id, agent.id).await.unwrap();
    s.set_login_lock(&t.id, agent.id, Some(until)).await.unwrap();
    s.set_agent_password(&t.id, agent.id, "$argon2id$new").await.unwrap();
    let c = creds().await;
    assert_eq!(
        (c.password_hash.as_str(), c.failed_logins, c.locked_until),
        ("$argon2id$new", 0, None)
    );
    // Unknown agents, or another tenant's, are not touched.
    let other = tenant("shop-b");
    s.create_tenant(&other).await.unwrap();
    assert!(matches!(
        s.note_login_failure(&other.id, agent.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.set_agent_password(&other.id, agent.id, "$argon2id$x").await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(creds().await.password_hash, "$argon2id$new");
}

pub async fn sessions(s: &dyn Store) {
    let (t, _, _) = setup(s, "shop-a").await;
    let session = SessionRecord {
        token_hash: "abc123".into(),
        tenant: t.clone(),
        agent: AgentId::new_at(t0()),
        created_at: t0(),
        expires_at: t0() + Duration::days(7),
        last_seen_at: t0(),
    };
    assert!(s.create_session(&session).await.unwrap());
    assert_eq!(s.get_session("abc123").await.unwrap(), Some(session.clone()));
    s.touch_session("abc123", t0() + Duration::minutes(3)).await.unwrap();
    assert_eq!(
        s.get_session("abc123").await.unwrap().unwrap().last_seen_at,
        t0() + Duration::minutes(3)
    );
    s.delete_session("abc123").await.unwrap();
    assert_eq!(s.get_session("abc123").await.unwrap(), None);
    s.delete_session("never-existed").await.unwrap();

    // Signing out everywhere ends every session of that agent, and only theirs.
    let (b, _, _) = setup(s, "shop-b").await;
    let colleague = AgentId::new_at(t0() + Duration::seconds(1));
    for (hash, tenant, agent) in [
        ("s1", &t, session.agent),
        ("s2", &t, session.agent),
        ("s3", &t, colleague),
        ("s4", &b, session.agent),
    ] {
        s.create_session(&SessionRecord {
            token_hash: hash.into(),
            tenant: tenant.clone(),
            agent,
            ..session.clone()
        })
        .await
        .unwrap();
    }
    assert_eq!(s.delete_agent_sessions(&t, session.agent, t0()).await.unwrap(), 2);
    assert_eq!(s.get_session("s1").await.unwrap(), None);
    assert_eq!(s.get_session("s2").await.unwrap(), None);
    assert!(s.get_session("s3").await.unwrap().is_some());
    assert!(s.get_session("s4").await.unwrap().is_some());

    // A session issued (its sign-in begun) before the agent's sessions were ended never counts:
    // neither stored after the fact, nor found if it was stored in between.
    let agent = Agent {
        id: AgentId::new_at(t0() + Duration::seconds(2)),
        tenant: t.clone(),
        name: "Zhang Min".into(),
        email: "zhang@shop-a.example".into(),
        role: AgentRole::Agent,
        team_ids: vec![],
        profile: AgentProfile::default(),
        active: true,
    };
    s.upsert_agent(&agent, "$argon2id$x").await.unwrap();
    let at = |mins: i64, hash: &str| SessionRecord {
        token_hash: hash.into(),
        tenant: t.clone(),
        agent: agent.id,
        created_at: t0() + Duration::minutes(mins),
        expires_at: t0() + Duration::days(7),
        last_seen_at: t0() + Duration::minutes(mins),
    };
    assert!(s.create_session(&at(10, "early")).await.unwrap());
    s.delete_agent_sessions(&t, agent.id, t0() + Duration::minutes(20))
        .await
        .unwrap();
    assert!(
        !s.create_session(&at(15, "late")).await.unwrap(),
        "begun before the revocation"
    );
    assert_eq!(s.get_session("late").await.unwrap(), None);
    assert_eq!(s.get_session("early").await.unwrap(), None);
    assert!(s.create_session(&at(20, "same-moment")).await.unwrap());
    assert!(s.create_session(&at(30, "after")).await.unwrap());
    assert!(s.get_session("after").await.unwrap().is_some());
}

pub async fn customers_and_visitors(s: &dyn Store) {
    let (t, c, _) = setup(s, "shop-a").await;
    let got = s.get_customer(&t, c).await.unwrap().unwrap();
    assert!(got.is_vip());
    assert_eq!(
        s.find_verified_customer(&t, "LI@shop-a.example")
            .await
            .unwrap()
            .map(|c| c.id),
        Some(c)
    );
    let visitor = |customer, pending| VisitorRecord {
        customer,
        pending_conversation: pending,
    };
    s.link_visitor(&t, "vhash", c).await.unwrap();
    assert_eq!(s.find_visitor(&t, "vhash").await.unwrap(), Some(visitor(c, None)));
    let reserved = ConversationId::new_at(t0());
    s.reserve_visitor_conversation(&t, "vhash", reserved).await.unwrap();
    assert_eq!(
        s.find_visitor(&t, "vhash").await.unwrap(),
        Some(visitor(c, Some(reserved)))
    );
    assert!(matches!(
        s.reserve_visitor_conversation(&t, "unknown", reserved).await,
        Err(StoreError::NotFound(_))
    ));
    // A customer who only claimed an e-mail (unverified) is never found by it, even one created
    // earlier than the verified one; linking a visitor to another customer drops the reservation.
    let claimed = Customer {
        id: CustomerId::new_at(t0() - Duration::days(1)),
        tenant: t.clone(),
        name: Some("Not Li".into()),
        email: Some("claimed@shop-a.example".into()),
        email_verified: false,
        tags: vec![],
        lang: None,
    };
    s.upsert_customer(&claimed).await.unwrap();
    assert_eq!(s.get_customer(&t, claimed.id).await.unwrap(), Some(claimed.clone()));
    assert_eq!(
        s.find_verified_customer(&t, "claimed@shop-a.example").await.unwrap(),
        None
    );
    s.upsert_customer(&Customer {
        id: CustomerId::new_at(t0() - Duration::days(2)),
        email: Some("LI@shop-a.example".into()),
        ..claimed.clone()
    })
    .await
    .unwrap();
    assert_eq!(
        s.find_verified_customer(&t, "li@shop-a.example")
            .await
            .unwrap()
            .map(|x| x.id),
        Some(c)
    );
    s.link_visitor(&t, "vhash", claimed.id).await.unwrap();
    assert_eq!(
        s.find_visitor(&t, "vhash").await.unwrap(),
        Some(visitor(claimed.id, None))
    );
    assert_eq!(s.find_visitor(&t, "unknown").await.unwrap(), None);
}
