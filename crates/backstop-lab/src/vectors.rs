//! Embedding many texts for training and evaluation: on every core, with a progress bar, and
//! remembered in a file under the cache directory so a second run over the same data is instant.
//!
//! The file's format is [`backstop_nlp::embed::saved`]'s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use backstop_nlp::embed::saved::{self, Key};
use backstop_nlp::embed::{Embedder, Role};

/// The cache file for `model` under `dir`.
pub fn cache_path(dir: &Path, model: &str) -> PathBuf {
    saved::path(dir, model, "")
}

/// Embeds `texts` as queries, in order, using and extending the cache file in `cache_dir`.
pub fn embed_all(
    embedder: &dyn Embedder,
    texts: &[String],
    cache_dir: Option<&Path>,
    what: &str,
) -> anyhow::Result<Vec<Vec<f32>>> {
    let model = embedder.model_id().to_owned();
    let dims = embedder.embed("dimension probe", Role::Query)?.len();
    let path = cache_dir.map(|d| cache_path(d, &model));
    let known = path.as_deref().map(|p| saved::load(p, dims)).unwrap_or_default();
    let keys: Vec<Key> = texts.iter().map(|t| saved::key(&model, Role::Query, t)).collect();
    let mut missing: Vec<usize> = (0..texts.len()).filter(|&i| !known.contains_key(&keys[i])).collect();
    // Each distinct text once.
    let mut seen = std::collections::HashSet::new();
    missing.retain(|&i| seen.insert(keys[i]));
    let pb = backstop_report::bar(missing.len() as u64, what);
    let fresh: Mutex<HashMap<Key, Vec<f32>>> = Mutex::new(HashMap::new());
    let failed: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&i) = missing.get(j) else { break };
                match embedder.embed(&texts[i], Role::Query) {
                    Ok(v) => {
                        fresh.lock().unwrap_or_else(|p| p.into_inner()).insert(keys[i], v);
                    }
                    Err(e) => {
                        *failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.into());
                        break;
                    }
                }
                pb.inc(1);
            });
        }
    });
    pb.finish_and_clear();
    if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e.context("embedding"));
    }
    let fresh = fresh.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = &path {
        saved::append(p, dims, fresh.iter().map(|(k, v)| (k, v.as_slice())))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(keys
        .iter()
        .map(|k| {
            fresh
                .get(k)
                .or_else(|| known.get(k))
                .cloned()
                .expect("every text embedded")
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use backstop_nlp::embed::EmbedError;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(AtomicUsize);

    impl Embedder for Counting {
        fn model_id(&self) -> &str {
            "counting"
        }
        fn embed(&self, text: &str, _: Role) -> Result<Vec<f32>, EmbedError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(vec![text.len() as f32, 1.0])
        }
    }

    #[test]
    fn a_second_run_reads_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let e = Counting(AtomicUsize::new(0));
        let texts: Vec<String> = ["a", "bb", "a", "ccc"].iter().map(|s| s.to_string()).collect();
        let first = embed_all(&e, &texts, Some(dir.path()), "test").unwrap();
        assert_eq!(first[1], vec![2.0, 1.0]);
        assert_eq!(first[0], first[2]);
        // The probe plus three distinct texts.
        assert_eq!(e.0.load(Ordering::SeqCst), 4);
        let second = embed_all(&e, &texts, Some(dir.path()), "test").unwrap();
        assert_eq!(first, second);
        assert_eq!(e.0.load(Ordering::SeqCst), 5, "only the probe ran again");
    }
}
