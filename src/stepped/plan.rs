//! The stepped engine's view of a layer: its folds in execution order, what each PE holds,
//! what streams into each array row, and which DRAM words each fold touches.
//!
//! Fold order is the controller's: column folds outer, row folds inner, GEMM instances one
//! after another (and, for packed layouts, blocks one after another). Addresses are
//! enumerated element by element (not from the fast engine's footprint code).

use super::operands::{quantize, scale_for};
use crate::config::{Arch, Dataflow};
use crate::engine::marks::Marks;
use crate::layout::packed::{EMPTY, Packed};
use crate::workload::GemmWork;

/// What one fold computes.
#[derive(Debug, Clone)]
pub enum FoldWork {
    /// WS: PE (r, c) holds a weight that multiplies activation `A[t][asks[r·cols + c]]` of
    /// every input vector t (the row buses that deliver it are arbitrated when the fold
    /// starts); column c's outputs go to filter `filters[c]`.
    Ws {
        /// Weights, `rows_used × cols_used` row-major.
        w: Vec<i8>,
        /// Whether each weight is nonzero (effectual).
        nonzero: Vec<bool>,
        /// Whether each PE holds a cell with an activation (a weight, possibly zero).
        present: Vec<bool>,
        /// The window index each PE's weight multiplies (`EMPTY` for an absent cell).
        asks: Vec<u32>,
        /// Output column (filter) of each used array column.
        filters: Vec<u32>,
    },
    /// IS: PE (r, c) holds `A[m0 + c][k0 + r]`; row r streams `W[n][k0 + r]` for every n.
    Is {
        /// First window index of the fold.
        k0: u64,
        /// First output row of the fold.
        m0: u64,
    },
    /// OS: PE (r, c) accumulates `O[m0 + r][n0 + c]` over all k.
    Os {
        /// First output row.
        m0: u64,
        /// First output column.
        n0: u64,
    },
}

/// One fold with its memory footprint.
#[derive(Debug, Clone)]
pub struct Fold {
    /// GEMM instance (group or step).
    pub instance: u64,
    /// Weight instance (0 for LSTM steps, which share weights).
    pub weight_instance: u64,
    /// Array rows used.
    pub rows_used: usize,
    /// Array columns used.
    pub cols_used: usize,
    /// What the PEs hold and what streams.
    pub work: FoldWork,
    /// Distinct ifmap DRAM addresses the fold reads, ascending.
    pub ifmap_addrs: Vec<u64>,
    /// The GEMM region of the ifmap the fold reads (rows, then columns), which identifies its
    /// tile: the controller refetches when the region changes, even if the words coincide.
    pub ifmap_region: Vec<u64>,
    /// Identities of the weight words the fold loads, ascending: dense over the layer (every
    /// packed cell, or weight, of every weight instance has its own), so a bitmap holds them.
    pub weight_ids: Vec<u64>,
    /// Metadata bits loaded with the fold.
    pub meta_bits: u64,
    /// Metadata entries to decode.
    pub decode_entries: u64,
    /// Output group (folds adding into the same output tile share it).
    pub out_group: (u64, u64, u64),
    /// Output words of the fold's tile.
    pub out_words: u64,
}

/// Int8 weights of one weight instance, N×K row-major, and their nonzero mask.
#[derive(Debug, Clone)]
pub struct QuantWeights {
    /// Rows (filters).
    pub n: usize,
    /// Columns.
    pub k: usize,
    /// Values.
    pub q: Vec<i8>,
    /// Nonzero mask (from the float weights).
    pub nonzero: Vec<bool>,
}

/// The kept weights of each packing as a quantized N×K matrix (pruned positions zero).
pub fn kept_weights(packs: &[Packed], scale: f32) -> Vec<QuantWeights> {
    packs
        .iter()
        .map(|p| {
            let (n, k) = (p.n, p.k);
            let mut q = vec![0i8; n * k];
            let mut nonzero = vec![false; n * k];
            for b in &p.blocks {
                for col in 0..b.cols() {
                    let f = b.filters[col] as usize;
                    for row in 0..b.rows {
                        let cell = b.cell(row, col);
                        if cell.k != EMPTY {
                            q[f * k + cell.k as usize] = quantize(cell.w, scale);
                            nonzero[f * k + cell.k as usize] = cell.w != 0.0;
                        }
                    }
                }
            }
            QuantWeights { n, k, q, nonzero }
        })
        .collect()
}

/// The layer's weight scale: 127 / max|w| over every packed cell.
pub fn layer_scale(packs: &[Packed]) -> f32 {
    scale_for(
        packs
            .iter()
            .flat_map(|p| p.blocks.iter().flat_map(|b| b.cells.iter().map(|c| c.w))),
    )
}

/// Sorted distinct ifmap words of an im2col block, marked over the layer's ifmap words (no
/// sort); one set of marks serves every fold.
struct IfmapWords {
    marks: Marks,
}

impl IfmapWords {
    fn new(work: &GemmWork) -> IfmapWords {
        IfmapWords {
            marks: Marks::new(work.ifmap_address_space()),
        }
    }

    /// The words rows `ms` × columns `ks` of instance `inst`'s im2col read (padding reads none).
    fn of(&mut self, work: &GemmWork, inst: u64, ms: std::ops::Range<u64>, ks: &[u64]) -> Vec<u64> {
        for &k in ks {
            work.for_each_ifmap_in_column(inst, k, ms.clone(), |_, a| {
                if let Some(a) = a {
                    self.marks.mark(a);
                }
            });
        }
        let mut set = Vec::new();
        self.marks.drain(|a| set.push(a));
        set
    }
}

/// Folds of a weight-stationary layer from its packings.
pub fn ws_folds(arch: &Arch, work: &GemmWork, packs: &[Packed], scale: f32) -> Vec<Fold> {
    let (r_max, c_max) = (arch.array.rows as usize, arch.array.cols as usize);
    let mut folds = Vec::new();
    let mut ifmap_words = IfmapWords::new(work);
    // Each (packing, block)'s cells take the next range of weight identities.
    let mut bases: Vec<Vec<u64>> = Vec::with_capacity(packs.len());
    let mut next = 0u64;
    for p in packs {
        bases.push(
            p.blocks
                .iter()
                .map(|b| {
                    let base = next;
                    next += (b.rows * b.cols()) as u64;
                    base
                })
                .collect(),
        );
    }
    for inst in 0..work.instances {
        let (pi, wi) = if work.weights_shared {
            (0, 0)
        } else {
            (inst as usize, inst)
        };
        let pack = &packs[pi];
        for (bi, block) in pack.blocks.iter().enumerate() {
            let ncols = block.cols();
            let mut c0 = 0;
            while c0 < ncols {
                let cols: Vec<usize> = (c0..(c0 + c_max).min(ncols)).collect();
                let cc = (c0 / c_max) as u64;
                let active: Vec<usize> = (0..block.rows)
                    .filter(|&row| cols.iter().any(|&c| block.cell(row, c).k != EMPTY))
                    .collect();
                let column_bits: u64 = cols.iter().map(|&c| u64::from(block.column_bits[c])).sum();
                for (rc, rows) in active.chunks(r_max).enumerate() {
                    let (ru, cu) = (rows.len(), cols.len());
                    let mut w = vec![0i8; ru * cu];
                    let mut nonzero = vec![false; ru * cu];
                    let mut present = vec![false; ru * cu];
                    let mut asks = vec![EMPTY; ru * cu];
                    let mut weight_ids = Vec::with_capacity(ru * cu);
                    let (mut meta_bits, mut entries) =
                        (if rc == 0 { column_bits } else { 0 }, 0u64);
                    for (r, &row) in rows.iter().enumerate() {
                        for (ci, &c) in cols.iter().enumerate() {
                            let cell = block.cell(row, c);
                            meta_bits += u64::from(cell.bits);
                            entries += u64::from(cell.bits > 0);
                            weight_ids.push(bases[pi][bi] + (row * ncols + c) as u64);
                            if cell.k != EMPTY {
                                let i = r * cu + ci;
                                w[i] = quantize(cell.w, scale);
                                nonzero[i] = cell.w != 0.0;
                                present[i] = true;
                                asks[i] = cell.k;
                            }
                        }
                    }
                    let mut needed: Vec<u64> = asks
                        .iter()
                        .filter(|&&k| k != EMPTY)
                        .map(|&k| u64::from(k))
                        .collect();
                    needed.sort_unstable();
                    needed.dedup();
                    weight_ids.sort_unstable();
                    folds.push(Fold {
                        instance: inst,
                        weight_instance: wi,
                        rows_used: ru,
                        cols_used: cu,
                        ifmap_addrs: ifmap_words.of(work, inst, 0..work.shape.m, &needed),
                        ifmap_region: [0, work.shape.m]
                            .into_iter()
                            .chain(needed.iter().copied())
                            .collect(),
                        weight_ids,
                        meta_bits,
                        decode_entries: entries,
                        out_group: (inst, bi as u64, cc),
                        out_words: work.shape.m * cu as u64,
                        work: FoldWork::Ws {
                            w,
                            nonzero,
                            present,
                            asks,
                            filters: cols.iter().map(|&c| block.filters[c]).collect(),
                        },
                    });
                }
                c0 += c_max;
            }
        }
    }
    folds
}

/// Folds of a dense (or masked) layer under OS or IS.
pub fn os_is_folds(arch: &Arch, work: &GemmWork) -> Vec<Fold> {
    let (r_max, c_max) = (u64::from(arch.array.rows), u64::from(arch.array.cols));
    let g = work.shape;
    let (sr, sc) = match arch.dataflow {
        Dataflow::Os => (g.m, g.n),
        Dataflow::Is => (g.k, g.m),
        Dataflow::Ws => unreachable!("WS folds come from packings"),
    };
    let mut folds = Vec::new();
    let mut ifmap_words = IfmapWords::new(work);
    for inst in 0..work.instances {
        let wi = if work.weights_shared { 0 } else { inst };
        for cf in 0..sc.div_ceil(c_max) {
            for rf in 0..sr.div_ceil(r_max) {
                let (r0, c0) = (rf * r_max, cf * c_max);
                let (ru, cu) = (r_max.min(sr - r0), c_max.min(sc - c0));
                let weight_id = |n: u64, k: u64| (wi * g.n + n) * g.k + k;
                let (work_kind, ifmap_addrs, ifmap_region, weight_ids, group, out_words) =
                    match arch.dataflow {
                        Dataflow::Os => {
                            let ks: Vec<u64> = (0..g.k).collect();
                            let ids = (c0..c0 + cu)
                                .flat_map(|n| (0..g.k).map(move |k| weight_id(n, k)))
                                .collect();
                            let region = vec![r0, r0 + ru, 0, g.k];
                            (
                                FoldWork::Os { m0: r0, n0: c0 },
                                ifmap_words.of(work, inst, r0..r0 + ru, &ks),
                                region,
                                ids,
                                (inst, rf, cf),
                                ru * cu,
                            )
                        }
                        _ => {
                            let ks: Vec<u64> = (r0..r0 + ru).collect();
                            let ids = (0..g.n)
                                .flat_map(|n| (r0..r0 + ru).map(move |k| weight_id(n, k)))
                                .collect();
                            let region = vec![c0, c0 + cu, r0, r0 + ru];
                            (
                                FoldWork::Is { k0: r0, m0: c0 },
                                ifmap_words.of(work, inst, c0..c0 + cu, &ks),
                                region,
                                ids,
                                (inst, cf, 0),
                                g.n * cu,
                            )
                        }
                    };
                let mut weight_ids: Vec<u64> = weight_ids;
                weight_ids.sort_unstable();
                folds.push(Fold {
                    instance: inst,
                    weight_instance: wi,
                    rows_used: ru as usize,
                    cols_used: cu as usize,
                    work: work_kind,
                    ifmap_addrs,
                    ifmap_region,
                    weight_ids,
                    meta_bits: 0,
                    decode_entries: 0,
                    out_group: group,
                    out_words,
                });
            }
        }
    }
    folds
}
