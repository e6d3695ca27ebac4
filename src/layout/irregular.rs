//! `irregular`: unstructured top-k pruning, each filter's kept weights compacted (CSC).
//!
//! Packing: array column = filter, packed row j = the filter's j-th kept weight in window
//! order. Filters are ordered by descending nonzero count (ties by index) so that a column
//! fold holds filters of similar depth; all-zero filters are dropped. A PE may need any
//! activation, so an array row must carry every distinct k its PEs use: fan-in and bus demand
//! are the distinct k's of the row. Metadata: `ceil(log2 K)` bits per nonzero (the row index)
//! and N + 1 column pointers of `ceil(log2(nnz + 1))` bits.

use super::packed::{Cell, Packed, PackedBlock, index_bits};
use super::prune::Pruning;
use super::{LayerContext, Layout, LayoutKind};

/// Unstructured pruning at a target sparsity.
pub struct Irregular {
    /// Target sparsity.
    pub sparsity: f64,
}

impl Layout for Irregular {
    fn kind(&self) -> LayoutKind {
        LayoutKind::Irregular
    }

    fn pack_pruned(&self, p: &Pruning, _ctx: &LayerContext) -> Packed {
        let w = p.w;
        let mask = p.irregular_mask(self.sparsity);
        let idx_bits = index_bits(w.k as u64) as u16;
        let mut columns: Vec<(u32, Vec<Cell>)> = (0..w.n)
            .map(|n| {
                let cells: Vec<Cell> = (0..w.k)
                    .filter(|&k| mask[n * w.k + k])
                    .map(|k| Cell {
                        k: k as u32,
                        w: w.get(n, k),
                        bits: idx_bits,
                    })
                    .collect();
                (n as u32, cells)
            })
            .filter(|(_, c)| !c.is_empty())
            .collect();
        columns.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let nnz: u64 = columns.iter().map(|(_, c)| c.len() as u64).sum();
        let ptr = index_bits(nnz + 1);
        let mut column_bits = vec![ptr; columns.len()];
        if let Some(first) = column_bits.first_mut() {
            // N + 1 pointers in all: the dropped filters' and the end pointer go with column 0.
            *first += ptr * (w.n - columns.len() + 1) as u32;
        }
        let (filters, cells): (Vec<u32>, Vec<Vec<Cell>>) = columns.into_iter().unzip();
        let blocks = if filters.is_empty() {
            Vec::new()
        } else {
            vec![PackedBlock::from_columns(filters, cells, column_bits)]
        };
        Packed::new(LayoutKind::Irregular, w, blocks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::packed::EMPTY;
    use crate::weights::WeightMatrix;

    /// Hand-checked: 3 filters × 4, 50% sparsity keeps the 6 largest of 12 (0.2 and 0.1 go);
    /// filter 1 empties and is dropped; filter 2 (4 kept) comes before filter 0 (2 kept).
    #[test]
    fn compacts_each_filter_and_orders_by_depth() {
        let w = WeightMatrix::new(
            3,
            4,
            vec![0.9, 0.0, 0.1, 0.5, 0.0, 0.2, 0.0, 0.0, 0.3, 0.8, 0.7, 0.6],
        );
        let s: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let p = Irregular { sparsity: 0.5 }.prune_and_pack(&w, &s, &LayerContext { kernel: None });
        let b = &p.blocks[0];
        assert_eq!(b.filters, vec![2, 0]);
        assert_eq!(b.rows, 4);
        let col = |c: usize| (0..4).map(|r| b.cell(r, c).k).collect::<Vec<u32>>();
        assert_eq!(col(0), vec![0, 1, 2, 3]);
        assert_eq!(col(1), vec![0, 3, EMPTY, EMPTY]);
        // 6 nonzeros × 2 index bits + 4 pointers × ceil(log2 7) = 3 bits.
        assert_eq!(p.metadata_bits(), 6 * 2 + 4 * 3);
        assert_eq!(p.nnz_after, 6);
    }
}
