//! The demo tenant: Maple Market (枫叶商城), an online store with a bilingual knowledge base, two
//! support teams and a sales team, its agents and one VIP customer. Seeding is idempotent: an
//! existing demo tenant is left as it is.

use anyhow::Context;
use backstop_core::assignment::Strategy;
use backstop_core::directory::{Agent, AgentProfile, AgentRole, Customer, Team, Tenant};
use backstop_core::ids::{AgentId, ArticleId, CustomerId, TeamId, TenantId};
use backstop_core::message::Lang;
use backstop_core::routing::TeamRole;
use backstop_core::Timestamp;
use backstop_store::{ArticleRecord, Store};
use rand::RngCore;
use serde::Deserialize;

/// The demo knowledge base (50 articles: 24 answers in 9 topics, in English and Chinese, plus one article only
/// in Chinese and one only in English, which show cross-lingual answers).
pub const DEMO_KB: &str = include_str!("../seed/demo-kb.json");
/// The demo's names for its topics, in both languages.
const DEMO_TOPICS: &str = include_str!("../seed/demo-topics.json");
/// Maple Market's actions on its own order system; `$MERCHANT` stands for where it answers.
pub const DEMO_ACTIONS: &str = include_str!("../seed/demo-actions.json");
pub const DEMO_TENANT: &str = "demo";
pub const DEMO_PASSWORD: &str = "backstop-demo";
pub const VIP_NAME: &str = "Alice Chen";
pub const VIP_EMAIL: &str = "alice@example.com";

/// The demo's agent accounts: name, e-mail, role, team role.
pub const DEMO_AGENTS: [(&str, &str, AgentRole, TeamRole); 4] = [
    ("Lin Wei", "lin@maple.example", AgentRole::Agent, TeamRole::General),
    ("Sam Taylor", "sam@maple.example", AgentRole::Agent, TeamRole::General),
    (
        "Zhao Min",
        "zhao@maple.example",
        AgentRole::Supervisor,
        TeamRole::Escalation,
    ),
    ("Chen Jing", "chen@maple.example", AgentRole::Admin, TeamRole::General),
];

/// The demo agents' capacity and skills (languages, topics), for skills-based assignment.
fn demo_profile(email: &str) -> AgentProfile {
    let (capacity, languages, topics): (u32, &[&str], &[&str]) = match email {
        "lin@maple.example" => (5, &["zh", "en"], &["orders", "shipping"]),
        "sam@maple.example" => (5, &["en", "fr", "es"], &["returns", "refunds", "payment"]),
        "zhao@maple.example" => (4, &["zh", "en"], &["refunds", "warranty"]),
        _ => (3, &["zh", "en"], &[]),
    };
    AgentProfile {
        capacity,
        languages: languages.iter().map(|l| l.to_string()).collect(),
        topics: topics.iter().map(|t| t.to_string()).collect(),
    }
}

pub fn demo_tenant_id() -> TenantId {
    TenantId::parse(DEMO_TENANT).expect("valid slug")
}

#[derive(Deserialize)]
pub struct SeedArticle {
    pub slug: String,
    pub lang: String,
    pub topic: String,
    pub title: String,
    pub body: String,
    pub questions: Vec<String>,
}

/// Parses a knowledge-base JSON array into article records for `tenant`.
pub fn articles(tenant: &TenantId, json: &str, at: Timestamp) -> anyhow::Result<Vec<ArticleRecord>> {
    let raw: Vec<SeedArticle> = serde_json::from_str(json).context("parsing knowledge-base JSON")?;
    raw.into_iter()
        .enumerate()
        .map(|(i, a)| {
            let lang = Lang::parse(&a.lang)
                .with_context(|| format!("article {} ({}): unknown lang {:?}", i + 1, a.slug, a.lang))?;
            Ok(ArticleRecord {
                id: ArticleId::new_at(at + time::Duration::microseconds(i as i64)),
                tenant: tenant.clone(),
                slug: a.slug,
                lang,
                topic: a.topic,
                title: a.title,
                body: a.body,
                questions: a.questions,
                updated_at: at,
                version: 1,
                archived: false,
            })
        })
        .collect()
}

/// Seeds the demo tenant if it does not exist yet. Returns whether it seeded.
pub async fn demo(store: &dyn Store) -> anyhow::Result<bool> {
    let tenant_id = demo_tenant_id();
    if store.get_tenant(&tenant_id).await?.is_some() {
        // A demo seeded before topics had names gets the demo's names.
        if store.list_topics(&tenant_id).await?.is_empty() {
            for t in topics()? {
                store.save_topic(&tenant_id, &t).await?;
            }
        }
        return Ok(false);
    }
    let now = Timestamp::now_utc();
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    store
        .create_tenant(&Tenant {
            id: tenant_id.clone(),
            name: "Maple Market".into(),
            widget_secret: hex(&secret),
        })
        .await?;
    let general = Team {
        id: TeamId::new_at(now),
        tenant: tenant_id.clone(),
        name: "General support".into(),
        names: [(Lang::Zh, "综合客服".to_string())].into(),
        role: TeamRole::General,
        // Agents take from the queue by hand in the demo (automatic assignment: see Strategy).
        strategy: Strategy::Manual,
        // Open around the clock so the demo hands over whenever it is tried.
        hours: Default::default(),
        sla: Default::default(),
        languages: Vec::new(),
    };
    let escalation = Team {
        id: TeamId::new_at(now + time::Duration::microseconds(1)),
        tenant: tenant_id.clone(),
        name: "Complaints & VIP".into(),
        names: [(Lang::Zh, "投诉与 VIP 专席".to_string())].into(),
        role: TeamRole::Escalation,
        strategy: Strategy::Manual,
        hours: Default::default(),
        sla: Default::default(),
        languages: Vec::new(),
    };
    // Reached only by the automation rules (buying intent) or a transfer, never by a hand-over.
    let sales = Team {
        id: TeamId::new_at(now + time::Duration::microseconds(2)),
        tenant: tenant_id.clone(),
        name: "Sales".into(),
        names: [(Lang::Zh, "销售顾问".to_string())].into(),
        role: TeamRole::Routed,
        strategy: Strategy::Manual,
        hours: Default::default(),
        sla: Default::default(),
        languages: Vec::new(),
    };
    store.upsert_team(&general).await?;
    store.upsert_team(&escalation).await?;
    store.upsert_team(&sales).await?;
    let hash = tokio::task::spawn_blocking(|| backstop_engine::hash_password(DEMO_PASSWORD)).await??;
    for (i, (name, email, role, team)) in DEMO_AGENTS.iter().enumerate() {
        let team_id = if *team == TeamRole::General {
            general.id
        } else {
            escalation.id
        };
        let agent = Agent {
            id: AgentId::new_at(now + time::Duration::microseconds(10 + i as i64)),
            tenant: tenant_id.clone(),
            name: (*name).into(),
            email: (*email).into(),
            role: *role,
            // Sam also answers the shop's sales questions.
            team_ids: if *email == "sam@maple.example" {
                vec![team_id, sales.id]
            } else {
                vec![team_id]
            },
            profile: demo_profile(email),
            active: true,
        };
        store.upsert_agent(&agent, &hash).await?;
    }
    store
        .upsert_customer(&Customer {
            id: CustomerId::new_at(now),
            tenant: tenant_id.clone(),
            name: Some(VIP_NAME.into()),
            email: Some(VIP_EMAIL.into()),
            // The shop's own record of its customer: a signed-in session with this e-mail is theirs.
            email_verified: true,
            tags: vec!["vip".into()],
            lang: None,
        })
        .await?;
    for a in articles(&tenant_id, DEMO_KB, now)? {
        store.upsert_article(&a).await?;
    }
    for t in topics()? {
        store.save_topic(&tenant_id, &t).await?;
    }
    tracing::info!(tenant = DEMO_TENANT, "demo tenant seeded");
    Ok(true)
}

/// The demo merchant's key: derived from the demo tenant's widget secret, so it stays the same
/// across restarts of one data directory and differs between installations.
pub fn demo_merchant_key(widget_secret: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"backstop demo merchant key\0");
    h.update(widget_secret.as_bytes());
    hex(&h.finalize()[..16])
}

/// Points the demo tenant's actions at its merchant's order system at `base_url`: an action never
/// defined is saved (with `key` as its secret); one whose address is a local port other than
/// `base_url` (the merchant moved between runs) gets the new address and keeps everything else an
/// admin changed; one an admin removed stays removed.
/// Three weeks of generated past conversations for the demo (`crate::history`), ending two hours
/// before `now`, so the reports are alive on first start: demo data, every customer tagged
/// `demo-history`. The engine's analytics sweep folds them into the rollups once it runs.
pub async fn demo_history(store: &dyn Store, now: Timestamp) -> anyhow::Result<crate::history::Generated> {
    let tenant = demo_tenant_id();
    let teams = store.list_teams(&tenant).await?;
    let agents = store.list_agents(&tenant).await?;
    let topics = store.list_topics(&tenant).await?;
    let plan = crate::history::Plan {
        tenants: vec![crate::history::TenantPlan {
            tenant,
            teams: teams
                .iter()
                .filter(|t| t.role != TeamRole::Routed)
                .map(|t| t.id)
                .collect(),
            agents: agents.iter().map(|a| (a.id, a.name.clone())).collect(),
            topics: topics.iter().map(|t| t.slug.clone()).collect(),
        }],
        conversations: DEMO_HISTORY,
        days: 21,
        end: now - time::Duration::hours(2),
        channels: vec!["web".into()],
        seed: 2026,
    };
    crate::history::generate(store, &plan, &|_| {}).await
}

/// How many past conversations the demo starts with.
pub const DEMO_HISTORY: u64 = 1800;

pub async fn demo_actions(engine: &backstop_engine::Engine, base_url: &str, key: &str) -> anyhow::Result<()> {
    let tenant = demo_tenant_id();
    let specs: Vec<serde_json::Value> =
        serde_json::from_str(&DEMO_ACTIONS.replace("$MERCHANT", base_url)).context("reading the demo actions")?;
    let current = engine.actions(&tenant).await?;
    for spec in specs {
        let name = spec["name"].as_str().unwrap_or_default().to_string();
        let versions = match engine.action_versions(&tenant, &name).await {
            Ok(v) => v,
            Err(backstop_engine::EngineError::NotFound(_)) => vec![],
            Err(e) => return Err(e.into()),
        };
        if versions.is_empty() {
            engine
                .save_action(&tenant, &spec, backstop_store::KeyChange::Set(key.into()), "demo seed")
                .await
                .with_context(|| format!("saving the demo action {name}"))?;
            continue;
        }
        let Some(stored) = current.iter().find(|r| r.name == name).and_then(|r| r.spec.as_deref()) else {
            continue;
        };
        let mut stored: serde_json::Value = serde_json::from_str(stored)?;
        let Some(url) = stored["url"].as_str().map(str::to_string) else {
            continue;
        };
        let local = url.starts_with("http://127.0.0.1:");
        if local && !url.starts_with(&format!("{base_url}/")) {
            let path = url
                .trim_start_matches("http://127.0.0.1:")
                .split_once('/')
                .map_or("", |(_, p)| p);
            stored["url"] = serde_json::Value::String(format!("{base_url}/{path}"));
            engine
                .save_action(
                    &tenant,
                    &stored,
                    backstop_store::KeyChange::Set(key.into()),
                    "demo seed",
                )
                .await
                .with_context(|| format!("moving the demo action {name}"))?;
        }
    }
    Ok(())
}

/// The demo's named topics, checked as a trainer's would be.
pub fn topics() -> anyhow::Result<Vec<backstop_core::kb::TopicNames>> {
    let named: Vec<backstop_core::kb::TopicNames> = serde_json::from_str(DEMO_TOPICS)?;
    named
        .into_iter()
        .map(|t| t.normalized().map_err(anyhow::Error::from))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_topic_is_named_in_both_languages() {
        let named = topics().unwrap();
        let kb: Vec<serde_json::Value> = serde_json::from_str(DEMO_KB).unwrap();
        let used: std::collections::BTreeSet<&str> = kb.iter().map(|a| a["topic"].as_str().unwrap()).collect();
        let have: std::collections::BTreeSet<&str> = named.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(used, have);
        assert!(named.iter().all(|t| t.names.len() == 2), "{named:?}");
    }
    use backstop_nlp::retrieval::{Bm25Index, Retriever, CONFIDENT};

    fn index() -> Bm25Index {
        let at = Timestamp::now_utc();
        let kb = articles(&demo_tenant_id(), DEMO_KB, at).unwrap();
        Bm25Index::build(kb.into_iter().map(backstop_engine::kb_article).collect()).unwrap()
    }

    #[test]
    fn the_demo_kb_is_complete_and_bilingual() {
        let kb = articles(&demo_tenant_id(), DEMO_KB, Timestamp::now_utc()).unwrap();
        assert!(kb.len() >= 40);
        // Deliberately in one language only: the cross-lingual examples.
        let single = ["spring-festival-shipping", "gift-wrapping"];
        for a in kb.iter().filter(|a| !single.contains(&a.slug.as_str())) {
            let other = if a.lang == Lang::En { Lang::Zh } else { Lang::En };
            assert!(
                kb.iter().any(|b| b.slug == a.slug && b.lang == other),
                "{} has no translation",
                a.slug
            );
        }
        for topic in [
            "orders",
            "shipping",
            "returns",
            "refunds",
            "payment",
            "invoices",
            "account",
            "warranty",
            "promotions",
        ] {
            assert!(kb.iter().any(|a| a.topic == topic), "no article about {topic}");
        }
    }

    /// Paraphrases written for this test (not the articles' own sample questions): each must find
    /// its article with enough confidence to be answered.
    #[test]
    fn paraphrases_find_their_articles() {
        let idx = index();
        let cases = [
            ("How long does delivery take?", "shipping-times"),
            ("I forgot my password and can't sign in", "reset-password"),
            ("How much is shipping?", "shipping-costs"),
            ("Do you deliver to Japan?", "international-shipping"),
            ("Can I pay with a credit card?", "payment-methods"),
            ("When will I get my money back?", "refund-timing"),
            ("I'd like to cancel my order", "cancel-order"),
            ("How do I use a coupon code?", "coupon-codes"),
            ("快递一般几天能到？", "shipping-times"),
            ("下单以后多久能收到货", "shipping-times"),
            ("公司报销需要开增值税专用发票", "company-invoice"),
            ("退货运费谁出？", "return-shipping-cost"),
            ("密码忘了怎么办", "reset-password"),
            ("退款几天能到账", "refund-timing"),
            ("耳机坏了能保修吗", "warranty-claim"),
            ("积分怎么用", "member-points"),
            ("能寄到国外吗", "international-shipping"),
        ];
        let mut misses = Vec::new();
        for (q, slug) in cases {
            let hit = idx.search(q.into(), None, 3).into_iter().next();
            let got = hit.and_then(|h| idx.article(h.article)).map(|a| a.slug.clone());
            let conf = hit.map_or(0.0, |h| h.confidence);
            if got.as_deref() != Some(slug) || conf < CONFIDENT {
                misses.push(format!("{q} → {got:?} ({conf:.2}), wanted {slug}"));
            }
        }
        assert!(misses.is_empty(), "{misses:#?}");
    }
}
