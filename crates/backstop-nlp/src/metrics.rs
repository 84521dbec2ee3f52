//! Evaluation metrics, pure and hand-checked: classification accuracy and macro-F1, binary
//! precision/recall/F1, ranking recall@k and MRR, and choosing a decision
//! threshold on development data.

use std::collections::{BTreeMap, BTreeSet};

/// Precision, recall and F1 of one class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// How many gold examples the class has.
    pub support: usize,
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Precision/recall/F1 of `class` over paired gold and predicted labels.
pub fn prf<L: PartialEq>(gold: &[L], predicted: &[L], class: &L) -> Prf {
    assert_eq!(gold.len(), predicted.len(), "gold and predicted differ in length");
    let tp = gold
        .iter()
        .zip(predicted)
        .filter(|(g, p)| *g == class && *p == class)
        .count();
    let predicted_pos = predicted.iter().filter(|p| *p == class).count();
    let gold_pos = gold.iter().filter(|g| *g == class).count();
    let (precision, recall) = (ratio(tp, predicted_pos), ratio(tp, gold_pos));
    Prf {
        precision,
        recall,
        f1: f1(precision, recall),
        support: gold_pos,
    }
}

pub fn accuracy<L: PartialEq>(gold: &[L], predicted: &[L]) -> f64 {
    assert_eq!(gold.len(), predicted.len(), "gold and predicted differ in length");
    ratio(gold.iter().zip(predicted).filter(|(g, p)| g == p).count(), gold.len())
}

/// Per-class scores for every class that occurs in gold or predictions, and their unweighted mean F1.
pub fn macro_f1<L: PartialEq + Ord + Clone>(gold: &[L], predicted: &[L]) -> (f64, BTreeMap<L, Prf>) {
    let classes: BTreeSet<L> = gold.iter().chain(predicted).cloned().collect();
    let per: BTreeMap<L, Prf> = classes.iter().map(|c| (c.clone(), prf(gold, predicted, c))).collect();
    let mean = if per.is_empty() {
        0.0
    } else {
        per.values().map(|p| p.f1).sum::<f64>() / per.len() as f64
    };
    (mean, per)
}

/// Recall@k and mean reciprocal rank from the 1-based rank of the right answer per query
/// (`None` when it was not retrieved at all).
pub fn ranking(ranks: &[Option<usize>]) -> (f64, f64, f64) {
    let n = ranks.len();
    let at = |k: usize| ratio(ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count(), n);
    let mrr = if n == 0 {
        0.0
    } else {
        ranks.iter().map(|r| r.map_or(0.0, |r| 1.0 / r as f64)).sum::<f64>() / n as f64
    };
    (at(1), at(5), mrr)
}

/// The threshold on `scores` (predict positive when score ≥ threshold) with the best accuracy
/// against `labels`; ties go to the smaller threshold. Returns (threshold, accuracy).
pub fn best_threshold(scores: &[f64], labels: &[bool]) -> (f64, f64) {
    assert_eq!(scores.len(), labels.len(), "scores and labels differ in length");
    if scores.is_empty() {
        return (0.5, 0.0);
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Start with every example predicted positive (threshold at the lowest score), then raise the
    // threshold past each distinct score in turn.
    let mut correct = labels.iter().filter(|&&l| l).count();
    let (mut best_t, mut best_correct) = (scores[order[0]], correct);
    let mut i = 0;
    while i < order.len() {
        let s = scores[order[i]];
        while i < order.len() && scores[order[i]] == s {
            if labels[order[i]] {
                correct -= 1;
            } else {
                correct += 1;
            }
            i += 1;
        }
        let next = if i < order.len() {
            (s + scores[order[i]]) / 2.0
        } else {
            s + 1e-9
        };
        if correct > best_correct {
            best_correct = correct;
            best_t = next;
        }
    }
    (best_t, ratio(best_correct, scores.len()))
}

/// The threshold on `scores` (positive when score ≥ threshold) with the best F1 for the positive
/// class against `labels`, placed halfway to the next lower score; ties go to the higher
/// threshold. Returns (threshold, F1).
pub fn best_f1_threshold(scores: &[f64], labels: &[bool]) -> (f64, f64) {
    assert_eq!(scores.len(), labels.len(), "scores and labels differ in length");
    let positives = labels.iter().filter(|&&l| l).count();
    if scores.is_empty() || positives == 0 {
        return (0.5, 0.0);
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // Highest score first: lowering the threshold past each distinct score admits its examples.
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut tp, mut fp) = (0usize, 0usize);
    let (mut best_t, mut best_f1) = (f64::INFINITY, 0.0);
    let mut i = 0;
    while i < order.len() {
        let s = scores[order[i]];
        while i < order.len() && scores[order[i]] == s {
            if labels[order[i]] {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let f1 = 2.0 * tp as f64 / (2 * tp + fp + (positives - tp)) as f64;
        if f1 > best_f1 {
            best_f1 = f1;
            best_t = match order.get(i) {
                Some(&next) => (s + scores[next]) / 2.0,
                None => s - 1e-6,
            };
        }
    }
    (best_t, best_f1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_by_hand() {
        // gold:  a a b b c ; pred: a b b b a
        let gold = ["a", "a", "b", "b", "c"];
        let pred = ["a", "b", "b", "b", "a"];
        assert_eq!(accuracy(&gold, &pred), 0.6);
        let a = prf(&gold, &pred, &"a");
        assert_eq!((a.precision, a.recall, a.support), (0.5, 0.5, 2));
        let b = prf(&gold, &pred, &"b");
        assert!((b.precision - 2.0 / 3.0).abs() < 1e-12 && b.recall == 1.0);
        assert!((b.f1 - 0.8).abs() < 1e-12);
        let c = prf(&gold, &pred, &"c");
        assert_eq!((c.precision, c.recall, c.f1), (0.0, 0.0, 0.0));
        let (m, per) = macro_f1(&gold, &pred);
        assert!((m - (0.5 + 0.8 + 0.0) / 3.0).abs() < 1e-12);
        assert_eq!(per.len(), 3);
    }

    #[test]
    fn ranking_by_hand() {
        let (r1, r5, mrr) = ranking(&[Some(1), Some(2), Some(6), None]);
        assert_eq!((r1, r5), (0.25, 0.5));
        assert!((mrr - (1.0 + 0.5 + 1.0 / 6.0) / 4.0).abs() < 1e-12);
    }

    #[test]
    fn threshold_search_by_hand() {
        // Sorted: 0.1 F, 0.2 F, 0.3 T, 0.4 F, 0.6 T, 0.7 T, 0.9 T. Cutting at 0.25 (0.4 wrong) and
        // at 0.5 (0.3 wrong) both get 6 of 7 right; ties go to the smaller threshold.
        let scores = [0.1, 0.2, 0.4, 0.6, 0.7, 0.9, 0.3];
        let labels = [false, false, false, true, true, true, true];
        let (t, acc) = best_threshold(&scores, &labels);
        assert!((t - 0.25).abs() < 1e-12, "{t}");
        assert!((acc - 6.0 / 7.0).abs() < 1e-12);
        // Without the 0.3 positive, 0.5 is the one best cut.
        let (t, acc) = best_threshold(&scores[..6], &labels[..6]);
        assert!((t - 0.5).abs() < 1e-12 && acc == 1.0, "{t} {acc}");
        // Everything positive: the lowest score keeps all.
        assert_eq!(best_threshold(&[0.2, 0.8], &[true, true]), (0.2, 1.0));
    }

    #[test]
    fn best_f1_threshold_on_a_small_case() {
        // Scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.1 (neg): admitting down to 0.7 gives tp 2,
        // fp 1, F1 = 4/5 (threshold halfway to 0.1: 0.4); only 0.9 gives F1 = 2/3.
        let (t, f1) = best_f1_threshold(&[0.9, 0.8, 0.7, 0.1], &[true, false, true, false]);
        assert!((t - 0.4).abs() < 1e-12 && (f1 - 0.8).abs() < 1e-12, "{t} {f1}");
        assert_eq!(best_f1_threshold(&[0.3], &[false]), (0.5, 0.0));
    }
}
