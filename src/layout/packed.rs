//! A packed weight matrix: how a layout places the kept weights of W (N×K) on the
//! weight-stationary array — array columns hold filters, array rows hold packed rows.

use super::LayoutKind;
use crate::weights::WeightMatrix;

/// Marks a cell that holds no weight (the PE idles: a zero-weight MAC with no activation).
pub const EMPTY: u32 = u32::MAX;

/// One PE slot of a packed block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    /// Window index k of the activation this weight multiplies, or [`EMPTY`].
    pub k: u32,
    /// The weight (0 for a kept zero, e.g. the `masked` layout's pruned weights).
    pub w: f32,
    /// Metadata bits this cell carries (index, select, offset…).
    pub bits: u16,
}

impl Cell {
    /// A slot with no weight and no metadata.
    pub const NONE: Cell = Cell {
        k: EMPTY,
        w: 0.0,
        bits: 0,
    };
}

/// A rectangle of packed cells mapped onto the array on its own (one DARB block-size class,
/// or the whole matrix for the other layouts).
#[derive(Debug, Clone, PartialEq)]
pub struct PackedBlock {
    /// Original filter (row of W) held by each array column, in array order.
    pub filters: Vec<u32>,
    /// Packed rows. A packed row whose cells are all empty within a column fold takes no
    /// array row in that fold.
    pub rows: usize,
    /// Column-major cells: `cells[col * rows + row]`.
    pub cells: Vec<Cell>,
    /// Metadata bits each column carries besides its cells (pointers, block-size codes, …).
    pub column_bits: Vec<u32>,
    /// DARB/BWHM: the block size of this class (0 for other layouts).
    pub block_size: u32,
}

impl PackedBlock {
    /// The cell at `(row, col)`.
    pub fn cell(&self, row: usize, col: usize) -> Cell {
        self.cells[col * self.rows + row]
    }

    /// Array columns (filters) in the block.
    pub fn cols(&self) -> usize {
        self.filters.len()
    }

    /// A block of `rows` packed rows whose column-major cells are given whole.
    ///
    /// # Panics
    ///
    /// If `cells` does not hold `rows` cells for each filter.
    pub fn from_cells(
        filters: Vec<u32>,
        rows: usize,
        cells: Vec<Cell>,
        column_bits: Vec<u32>,
    ) -> PackedBlock {
        assert_eq!(
            Some(cells.len()),
            rows.checked_mul(filters.len()),
            "a block's cells fill its rows × columns"
        );
        PackedBlock {
            filters,
            rows,
            cells,
            column_bits,
            block_size: 0,
        }
    }

    /// A block whose columns are given top-down; shorter columns are padded with empties.
    /// Columns are consumed one at a time, so a lazy iterator never holds more than one
    /// column besides the block itself.
    pub fn from_columns(
        filters: Vec<u32>,
        columns: impl IntoIterator<Item = Vec<Cell>>,
        column_bits: Vec<u32>,
    ) -> PackedBlock {
        let mut cells: Vec<Cell> = Vec::new();
        let mut lens: Vec<usize> = Vec::with_capacity(filters.len());
        for col in columns {
            if lens.is_empty() {
                // Most layouts' columns are about equally long: room for all of them at once.
                cells.reserve_exact(col.len().saturating_mul(filters.len()));
            }
            lens.push(col.len());
            cells.extend(col);
        }
        let rows = lens.iter().copied().max().unwrap_or(0);
        let padded = rows
            .checked_mul(lens.len())
            .expect("a packed block's cells fit in memory");
        // Spread the columns out in place, last first, so each moves to a slot at or
        // after where it is and nothing is overwritten before it has moved.
        cells.reserve_exact(padded - cells.len());
        cells.resize(padded, Cell::NONE);
        let mut end = lens.iter().sum::<usize>();
        for (col, &len) in lens.iter().enumerate().rev() {
            let start = end - len;
            if start != col * rows {
                cells.copy_within(start..end, col * rows);
            }
            cells[col * rows + len..(col + 1) * rows].fill(Cell::NONE);
            end = start;
        }
        PackedBlock::from_cells(filters, rows, cells, column_bits)
    }
}

/// The kept cells of `blocks` (a weight, nonzero) and their Σw², summed in cell order.
fn kept_totals(blocks: &[PackedBlock]) -> (u64, f64) {
    let (mut nnz, mut sq) = (0u64, 0f64);
    for b in blocks {
        for c in &b.cells {
            if c.k != EMPTY && c.w != 0.0 {
                nnz += 1;
                sq += f64::from(c.w) * f64::from(c.w);
            }
        }
    }
    (nnz, sq)
}

/// The result of pruning and packing one weight matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    /// The layout that produced it.
    pub layout: LayoutKind,
    /// W rows (filters).
    pub n: usize,
    /// W columns (window length).
    pub k: usize,
    /// Blocks mapped one after another.
    pub blocks: Vec<PackedBlock>,
    /// Nonzeros of the dense weights.
    pub nnz_before: u64,
    /// Nonzero weights kept.
    pub nnz_after: u64,
    /// Σ w² of the dense weights.
    pub weight_sq_before: f64,
    /// Σ w² of the kept weights.
    pub weight_sq_after: f64,
    /// Why the layout did something other than its rule (e.g. PCONV on a non-3×3 layer).
    pub note: Option<String>,
    /// Column combining: each packed row's group of original columns (W's K indices).
    pub groups: Vec<Vec<u32>>,
}

impl Packed {
    /// Wraps packed blocks of `w`, counting the kept weights and their energy from the cells.
    pub fn new(layout: LayoutKind, w: &WeightMatrix, blocks: Vec<PackedBlock>) -> Packed {
        let kept = kept_totals(&blocks);
        Packed::assemble(layout, w, blocks, kept)
    }

    /// [`Packed::new`] with the kept cells' count and Σw² already summed by the caller, over
    /// the blocks' cells in order (the sum [`Packed::new`] would make).
    pub(crate) fn with_kept(
        layout: LayoutKind,
        w: &WeightMatrix,
        blocks: Vec<PackedBlock>,
        kept: (u64, f64),
    ) -> Packed {
        debug_assert_eq!(kept, kept_totals(&blocks), "the caller's kept totals");
        Packed::assemble(layout, w, blocks, kept)
    }

    fn assemble(
        layout: LayoutKind,
        w: &WeightMatrix,
        blocks: Vec<PackedBlock>,
        (nnz_after, weight_sq_after): (u64, f64),
    ) -> Packed {
        Packed {
            layout,
            n: w.n,
            k: w.k,
            blocks,
            nnz_before: w.nnz() as u64,
            nnz_after,
            weight_sq_before: w.sum_of_squares(),
            weight_sq_after,
            note: None,
            groups: Vec::new(),
        }
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Packed {
        self.note = Some(note.into());
        self
    }

    /// Fraction of W's N·K weights that are zero after pruning.
    pub fn sparsity(&self) -> f64 {
        1.0 - self.nnz_after as f64 / (self.n * self.k) as f64
    }

    /// Σw²(kept) / Σw²(dense); 1 for an all-zero matrix.
    pub fn kept_weight_energy(&self) -> f64 {
        if self.weight_sq_before == 0.0 {
            1.0
        } else {
            self.weight_sq_after / self.weight_sq_before
        }
    }

    /// ‖W − W_kept‖_F / ‖W‖_F.
    pub fn distortion(&self) -> f64 {
        (1.0 - self.kept_weight_energy()).max(0.0).sqrt()
    }

    /// All metadata bits: cells plus column overhead.
    pub fn metadata_bits(&self) -> u64 {
        self.blocks
            .iter()
            .map(|b| {
                b.cells.iter().map(|c| u64::from(c.bits)).sum::<u64>()
                    + b.column_bits.iter().map(|&x| u64::from(x)).sum::<u64>()
            })
            .sum()
    }

    /// Filters (rows of W) that hold no array column: the layout pruned them to all zeros
    /// and dropped them.
    pub fn dropped_filters(&self) -> u64 {
        let mut placed = vec![false; self.n];
        for b in &self.blocks {
            for &f in &b.filters {
                placed[f as usize] = true;
            }
        }
        placed.iter().filter(|p| !**p).count() as u64
    }

    /// PE slots of the packed blocks (rows × columns, summed).
    pub fn packed_cells(&self) -> u64 {
        self.blocks.iter().map(|b| (b.rows * b.cols()) as u64).sum()
    }
}

/// `ceil(log2 x)` for x ≥ 1 (0 for x ≤ 1): bits to index x choices.
pub fn index_bits(x: u64) -> u32 {
    if x <= 1 {
        0
    } else {
        64 - (x - 1).leading_zeros()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_bits_is_ceil_log2() {
        let got: Vec<u32> = [1u64, 2, 3, 4, 5, 8, 9, 256, 257]
            .iter()
            .map(|&x| index_bits(x))
            .collect();
        assert_eq!(got, vec![0, 1, 2, 2, 3, 3, 4, 8, 9]);
    }
}
