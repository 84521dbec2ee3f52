//! `backstop bench store`: the storage alone, on the path every customer message takes — store
//! the message (idempotent append), then apply the AI's turn (state, event, handled mark, reply) —
//! from many conversations at once, against SQLite (a temporary file) or a PostgreSQL URL. What the
//! store allows bounds what the whole server can do.

use std::sync::Arc;
use std::time::Instant;

use backstop_core::conversation::Actor;
use backstop_core::directory::{Customer, Tenant};
use backstop_core::event::{Event, EventData, EventKind};
use backstop_core::ids::{ConversationId, CustomerId, MessageId, TenantId};
use backstop_core::message::{Author, Lang, MessageKind};
use backstop_store::{ConversationRecord, NewMessage, Store, Turn};
use serde_json::{json, Map};

use backstop_report::{percentile, r4, report};

pub async fn store(database_url: Option<&str>, conversations: usize, messages: usize) -> anyhow::Result<()> {
    anyhow::ensure!(
        conversations > 0 && messages > 0,
        "--conversations and --messages must be at least 1"
    );
    let dir = tempfile::tempdir()?;
    let (store, backend): (Arc<dyn Store>, &str) = match database_url {
        Some(url) => (
            Arc::new(backstop_store_postgres::PgStore::connect(url).await?),
            "postgresql",
        ),
        None => (
            Arc::new(
                backstop_store_sqlite::SqliteStore::connect(&format!(
                    "sqlite://{}",
                    dir.path().join("bench.db").display()
                ))
                .await?,
            ),
            "sqlite",
        ),
    };
    let now = time::OffsetDateTime::now_utc();
    let tenant = TenantId::parse(&format!("bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]))?;
    store
        .create_tenant(&Tenant {
            id: tenant.clone(),
            name: "Bench".into(),
            widget_secret: "bench".into(),
        })
        .await?;
    let mut convs = Vec::with_capacity(conversations);
    for _ in 0..conversations {
        let customer = Customer {
            id: CustomerId::new_at(now),
            tenant: tenant.clone(),
            name: None,
            email: None,
            email_verified: false,
            tags: vec![],
            lang: Some(Lang::En),
        };
        store.upsert_customer(&customer).await?;
        let c = ConversationRecord::new(ConversationId::new_at(now), tenant.clone(), customer.id, Lang::En, now);
        store.create_conversation(&c).await?;
        convs.push(c);
    }
    // What each AI turn records: the built-in policy's answer on quiet signals.
    let trace = backstop_core::policy::Policy::builtin().decide(
        &backstop_core::routing::Signals::quiet(),
        &backstop_core::policy::PolicyState::default(),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, conv) in convs.into_iter().enumerate() {
        let store = store.clone();
        let trace = trace.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(messages);
            for k in 0..messages {
                let t = Instant::now();
                let at = time::OffsetDateTime::now_utc();
                let msg = |author: Author, body: String, client: Option<String>, handled: bool| NewMessage {
                    id: MessageId::new_at(at),
                    tenant: conv.tenant.clone(),
                    conversation: conv.id,
                    author,
                    kind: MessageKind::Text,
                    body,
                    client_id: client,
                    citations: vec![],
                    system: None,
                    handled,
                    created_at: at,
                };
                let asked = store
                    .append_message(&msg(
                        Author::Customer,
                        format!("question {k}"),
                        Some(format!("{i}-{k}")),
                        false,
                    ))
                    .await?
                    .message;
                let state = store
                    .get_conversation(&conv.tenant, conv.id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("conversation vanished"))?;
                store
                    .apply_turn(&Turn {
                        conversation: state,
                        events: vec![Event::note(
                            EventKind::AiAnswer,
                            Actor::Ai,
                            Some(trace.rule.clone()),
                            EventData::decision(&trace, &asked.body),
                            at,
                        )],
                        messages: vec![msg(Author::Ai, format!("answer {k}"), None, true)],
                        handled: vec![asked.id],
                    })
                    .await?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let secs = started.elapsed().as_secs_f64();
    let rate = all.len() as f64 / secs;
    let (p50, p99) = (percentile(&all, 50.0), percentile(&all, 99.0));
    let mut json = Map::new();
    json.insert("backend".into(), json!(backend));
    json.insert("conversations".into(), json!(conversations));
    json.insert("messages".into(), json!(all.len()));
    json.insert("messages_per_sec".into(), r4(rate));
    json.insert("p50_ms".into(), r4(p50));
    json.insert("p99_ms".into(), r4(p99));
    report(
        &format!("storage write path ({backend}): append + turn per message"),
        &[
            ("conversations at once", conversations.to_string()),
            ("messages", all.len().to_string()),
            ("throughput", format!("{rate:.0} messages/s")),
            ("latency p50 / p99", format!("{p50:.2} / {p99:.2} ms")),
        ],
        json,
    );
    Ok(())
}
