//! Column grouping for the column-combining layout (Kung, McDanel, Zhang, ASPLOS'19).
//!
//! The input is the binary mask of a pruned weight matrix `W` (`N × K`: rows = filters, columns
//! = flattened input indices). Column combining packs several sparse columns of `W` into one
//! array column; this module decides which columns share a group, with the semantics of the
//! authors' `packing.pack_model` / `pack_matrix` (`BradMcDanel/column-combine`):
//!
//! - the columns are cut into slices of `slice` consecutive columns (256 in the authors' code,
//!   [`PAPER_SLICE`]) and no group crosses a slice boundary;
//! - within a slice the list of groups starts as one singleton per column that has a nonzero, in
//!   column order (all-zero columns are dropped);
//! - repeatedly, the first group in list order that still has a feasible partner absorbs the
//!   feasible partner that leaves the fewest rows uncovered (ties: lowest list index);
//! - `g ∪ h` is feasible when `|g| + |h| ≤ α` and its conflicts `Σ_r max(0, cnt_r − 1)` stay
//!   within the budget `Γ = int(γ·N)` ([`conflict_budget`]); the conflicts are the weights that
//!   conflict pruning later removes (all but the largest `|w|` per row and group).
//!
//! # How the fast version works
//!
//! Two facts make the greedy cheap:
//!
//! 1. A group with no feasible partner never gets one back: merges only make groups larger and
//!    raise their row counts, and `conflicts(a ∪ g ∪ h) ≥ conflicts(a ∪ g)`. So the "first group
//!    with a feasible partner" is a cursor that only moves right.
//! 2. Merges only ever go into the cursor group, and every partner lies to its right (a partner
//!    to its left would itself have had a feasible partner). Hence all groups right of the
//!    cursor are still singleton columns, and the cursor group grows one column at a time.
//!
//! With `cov(g)` = rows where `g` has a nonzero (a bitset) and `conf(g)` = its conflicts, adding
//! a column `c` gives `conf(g ∪ {c}) = conf(g) + |cov(g) ∧ c|` and leaves
//! `N − |cov(g)| − (|c| − |cov(g) ∧ c|)` rows uncovered. So the best partner is the feasible
//! column that adds the most new rows. The overlaps `|cov(g) ∧ c|` are kept per candidate and
//! updated with only the rows a merge newly covers; a candidate that becomes infeasible stays
//! infeasible while the same group grows, so it is dropped from the candidate list.
//!
//! Cost per slice of `G` nonzero columns: `O(G² · ⌈N/64⌉)` word operations in the worst case
//! (one full candidate scan per seed plus one update pass per merge), against `O(G² · N)` per
//! merge for the authors' from-scratch rescan.

/// Slice width of the authors' code (`pack_model(..., section_size=256)`): groups never combine
/// columns from different 256-column slices.
pub const PAPER_SLICE: usize = 256;

/// The conflict budget `Γ = int(γ·N)` of the authors' code (`overlap = int(overlap_pct*B)`,
/// with `N` = all filters of the layer, zero rows included), or `None` when no merge can be
/// feasible because `Γ < 0`.
///
/// Like Python's `int`, the product is truncated toward zero, so `−1 < γ·N < 0` still gives
/// `Γ = 0`. A NaN `gamma` is treated as 0; an infinite one gives an unlimited budget.
pub fn conflict_budget(gamma: f64, n: usize) -> Option<u64> {
    let limit = (gamma * n as f64).trunc();
    if limit.is_nan() {
        Some(0)
    } else if limit < 0.0 {
        None
    } else {
        // Saturating float-to-int conversion: an overlarge budget means "unlimited".
        Some(limit as u64)
    }
}

/// Groups the nonzero columns of a binary `N × K` mask as Kung et al.'s `pack_matrix` does.
///
/// `mask` is row-major (`mask[row * k + col]`); rows are filters, columns are flattened input
/// indices. Columns never group across a `slice`-column boundary ([`PAPER_SLICE`] in the
/// paper's code; `slice == 0` means one slice of all `k` columns). Within a slice the greedy
/// starts from singleton groups of the columns that have a nonzero, in column order; it
/// repeatedly takes the first group (list order) that still has a feasible partner and merges
/// into it the feasible partner leaving the fewest rows uncovered (ties: lowest list index). A
/// merge of `g` and `h` is feasible when `|g| + |h| ≤ alpha` and the merged group's conflicts
/// `Σ_r max(0, cnt_r − 1)` are at most [`conflict_budget`]`(gamma, n)`.
///
/// Returns the groups as original column indices, ascending within each group, in order:
/// slice by slice, list order within a slice (which is the order of each group's smallest
/// column). All-zero columns belong to no group; `alpha ≤ 1` gives singletons.
///
/// # Panics
///
/// If `mask.len() != n * k`.
pub fn combine_columns(
    mask: &[bool],
    n: usize,
    k: usize,
    alpha: usize,
    gamma: f64,
    slice: usize,
) -> Vec<Vec<usize>> {
    assert_eq!(
        mask.len(),
        n * k,
        "combine_columns: mask has {} entries, expected n·k = {}·{}",
        mask.len(),
        n,
        k
    );
    group_columns(&ColumnBits::from_mask(mask, n, k), alpha, gamma, slice).groups
}

/// The row bitsets of the columns of an `N × K` mask: column `c` is `⌈N/64⌉` words, bit `r`
/// set when row `r` has a nonzero in `c`.
#[derive(Debug, Clone)]
pub struct ColumnBits {
    n: usize,
    k: usize,
    words: usize,
    bits: Vec<u64>,
}

impl ColumnBits {
    /// An all-zero `n × k` mask.
    pub fn new(n: usize, k: usize) -> ColumnBits {
        let words = n.div_ceil(64);
        ColumnBits {
            n,
            k,
            words,
            bits: vec![0; words * k],
        }
    }

    /// The bitsets of a row-major mask (`mask[row * k + col]`).
    ///
    /// # Panics
    ///
    /// If `mask.len() != n * k`.
    pub fn from_mask(mask: &[bool], n: usize, k: usize) -> ColumnBits {
        assert_eq!(mask.len(), n * k, "a mask of {n}·{k} entries");
        let mut bits = ColumnBits::new(n, k);
        for (i, _) in mask.iter().enumerate().filter(|&(_, &b)| b) {
            bits.flip(i / k.max(1), i % k.max(1));
        }
        bits
    }

    /// Toggles the entry at `(row, col)`: sets a clear one, clears a set one.
    pub fn flip(&mut self, row: usize, col: usize) {
        self.bits[col * self.words + row / 64] ^= 1 << (row % 64);
    }

    fn column(&self, col: usize) -> &[u64] {
        &self.bits[col * self.words..(col + 1) * self.words]
    }
}

/// The column groups of a mask and the rows they cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    /// The groups, as [`combine_columns`] returns them.
    pub groups: Vec<Vec<usize>>,
    /// `Σ_g` (rows with a nonzero in some column of `g`): the weights left after conflict
    /// pruning keeps one per (row, group).
    pub covered: usize,
}

/// [`combine_columns`] on a mask given as column bitsets, also counting the covered rows.
pub fn group_columns(bits: &ColumnBits, alpha: usize, gamma: f64, slice: usize) -> Grouping {
    let k = bits.k;
    let budget = conflict_budget(gamma, bits.n);
    let slice = if slice == 0 { k.max(1) } else { slice };
    let mut scratch = SliceScratch::new(bits.n);
    let mut out = Grouping {
        groups: Vec::new(),
        covered: 0,
    };
    let mut start = 0;
    while start < k {
        let end = k.min(start.saturating_add(slice));
        scratch.load(bits, start, end);
        match budget {
            Some(budget) if alpha >= 2 => scratch.group(start, alpha, budget, &mut out),
            _ => {
                out.groups
                    .extend(scratch.cols.iter().map(|&c| vec![start + c]));
                out.covered += scratch.pop.iter().sum::<usize>();
            }
        }
        start = end;
    }
    out
}

/// Names groups found on columns permuted into visit order (`visit[t]` = the column at
/// position `t`) by their original columns, ascending within each group.
pub fn groups_in_columns(groups: Vec<Vec<usize>>, visit: &[usize]) -> Vec<Vec<usize>> {
    groups
        .into_iter()
        .map(|g| {
            let mut cols: Vec<usize> = g.into_iter().map(|t| visit[t]).collect();
            cols.sort_unstable();
            cols
        })
        .collect()
}

/// [`combine_columns`] with the greedy visiting the columns in the order `visit` instead of
/// `0..k`: `visit[t]` is the column of `mask` that stands at position `t`.
///
/// The grouping runs on the mask with its columns permuted into visit order, so everything
/// order-sensitive follows `visit`: the slices are `slice` consecutive positions, the seeds go
/// left to right and ties go to the lower position. The groups are then named by their
/// columns in `mask` again: ascending within each group, groups in the order of their first
/// position. With `visit = 0..k` this is `combine_columns`.
///
/// # Panics
///
/// If `mask.len() != n * k`, or if `visit` is not a permutation of `0..k`.
pub fn combine_columns_in_order(
    mask: &[bool],
    n: usize,
    k: usize,
    visit: &[usize],
    alpha: usize,
    gamma: f64,
    slice: usize,
) -> Vec<Vec<usize>> {
    assert_eq!(
        mask.len(),
        n * k,
        "combine_columns_in_order: mask has {} entries, expected n·k = {}·{}",
        mask.len(),
        n,
        k
    );
    let mut seen = vec![false; k];
    assert!(
        visit.len() == k
            && visit
                .iter()
                .all(|&c| c < k && !std::mem::replace(&mut seen[c], true)),
        "combine_columns_in_order: the visit order is not a permutation of 0..{k}"
    );
    let permuted: Vec<bool> = (0..n)
        .flat_map(|r| visit.iter().map(move |&c| mask[r * k + c]))
        .collect();
    groups_in_columns(combine_columns(&permuted, n, k, alpha, gamma, slice), visit)
}

/// PyTorch's flattening of a convolution's weights as a visit order over sparsim's columns:
/// entry `t = (c·kh + r)·kw + q` (PyTorch's `weight.view(F, C·kh·kw)` of `[F, C, kh, kw]`)
/// is sparsim's channel-fastest column `j = (r·kw + q)·C + c` of the same weight, for `C`
/// input channels (per group) and a `kh × kw` kernel.
pub fn torch_visit_order(kh: usize, kw: usize, channels: usize) -> Vec<usize> {
    let mut order = Vec::with_capacity(kh * kw * channels);
    for c in 0..channels {
        for r in 0..kh {
            for q in 0..kw {
                order.push((r * kw + q) * channels + c);
            }
        }
    }
    order
}

/// Reusable buffers for one slice.
struct SliceScratch {
    /// `u64` words per row bitset.
    words: usize,
    /// Local indices (from the slice start) of the columns with a nonzero, ascending.
    cols: Vec<usize>,
    /// Row bitset of each entry of `cols`, `words` words each.
    bits: Vec<u64>,
    /// Nonzero count of each entry of `cols`.
    pop: Vec<usize>,
    /// Whether each entry of `cols` is still a group of its own (not merged away).
    alive: Vec<bool>,
    /// Per entry of `cols`: overlap with the current group's covered rows.
    overlap: Vec<usize>,
    /// Positions (into `cols`) still feasible as partners of the current group, ascending.
    cands: Vec<usize>,
    /// Covered rows of the current group.
    cov: Vec<u64>,
    /// Rows newly covered by the last merge.
    fresh: Vec<u64>,
}

impl SliceScratch {
    fn new(n: usize) -> SliceScratch {
        let words = n.div_ceil(64);
        SliceScratch {
            words,
            cols: Vec::new(),
            bits: Vec::new(),
            pop: Vec::new(),
            alive: Vec::new(),
            overlap: Vec::new(),
            cands: Vec::new(),
            cov: vec![0; words],
            fresh: vec![0; words],
        }
    }

    /// Loads columns `start..end`: the bitsets of the columns with a nonzero, in column order.
    fn load(&mut self, mask: &ColumnBits, start: usize, end: usize) {
        self.bits.clear();
        self.cols.clear();
        self.pop.clear();
        for c in start..end {
            let column = mask.column(c);
            let pop: usize = column.iter().map(|w| w.count_ones() as usize).sum();
            if pop > 0 {
                self.bits.extend_from_slice(column);
                self.cols.push(c - start);
                self.pop.push(pop);
            }
        }
    }

    fn col_bits(&self, j: usize) -> &[u64] {
        &self.bits[j * self.words..(j + 1) * self.words]
    }

    /// Runs the greedy on the loaded slice (`alpha ≥ 2`) and appends its groups to `out`.
    fn group(&mut self, start: usize, alpha: usize, budget: u64, out: &mut Grouping) {
        let g = self.cols.len();
        self.alive.clear();
        self.alive.resize(g, true);
        self.overlap.clear();
        self.overlap.resize(g, 0);
        for seed in 0..g {
            if !self.alive[seed] {
                continue;
            }
            // The cursor group starts as the singleton `seed`; every partner is a later,
            // still-alive singleton (see the module docs).
            self.cov
                .copy_from_slice(&self.bits[seed * self.words..(seed + 1) * self.words]);
            let mut conf: u64 = 0;
            let mut members = vec![start + self.cols[seed]];
            self.cands.clear();
            for j in seed + 1..g {
                if self.alive[j] {
                    let ov = and_count(&self.cov, self.col_bits(j));
                    if ov as u64 <= budget {
                        self.overlap[j] = ov;
                        self.cands.push(j);
                    }
                }
            }
            while members.len() < alpha {
                // Fewest uncovered rows = most newly covered rows; strict `>` keeps the lowest
                // index on ties (candidates are in list order).
                let mut best: Option<(usize, usize)> = None;
                for (i, &j) in self.cands.iter().enumerate() {
                    let gain = self.pop[j] - self.overlap[j];
                    if best.is_none_or(|(_, bg)| gain > bg) {
                        best = Some((i, gain));
                    }
                }
                let Some((i, gain)) = best else { break };
                let h = self.cands.remove(i);
                self.alive[h] = false;
                members.push(start + self.cols[h]);
                conf += self.overlap[h] as u64;
                if gain > 0 {
                    let words = self.words;
                    let hb = &self.bits[h * words..(h + 1) * words];
                    for ((f, c), &b) in self.fresh.iter_mut().zip(self.cov.iter_mut()).zip(hb) {
                        *f = b & !*c;
                        *c |= b;
                    }
                    for &j in &self.cands {
                        let extra = and_count(&self.fresh, &self.bits[j * words..(j + 1) * words]);
                        self.overlap[j] += extra;
                    }
                }
                let overlap = &self.overlap;
                self.cands
                    .retain(|&j| conf.saturating_add(overlap[j] as u64) <= budget);
            }
            members.sort_unstable();
            out.groups.push(members);
            out.covered += self
                .cov
                .iter()
                .map(|w| w.count_ones() as usize)
                .sum::<usize>();
        }
    }
}

/// `|a ∧ b|` for two bitsets of equal length.
fn and_count(a: &[u64], b: &[u64]) -> usize {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x & y).count_ones() as usize)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tiny xorshift64* generator so the tests need no extra crates.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Rng {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        /// Uniform in `lo..=hi`.
        fn range(&mut self, lo: usize, hi: usize) -> usize {
            lo + (self.next() % (hi - lo + 1) as u64) as usize
        }
        /// Uniform in `[0, 1)`.
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn random_mask(rng: &mut Rng, n: usize, k: usize, density: f64) -> Vec<bool> {
        (0..n * k).map(|_| rng.unit() < density).collect()
    }

    fn parse(rows: &[&str]) -> (Vec<bool>, usize, usize) {
        let n = rows.len();
        let k = rows[0].len();
        let mask = rows
            .iter()
            .flat_map(|r| r.bytes().map(|b| b == b'1'))
            .collect();
        (mask, n, k)
    }

    /// Straight from the pseudo-code (the authors' `pack_matrix` as `docs/model.md` §6 states it): general groups with `u8` row
    /// counts, and every merge rescans all pairs from scratch (O(G²·N) per merge).
    fn naive(
        mask: &[bool],
        n: usize,
        k: usize,
        alpha: usize,
        gamma: f64,
        slice: usize,
    ) -> Vec<Vec<usize>> {
        let limit = (gamma * n as f64) as i64; // Python's int(): truncation toward zero
        let mut out = Vec::new();
        let mut s = 0;
        while s < k {
            let e = (s + slice).min(k);
            let mut groups: Vec<(Vec<usize>, Vec<u8>)> = (s..e)
                .filter(|&c| (0..n).any(|r| mask[r * k + c]))
                .map(|c| (vec![c], (0..n).map(|r| mask[r * k + c] as u8).collect()))
                .collect();
            let feasible = |a: &(Vec<usize>, Vec<u8>), b: &(Vec<usize>, Vec<u8>)| {
                if a.0.len() + b.0.len() > alpha {
                    return false;
                }
                let conflicts: i64 =
                    a.1.iter()
                        .zip(&b.1)
                        .map(|(&x, &y)| (x as i64 + y as i64 - 1).max(0))
                        .sum();
                conflicts <= limit
            };
            let empty = |a: &(Vec<usize>, Vec<u8>), b: &(Vec<usize>, Vec<u8>)| {
                a.1.iter().zip(&b.1).filter(|&(&x, &y)| x + y == 0).count()
            };
            loop {
                let mut pick = None;
                'outer: for g1 in 0..groups.len() {
                    for h in 0..groups.len() {
                        if h != g1 && feasible(&groups[g1], &groups[h]) {
                            pick = Some(g1);
                            break 'outer;
                        }
                    }
                }
                let Some(g1) = pick else { break };
                let mut best: Option<(usize, usize)> = None;
                for h in 0..groups.len() {
                    if h != g1 && feasible(&groups[g1], &groups[h]) {
                        let em = empty(&groups[g1], &groups[h]);
                        if best.is_none_or(|(_, be)| em < be) {
                            best = Some((h, em));
                        }
                    }
                }
                let (h1, _) = best.unwrap();
                let (cols, cnt) = groups.remove(h1);
                let g1 = if h1 < g1 { g1 - 1 } else { g1 };
                groups[g1].0.extend(cols);
                for (x, y) in groups[g1].1.iter_mut().zip(cnt) {
                    *x += y;
                }
            }
            out.extend(groups.into_iter().map(|(mut cols, _)| {
                cols.sort_unstable();
                cols
            }));
            s = e;
        }
        out
    }

    fn conflicts_of(mask: &[bool], n: usize, k: usize, group: &[usize]) -> u64 {
        (0..n)
            .map(|r| {
                let cnt = group.iter().filter(|&&c| mask[r * k + c]).count() as u64;
                cnt.saturating_sub(1)
            })
            .sum()
    }

    /// Checks every documented property of a result.
    #[allow(clippy::too_many_arguments)]
    fn check_invariants(
        mask: &[bool],
        n: usize,
        k: usize,
        alpha: usize,
        gamma: f64,
        slice: usize,
        groups: &[Vec<usize>],
        check_maximal: bool,
    ) {
        let nonzero: Vec<bool> = (0..k).map(|c| (0..n).any(|r| mask[r * k + c])).collect();
        let mut seen = vec![0usize; k];
        for g in groups {
            assert!(!g.is_empty());
            assert!(g.len() <= alpha.max(1), "group {g:?} exceeds alpha {alpha}");
            assert!(g.windows(2).all(|w| w[0] < w[1]), "not ascending: {g:?}");
            assert!(
                g.iter().all(|&c| c / slice == g[0] / slice),
                "group {g:?} crosses a {slice}-column slice"
            );
            if g.len() > 1 {
                let budget = conflict_budget(gamma, n).expect("merged under a negative budget");
                assert!(
                    conflicts_of(mask, n, k, g) <= budget,
                    "group {g:?} over budget"
                );
            }
            for &c in g {
                seen[c] += 1;
            }
        }
        for c in 0..k {
            assert_eq!(
                seen[c], nonzero[c] as usize,
                "column {c} appears {} times",
                seen[c]
            );
        }
        // Slice by slice, list order (= order of each group's smallest column).
        assert!(groups.windows(2).all(|w| w[0][0] < w[1][0]));
        if check_maximal
            && alpha >= 2
            && let Some(budget) = conflict_budget(gamma, n)
        {
            for (i, a) in groups.iter().enumerate() {
                for b in &groups[i + 1..] {
                    if a[0] / slice != b[0] / slice || a.len() + b.len() > alpha {
                        continue;
                    }
                    let union: Vec<usize> = a.iter().chain(b).copied().collect();
                    assert!(
                        conflicts_of(mask, n, k, &union) > budget,
                        "groups {a:?} and {b:?} could still merge"
                    );
                }
            }
        }
    }

    // Hand-checked example. 4 filters × 6 columns; column c2 is all zero and is dropped.
    //
    //        c0 c1 c2 c3 c4 c5
    //   r0:   1  0  0  0  1  0      c0 = {r0}      c3 = {r2}
    //   r1:   0  1  0  0  1  0      c1 = {r1,r2}   c4 = {r0,r1}
    //   r2:   0  1  0  1  0  0      c5 = {r3}
    //   r3:   0  0  0  0  0  1
    //
    // α=2, γ=0 (Γ=0): seed c0: c4 overlaps r0 (infeasible); c1 covers 2 new rows, c3 and c5 one
    //   → {c0,c1}, full. Seed c3: c4 adds 2 rows, c5 one → {c3,c4}. Seed c5 alone.
    //   → [[0,1],[3,4],[5]]
    // α=3, γ=0: {c0,c1} covers r0..r2, so c3 (r2) and c4 (r0,r1) conflict; c5 is free
    //   → {c0,c1,c5}. Then {c3,c4}. → [[0,1,5],[3,4]]
    // α=4, γ=0: same as α=3 (nothing else is conflict-free). → [[0,1,5],[3,4]]
    // α=4, γ=0.5 (Γ=2): {c0,c1,c5} covers every row, conflicts 0. c3 adds 1 conflict, c4 adds 2,
    //   both add 0 rows: the tie goes to the lower index c3 → {c0,c1,c3,c5} (full); c4 alone.
    //   → [[0,1,3,5],[4]]
    // α=5, γ=0.5: after c3 the group has 1 conflict; c4 would bring 1+2 = 3 > 2.
    //   → [[0,1,3,5],[4]]
    // α=5, γ=0.75 (Γ=3): c4 now fits with exactly 3 conflicts. → [[0,1,3,4,5]]
    // α=3, γ=0, slice=3: slices {c0,c1,c2} and {c3,c4,c5}. First: {c0,c1}. Second: seed c3
    //   takes c4 (2 new rows) before c5 (1), then c5 is conflict-free. → [[0,1],[3,4,5]]
    // α=1: singletons of the nonzero columns. → [[0],[1],[3],[4],[5]]
    const HAND: [&str; 4] = ["100010", "010010", "010100", "000001"];

    #[test]
    fn hand_checked_example() {
        let (mask, n, k) = parse(&HAND);
        let run = |alpha, gamma, slice| combine_columns(&mask, n, k, alpha, gamma, slice);
        assert_eq!(run(2, 0.0, 256), vec![vec![0, 1], vec![3, 4], vec![5]]);
        assert_eq!(run(3, 0.0, 256), vec![vec![0, 1, 5], vec![3, 4]]);
        assert_eq!(run(4, 0.0, 256), vec![vec![0, 1, 5], vec![3, 4]]);
        assert_eq!(run(4, 0.5, 256), vec![vec![0, 1, 3, 5], vec![4]]);
        assert_eq!(run(5, 0.5, 256), vec![vec![0, 1, 3, 5], vec![4]]);
        assert_eq!(run(5, 0.75, 256), vec![vec![0, 1, 3, 4, 5]]);
        assert_eq!(run(3, 0.0, 3), vec![vec![0, 1], vec![3, 4, 5]]);
        let singletons = vec![vec![0], vec![1], vec![3], vec![4], vec![5]];
        assert_eq!(run(1, 0.0, 256), singletons);
        assert_eq!(run(1, 2.0, 256), singletons);
        assert_eq!(run(0, 2.0, 256), singletons);
        for (alpha, gamma, slice) in [(2, 0.0, 256), (4, 0.5, 256), (5, 0.75, 256), (3, 0.0, 3)] {
            assert_eq!(
                run(alpha, gamma, slice),
                naive(&mask, n, k, alpha, gamma, slice)
            );
        }
    }

    // The partner is the one covering the most new rows, not the first feasible one:
    //        c0 c1 c2
    //   r0:   1  0  0       seed c0: c1 adds 1 row, c2 adds 2 → {c0,c2}, then {c1}.
    //   r1:   0  1  1
    //   r2:   0  0  1
    #[test]
    fn densest_partner_wins_over_lower_index() {
        let (mask, n, k) = parse(&["100", "011", "001"]);
        assert_eq!(
            combine_columns(&mask, n, k, 2, 0.0, 256),
            vec![vec![0, 2], vec![1]]
        );
    }

    #[test]
    fn edge_cases() {
        // All-zero mask: no groups (the authors' code would fail on an empty tensor here).
        assert!(combine_columns(&[false; 12], 3, 4, 4, 1.0, 256).is_empty());
        // A single row: with γ = 0 only columns on different rows can merge, i.e. none.
        let mask = [true, false, true, true];
        assert_eq!(
            combine_columns(&mask, 1, 4, 4, 0.0, 256),
            vec![vec![0], vec![2], vec![3]]
        );
        // γ·N = 3 on one row: up to 4 columns may share it.
        assert_eq!(
            combine_columns(&mask, 1, 4, 4, 3.0, 256),
            vec![vec![0, 2, 3]]
        );
        // slice = 1: nothing can merge; slice = 0 means one slice.
        let (mask, n, k) = parse(&HAND);
        assert_eq!(combine_columns(&mask, n, k, 9, 9.0, 1).len(), 5);
        assert_eq!(
            combine_columns(&mask, n, k, 9, 9.0, 0),
            vec![vec![0, 1, 3, 4, 5]]
        );
        // A negative budget forbids every merge; int() truncation keeps −0.2·4 at Γ = 0.
        assert_eq!(combine_columns(&mask, n, k, 9, -0.5, 256).len(), 5);
        assert_eq!(
            combine_columns(&mask, n, k, 4, -0.2, 256),
            combine_columns(&mask, n, k, 4, 0.0, 256)
        );
    }

    #[test]
    fn visiting_in_order_permutes_the_greedy_and_names_original_columns() {
        let (mask, n, k) = parse(&HAND);
        // The identity visit is combine_columns itself.
        let identity: Vec<usize> = (0..k).collect();
        for (alpha, gamma, slice) in [(2, 0.0, 256), (4, 0.5, 256), (3, 0.0, 3)] {
            assert_eq!(
                combine_columns_in_order(&mask, n, k, &identity, alpha, gamma, slice),
                combine_columns(&mask, n, k, alpha, gamma, slice)
            );
        }
        // Visiting right to left (c2 is all zero and dropped), α = 2, γ = 0: seed c5 = {r3};
        // c4 = {r0,r1} and c1 = {r1,r2} both add 2 rows, c4 comes first in visit order
        // → {c4,c5}. Seed c3 = {r2}: c1 shares r2, c0 = {r0} is free → {c0,c3}. Then c1
        // alone. Groups are named by original columns, ascending, in the order of their first
        // visit.
        let reverse: Vec<usize> = (0..k).rev().collect();
        assert_eq!(
            combine_columns_in_order(&mask, n, k, &reverse, 2, 0.0, 256),
            vec![vec![4, 5], vec![0, 3], vec![1]]
        );
        // Slices are cut in visit order: with slice = 3 the reversed visit puts c5, c4, c3 in
        // the first slice and c2, c1, c0 in the second.
        assert_eq!(
            combine_columns_in_order(&mask, n, k, &reverse, 3, 0.0, 3),
            vec![vec![3, 4, 5], vec![0, 1]]
        );
    }

    #[test]
    fn torch_visit_order_is_pytorchs_flattening() {
        // [F, C = 2, kh = 2, kw = 3]: PyTorch's flat index t = (c·2 + r)·3 + q; sparsim's
        // column j = (r·3 + q)·2 + c.
        let order = torch_visit_order(2, 3, 2);
        for c in 0..2 {
            for r in 0..2 {
                for q in 0..3 {
                    assert_eq!(order[(c * 2 + r) * 3 + q], (r * 3 + q) * 2 + c);
                }
            }
        }
        assert_eq!(torch_visit_order(1, 1, 4), vec![0, 1, 2, 3]);
        assert_eq!(torch_visit_order(3, 3, 1), (0..9).collect::<Vec<_>>());
    }

    #[test]
    #[should_panic(expected = "not a permutation of 0..3")]
    fn a_visit_order_that_repeats_a_column_panics() {
        combine_columns_in_order(&[true; 6], 2, 3, &[0, 1, 1], 2, 0.0, 256);
    }

    #[test]
    fn conflict_budget_truncates_like_python_int() {
        assert_eq!(conflict_budget(0.0, 64), Some(0));
        assert_eq!(conflict_budget(0.5, 7), Some(3));
        assert_eq!(conflict_budget(1.75, 128), Some(224));
        assert_eq!(conflict_budget(-0.1, 5), Some(0));
        assert_eq!(conflict_budget(-0.2, 5), None);
        assert_eq!(conflict_budget(f64::NAN, 5), Some(0));
        assert_eq!(conflict_budget(f64::INFINITY, 5), Some(u64::MAX));
    }

    #[test]
    #[should_panic(expected = "mask has 5 entries")]
    fn wrong_mask_length_panics() {
        combine_columns(&[true; 5], 2, 3, 2, 0.0, 256);
    }

    #[test]
    fn unlimited_budget_fills_groups_to_alpha() {
        let mut rng = Rng::new(7);
        for _ in 0..50 {
            let (n, k) = (rng.range(1, 40), rng.range(1, 300));
            let alpha = rng.range(2, 9);
            let slice = rng.range(1, 80);
            let density = rng.unit();
            let mask = random_mask(&mut rng, n, k, density);
            let groups = combine_columns(&mask, n, k, alpha, f64::INFINITY, slice);
            let mut s = 0;
            while s < k {
                let e = (s + slice).min(k);
                let cols = (s..e).filter(|&c| (0..n).any(|r| mask[r * k + c])).count();
                let in_slice: Vec<_> = groups
                    .iter()
                    .filter(|g| g[0] / slice == s / slice)
                    .collect();
                assert_eq!(in_slice.len(), cols.div_ceil(alpha));
                assert!(in_slice.iter().rev().skip(1).all(|g| g.len() == alpha));
                s = e;
            }
        }
    }

    #[test]
    fn matches_naive_reference_on_random_masks() {
        let mut rng = Rng::new(0x5EED);
        // The naive reference is slow unoptimized; CI runs `cargo test --release`.
        let cases = if cfg!(debug_assertions) { 300 } else { 1500 };
        for case in 0..cases {
            let n = rng.range(1, 70);
            // Mostly small slices so the naive reference stays cheap; every 10th case uses the
            // paper's 256-column slices with K up to 600.
            let (k, slice) = if case % 10 == 0 {
                (rng.range(1, 600), PAPER_SLICE)
            } else {
                let k = rng.range(1, 600);
                (k, rng.range(1, 64))
            };
            let density = [0.0, 0.01, 0.05, 0.15, 0.3, 0.6, 0.95][rng.range(0, 6)];
            let alpha = rng.range(1, 9);
            let gamma = [0.0, 0.1, 0.25, 0.5, 1.0, 1.75, 2.0, rng.unit() * 2.0][rng.range(0, 7)];
            let mask = random_mask(&mut rng, n, k, density);
            let fast = combine_columns(&mask, n, k, alpha, gamma, slice);
            let slow = naive(&mask, n, k, alpha, gamma, slice);
            assert_eq!(
                fast, slow,
                "case {case}: n={n} k={k} alpha={alpha} gamma={gamma} slice={slice} density={density}"
            );
            check_invariants(&mask, n, k, alpha, gamma, slice, &fast, true);
        }
    }

    #[test]
    fn invariants_hold_on_larger_random_masks() {
        let mut rng = Rng::new(42);
        for _ in 0..40 {
            let n = rng.range(1, 300);
            let k = rng.range(1, 2000);
            let slice = [PAPER_SLICE, 64, 100, 1000][rng.range(0, 3)];
            let density = rng.unit() * 0.5;
            let alpha = rng.range(1, 16);
            let gamma = rng.unit() * 2.0;
            let mask = random_mask(&mut rng, n, k, density);
            let groups = combine_columns(&mask, n, k, alpha, gamma, slice);
            check_invariants(&mask, n, k, alpha, gamma, slice, &groups, false);
        }
    }

    /// A paper-sized layer (512 filters × 4608 = 512·3·3 columns, α = 8). Checks the result,
    /// asserts nothing about run time.
    #[test]
    fn paper_sized_layer_without_timing() {
        let (n, k) = (512, 4608);
        let mut rng = Rng::new(2019);
        let mask = random_mask(&mut rng, n, k, 0.3);
        for gamma in [0.0, 0.5, 1.75] {
            let groups = combine_columns(&mask, n, k, 8, gamma, PAPER_SLICE);
            check_invariants(&mask, n, k, 8, gamma, PAPER_SLICE, &groups, false);
        }
    }
}
