//! `colcomb`: column combining (Kung, McDanel, Zhang, ASPLOS'19).
//!
//! Pruning: magnitude (importance) pruning to a pre-sparsity, then the authors' greedy column
//! grouping ([`super::colcomb_groups::combine_columns`]: groups of ≤ α columns within
//! 256-column slices, conflict budget ⌊γ·N⌋ per group), then conflict pruning: in every
//! (filter, group) only the most important weight survives. Conflict pruning removes more
//! weights, so the pre-sparsity is found by bisection (8 steps) as the smallest that makes the
//! final sparsity meet the target; the authors instead fix the pre-sparsity and accept what
//! the conflicts add.
//!
//! Packing: packed row = column group; filters with no weight left are dropped (as the
//! authors' code drops all-zero rows). A PE selects among its group's ≤ α activations: fan-in
//! and bus demand ≤ α. Metadata: a `ceil(log2 α)`-bit select in every packed cell, empty or
//! not.

use super::colcomb_groups::combine_columns;
use super::packed::{Cell, Packed, PackedBlock, index_bits};
use super::prune::{irregular_mask, keep_count};
use super::{LayerContext, Layout, LayoutKind};
use crate::weights::WeightMatrix;

/// Column combining.
pub struct Colcomb {
    /// Target sparsity (after conflict pruning).
    pub sparsity: f64,
    /// Most columns per group.
    pub alpha: u32,
    /// Conflict budget per group, in units of N.
    pub gamma: f64,
}

/// Columns never group across a slice of this many (the authors' `section_size`).
pub const SLICE: usize = 256;

/// Groups and the surviving weight per (filter, group): `kept[g][n]` = column or None.
struct Combined {
    groups: Vec<Vec<usize>>,
    kept: Vec<Vec<Option<usize>>>,
    count: usize,
}

impl Colcomb {
    fn combine(&self, w: &WeightMatrix, scores: &[f32], pre_sparsity: f64) -> Combined {
        let mask = irregular_mask(w, scores, pre_sparsity);
        let groups = combine_columns(&mask, w.n, w.k, self.alpha as usize, self.gamma, SLICE);
        let mut count = 0;
        let kept =
            groups
                .iter()
                .map(|g| {
                    (0..w.n)
                        .map(|n| {
                            let best = g.iter().copied().filter(|&k| mask[n * w.k + k]).max_by(
                                |&a, &b| {
                                    scores[n * w.k + a]
                                        .partial_cmp(&scores[n * w.k + b])
                                        .unwrap_or(std::cmp::Ordering::Equal)
                                        .then(b.cmp(&a))
                                },
                            );
                            count += usize::from(best.is_some());
                            best
                        })
                        .collect()
                })
                .collect();
        Combined {
            groups,
            kept,
            count,
        }
    }
}

impl Layout for Colcomb {
    fn kind(&self) -> LayoutKind {
        LayoutKind::Colcomb
    }

    fn prune_and_pack(&self, w: &WeightMatrix, scores: &[f32], _ctx: &LayerContext) -> Packed {
        let budget = keep_count(self.sparsity, w.n * w.k);
        // The kept count falls as the pre-sparsity rises. Search the pre-sparsity by regula
        // falsi (Illinois variant) for a count at most the budget and within 0.2% of the
        // weights below it, in at most 10 steps; keep the best count found at or below it.
        let tol = ((w.n * w.k) as f64 * 0.002).max(1.0) as usize;
        let lo_c = self.combine(w, scores, 0.0);
        if lo_c.count <= budget {
            return self.pack(w, lo_c);
        }
        let hi_c = self.combine(w, scores, self.sparsity);
        let (mut lo, mut hi) = (
            (0.0f64, lo_c.count as f64),
            (self.sparsity, hi_c.count as f64),
        );
        let mut best = hi_c;
        let mut side = 0i8;
        for _ in 0..10 {
            if best.count <= budget && budget - best.count <= tol {
                break;
            }
            let t = budget as f64;
            let mut x = lo.0 + (lo.1 - t) * (hi.0 - lo.0) / (lo.1 - hi.1).max(1e-9);
            if !(x > lo.0 && x < hi.0) {
                x = 0.5 * (lo.0 + hi.0);
            }
            let c = self.combine(w, scores, x);
            let v = c.count as f64;
            if c.count <= budget {
                hi = (x, v);
                if side == 1 {
                    lo.1 = t + (lo.1 - t) / 2.0;
                }
                side = 1;
                if c.count > best.count || best.count > budget {
                    best = c;
                }
            } else {
                lo = (x, v);
                if side == -1 {
                    hi.1 = t + (hi.1 - t) / 2.0;
                }
                side = -1;
            }
        }
        self.pack(w, best)
    }
}

impl Colcomb {
    /// Packs a combined matrix: packed row = group, array column = filter.
    fn pack(&self, w: &WeightMatrix, best: Combined) -> Packed {
        let sel_bits = index_bits(u64::from(self.alpha)) as u16;
        let filters: Vec<usize> = (0..w.n)
            .filter(|&n| best.kept.iter().any(|g| g[n].is_some()))
            .collect();
        let columns = filters
            .iter()
            .map(|&n| {
                best.kept
                    .iter()
                    .map(|g| match g[n] {
                        Some(k) => Cell {
                            k: k as u32,
                            w: w.get(n, k),
                            bits: sel_bits,
                        },
                        None => Cell {
                            bits: sel_bits,
                            ..Cell::NONE
                        },
                    })
                    .collect()
            })
            .collect();
        let n_cols = filters.len();
        let ids = filters.iter().map(|&n| n as u32).collect();
        let blocks = if n_cols == 0 {
            Vec::new()
        } else {
            vec![PackedBlock::from_columns(ids, columns, vec![0; n_cols])]
        };
        let mut p = Packed::new(LayoutKind::Colcomb, w, blocks);
        p.groups = best
            .groups
            .iter()
            .map(|g| g.iter().map(|&k| k as u32).collect())
            .collect();
        p
    }
}
