//! Sparse lexical features for classifiers: jieba words (no stop-word removal: "why" and "can't"
//! carry intent), word bigrams, and character n-grams (2–4 inside Latin words, 1–3 over Han runs),
//! weighted by sublinear TF × IDF and L2-normalized. The vocabulary is learned from training text.

use std::collections::HashMap;

use crate::lang::is_han;
use crate::text::jieba;

/// A sparse vector: (feature index, weight), sorted by index.
pub type Sparse = Vec<(u32, f32)>;

/// Raw feature strings of a text, with repeats.
pub fn raw_features(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = jieba()
        .cut(&lower, true)
        .into_iter()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let mut out = Vec::with_capacity(words.len() * 8);
    for w in &words {
        out.push(format!("w:{w}"));
    }
    for pair in words.windows(2) {
        out.push(format!("b:{} {}", pair[0], pair[1]));
    }
    for w in &words {
        let chars: Vec<char> = w.chars().collect();
        if chars.iter().all(|c| is_han(*c)) {
            for n in 1..=3 {
                for g in chars.windows(n) {
                    out.push(format!("h:{}", g.iter().collect::<String>()));
                }
            }
        } else if chars.len() > 2 {
            let padded: Vec<char> = std::iter::once('<')
                .chain(chars.iter().copied())
                .chain(std::iter::once('>'))
                .collect();
            for n in 3..=4 {
                for g in padded.windows(n) {
                    out.push(format!("c:{}", g.iter().collect::<String>()));
                }
            }
        }
    }
    // Han n-grams across word boundaries too: segmentation varies between paraphrases.
    let han: Vec<char> = lower.chars().filter(|c| is_han(*c)).collect();
    for g in han.windows(2) {
        out.push(format!("h:{}", g.iter().collect::<String>()));
    }
    out
}

/// A learned vocabulary with IDF weights.
#[derive(Clone, Debug)]
pub struct Featurizer {
    index: HashMap<String, u32>,
    idf: Vec<f32>,
}

impl Featurizer {
    /// Learns the vocabulary of `texts`; features seen in fewer than `min_df` texts are dropped.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>, min_df: u32) -> Self {
        let mut df: HashMap<String, u32> = HashMap::new();
        let mut n = 0u32;
        for t in texts {
            n += 1;
            let mut seen: Vec<String> = raw_features(t);
            seen.sort();
            seen.dedup();
            for f in seen {
                *df.entry(f).or_default() += 1;
            }
        }
        let mut kept: Vec<(String, u32)> = df.into_iter().filter(|(_, d)| *d >= min_df).collect();
        kept.sort();
        let idf = kept
            .iter()
            .map(|(_, d)| ((1.0 + n as f32) / (1.0 + *d as f32)).ln() + 1.0)
            .collect();
        let index = kept.into_iter().enumerate().map(|(i, (f, _))| (f, i as u32)).collect();
        Featurizer { index, idf }
    }

    pub fn dims(&self) -> usize {
        self.idf.len()
    }

    /// The L2-normalized TF-IDF vector of `text` (unknown features are ignored).
    pub fn transform(&self, text: &str) -> Sparse {
        let mut counts: HashMap<u32, f32> = HashMap::new();
        for f in raw_features(text) {
            if let Some(&i) = self.index.get(&f) {
                *counts.entry(i).or_default() += 1.0;
            }
        }
        let mut v: Sparse = counts
            .into_iter()
            .map(|(i, tf)| (i, (1.0 + tf.ln()) * self.idf[i as usize]))
            .collect();
        v.sort_by_key(|(i, _)| *i);
        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut v {
                *w /= norm;
            }
        }
        v
    }
}

/// Cosine similarity of two L2-normalized sparse vectors.
pub fn cosine(a: &Sparse, b: &Sparse) -> f32 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_cover_words_bigrams_and_ngrams() {
        let f = raw_features("Card not working");
        assert!(f.contains(&"w:card".to_string()));
        assert!(f.contains(&"b:not working".to_string()));
        assert!(f.contains(&"c:<car".to_string()));
        let zh = raw_features("银行卡被吞了");
        assert!(zh.iter().any(|x| x == "h:吞"), "{zh:?}");
        assert!(zh.iter().any(|x| x == "h:卡被"), "{zh:?}");
    }

    #[test]
    fn vectors_are_normalized_and_similar_texts_are_close() {
        let texts = [
            "my card was declined",
            "card declined at the shop",
            "how do I reset my password",
        ];
        let fz = Featurizer::fit(texts, 1);
        let a = fz.transform("my card got declined");
        let norm: f32 = a.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        let b = fz.transform(texts[1]);
        let c = fz.transform(texts[2]);
        assert!(cosine(&a, &b) > cosine(&a, &c));
        assert!(fz.transform("zzzz qqqq").is_empty(), "unknown features are ignored");
    }
}
