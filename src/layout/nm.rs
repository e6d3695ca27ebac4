//! `nm`: N:M structured sparsity — in every M consecutive window indices of a filter keep the
//! N most important (apex ASP's rule; N = 1 is block-max weight masking).
//!
//! Packing: packed row = (block, slot), `K' = ⌊K/M⌋·N + min(N, K mod M)` rows (SCALE-Sim v3's
//! count, so its layer-wise N:M cycles agree). A PE selects among the M activations of its
//! block: fan-in and bus demand ≤ M. Metadata: `ceil(log2 M)` bits per kept weight.

use super::packed::{Cell, Packed, PackedBlock, index_bits};
use super::prune::{Pruning, top_k_in_place};
use super::{LayerContext, Layout, LayoutKind};

/// N:M sparsity.
pub struct Nm {
    /// Weights kept per block.
    pub n: u32,
    /// Block length.
    pub m: u32,
}

impl Layout for Nm {
    fn kind(&self) -> LayoutKind {
        LayoutKind::Nm
    }

    fn pack_pruned(&self, p: &Pruning, _ctx: &LayerContext) -> Packed {
        let (w, scores) = (p.w, p.scores);
        let (n_keep, m) = (self.n as usize, self.m as usize);
        let bits = index_bits(m as u64) as u16;
        let rows = compressed_k(w.k as u64, n_keep as u64, m as u64) as usize;
        let mut kept: Vec<usize> = Vec::with_capacity(m);
        let columns = (0..w.n).map(move |f| {
            let mut col = Vec::with_capacity(rows);
            for start in (0..w.k).step_by(m) {
                let end = (start + m).min(w.k);
                kept.clear();
                kept.extend(
                    (start..end)
                        .map(|k| f * w.k + k)
                        .filter(|&i| w.data[i] != 0.0),
                );
                top_k_in_place(&mut kept, scores, n_keep);
                let slots = n_keep.min(end - start);
                for s in 0..slots {
                    col.push(match kept.get(s) {
                        Some(&i) => Cell {
                            k: (i - f * w.k) as u32,
                            w: w.data[i],
                            bits,
                        },
                        None => Cell::NONE,
                    });
                }
            }
            col
        });
        let block = PackedBlock::from_columns((0..w.n as u32).collect(), columns, vec![0; w.n]);
        Packed::new(LayoutKind::Nm, w, vec![block])
    }
}

/// SCALE-Sim v3's compressed K for layer-wise N:M: `⌊K/M⌋·N + min(N, K mod M)`.
pub fn compressed_k(k: u64, n: u64, m: u64) -> u64 {
    (k / m) * n + n.min(k % m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::WeightMatrix;

    #[test]
    fn compressed_k_matches_scalesim() {
        assert_eq!(compressed_k(363, 1, 4), 91);
        assert_eq!(compressed_k(18, 2, 4), 10);
        assert_eq!(compressed_k(18, 3, 4), 14);
        assert_eq!(compressed_k(18, 4, 4), 18);
    }

    #[test]
    fn keeps_the_best_n_of_each_block() {
        // One filter, K = 6, 2:4 → blocks [0..4), [4..6): 2 + 2 slots.
        let w = WeightMatrix::new(1, 6, vec![0.1, -0.9, 0.5, 0.2, 0.0, 0.3]);
        let s: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let p = Nm { n: 2, m: 4 }.prune_and_pack(&w, &s, &LayerContext { kernel: None });
        let b = &p.blocks[0];
        assert_eq!(b.rows, 4);
        let ks: Vec<u32> = (0..4).map(|r| b.cell(r, 0).k).collect();
        // Block 1 keeps k = 1, 2; block 2 has one nonzero (k = 5) and an empty slot.
        assert_eq!(ks, vec![1, 2, 5, super::super::packed::EMPTY]);
        assert_eq!(p.nnz_after, 3);
        assert_eq!(p.metadata_bits(), 3 * 2);
    }
}
