//! `dense` (the unpruned reference) and `masked` (irregular's mask left in place): both map W
//! as it is — packed row = window index k — on a plain array (fan-in 1, one activation per
//! row, no metadata). In `masked` the pruned weights are zeros that still occupy their PEs as
//! ineffectual MACs, the baseline column combining packs against.

use super::packed::{Cell, Packed, PackedBlock};
use super::prune::irregular_mask;
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
    let columns = (0..w.n).map(|n| {
        (0..w.k)
            .map(|k| {
                let i = n * w.k + k;
                Cell {
                    k: k as u32,
                    w: if keep(i) { w.data[i] } else { 0.0 },
                    bits: 0,
                }
            })
            .collect()
    });
    let block = PackedBlock::from_columns((0..w.n as u32).collect(), columns, vec![0; w.n]);
    Packed::new(kind, w, vec![block])
}

impl Layout for Dense {
    fn kind(&self) -> LayoutKind {
        LayoutKind::Dense
    }

    fn prune_and_pack(&self, w: &WeightMatrix, _scores: &[f32], _ctx: &LayerContext) -> Packed {
        in_place(LayoutKind::Dense, w, |_| true)
    }
}

impl Layout for Masked {
    fn kind(&self) -> LayoutKind {
        LayoutKind::Masked
    }

    fn prune_and_pack(&self, w: &WeightMatrix, scores: &[f32], _ctx: &LayerContext) -> Packed {
        let mask = irregular_mask(w, scores, self.sparsity);
        in_place(LayoutKind::Masked, w, |i| mask[i])
    }
}
