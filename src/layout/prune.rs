//! Pruning helpers shared by the layouts: importance-ranked selection.

use crate::weights::WeightMatrix;
use std::cmp::Ordering;

/// Orders candidates by descending score, ties by ascending index (deterministic).
fn by_score_desc(scores: &[f32]) -> impl Fn(&usize, &usize) -> Ordering + '_ {
    |&a, &b| {
        scores[b]
            .partial_cmp(&scores[a])
            .unwrap_or(Ordering::Equal)
            .then(a.cmp(&b))
    }
}

/// Indices (into `scores`) of the `keep` best among `candidates`, sorted ascending.
pub fn top_k(candidates: &mut [usize], scores: &[f32], keep: usize) -> Vec<usize> {
    let keep = keep.min(candidates.len());
    if keep == 0 {
        return Vec::new();
    }
    if keep < candidates.len() {
        candidates.select_nth_unstable_by(keep - 1, by_score_desc(scores));
    }
    let mut kept = candidates[..keep].to_vec();
    kept.sort_unstable();
    kept
}

/// Weights to keep for a target sparsity over `total` weights: `round((1 − s)·total)`.
pub fn keep_count(sparsity: f64, total: usize) -> usize {
    ((1.0 - sparsity) * total as f64).round() as usize
}

/// Irregular (unstructured) pruning: a keep-mask of the `keep_count(sparsity)` best nonzero
/// weights of `w` by `scores` (row-major, like `w.data`). Zeros in `w` are never kept.
pub fn irregular_mask(w: &WeightMatrix, scores: &[f32], sparsity: f64) -> Vec<bool> {
    let mut nonzero: Vec<usize> = (0..w.data.len()).filter(|&i| w.data[i] != 0.0).collect();
    let keep = keep_count(sparsity, w.data.len());
    let mut mask = vec![false; w.data.len()];
    for i in top_k(&mut nonzero, scores, keep) {
        mask[i] = true;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_breaks_ties_by_index() {
        let scores = [1.0, 3.0, 3.0, 2.0, 3.0];
        let mut c: Vec<usize> = (0..5).collect();
        assert_eq!(top_k(&mut c, &scores, 2), vec![1, 2]);
        let mut c: Vec<usize> = (0..5).collect();
        assert_eq!(top_k(&mut c, &scores, 4), vec![1, 2, 3, 4]);
    }

    #[test]
    fn irregular_mask_keeps_exactly_the_target() {
        let w = WeightMatrix {
            n: 2,
            k: 4,
            data: vec![0.1, -0.5, 0.0, 0.3, 0.2, 0.0, -0.9, 0.05],
        };
        let scores: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let m = irregular_mask(&w, &scores, 0.5);
        assert_eq!(m, vec![false, true, false, true, true, false, true, false]);
        // Already sparser than the target: keeps every nonzero.
        let m = irregular_mask(&w, &scores, 0.0);
        assert_eq!(m.iter().filter(|x| **x).count(), 6);
    }
}
