//! Grouping texts by meaning without knowing how many groups there are: average-linkage
//! agglomerative clustering over a similarity function (cosine of sentence embeddings, or of
//! TF-IDF vectors without a model), stopping when no two groups are similar enough on average.
//! Deterministic: ties go to the earlier item. Gap mining clusters unanswered questions with it.

/// Groups `n` items: two groups merge while the mean similarity between their members is at
/// least `threshold` (the most similar pair first). Returns the groups, each a list of item
/// indices in ascending order, largest group first (then by first item).
///
/// Cost: `n²` similarity calls and `O(n²)` memory; callers keep `n` in the low thousands.
pub fn cluster(n: usize, sim: impl Fn(usize, usize) -> f32, threshold: f32) -> Vec<Vec<usize>> {
    if n == 0 {
        return Vec::new();
    }
    // Sum of pairwise similarities between live groups i and j (symmetric, upper triangle used).
    let mut sums = vec![0f32; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let s = sim(i, j);
            sums[i * n + j] = s;
            sums[j * n + i] = s;
        }
    }
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let mut live: Vec<bool> = vec![true; n];
    loop {
        let mut best: Option<(f32, usize, usize)> = None;
        for i in 0..n {
            if !live[i] {
                continue;
            }
            for j in i + 1..n {
                if !live[j] {
                    continue;
                }
                let mean = sums[i * n + j] / (members[i].len() * members[j].len()) as f32;
                if mean >= threshold && best.is_none_or(|(b, _, _)| mean > b) {
                    best = Some((mean, i, j));
                }
            }
        }
        let Some((_, i, j)) = best else { break };
        // Merge j into i: the sums to every other group add up.
        for k in 0..n {
            if live[k] && k != i && k != j {
                let s = sums[i * n + k] + sums[j * n + k];
                sums[i * n + k] = s;
                sums[k * n + i] = s;
            }
        }
        live[j] = false;
        let moved = std::mem::take(&mut members[j]);
        members[i].extend(moved);
        members[i].sort_unstable();
    }
    let mut groups: Vec<Vec<usize>> = members
        .into_iter()
        .zip(live)
        .filter(|(_, l)| *l)
        .map(|(m, _)| m)
        .collect();
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    groups
}

/// The member of `group` most similar on average to the others (its most typical item).
pub fn medoid(group: &[usize], sim: impl Fn(usize, usize) -> f32) -> usize {
    let mut best = (f32::MIN, group[0]);
    for &i in group {
        let total: f32 = group.iter().filter(|&&j| j != i).map(|&j| sim(i, j)).sum();
        if total > best.0 {
            best = (total, i);
        }
    }
    best.1
}

/// Dot product of two vectors (the cosine when both are L2-normalized, as embeddings are).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{cosine, Featurizer};

    fn unit(x: f32, y: f32) -> Vec<f32> {
        let n = (x * x + y * y).sqrt();
        vec![x / n, y / n]
    }

    #[test]
    fn groups_by_direction_and_stops_at_the_threshold() {
        // Three near east, two near north, one diagonal between them.
        let v = [
            unit(1.0, 0.05),
            unit(0.02, 1.0),
            unit(1.0, -0.04),
            unit(1.0, 0.0),
            unit(-0.03, 1.0),
            unit(1.0, 1.0),
        ];
        let groups = cluster(v.len(), |i, j| dot(&v[i], &v[j]), 0.95);
        assert_eq!(groups, vec![vec![0, 2, 3], vec![1, 4], vec![5]]);
        // Anything goes at a low threshold; nothing at an impossible one.
        assert_eq!(cluster(v.len(), |i, j| dot(&v[i], &v[j]), -1.0).len(), 1);
        assert_eq!(cluster(v.len(), |i, j| dot(&v[i], &v[j]), 1.01).len(), 6);
        assert!(cluster(0, |_, _| 1.0, 0.5).is_empty());
        assert_eq!(medoid(&[0, 2, 3], |i, j| dot(&v[i], &v[j])), 3);
    }

    #[test]
    fn average_linkage_does_not_chain() {
        // 0-1 and 1-2 are close, 0-2 far: single linkage would chain all three; the mean of the
        // pair {0,1} to 2 stays under the threshold.
        let s = |i: usize, j: usize| match (i.min(j), i.max(j)) {
            (0, 1) => 0.9,
            (1, 2) => 0.8,
            _ => 0.1,
        };
        assert_eq!(cluster(3, s, 0.7), vec![vec![0, 1], vec![2]]);
    }

    #[test]
    fn clusters_fixed_questions_by_their_words_in_both_languages() {
        let questions = [
            "Can I pick up my parcel at your warehouse?",
            "怎么开发票",
            "Is warehouse pick up possible for my parcel?",
            "Do you offer gift wrapping?",
            "我需要开发票，怎么开",
            "can you gift wrap my order",
            "pick up parcel from the warehouse myself",
        ];
        let f = Featurizer::fit(questions.iter().copied(), 1);
        let v: Vec<_> = questions.iter().map(|q| f.transform(q)).collect();
        let groups = cluster(v.len(), |i, j| cosine(&v[i], &v[j]), 0.12);
        assert_eq!(groups, vec![vec![0, 2, 6], vec![1, 4], vec![3, 5]]);
    }
}
