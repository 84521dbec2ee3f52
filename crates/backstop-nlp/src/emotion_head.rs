//! The emotion radar's trained head: one logistic regression per [`Feeling`] over a message's
//! sentence embedding and [`LEXICAL_FEATURES`] lexical features, standardized.
//!
//! `backstop-lab train emotion` fits it on labelled data (see the README) and writes it in a small
//! line-based text format; the head that ships with Backstop is `data/emotion-head.txt`, compiled
//! in. Each head is tied to the embedding model it was trained on (its vectors mean nothing to
//! another model). Training is deterministic: same rows, same head.
//!
//! The weights are shared by both languages; the decision point is not. A multilingual model
//! places Chinese and English text at different offsets, so each feeling has one bias per
//! language: the threshold with the best F1 on that language's held-out rows or, when the
//! training data has no labels of that feeling in that language, the threshold that flags the
//! same share of that language's messages as the labelled language's threshold flags in its own.

use std::sync::OnceLock;

use backstop_core::message::Lang;

use crate::emotion::{Feeling, Scores};
use crate::metrics::best_f1_threshold;

/// How many lexical features follow the embedding (see `emotion::lexical_features`).
pub const LEXICAL_FEATURES: usize = 7;
const MAGIC: &str = "backstop-emotion-head 1";

#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    #[error("line {line}: {message}")]
    Format { line: usize, message: String },
    #[error("cannot train: {0}")]
    Training(String),
}

/// A trained head.
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    model_id: String,
    dims: usize,
    mean: Vec<f32>,
    scale: Vec<f32>,
    /// Per feeling: weights over the standardized features.
    weights: Vec<Vec<f32>>,
    /// Per feeling: the bias in English and in Chinese ([`LANGS`] order).
    bias: Vec<[f32; 2]>,
    /// Per feeling and language: held-out F1 at the decision point (NaN: no labels), for the record.
    f1: Vec<[f32; 2]>,
}

/// The languages with their own decision point, in the order of the head's biases.
pub const LANGS: [Lang; 2] = [Lang::En, Lang::Zh];

fn lang_index(l: Lang) -> usize {
    match l {
        Lang::En => 0,
        Lang::Zh => 1,
    }
}

/// One labelled training row; a label is `None` when the source does not say.
#[derive(Clone, Debug)]
pub struct TrainRow {
    pub lang: Lang,
    pub vector: Vec<f32>,
    pub lexical: [f32; LEXICAL_FEATURES],
    pub labels: [Option<bool>; 5],
}

/// What training measured on its held-out slice, per feeling.
#[derive(Clone, Debug)]
pub struct TrainReport {
    pub feeling: Feeling,
    pub rows: usize,
    pub positives: usize,
    /// Per language ([`LANGS`] order): held-out F1, or `None` when the language had no labels
    /// of this feeling (its threshold was matched by share instead).
    pub held_out_f1: [Option<f32>; 2],
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Head {
    /// The head that ships with Backstop, or `None` if the compiled-in file is empty.
    pub fn builtin() -> Option<Head> {
        static BUILTIN: OnceLock<Option<Head>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let text = include_str!("../data/emotion-head.txt");
                (!text.trim().is_empty()).then(|| Head::parse(text).expect("the built-in emotion head parses"))
            })
            .clone()
    }

    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// Length of the embedding the head expects.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Held-out F1 of `f` in `lang` at training time (NaN when that language had no labels).
    pub fn held_out_f1(&self, f: Feeling, lang: Lang) -> f32 {
        self.f1[f.index()][lang_index(lang)]
    }

    fn standardized(&self, vector: &[f32], lexical: &[f32; LEXICAL_FEATURES]) -> Vec<f32> {
        vector
            .iter()
            .chain(lexical.iter())
            .zip(self.mean.iter().zip(&self.scale))
            .map(|(x, (m, s))| (x - m) / s)
            .collect()
    }

    /// Scores for one message in `lang`; 0.5 is each feeling's decision point.
    pub fn predict(&self, vector: &[f32], lexical: &[f32; LEXICAL_FEATURES], lang: Lang) -> Scores {
        let x = self.standardized(vector, lexical);
        let l = lang_index(lang);
        let mut s = [0.0; 5];
        for (i, out) in s.iter_mut().enumerate() {
            let z: f32 = self.weights[i].iter().zip(&x).map(|(w, v)| w * v).sum::<f32>() + self.bias[i][l];
            *out = sigmoid(z);
        }
        Scores(s)
    }

    /// Fits one logistic regression per feeling on the rows that label it, holding out every
    /// seventh labelled row to choose the decision threshold (best F1), then moves each bias so
    /// that threshold becomes 0.5.
    pub fn train(model_id: &str, rows: &[TrainRow], epochs: usize) -> Result<(Head, Vec<TrainReport>), HeadError> {
        let first = rows.first().ok_or_else(|| HeadError::Training("no rows".into()))?;
        let dims = first.vector.len();
        if rows.iter().any(|r| r.vector.len() != dims) {
            return Err(HeadError::Training("vectors differ in length".into()));
        }
        let n = dims + LEXICAL_FEATURES;
        let raw = |r: &TrainRow| -> Vec<f32> { r.vector.iter().chain(r.lexical.iter()).copied().collect() };
        let mut mean = vec![0.0f64; n];
        let mut sq = vec![0.0f64; n];
        for r in rows {
            for (j, v) in raw(r).into_iter().enumerate() {
                mean[j] += v as f64;
                sq[j] += (v as f64) * (v as f64);
            }
        }
        let count = rows.len() as f64;
        let mean: Vec<f32> = mean.iter().map(|m| (m / count) as f32).collect();
        let scale: Vec<f32> = sq
            .iter()
            .zip(&mean)
            .map(|(s, m)| ((s / count - (*m as f64).powi(2)).max(0.0).sqrt() as f32).max(1e-3))
            .collect();
        let x: Vec<Vec<f32>> = rows
            .iter()
            .map(|r| {
                raw(r)
                    .iter()
                    .zip(mean.iter().zip(&scale))
                    .map(|(v, (m, s))| (v - m) / s)
                    .collect()
            })
            .collect();
        let mut head = Head {
            model_id: model_id.to_owned(),
            dims,
            mean,
            scale,
            weights: Vec::new(),
            bias: Vec::new(),
            f1: Vec::new(),
        };
        let mut reports = Vec::new();
        for f in Feeling::ALL {
            let labelled: Vec<(usize, bool)> = rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.labels[f.index()].map(|l| (i, l)))
                .collect();
            let positives = labelled.iter().filter(|(_, l)| *l).count();
            if positives < 10 || positives + 10 > labelled.len() {
                return Err(HeadError::Training(format!(
                    "{} needs at least 10 positive and 10 negative rows ({positives} of {})",
                    f.as_str(),
                    labelled.len()
                )));
            }
            let (train, held): (Vec<_>, Vec<_>) = labelled.iter().enumerate().partition(|(k, _)| k % 7 != 6);
            let train: Vec<(usize, bool)> = train.into_iter().map(|(_, p)| *p).collect();
            let held: Vec<(usize, bool)> = held.into_iter().map(|(_, p)| *p).collect();
            let (w, b) = fit(&x, &train, n, epochs);
            let z = |i: usize| w.iter().zip(&x[i]).map(|(w, v)| w * v).sum::<f32>() + b;
            // Per language: the best-F1 threshold on its held-out rows …
            let mut thresholds: [Option<f32>; 2] = [None; 2];
            let mut f1s: [Option<f32>; 2] = [None; 2];
            for (li, lang) in LANGS.iter().enumerate() {
                let mine: Vec<&(usize, bool)> = held.iter().filter(|(i, _)| rows[*i].lang == *lang).collect();
                if mine.iter().filter(|(_, l)| *l).count() < 5 || mine.iter().all(|(_, l)| *l) {
                    continue;
                }
                let scores: Vec<f64> = mine.iter().map(|(i, _)| z(*i) as f64).collect();
                let gold: Vec<bool> = mine.iter().map(|(_, l)| *l).collect();
                let (t, f1) = best_f1_threshold(&scores, &gold);
                if t.is_finite() {
                    thresholds[li] = Some(t as f32);
                    f1s[li] = Some(f1 as f32);
                }
            }
            // … or, without labels in a language, the threshold flagging the same share of its
            // rows as a labelled language's threshold flags of its own.
            for li in 0..LANGS.len() {
                if thresholds[li].is_some() {
                    continue;
                }
                let Some((lj, tj)) = thresholds.iter().enumerate().find_map(|(j, t)| t.map(|t| (j, t))) else {
                    continue;
                };
                let share = |l: usize, t: f32| {
                    let zs: Vec<f32> = (0..rows.len()).filter(|&i| rows[i].lang == LANGS[l]).map(z).collect();
                    (
                        zs.iter().filter(|&&v| v >= t).count() as f64 / zs.len().max(1) as f64,
                        zs,
                    )
                };
                let (rate, _) = share(lj, tj);
                let (_, mut zs) = share(li, 0.0);
                if zs.is_empty() {
                    thresholds[li] = Some(tj);
                    continue;
                }
                zs.sort_by(|a, b| b.total_cmp(a));
                let k = ((rate * zs.len() as f64).round() as usize).clamp(1, zs.len());
                // Halfway between the last row flagged and the first one not.
                thresholds[li] = Some(match zs.get(k) {
                    Some(next) => (zs[k - 1] + next) / 2.0,
                    None => zs[k - 1] - 1e-6,
                });
            }
            let t = |li: usize| thresholds[li].unwrap_or(0.0);
            head.weights.push(w);
            head.bias.push([b - t(0), b - t(1)]);
            head.f1.push([f1s[0].unwrap_or(f32::NAN), f1s[1].unwrap_or(f32::NAN)]);
            reports.push(TrainReport {
                feeling: f,
                rows: labelled.len(),
                positives,
                held_out_f1: f1s,
            });
        }
        Ok((head, reports))
    }

    /// The text form (see [`Head::parse`]).
    pub fn to_text(&self) -> String {
        let join = |v: &[f32]| v.iter().map(|x| format!("{x:.6}")).collect::<Vec<_>>().join(" ");
        let mut out = format!("{MAGIC}\nmodel {}\ndims {}\n", self.model_id, self.dims);
        out += &format!("mean {}\nscale {}\n", join(&self.mean), join(&self.scale));
        for f in Feeling::ALL {
            let i = f.index();
            out += &format!(
                "feeling {} bias {:.6} {:.6} f1 {:.4} {:.4}\nweights {}\n",
                f.as_str(),
                self.bias[i][0],
                self.bias[i][1],
                self.f1[i][0],
                self.f1[i][1],
                join(&self.weights[i])
            );
        }
        out
    }

    /// Reads the text form: a magic line, `model`, `dims`, `mean`, `scale`, then per feeling a
    /// `feeling NAME bias B_EN B_ZH f1 F_EN F_ZH` line and its `weights` line.
    pub fn parse(text: &str) -> Result<Head, HeadError> {
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
        let err = |line: usize, m: &str| HeadError::Format {
            line,
            message: m.to_owned(),
        };
        let mut next = |what: &str| -> Result<(usize, Vec<&str>), HeadError> {
            let (no, l) = lines.next().ok_or_else(|| err(0, &format!("missing {what}")))?;
            let parts: Vec<&str> = l.split_whitespace().collect();
            if parts.first() != Some(&what) {
                return Err(err(no, &format!("expected `{what}`")));
            }
            Ok((no, parts))
        };
        let floats = |no: usize, parts: &[&str]| -> Result<Vec<f32>, HeadError> {
            parts
                .iter()
                .map(|p| p.parse::<f32>().map_err(|_| err(no, "not a number")))
                .collect()
        };
        let (no, magic) = next("backstop-emotion-head")?;
        if magic.join(" ") != MAGIC {
            return Err(err(no, "unsupported version"));
        }
        let (no, model) = next("model")?;
        let model_id = model.get(1).ok_or_else(|| err(no, "model id missing"))?.to_string();
        let (no, d) = next("dims")?;
        let dims: usize = d
            .get(1)
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| err(no, "bad dims"))?;
        let n = dims + LEXICAL_FEATURES;
        let (no, m) = next("mean")?;
        let mean = floats(no, &m[1..])?;
        let (no2, s) = next("scale")?;
        let scale = floats(no2, &s[1..])?;
        if mean.len() != n || scale.len() != n {
            return Err(err(no, &format!("mean and scale need {n} numbers")));
        }
        let (mut weights, mut bias, mut f1) = (Vec::new(), Vec::new(), Vec::new());
        for f in Feeling::ALL {
            let (no, h) = next("feeling")?;
            if h.len() != 8 || h[1] != f.as_str() || h[2] != "bias" || h[5] != "f1" {
                return Err(err(no, &format!("expected `feeling {} bias B B f1 F F`", f.as_str())));
            }
            let num = |k: usize, what: &str| h[k].parse::<f32>().map_err(|_| err(no, what));
            bias.push([num(3, "bad bias")?, num(4, "bad bias")?]);
            f1.push([num(6, "bad f1")?, num(7, "bad f1")?]);
            let (no, w) = next("weights")?;
            let w = floats(no, &w[1..])?;
            if w.len() != n {
                return Err(err(no, &format!("weights need {n} numbers")));
            }
            weights.push(w);
        }
        Ok(Head {
            model_id,
            dims,
            mean,
            scale,
            weights,
            bias,
            f1,
        })
    }
}

/// Logistic regression by full-batch Adam with a little L2, deterministic.
fn fit(x: &[Vec<f32>], rows: &[(usize, bool)], n: usize, epochs: usize) -> (Vec<f32>, f32) {
    let (mut w, mut b) = (vec![0.0f32; n], 0.0f32);
    let (mut mw, mut vw) = (vec![0.0f32; n], vec![0.0f32; n]);
    let (mut mb, mut vb) = (0.0f32, 0.0f32);
    let (lr, b1, b2, eps, l2) = (0.05f32, 0.9f32, 0.999f32, 1e-8f32, 1e-4f32);
    let inv = 1.0 / rows.len() as f32;
    let mut grad = vec![0.0f32; n];
    for t in 1..=epochs {
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut gb = 0.0f32;
        for &(i, label) in rows {
            let xi = &x[i];
            let z: f32 = w.iter().zip(xi).map(|(w, v)| w * v).sum::<f32>() + b;
            let e = sigmoid(z) - if label { 1.0 } else { 0.0 };
            for (g, v) in grad.iter_mut().zip(xi) {
                *g += e * v;
            }
            gb += e;
        }
        let (c1, c2) = (1.0 - b1.powi(t as i32), 1.0 - b2.powi(t as i32));
        for j in 0..n {
            let g = grad[j] * inv + l2 * w[j];
            mw[j] = b1 * mw[j] + (1.0 - b1) * g;
            vw[j] = b2 * vw[j] + (1.0 - b2) * g * g;
            w[j] -= lr * (mw[j] / c1) / ((vw[j] / c2).sqrt() + eps);
        }
        let g = gb * inv;
        mb = b1 * mb + (1.0 - b1) * g;
        vb = b2 * vb + (1.0 - b2) * g * g;
        b -= lr * (mb / c1) / ((vb / c2).sqrt() + eps);
    }
    (w, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_LEX: [f32; LEXICAL_FEATURES] = [0.0; LEXICAL_FEATURES];

    /// English rows whose vector's first coordinate says "angry" and the second "satisfied".
    fn rows() -> Vec<TrainRow> {
        (0..140)
            .map(|i| {
                let angry = i % 3 == 0;
                let happy = i % 4 == 1;
                let jitter = (i % 10) as f32 * 0.01;
                TrainRow {
                    lang: Lang::En,
                    vector: vec![
                        if angry { 1.0 } else { 0.0 } + jitter,
                        if happy { 1.0 } else { 0.0 },
                        0.5,
                    ],
                    lexical: NO_LEX,
                    labels: [
                        Some(angry),
                        Some(angry),
                        Some(i % 5 == 0),
                        if i % 2 == 0 { Some(i % 6 == 2) } else { None },
                        Some(happy),
                    ],
                }
            })
            .collect()
    }

    #[test]
    fn learns_separable_feelings_and_puts_the_decision_at_one_half() {
        let (head, report) = Head::train("test-model", &rows(), 200).unwrap();
        assert!(report[0].held_out_f1[0].unwrap() > 0.99, "{report:?}");
        assert_eq!(report[0].held_out_f1[1], None, "no Chinese rows");
        let angry = head.predict(&[1.0, 0.0, 0.5], &NO_LEX, Lang::En);
        let calm = head.predict(&[0.0, 1.0, 0.5], &NO_LEX, Lang::En);
        assert!(
            angry.get(Feeling::Anger) > 0.5 && calm.get(Feeling::Anger) < 0.5,
            "{angry:?} {calm:?}"
        );
        assert!(calm.get(Feeling::Satisfaction) > 0.5 && angry.get(Feeling::Satisfaction) < 0.5);
    }

    /// Chinese rows sit 0.6 further along the "angry" axis and carry no anger labels: their
    /// decision point is matched by share (a third of them are angry, as in English).
    #[test]
    fn each_language_gets_its_own_decision_point() {
        let mut r = rows();
        for i in 0..90 {
            let angry = i % 3 == 0;
            r.push(TrainRow {
                lang: Lang::Zh,
                vector: vec![if angry { 1.6 } else { 0.6 } + (i % 7) as f32 * 0.01, 0.0, 0.5],
                lexical: NO_LEX,
                labels: [None, None, None, None, Some(false)],
            });
        }
        let (head, _) = Head::train("test-model", &r, 200).unwrap();
        let at = |x: f32, lang| head.predict(&[x, 0.0, 0.5], &NO_LEX, lang).get(Feeling::Anger);
        assert!(at(0.6, Lang::En) > 0.5, "0.6 is angry in English");
        assert!(at(0.62, Lang::Zh) < 0.5, "but calm in Chinese");
        assert!(at(1.6, Lang::Zh) > 0.5);
    }

    #[test]
    fn text_form_round_trips_and_errors_name_the_line() {
        let (head, _) = Head::train("test-model", &rows(), 50).unwrap();
        let text = head.to_text();
        let back = Head::parse(&text).unwrap();
        assert_eq!(back.model_id(), "test-model");
        assert_eq!(back.dims(), 3);
        for lang in LANGS {
            let a = head.predict(&[1.0, 0.0, 0.5], &NO_LEX, lang);
            let b = back.predict(&[1.0, 0.0, 0.5], &NO_LEX, lang);
            assert!((a.get(Feeling::Anger) - b.get(Feeling::Anger)).abs() < 1e-3);
        }
        let broken = text.replacen("dims 3", "dims three", 1);
        assert_eq!(Head::parse(&broken).unwrap_err().to_string(), "line 3: bad dims");
    }

    #[test]
    fn refuses_a_feeling_without_examples() {
        let mut r = rows();
        for row in &mut r {
            row.labels[2] = Some(false);
        }
        let e = Head::train("m", &r, 10).unwrap_err().to_string();
        assert!(e.contains("anxiety"), "{e}");
    }

    #[test]
    fn training_is_deterministic() {
        let (a, _) = Head::train("m", &rows(), 30).unwrap();
        let (b, _) = Head::train("m", &rows(), 30).unwrap();
        assert_eq!(a.to_text(), b.to_text());
    }

    #[test]
    fn the_builtin_head_parses_and_matches_the_shipped_model() {
        let h = Head::builtin().expect("data/emotion-head.txt ships a head");
        assert_eq!(h.dims(), 384);
        assert_eq!(h.model_id(), crate::embed::E5_MODEL_ID);
    }
}
