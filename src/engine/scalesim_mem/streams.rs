//! SCALE-Sim's operand address streams for a dense GEMM: the words each operand matrix holds,
//! the order the read buffers prefetch them in, and the per-cycle *demand lines* of the array.
//!
//! Operand matrices (one GEMM instance; instances follow each other in address space):
//! - ifmap `I` (M×K): an im2col view, NHWC addresses, `None` where the window leaves the input
//!   (SCALE-Sim's edge rule or padding); a plain matrix is `m·K + k`;
//! - filter `F` (K×N): `n·K + k`;
//! - ofmap `O` (M×N): NHWC, `m·N_total + n`.
//!
//! Each dataflow maps `(Sr, Sc, T)` onto the R×C array; folds run column fold outer, row fold
//! inner. A fold's demand lines are SCALE-Sim's: the stationary tile is loaded row by row
//! (flipped), the streamed operand enters skewed by one cycle per array row or column, and the
//! outputs leave skewed. `docs/model.md` writes out the line formulas implemented here.

use super::super::mapping::Mapping;
use crate::config::Dataflow;
use crate::workload::{GemmWork, IfmapGeometry};

/// Addresses of the three operand matrices of a layer's GEMMs (words, no base offsets).
#[derive(Debug, Clone, Copy)]
pub struct Operands {
    work: GemmWork,
}

impl Operands {
    /// The operands of `work`.
    pub fn new(work: GemmWork) -> Operands {
        Operands { work }
    }

    /// `I[p][j]` of instance `inst`, or `None` for a word outside the input.
    pub fn ifmap(&self, inst: u64, p: u64, j: u64) -> Option<u64> {
        self.work.ifmap_address(inst, p, j)
    }

    /// `F[j][n]` of instance `inst`.
    pub fn filter(&self, inst: u64, j: u64, n: u64) -> u64 {
        let g = self.work.shape;
        let fi = if self.work.weights_shared { 0 } else { inst };
        (fi * g.n + n) * g.k + j
    }

    /// `O[p][n]` of instance `inst`.
    pub fn ofmap(&self, inst: u64, p: u64, n: u64) -> u64 {
        let g = self.work.shape;
        match self.work.ifmap {
            IfmapGeometry::Matrix => (inst * g.m + p) * g.n + n,
            IfmapGeometry::Conv(_) => p * g.n * self.work.instances + inst * g.n + n,
        }
    }
}

/// Which operand a stream belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// Input activations.
    Ifmap,
    /// Weights.
    Filter,
    /// Outputs.
    Ofmap,
}

/// Order of a prefetch matrix's elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unroll {
    /// Row-major.
    Rows,
    /// Anti-diagonals, each from its bottom row up.
    AntiDiagonals,
}

/// A prefetch matrix: `rows × cols`, element by a closure.
struct PrefetchMatrix<'a> {
    rows: u64,
    cols: u64,
    unroll: Unroll,
    elem: Box<dyn Fn(u64, u64) -> Option<u64> + 'a>,
}

impl PrefetchMatrix<'_> {
    fn push_into(&self, out: &mut Vec<Option<u64>>) {
        match self.unroll {
            Unroll::Rows => {
                for r in 0..self.rows {
                    for c in 0..self.cols {
                        out.push((self.elem)(r, c));
                    }
                }
            }
            Unroll::AntiDiagonals => {
                for d in 0..self.rows + self.cols - 1 {
                    let max_row = d.min(self.rows - 1);
                    let min_row = d.saturating_sub(self.cols - 1);
                    for row in (min_row..=max_row).rev() {
                        out.push((self.elem)(row, d - row));
                    }
                }
            }
        }
    }
}

/// The fold stream of one layer: mapping, operands, and the demand-line formulas.
pub struct FoldStream<'a> {
    /// The dataflow mapping.
    pub map: &'a Mapping,
    /// Operand addresses.
    pub ops: Operands,
    /// GEMM instances.
    pub instances: u64,
}

impl FoldStream<'_> {
    /// The prefetch stream of `op` (ifmap or filter): every instance's prefetch matrix in
    /// SCALE-Sim's order, `None` for padding slots.
    pub fn prefetch(&self, op: Operand) -> Vec<Option<u64>> {
        let m = self.map;
        let (r, c) = (u64::from(m.array.rows), u64::from(m.array.cols));
        let g = m.gemm;
        let mut out = Vec::new();
        for inst in 0..self.instances {
            let ops = self.ops;
            // Row `fr·X + x` of a per-fold stack, column `y` within the fold.
            let mat = match (m.dataflow, op) {
                // WS ifmap: per row fold, M × R (K columns of the fold), unrolled.
                (Dataflow::Ws, Operand::Ifmap) => PrefetchMatrix {
                    rows: m.row_folds * g.m,
                    cols: r,
                    unroll: Unroll::AntiDiagonals,
                    elem: Box::new(move |row, col| {
                        let (fr, t) = (row / g.m, row % g.m);
                        let k = fr * r + col;
                        if k < g.k { ops.ifmap(inst, t, k) } else { None }
                    }),
                },
                // WS filter: per col fold, K × C, row-major.
                (Dataflow::Ws, _) => PrefetchMatrix {
                    rows: m.col_folds * g.k,
                    cols: c,
                    unroll: Unroll::Rows,
                    elem: Box::new(move |row, col| {
                        let (fc, k) = (row / g.k, row % g.k);
                        let n = fc * c + col;
                        (n < g.n).then(|| ops.filter(inst, k, n))
                    }),
                },
                // OS ifmap: per row fold, K × R (M rows of the fold), unrolled.
                (Dataflow::Os, Operand::Ifmap) => PrefetchMatrix {
                    rows: m.row_folds * g.k,
                    cols: r,
                    unroll: Unroll::AntiDiagonals,
                    elem: Box::new(move |row, col| {
                        let (fr, k) = (row / g.k, row % g.k);
                        let p = fr * r + col;
                        if p < g.m { ops.ifmap(inst, p, k) } else { None }
                    }),
                },
                // OS filter: per col fold, K × C, unrolled.
                (Dataflow::Os, _) => PrefetchMatrix {
                    rows: m.col_folds * g.k,
                    cols: c,
                    unroll: Unroll::AntiDiagonals,
                    elem: Box::new(move |row, col| {
                        let (fc, k) = (row / g.k, row % g.k);
                        let n = fc * c + col;
                        (n < g.n).then(|| ops.filter(inst, k, n))
                    }),
                },
                // IS ifmap: per col fold, K × C (M columns of the fold), row-major.
                (Dataflow::Is, Operand::Ifmap) => PrefetchMatrix {
                    rows: m.col_folds * g.k,
                    cols: c,
                    unroll: Unroll::Rows,
                    elem: Box::new(move |row, col| {
                        let (fc, k) = (row / g.k, row % g.k);
                        let p = fc * c + col;
                        if p < g.m { ops.ifmap(inst, p, k) } else { None }
                    }),
                },
                // IS filter: per row fold, N × R (K rows of the fold), unrolled.
                (Dataflow::Is, _) => PrefetchMatrix {
                    rows: m.row_folds * g.n,
                    cols: r,
                    unroll: Unroll::AntiDiagonals,
                    elem: Box::new(move |row, col| {
                        let (fr, n) = (row / g.n, row % g.n);
                        let k = fr * r + col;
                        (k < g.k).then(|| ops.filter(inst, k, n))
                    }),
                },
            };
            mat.push_into(&mut out);
        }
        out
    }

    /// Width of `op`'s demand lines: the array rows or columns it enters through.
    pub fn width(&self, op: Operand) -> u64 {
        let (r, c) = (
            u64::from(self.map.array.rows),
            u64::from(self.map.array.cols),
        );
        match (self.map.dataflow, op) {
            (Dataflow::Ws, Operand::Ifmap) | (Dataflow::Os, Operand::Ifmap) => r,
            (Dataflow::Is, Operand::Filter) => r,
            _ => c,
        }
    }

    /// Lanes `[lo, hi)` of `op` that can be active on line `l` of a fold: the skewed band of
    /// a streamed block, or every lane while a stationary tile loads. A superset of the lanes
    /// [`Self::demand`] returns an address for.
    pub fn lanes(&self, op: Operand, l: u64) -> (u64, u64) {
        let m = self.map;
        let r = u64::from(m.array.rows);
        let t = m.t;
        let width = self.width(op);
        // A block of `len` rows after `off` idle rows, lane x delayed x cycles.
        let band = |off: u64, len: u64| {
            let lo = (l + 1).saturating_sub(off + len);
            let hi = if l >= off {
                (l - off + 1).min(width)
            } else {
                0
            };
            (lo.min(hi), hi)
        };
        let stationary = || if l < r { (0, width) } else { (0, 0) };
        match (m.dataflow, op) {
            (Dataflow::Ws, Operand::Ifmap) | (Dataflow::Is, Operand::Filter) => band(r, t),
            (Dataflow::Ws, Operand::Filter) | (Dataflow::Is, Operand::Ifmap) => stationary(),
            (Dataflow::Ws | Dataflow::Is, Operand::Ofmap) => band(2 * r - 1, t),
            (Dataflow::Os, Operand::Ifmap) | (Dataflow::Os, Operand::Filter) => band(0, t),
            (Dataflow::Os, Operand::Ofmap) => band(t - 1, r),
        }
    }

    /// The address `op` demands on line `l` (0-based within the fold) at lane `x` of fold
    /// `(fr, fc)` of instance `inst`, or `None` when the lane is idle.
    pub fn demand(&self, op: Operand, inst: u64, fr: u64, fc: u64, l: u64, x: u64) -> Option<u64> {
        let m = self.map;
        let (r, c) = (u64::from(m.array.rows), u64::from(m.array.cols));
        let (g, t) = (m.gemm, m.t);
        let ops = &self.ops;
        // Skewed lane: the row of the unskewed block this lane sees on line l.
        let skewed = |lane: u64| l.checked_sub(lane);
        match (m.dataflow, op) {
            (Dataflow::Ws, Operand::Ifmap) => {
                // R idle rows, T rows of I[t][fr·R + x], C − 1 idle rows; skewed.
                let row = skewed(x)?.checked_sub(r)?;
                let k = fr * r + x;
                (row < t && k < g.k).then(|| ops.ifmap(inst, row, k))?
            }
            (Dataflow::Ws, Operand::Filter) => {
                // The tile, flipped: line l loads tile row R − 1 − l.
                let row = (r - 1).checked_sub(l)?;
                let (k, n) = (fr * r + row, fc * c + x);
                (l < r && k < g.k && n < g.n).then(|| ops.filter(inst, k, n))
            }
            (Dataflow::Ws, Operand::Ofmap) | (Dataflow::Is, Operand::Ofmap) => {
                // 2R − 1 idle rows, T rows of outputs; skewed.
                let row = skewed(x)?.checked_sub(2 * r - 1)?;
                let col = fc * c + x;
                match m.dataflow {
                    Dataflow::Ws => (row < t && col < g.n).then(|| ops.ofmap(inst, row, col)),
                    _ => (row < t && col < g.m).then(|| ops.ofmap(inst, col, row)),
                }
            }
            (Dataflow::Os, Operand::Ifmap) => {
                // T rows of I[fr·R + x][t], C − 1 idle rows; skewed.
                let k = skewed(x)?;
                let p = fr * r + x;
                (k < t && p < g.m).then(|| ops.ifmap(inst, p, k))?
            }
            (Dataflow::Os, Operand::Filter) => {
                let k = skewed(x)?;
                let n = fc * c + x;
                (k < t && n < g.n).then(|| ops.filter(inst, k, n))
            }
            (Dataflow::Os, Operand::Ofmap) => {
                // T − 1 idle rows, then the R×C output tile flipped; skewed.
                let row = skewed(x)?.checked_sub(t - 1)?;
                let tile_row = (r - 1).checked_sub(row)?;
                let (p, n) = (fr * r + tile_row, fc * c + x);
                (p < g.m && n < g.n).then(|| ops.ofmap(inst, p, n))
            }
            (Dataflow::Is, Operand::Ifmap) => {
                // The stationary tile, flipped: line l loads tile row R − 1 − l.
                let row = (r - 1).checked_sub(l)?;
                let (k, p) = (fr * r + row, fc * c + x);
                (l < r && k < g.k && p < g.m).then(|| ops.ifmap(inst, p, k))?
            }
            (Dataflow::Is, Operand::Filter) => {
                // R idle rows, T rows of F[fr·R + x][n], C − 1 idle rows; skewed.
                let n = skewed(x)?.checked_sub(r)?;
                let k = fr * r + x;
                (n < t && k < g.k).then(|| ops.filter(inst, k, n))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ArrayShape;
    use crate::workload::{GemmShape, IfmapGeometry};

    /// The lane bands cover every lane `demand` gives an address for, on every line of every
    /// fold, for each dataflow and operand of a GEMM with partial folds.
    #[test]
    fn lane_bands_cover_every_demand() {
        for df in [Dataflow::Ws, Dataflow::Os, Dataflow::Is] {
            let shape = GemmShape { m: 7, n: 5, k: 6 };
            let map = Mapping::new(df, ArrayShape { rows: 3, cols: 2 }, shape);
            let work = GemmWork {
                shape,
                instances: 1,
                weights_shared: false,
                ifmap: IfmapGeometry::Matrix,
            };
            let fs = FoldStream {
                map: &map,
                ops: Operands::new(work),
                instances: 1,
            };
            for f in map.fold_sequence() {
                for op in [Operand::Ifmap, Operand::Filter, Operand::Ofmap] {
                    let mut seen = 0;
                    for l in 0..map.fold_cycles {
                        let (lo, hi) = fs.lanes(op, l);
                        for x in 0..fs.width(op) {
                            if fs.demand(op, 0, f.row_fold, f.col_fold, l, x).is_some() {
                                assert!(lo <= x && x < hi, "{df} {op:?} line {l} lane {x}");
                                seen += 1;
                            }
                        }
                    }
                    assert!(seen > 0, "{df} {op:?}");
                }
            }
        }
    }
}
