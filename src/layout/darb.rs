//! `darb` (density-adaptive regular blocks, Ren et al. AAAI'20) and `bwhm` (block-max weight
//! masking: one block size for every filter).
//!
//! Pruning: each filter n gets a block size b_n from the allowed set; in every block of b_n
//! consecutive window indices the most important weight is kept. Block sizes follow the
//! filter's density after irregular pruning at the target: b_n ≈ λ·K/nnz_n rounded (in log
//! scale) to the allowed set, denser filters getting smaller blocks, with the smallest λ that
//! meets the target sparsity (≥ target; one block-size step of granularity). If even the
//! largest blocks cannot meet it, every filter takes the largest and a note says so.
//!
//! Packing (sparsim's mapping; the paper builds a row-parallel decoder, not a systolic
//! array): packed row i of a filter with block size b holds its kept weight of block i
//! (window indices `[i·b, (i+1)·b)`), so the filter's column has ⌈K/b⌉ cells. With the
//! default `by_block_size` mapping filters are grouped by block size, smallest first, and
//! each group is mapped on its own, so a fold holds one b and an array row carries at most b
//! activations per vector; a group that does not fill its last column fold leaves columns
//! idle. With `mixed`, all filters form one packed matrix sorted by block size, so a fold
//! may mix sizes: an array row then carries the blocks of every size its filters use (bus
//! demand up to the sum of the sizes), each PE selects its block's weight by its own
//! block-size code and offset, and no group is left part-empty. Metadata either way:
//! `ceil(log2 b)` bits per kept weight and a block-size code of `ceil(log2 |allowed|)` bits
//! per filter.

use super::packed::{Cell, Packed, PackedBlock, index_bits};
use super::params::DarbMapping;
use super::prune::{Pruning, keep_count};
use super::{LayerContext, Layout, LayoutKind};

/// DARB, or BWHM when `block_sizes` has one entry.
pub struct Darb {
    /// Target sparsity (DARB only; BWHM's sparsity is 1 − 1/b).
    pub sparsity: f64,
    /// Allowed block sizes, ascending.
    pub block_sizes: Vec<u32>,
    /// `Darb` or `Bwhm` (for reports).
    pub kind: LayoutKind,
    /// One block size per fold, or folds that mix them.
    pub mapping: DarbMapping,
}

/// Blocks of size `b` in a row holding at least one nonzero.
fn nonzero_blocks(row: &[f32], b: usize) -> usize {
    row.chunks(b)
        .filter(|c| c.iter().any(|w| *w != 0.0))
        .count()
}

/// Index of the allowed size nearest `x` in log scale (ties to the smaller), given the
/// sizes' logarithms.
fn nearest(log_sizes: &[f64], x: f64) -> usize {
    let lx = x.max(1e-9).ln();
    let mut best = 0;
    for (i, &ls) in log_sizes.iter().enumerate() {
        if (ls - lx).abs() < (log_sizes[best] - lx).abs() - 1e-12 {
            best = i;
        }
    }
    best
}

impl Darb {
    /// Block-size index per filter.
    fn choose_blocks(&self, p: &Pruning) -> (Vec<usize>, Option<String>) {
        let w = p.w;
        let sizes = &self.block_sizes;
        if sizes.len() == 1 {
            return (vec![0; w.n], None);
        }
        let mask = p.irregular_mask(self.sparsity);
        let ratio: Vec<f64> = (0..w.n)
            .map(|n| {
                let nnz = mask[n * w.k..(n + 1) * w.k].iter().filter(|m| **m).count();
                w.k as f64 / (nnz as f64).max(0.5)
            })
            .collect();
        let kept: Vec<Vec<usize>> = (0..w.n)
            .map(|n| {
                sizes
                    .iter()
                    .map(|&b| nonzero_blocks(w.row(n), b as usize))
                    .collect()
            })
            .collect();
        let budget = keep_count(self.sparsity, w.n * w.k);
        let log_sizes: Vec<f64> = sizes.iter().map(|&s| f64::from(s).ln()).collect();
        let assign = |lambda: f64| -> Vec<usize> {
            ratio
                .iter()
                .map(|r| nearest(&log_sizes, lambda * r))
                .collect()
        };
        let total = |a: &[usize]| -> usize { a.iter().enumerate().map(|(n, &i)| kept[n][i]).sum() };
        let (mut lo, mut hi) = (1e-6f64.ln(), 1e9f64.ln());
        if total(&assign(hi.exp())) > budget {
            let largest = sizes.len() - 1;
            return (
                vec![largest; w.n],
                Some(format!(
                    "darb: even {}-blocks keep more than the target allows; every filter uses them",
                    sizes[largest]
                )),
            );
        }
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if total(&assign(mid.exp())) <= budget {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        (assign(hi.exp()), None)
    }
}

impl Layout for Darb {
    fn kind(&self) -> LayoutKind {
        self.kind
    }

    fn pack_pruned(&self, p: &Pruning, _ctx: &LayerContext) -> Packed {
        let (w, scores) = (p.w, p.scores);
        let (choice, note) = self.choose_blocks(p);
        let code_bits = index_bits(self.block_sizes.len() as u64);
        // Filters in packing order: by block size, smallest first, then by index.
        let mut order: Vec<u32> = (0..w.n as u32).collect();
        order.sort_by_key(|&n| (choice[n as usize], n));
        let column = |f: u32| -> Vec<Cell> {
            let f = f as usize;
            let b = self.block_sizes[choice[f]] as usize;
            let off_bits = index_bits(b as u64) as u16;
            (0..w.k)
                .step_by(b)
                .map(|start| {
                    let end = (start + b).min(w.k);
                    let best = (start..end)
                        .filter(|&k| w.get(f, k) != 0.0)
                        .max_by(|&a, &c| {
                            scores[f * w.k + a]
                                .partial_cmp(&scores[f * w.k + c])
                                .unwrap_or(std::cmp::Ordering::Equal)
                                .then(c.cmp(&a))
                        });
                    match best {
                        Some(k) => Cell {
                            k: k as u32,
                            w: w.get(f, k),
                            bits: off_bits,
                        },
                        None => Cell::NONE,
                    }
                })
                .collect()
        };
        let block_of = |filters: Vec<u32>, size: u32| {
            let columns: Vec<Vec<Cell>> = filters.iter().map(|&f| column(f)).collect();
            let n_cols = filters.len();
            let mut block = PackedBlock::from_columns(filters, columns, vec![code_bits; n_cols]);
            block.block_size = size;
            block
        };
        let blocks = match self.mapping {
            DarbMapping::ByBlockSize => self
                .block_sizes
                .iter()
                .enumerate()
                .filter_map(|(bi, &b)| {
                    let filters: Vec<u32> = order
                        .iter()
                        .copied()
                        .filter(|&n| choice[n as usize] == bi)
                        .collect();
                    (!filters.is_empty()).then(|| block_of(filters, b))
                })
                .collect(),
            DarbMapping::Mixed => vec![block_of(order, 0)],
        };
        let p = Packed::new(self.kind, w, blocks);
        match note {
            Some(n) => p.with_note(n),
            None => p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::WeightMatrix;

    #[test]
    fn bwhm_keeps_one_weight_per_block() {
        let w = WeightMatrix::new(1, 6, vec![0.1, -0.9, 0.5, 0.2, 0.0, 0.3]);
        let s: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let d = Darb {
            sparsity: 0.5,
            block_sizes: vec![2],
            kind: LayoutKind::Bwhm,
            mapping: DarbMapping::ByBlockSize,
        };
        let p = d.prune_and_pack(&w, &s, &LayerContext { kernel: None });
        let ks: Vec<u32> = (0..3).map(|r| p.blocks[0].cell(r, 0).k).collect();
        assert_eq!(ks, vec![1, 2, 5]);
        assert_eq!(p.metadata_bits(), 3);
    }

    #[test]
    fn denser_filters_get_smaller_blocks() {
        // Filter 0 has large weights everywhere, filter 1 small ones: after irregular pruning
        // filter 0 is denser, so it gets the smaller block.
        let k = 16;
        let mut data = vec![1.0f32; k];
        data.extend(std::iter::repeat_n(0.01f32, k));
        data[k] = 0.5; // one big weight in filter 1
        let w = WeightMatrix::new(2, k, data);
        let s: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let d = Darb {
            sparsity: 0.6,
            block_sizes: vec![1, 2, 4, 8, 16],
            kind: LayoutKind::Darb,
            mapping: DarbMapping::ByBlockSize,
        };
        let (choice, note) = d.choose_blocks(&Pruning::new(&w, &s));
        assert!(note.is_none());
        assert!(choice[0] < choice[1], "{choice:?}");
        let p = d.prune_and_pack(&w, &s, &LayerContext { kernel: None });
        assert!(p.sparsity() >= 0.6, "{}", p.sparsity());
    }
}
