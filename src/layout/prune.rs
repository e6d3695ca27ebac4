//! Pruning helpers shared by the layouts: importance-ranked selection.

use crate::weights::WeightMatrix;
use std::cmp::Ordering;
use std::sync::{Arc, Mutex, OnceLock};

/// Orders candidates by descending score, ties by ascending index (deterministic).
fn by_score_desc(scores: &[f32]) -> impl Fn(&usize, &usize) -> Ordering + '_ {
    |&a, &b| {
        scores[b]
            .partial_cmp(&scores[a])
            .unwrap_or(Ordering::Equal)
            .then(a.cmp(&b))
    }
}

/// Keeps the `keep` best (by `scores`) of `candidates`, indices into `scores`, and sorts
/// them ascending, in place.
pub fn top_k_in_place(candidates: &mut Vec<usize>, scores: &[f32], keep: usize) {
    let keep = keep.min(candidates.len());
    if keep > 0 && keep < candidates.len() {
        candidates.select_nth_unstable_by(keep - 1, by_score_desc(scores));
    }
    candidates.truncate(keep);
    candidates.sort_unstable();
}

/// Weights to keep for a target sparsity over `total` weights: `round((1 − s)·total)`.
pub fn keep_count(sparsity: f64, total: usize) -> usize {
    ((1.0 - sparsity) * total as f64).round() as usize
}

/// A sort key that orders weights as [`by_score_desc`] does: descending score (−0 equal to
/// +0), then ascending index. Scores are finite (weights are checked on load).
fn rank_key(score: f32, index: usize) -> u64 {
    let s = if score == 0.0 { 0.0f32 } else { score };
    let bits = s.to_bits();
    // Ascending in the score's total order, then flipped for descending.
    let ascending = if bits >> 31 == 1 {
        !bits
    } else {
        bits | 0x8000_0000
    };
    (u64::from(!ascending) << 32) | index as u64
}

/// Sorts rank keys ascending. The keys are made in ascending index order and the index is
/// their low half, so a stable sort on the high (score) half alone sorts them fully: three
/// 11-bit counting-sort passes (their counters stay in L1), linear in the number of weights.
fn sort_by_rank(keys: &mut Vec<u64>) {
    debug_assert!(keys.windows(2).all(|p| (p[0] as u32) < (p[1] as u32)));
    if keys.len() < 1 << 12 {
        keys.sort_unstable();
        return;
    }
    const BITS: u32 = 11;
    const SHIFTS: [u32; 3] = [32, 32 + BITS, 32 + 2 * BITS];
    let digit = |k: u64, shift: u32| ((k >> shift) & ((1 << BITS) - 1)) as usize;
    // All three histograms in one read of the keys.
    let mut start = vec![[0usize; 1 << BITS]; 3];
    for &k in keys.iter() {
        for (pass, &shift) in SHIFTS.iter().enumerate() {
            start[pass][digit(k, shift)] += 1;
        }
    }
    let mut buf = vec![0u64; keys.len()];
    for (pass, &shift) in SHIFTS.iter().enumerate() {
        let start = &mut start[pass];
        let mut sum = 0;
        for c in start.iter_mut() {
            (*c, sum) = (sum, sum + *c);
        }
        for &k in keys.iter() {
            let d = digit(k, shift);
            buf[start[d]] = k;
            start[d] += 1;
        }
        std::mem::swap(keys, &mut buf);
    }
}

/// The nonzero weights of `w` ranked best first by `scores` (ties: lower index first), for
/// masks at several sparsities from one sort.
pub struct Ranking {
    keys: Vec<u64>,
    len: usize,
}

/// The rank keys of the nonzero weights of `w`, in index order.
fn rank_keys(w: &WeightMatrix, scores: &[f32]) -> Vec<u64> {
    assert!(
        w.data.len() < 1 << 32,
        "a layer has fewer than 2^32 weights"
    );
    let mut keys = Vec::with_capacity(w.nnz());
    keys.extend(
        (0..w.data.len())
            .filter(|&i| w.data[i] != 0.0)
            .map(|i| rank_key(scores[i], i)),
    );
    keys
}

/// A keep-mask over `len` weights marking the weights of `keys`.
fn mask_of(keys: &[u64], len: usize) -> Vec<bool> {
    let mut mask = vec![false; len];
    for key in keys {
        mask[(key & 0xFFFF_FFFF) as usize] = true;
    }
    mask
}

impl Ranking {
    /// Ranks the nonzero weights of `w`.
    pub fn new(w: &WeightMatrix, scores: &[f32]) -> Ranking {
        let mut keys = rank_keys(w, scores);
        sort_by_rank(&mut keys);
        Ranking {
            keys,
            len: w.data.len(),
        }
    }

    /// How many weights [`irregular_mask`] keeps at `sparsity`: the best `keep` ranks.
    pub fn keep(&self, sparsity: f64) -> usize {
        keep_count(sparsity, self.len).min(self.keys.len())
    }

    /// The row-major indices of the weights ranked `ranks`, best first.
    pub fn indices(&self, ranks: std::ops::Range<usize>) -> impl Iterator<Item = usize> + '_ {
        self.keys[ranks]
            .iter()
            .map(|key| (key & 0xFFFF_FFFF) as usize)
    }
}

/// A mask computed once, shared by every thread that asks for it.
type MaskCell = Arc<OnceLock<Arc<Vec<bool>>>>;

/// One weight matrix with its importance scores, and what has been computed for pruning it:
/// several layouts (and, in a sweep, several sparsities) prune the same matrix and share its
/// irregular masks and its ranking. It may be shared between threads; each mask and the
/// ranking is computed once, by the first thread that needs it.
pub struct Pruning<'a> {
    /// The dense weights.
    pub w: &'a WeightMatrix,
    /// Their importance scores, laid out like `w.data`.
    pub scores: &'a [f32],
    /// Masks by sparsity (its bits).
    masks: Mutex<Vec<(u64, MaskCell)>>,
    ranking: OnceLock<Ranking>,
}

impl<'a> Pruning<'a> {
    /// `w` and its scores, nothing computed yet.
    pub fn new(w: &'a WeightMatrix, scores: &'a [f32]) -> Pruning<'a> {
        Pruning {
            w,
            scores,
            masks: Mutex::new(Vec::new()),
            ranking: OnceLock::new(),
        }
    }

    /// [`irregular_mask`] at `sparsity`, computed once.
    pub fn irregular_mask(&self, sparsity: f64) -> Arc<Vec<bool>> {
        let key = sparsity.to_bits();
        let cell = {
            let mut masks = self
                .masks
                .lock()
                .expect("no thread panics holding the masks");
            match masks.iter().find(|(s, _)| *s == key) {
                Some((_, cell)) => cell.clone(),
                None => {
                    let cell = Arc::new(OnceLock::new());
                    masks.push((key, cell.clone()));
                    cell
                }
            }
        };
        // Computed outside the lock: only threads asking for this sparsity wait for it.
        cell.get_or_init(|| Arc::new(irregular_mask(self.w, self.scores, sparsity)))
            .clone()
    }

    /// The [`Ranking`] of the matrix, computed once.
    pub fn ranking(&self) -> &Ranking {
        self.ranking
            .get_or_init(|| Ranking::new(self.w, self.scores))
    }
}

/// Irregular (unstructured) pruning: a keep-mask of the `keep_count(sparsity)` best nonzero
/// weights of `w` by `scores` (row-major, like `w.data`). Zeros in `w` are never kept.
pub fn irregular_mask(w: &WeightMatrix, scores: &[f32], sparsity: f64) -> Vec<bool> {
    let mut keys = rank_keys(w, scores);
    let keep = keep_count(sparsity, w.data.len()).min(keys.len());
    // The same set `top_k` keeps, found on integer keys and left unsorted.
    if keep > 0 && keep < keys.len() {
        keys.select_nth_unstable(keep - 1);
    }
    mask_of(&keys[..keep], w.data.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_breaks_ties_by_index() {
        let scores = [1.0, 3.0, 3.0, 2.0, 3.0];
        let mut c: Vec<usize> = (0..5).collect();
        top_k_in_place(&mut c, &scores, 2);
        assert_eq!(c, vec![1, 2]);
        let mut c: Vec<usize> = (0..5).collect();
        top_k_in_place(&mut c, &scores, 4);
        assert_eq!(c, vec![1, 2, 3, 4]);
    }

    #[test]
    fn rank_keys_order_as_the_comparator_does() {
        let scores = [1.0f32, 3.0, 3.0, -0.0, 0.0, 2.5, -1.0];
        let mut by_cmp: Vec<usize> = (0..scores.len()).collect();
        by_cmp.sort_by(by_score_desc(&scores));
        let mut by_key: Vec<usize> = (0..scores.len()).collect();
        by_key.sort_by_key(|&i| rank_key(scores[i], i));
        assert_eq!(by_key, by_cmp);
        assert_eq!(by_key, [1, 2, 5, 0, 3, 4, 6]);
    }

    #[test]
    fn the_rank_sort_equals_a_full_sort() {
        // Made like Ranking::new's keys: index order, many repeated scores.
        let mut x = 12345u64;
        let keys: Vec<u64> = (0..20_000usize)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                rank_key(((x >> 40) % 97) as f32 * 0.25, i)
            })
            .collect();
        let mut fast = keys.clone();
        sort_by_rank(&mut fast);
        let mut full = keys;
        full.sort_unstable();
        assert_eq!(fast, full);
    }

    #[test]
    fn irregular_mask_keeps_exactly_the_target() {
        let w = WeightMatrix::new(2, 4, vec![0.1, -0.5, 0.0, 0.3, 0.2, 0.0, -0.9, 0.05]);
        let scores: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let m = irregular_mask(&w, &scores, 0.5);
        assert_eq!(m, vec![false, true, false, true, true, false, true, false]);
        // Already sparser than the target: keeps every nonzero.
        let m = irregular_mask(&w, &scores, 0.0);
        assert_eq!(m.iter().filter(|x| **x).count(), 6);
    }
}
