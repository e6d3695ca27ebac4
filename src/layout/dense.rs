//! `dense` (the unpruned reference) and `masked` (irregular's mask left in place): both map W
//! as it is — packed row = window index k — on a plain array (fan-in 1, one activation per
//! row, no metadata). In `masked` the pruned weights are zeros that still occupy their PEs as
//! ineffectual MACs, the baseline column combining packs against.

use super::packed::{Cell, Packed, PackedBlock};
use super::prune::Pruning;
use super::{LayerContext, Layout, LayoutKind};
use crate::weights::WeightMatrix;

/// W unpruned.
pub struct Dense;

/// W with the irregular mask applied in place.
pub struct Masked {
    /// Target sparsity of the mask.
    pub sparsity: f64,
}

/// W on the array as it is, with the weights `keep` allows (others zero).
pub fn in_place(kind: LayoutKind, w: &WeightMatrix, keep: impl Fn(usize) -> bool) -> Packed {
    // Column n is filter n's row of W, so the cells are W's values in order; the kept count
    // and Σw² are summed as they are made, in that order.
    let mut cells = Vec::with_capacity(w.data.len());
    let (mut nnz, mut sq) = (0u64, 0f64);
    for (i, &x) in w.data.iter().enumerate() {
        let x = if keep(i) { x } else { 0.0 };
        if x != 0.0 {
            nnz += 1;
            sq += f64::from(x) * f64::from(x);
        }
        cells.push(Cell {
            k: (i % w.k.max(1)) as u32,
            w: x,
            bits: 0,
        });
    }
    let block = PackedBlock::from_cells((0..w.n as u32).collect(), w.k, cells, vec![0; w.n]);
    Packed::with_kept(kind, w, vec![block], (nnz, sq))
}

impl Layout for Dense {
    fn kind(&self) -> LayoutKind {
        LayoutKind::Dense
    }

    fn pack_pruned(&self, p: &Pruning, _ctx: &LayerContext) -> Packed {
        let w = p.w;
        in_place(LayoutKind::Dense, w, |_| true)
    }
}

impl Layout for Masked {
    fn kind(&self) -> LayoutKind {
        LayoutKind::Masked
    }

    fn pack_pruned(&self, p: &Pruning, _ctx: &LayerContext) -> Packed {
        let w = p.w;
        let mask = p.irregular_mask(self.sparsity);
        in_place(LayoutKind::Masked, w, |i| mask[i])
    }
}
