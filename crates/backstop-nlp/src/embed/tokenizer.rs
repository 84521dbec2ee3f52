//! The SentencePiece-unigram tokenizer of the E5 model: per-character normalization, collapsed
//! spaces, the "▁" metaspace, then the most probable segmentation (Viterbi over piece scores).
//! Each character no piece covers becomes its own `<unk>`.

use std::collections::HashMap;

use super::file::ModelFile;

const METASPACE: char = '\u{2581}';
/// Longest piece in the vocabulary, in bytes (pieces are searched up to this length).
const MAX_PIECE_BYTES: usize = 48;

#[derive(Debug)]
pub struct Tokenizer {
    ids: HashMap<String, u32>,
    scores: Vec<f32>,
    normalize: HashMap<u32, Vec<u32>>,
    unk: u32,
    unk_score: f32,
}

impl Tokenizer {
    pub fn new(file: &ModelFile) -> Self {
        let ids = file
            .pieces
            .iter()
            .enumerate()
            .filter(|(i, _)| *i as u32 != file.unk)
            .map(|(i, p)| (p.clone(), i as u32))
            .collect();
        let min = file.scores.iter().copied().fold(f32::INFINITY, f32::min);
        Tokenizer {
            ids,
            scores: file.scores.clone(),
            normalize: file.normalize.clone(),
            unk: file.unk,
            unk_score: min - 10.0,
        }
    }

    /// The normalized, metaspaced text that segmentation runs on.
    fn prepare(&self, text: &str) -> String {
        let mut chars: Vec<char> = Vec::with_capacity(text.len());
        for c in text.chars() {
            match self.normalize.get(&(c as u32)) {
                Some(rep) => chars.extend(rep.iter().filter_map(|&r| char::from_u32(r))),
                None => chars.push(c),
            }
        }
        let mut out = String::with_capacity(chars.len() * 3 + 3);
        if chars.first() != Some(&' ') {
            out.push(METASPACE);
        }
        let mut prev_space = false;
        for c in chars {
            if c == ' ' {
                if !prev_space {
                    out.push(METASPACE);
                }
                prev_space = true;
            } else {
                out.push(c);
                prev_space = false;
            }
        }
        out
    }

    /// Token ids of `text` (no `<s>`/`</s>`).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let s = self.prepare(text);
        let offsets: Vec<usize> = s
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .collect();
        let n = offsets.len() - 1;
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        let mut back: Vec<(usize, u32)> = vec![(0, self.unk); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] == f32::NEG_INFINITY {
                continue;
            }
            for e in i + 1..=n {
                if offsets[e] - offsets[i] > MAX_PIECE_BYTES {
                    break;
                }
                if let Some(&id) = self.ids.get(&s[offsets[i]..offsets[e]]) {
                    let cand = best[i] + self.scores[id as usize];
                    if cand > best[e] {
                        best[e] = cand;
                        back[e] = (i, id);
                    }
                }
            }
            let cand = best[i] + self.unk_score;
            if cand > best[i + 1] {
                best[i + 1] = cand;
                back[i + 1] = (i, self.unk);
            }
        }
        let mut ids = Vec::new();
        let mut at = n;
        while at > 0 {
            let (from, id) = back[at];
            ids.push(id);
            at = from;
        }
        ids.reverse();
        ids
    }
}
