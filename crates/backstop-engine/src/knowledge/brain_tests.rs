//! Tests of building a tenant's understanding: the built-in texts' vectors are embedded once and
//! kept in the vector cache for later processes.

use std::sync::atomic::{AtomicUsize, Ordering};

use backstop_core::directory::Tenant;
use backstop_core::ids::ArticleId;
use backstop_nlp::embed::EmbedError;
use backstop_store::Store;

use super::*;
use crate::EngineConfig;

/// A stand-in model: a vector from the text's bytes, and a count of the texts it embedded.
struct Counting {
    id: String,
    calls: AtomicUsize,
}

impl Embedder for Counting {
    fn model_id(&self) -> &str {
        &self.id
    }

    fn embed(&self, text: &str, _: Role) -> std::result::Result<Vec<f32>, EmbedError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut v = vec![0.0f32; 8];
        for (i, b) in text.bytes().enumerate() {
            v[i % 8] += f32::from(b) / 255.0;
        }
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        Ok(v.into_iter().map(|x| x / n).collect())
    }
}

fn article(slug: &str, title: &str, question: &str) -> KbArticle {
    KbArticle {
        id: ArticleId::new_at(time::OffsetDateTime::UNIX_EPOCH),
        slug: slug.into(),
        lang: Lang::En,
        topic: "orders".into(),
        title: title.into(),
        body: format!("{title}. Everything about it."),
        questions: vec![question.into()],
    }
}

async fn start(dir: &std::path::Path, embedder: Arc<Counting>, cache: &std::path::Path) -> (Engine, TenantId) {
    let url = format!("sqlite://{}", dir.join("db.sqlite").display());
    let store = backstop_store_sqlite::SqliteStore::connect(&url).await.unwrap();
    let tenant = TenantId::parse("shop").unwrap();
    store
        .create_tenant(&Tenant {
            id: tenant.clone(),
            name: "Shop".into(),
            widget_secret: "secret".into(),
        })
        .await
        .unwrap();
    let config = EngineConfig {
        embedder: Some(embedder),
        vector_cache: Some(cache.to_path_buf()),
        ..EngineConfig::default()
    };
    (Engine::new(Arc::new(store), config), tenant)
}

#[tokio::test]
async fn the_built_in_texts_are_embedded_once_and_kept_for_the_next_process() {
    let (a, b, cache) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    // A model id of its own: other tests in this process share the memo.
    let id = format!("counting-{}", uuid::Uuid::new_v4());
    let articles = vec![
        article("returns", "Returns", "how do I send something back?"),
        article("shipping", "Shipping", "when will my parcel arrive?"),
    ];
    let first = Arc::new(Counting {
        id: id.clone(),
        calls: AtomicUsize::new(0),
    });
    let (engine, tenant) = start(a.path(), first.clone(), cache.path()).await;
    let (brain, report) = engine.build_brain(&tenant, articles.clone()).await.unwrap();
    assert!(brain.person.is_some() && brain.coverage.is_some());
    let shared = shared_texts().len();
    assert!(report.embedded > shared, "{} embedded", report.embedded);
    let file = saved::path(cache.path(), &id, "builtin");
    assert_eq!(saved::load(&file, 8).len(), shared, "every built-in text is kept");

    // A new process: nothing in memory, the file is read instead of embedding them again.
    {
        let mut memo = memo().lock().await;
        memo.vectors.clear();
        memo.read.clear();
    }
    let second = Arc::new(Counting {
        id,
        calls: AtomicUsize::new(0),
    });
    let (engine, tenant) = start(b.path(), second.clone(), cache.path()).await;
    let (_, report) = engine.build_brain(&tenant, articles).await.unwrap();
    assert!(report.embedded < 20, "{} embedded", report.embedded);
    // The tenant's own texts and the dimension probe only.
    assert_eq!(second.calls.load(Ordering::SeqCst), report.embedded + 1);
}
