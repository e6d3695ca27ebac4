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
//! Column order: the greedy is order-sensitive (seeds left to right, ties to the lower column,
//! 256-column slices). By default it visits sparsim's columns in their own, channel-fastest
//! order; with [`ColumnOrder::Torch`] it visits a convolution's columns in PyTorch's `(c, kh,
//! kw)` flattening, as the authors' code sees `weight.view(F, C·kh·kw)`, and so forms their
//! groups. Either way the groups name sparsim's columns, so the engine's ifmap addressing is
//! unchanged; only which columns share a group differs. On matrices without a kernel (FC,
//! LSTM, GEMM) and on 1×1 or one-channel-per-group kernels both orders coincide.
//!
//! Packing: packed row = column group; filters with no weight left are dropped (as the
//! authors' code drops all-zero rows). A PE selects among its group's ≤ α activations: fan-in
//! and bus demand ≤ α. Metadata: a `ceil(log2 α)`-bit select in every packed cell, empty or
//! not.

use super::colcomb_groups::{ColumnBits, group_columns, groups_in_columns, torch_visit_order};
use super::packed::{Cell, EMPTY, Packed, PackedBlock, index_bits};
use super::params::ColumnOrder;
use super::prune::{Pruning, Ranking, keep_count};
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
    /// The order the grouping visits a convolution's columns in.
    pub order: ColumnOrder,
}

/// Columns never group across a slice of this many (the authors' `section_size`).
pub const SLICE: usize = 256;

/// The groups of the mask keeping the best `keep` ranks, and the weights conflict pruning
/// leaves them (one per filter and group that has any).
struct Combined {
    groups: Vec<Vec<usize>>,
    keep: usize,
    count: usize,
}

/// The column bitsets of the mask keeping a ranking's best `keep` weights, with its columns
/// at their visit positions. Moving to another `keep` flips only the ranks in between.
struct RankMask {
    bits: ColumnBits,
    keep: usize,
    /// Visit position of each column, when the grouping visits them out of order.
    position: Option<Vec<usize>>,
}

impl RankMask {
    fn new(w: &WeightMatrix, visit: Option<&[usize]>) -> RankMask {
        let position = visit.map(|v| {
            let mut position = vec![0; v.len()];
            for (t, &c) in v.iter().enumerate() {
                position[c] = t;
            }
            position
        });
        RankMask {
            bits: ColumnBits::new(w.n, w.k),
            keep: 0,
            position,
        }
    }

    fn set_keep(&mut self, ranking: &Ranking, keep: usize, k: usize) {
        let ranks = self.keep.min(keep)..self.keep.max(keep);
        for i in ranking.indices(ranks) {
            let (row, col) = (i / k, i % k);
            let col = self.position.as_ref().map_or(col, |p| p[col]);
            self.bits.flip(row, col);
        }
        self.keep = keep;
    }
}

impl Colcomb {
    /// The order the grouping visits the columns of `w` in (`visit[t]` = the column at
    /// position `t`), or `None` for sparsim's own order: PyTorch's `(c, kh, kw)` flattening
    /// when [`ColumnOrder::Torch`] is asked for on a convolution where it differs (a kernel
    /// larger than 1×1 and more than one input channel per group).
    pub fn visit_order(&self, w: &WeightMatrix, ctx: &LayerContext) -> Option<Vec<usize>> {
        match (self.order, ctx.kernel) {
            (ColumnOrder::Torch, Some((kh, kw, c)))
                if kh * kw > 1 && c > 1 && kh * kw * c == w.k =>
            {
                Some(torch_visit_order(kh, kw, c))
            }
            _ => None,
        }
    }

    fn combine(
        &self,
        ranking: &Ranking,
        mask: &mut RankMask,
        k: usize,
        pre_sparsity: f64,
        visit: Option<&[usize]>,
    ) -> Combined {
        let keep = ranking.keep(pre_sparsity);
        mask.set_keep(ranking, keep, k);
        let g = group_columns(&mask.bits, self.alpha as usize, self.gamma, SLICE);
        let groups = match visit {
            Some(v) => groups_in_columns(g.groups, v),
            None => g.groups,
        };
        Combined {
            groups,
            keep,
            count: g.covered,
        }
    }

    /// The surviving weight of each (filter, group): `kept[n * groups + g]` = its column, or
    /// [`EMPTY`] when the filter keeps nothing in the group. The survivor is the filter's most
    /// important kept weight among the group's columns, ties to the lower column: the first
    /// of them in rank order.
    fn survivors(w: &WeightMatrix, ranking: &Ranking, c: &Combined) -> Vec<u32> {
        let mut group_of = vec![usize::MAX; w.k];
        for (g, cols) in c.groups.iter().enumerate() {
            for &col in cols {
                group_of[col] = g;
            }
        }
        let groups = c.groups.len();
        let mut kept = vec![EMPTY; w.n * groups];
        for i in ranking.indices(0..c.keep) {
            let (row, col) = (i / w.k, i % w.k);
            // Every column with a kept weight is in a group.
            let slot = &mut kept[row * groups + group_of[col]];
            if *slot == EMPTY {
                *slot = col as u32;
            }
        }
        kept
    }
}

impl Layout for Colcomb {
    fn kind(&self) -> LayoutKind {
        LayoutKind::Colcomb
    }

    fn pack_pruned(&self, p: &Pruning, ctx: &LayerContext) -> Packed {
        let w = p.w;
        let budget = keep_count(self.sparsity, w.n * w.k);
        let visit = self.visit_order(w, ctx);
        let visit = visit.as_deref();
        // The kept count falls as the pre-sparsity rises. Search the pre-sparsity by regula
        // falsi (Illinois variant) for a count at most the budget and within 0.2% of the
        // weights below it, in at most 10 steps; keep the best count found at or below it.
        let tol = ((w.n * w.k) as f64 * 0.002).max(1.0) as usize;
        let ranking = p.ranking();
        let mut mask = RankMask::new(w, visit);
        let lo_c = self.combine(ranking, &mut mask, w.k, 0.0, visit);
        if lo_c.count <= budget {
            return self.pack(w, ranking, lo_c);
        }
        let lo_count = lo_c.count;
        drop(lo_c);
        let hi_c = self.combine(ranking, &mut mask, w.k, self.sparsity, visit);
        let (mut lo, mut hi) = (
            (0.0f64, lo_count as f64),
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
            let c = self.combine(ranking, &mut mask, w.k, x, visit);
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
        self.pack(w, ranking, best)
    }
}

impl Colcomb {
    /// Packs a combined matrix: packed row = group, array column = filter.
    fn pack(&self, w: &WeightMatrix, ranking: &Ranking, best: Combined) -> Packed {
        let sel_bits = index_bits(u64::from(self.alpha)) as u16;
        let n_groups = best.groups.len();
        let kept = Colcomb::survivors(w, ranking, &best);
        let kept_of = |n: usize| &kept[n * n_groups..(n + 1) * n_groups];
        let filters: Vec<usize> = (0..w.n)
            .filter(|&n| kept_of(n).iter().any(|&k| k != EMPTY))
            .collect();
        let columns = filters.iter().map(|&n| {
            kept_of(n)
                .iter()
                .map(|&k| Cell {
                    k,
                    w: if k == EMPTY {
                        0.0
                    } else {
                        w.get(n, k as usize)
                    },
                    bits: sel_bits,
                })
                .collect()
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::packed::EMPTY;

    fn colcomb(alpha: u32, gamma: f64, order: ColumnOrder) -> Colcomb {
        Colcomb {
            sparsity: 0.0,
            alpha,
            gamma,
            order,
        }
    }

    /// A 1×2 kernel over C = 2 channels, 3 filters, every weight kept (sparsity 0, γ = 0).
    ///
    /// sparsim's columns are channel-fastest, `j = q·2 + c`: j0 = (q0, c0), j1 = (q0, c1),
    /// j2 = (q1, c0), j3 = (q1, c1). PyTorch's `(c, kh, kw)` flattening visits
    /// t0 = (c0, q0) = j0, t1 = (c0, q1) = j2, t2 = (c1, q0) = j1, t3 = (c1, q1) = j3.
    ///
    /// ```text
    ///        j0 j1 j2 j3
    ///   f0:   1  0  0  0      j0 = {f0}, j1 = {f1}, j2 = {f2}, j3 = {f1}
    ///   f1:   0  1  0  1
    ///   f2:   0  0  1  0
    /// ```
    ///
    /// α = 2, Γ = 0. sparsim order: seed j0, partners j1, j2, j3 each cover one new filter;
    /// the tie goes to the first, j1 → {j0, j1}. Seed j2 takes j3 (f2 vs f1, no conflict)
    /// → {j2, j3}: 2 groups.
    /// PyTorch order: seed j0 (t0), partners in visit order j2 (t1), j1 (t2), j3 (t3), all
    /// covering one new filter: the tie goes to j2 → {j0, j2}. Seed j1 (t2): j3 shares f1, a
    /// conflict Γ = 0 forbids → {j1}, then {j3}: 3 groups, in the order of their first visit.
    #[test]
    fn torch_order_by_hand() {
        let w = WeightMatrix::new(
            3,
            4,
            vec![
                0.5, 0.0, 0.0, 0.0, //
                0.0, 0.4, 0.0, 0.3, //
                0.0, 0.0, 0.2, 0.0,
            ],
        );
        let s: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let conv = LayerContext {
            kernel: Some((1, 2, 2)),
        };
        let sparsim = colcomb(2, 0.0, ColumnOrder::Sparsim).prune_and_pack(&w, &s, &conv);
        assert_eq!(sparsim.groups, vec![vec![0, 1], vec![2, 3]]);
        let torch = colcomb(2, 0.0, ColumnOrder::Torch).prune_and_pack(&w, &s, &conv);
        assert_eq!(torch.groups, vec![vec![0, 2], vec![1], vec![3]]);
        // The cells still name sparsim's columns (what the ifmap addresses follow), with their
        // own weights; nothing conflicts, so every weight is kept.
        assert_eq!(torch.nnz_after, 4);
        let b = &torch.blocks[0];
        assert_eq!((b.rows, b.cols()), (3, 3));
        let row = |r: usize| (0..3).map(|c| b.cell(r, c).k).collect::<Vec<u32>>();
        assert_eq!(row(0), vec![0, EMPTY, 2]);
        assert_eq!(row(1), vec![EMPTY, 1, EMPTY]);
        assert_eq!(row(2), vec![EMPTY, 3, EMPTY]);
        assert_eq!(b.cell(1, 1).w, 0.4);
        // Without a kernel (an FC matrix) there is one order: the option changes nothing.
        let fc = LayerContext { kernel: None };
        let torch_fc = colcomb(2, 0.0, ColumnOrder::Torch).prune_and_pack(&w, &s, &fc);
        assert_eq!(torch_fc.groups, sparsim.groups);
    }

    #[test]
    fn the_visit_order_only_applies_where_the_orders_differ() {
        let w = |k| WeightMatrix::new(1, k, vec![1.0; k]);
        let torch = colcomb(8, 0.5, ColumnOrder::Torch);
        let ctx = |kernel| LayerContext { kernel };
        assert_eq!(
            torch.visit_order(&w(12), &ctx(Some((2, 2, 3)))),
            Some(vec![0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11])
        );
        // 1×1 kernels, one channel per group (depthwise) and matrices without a kernel.
        assert_eq!(torch.visit_order(&w(5), &ctx(Some((1, 1, 5)))), None);
        assert_eq!(torch.visit_order(&w(9), &ctx(Some((3, 3, 1)))), None);
        assert_eq!(torch.visit_order(&w(9), &ctx(None)), None);
        let sparsim = colcomb(8, 0.5, ColumnOrder::Sparsim);
        assert_eq!(sparsim.visit_order(&w(12), &ctx(Some((2, 2, 3)))), None);
    }
}
