//! The fast engine for packed weight layouts on the weight-stationary array (SPEC §4).
//!
//! Per fold — a chunk of up to C array columns (filters) of a packed block and up to R of the
//! packed rows that hold a weight in those columns — it derives from the real packed cells:
//! - per array row r, the bus demand `D_r`: distinct activations (window indices) the row's
//!   PEs use; each PE's mux chooses among them, so the row's fan-in is `D_r` too;
//! - the streaming slowdown `s = max_r ⌈D_r / B⌉` (B = row bus width): each of the T = M input
//!   vectors takes s cycles to enter, so the fold lasts `2R + C + s·T − 2` cycles;
//! - metadata decode: `⌈entries / θ⌉` cycles (θ = the layout's decode throughput), which runs
//!   during the R weight-load cycles; what exceeds them stalls the fold. With double-buffered
//!   weight registers the decoder works ahead: a fold's decode runs from the moment the
//!   previous fold's own decode is done, through that fold's remaining cycles and this fold's
//!   load, so only what exceeds the previous fold's base length `2R + C + s·T − 2` stalls;
//! - effectual MACs (nonzero weights × M) and PE slots;
//! - SRAM traffic: every row reads its `D_r` activations per vector, the fold's cells and
//!   metadata are read once, outputs are written per vector;
//! - memory tiles: the ifmap columns the fold needs, its cells plus metadata (in filter
//!   words) and its output columns, for the memory model.
//!
//! A fold whose largest fan-in exceeds the PE mux cannot map: the layer is infeasible.
//! Packed rows with no weight in a column fold take no array row in that fold.

use super::footprint::{FootprintTracker, TileKey};
use super::memory::{self, FoldDemand, InputDemand, OutputDemand};
use crate::config::{Arch, Dataflow};
use crate::layout::packed::{EMPTY, Packed};
use crate::stats::{LayerStats, LayerTimeline, PeGrid};
use crate::workload::Layer;
use serde::Serialize;
use std::collections::HashSet;

/// PE limits a packed layer maps under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeLimits {
    /// Largest mux fan-in.
    pub mux_inputs: u32,
    /// Row bus width B.
    pub row_bus_width: u32,
}

/// Sparse-layout results of one layer, besides the [`LayerStats`] columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct SparseStats {
    /// Layout.
    pub layout: String,
    /// Weights of the layer (N·K per distinct weight instance).
    pub weights: u64,
    /// Nonzero weights kept.
    pub kept_weights: u64,
    /// Fraction of W's weights that are zero after pruning.
    pub sparsity: f64,
    /// Σw²(kept) / Σw²(dense).
    pub retained_energy: f64,
    /// ‖W − W_kept‖_F / ‖W‖_F.
    pub distortion: f64,
    /// Metadata bits stored for the layer.
    pub metadata_bits: u64,
    /// Largest PE mux fan-in any fold needs.
    pub max_fan_in: u32,
    /// Largest row-bus demand (activations per input vector) of any array row.
    pub max_bus_demand: u32,
    /// MACs with a nonzero weight.
    pub effectual_macs: u64,
    /// MACs of mapped PEs holding no nonzero weight.
    pub ineffectual_macs: u64,
    /// Cycles folds waited for metadata decode.
    pub decode_cycles: u64,
    /// Metadata words read from SRAM.
    pub metadata_sram_reads: u64,
    /// Metadata words read from DRAM.
    pub metadata_dram_reads: u64,
    /// Σw² of the dense and of the kept weights (for network totals; not a CSV column).
    #[serde(skip)]
    pub energy: (f64, f64),
    /// `infeasible: …` when the layout cannot map on the PEs, else `ok`.
    pub status: String,
    /// What the layout did besides its rule (e.g. PCONV leaving a layer dense).
    pub note: String,
}

/// Adds one fold's PE states: used PEs do `t` MACs (effectual with a nonzero weight), wait
/// `t·(slow − 1)` cycles for the bus and `extra` for decode, and fill/drain the rest.
#[allow(clippy::too_many_arguments)]
fn add_fold_states(
    grid: &mut PeGrid,
    block: &crate::layout::packed::PackedBlock,
    cols: &[usize],
    rows: &[usize],
    t: u64,
    slow: u64,
    extra: u64,
    cycles: u64,
) {
    for r in 0..grid.rows as usize {
        for c in 0..grid.cols as usize {
            let st = grid.at(r, c);
            if r >= rows.len() || c >= cols.len() {
                st.unmapped += cycles;
                continue;
            }
            let cell = block.cell(rows[r], cols[c]);
            if cell.k != EMPTY && cell.w != 0.0 {
                st.effectual += t;
            } else {
                st.zero_weight += t;
            }
            st.bus_wait += t * (slow - 1);
            st.stalled += extra;
            st.fill_drain += cycles - t * slow - extra;
        }
    }
}

/// One fold's derived quantities.
struct FoldInfo {
    rows_used: u64,
    cols_used: u64,
    bus: Vec<u32>,
    needed: Vec<u32>,
    effectual_cells: u64,
    entries: u64,
    meta_bits: u64,
}

/// Simulates a layer whose weights are packed (one `Packed` per weight instance: per group,
/// or a single one shared by LSTM steps) on a WS array with the given PE limits.
pub fn simulate_packed(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    limits: PeLimits,
) -> (LayerStats, SparseStats) {
    simulate_packed_grid(arch, layer, packs, limits, None)
}

/// [`simulate_packed`], also adding every PE's state counts to `grid` when given.
pub fn simulate_packed_grid(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    limits: PeLimits,
    mut grid: Option<&mut PeGrid>,
) -> (LayerStats, SparseStats) {
    let mapping = map_packed(arch, layer, packs, limits, grid.as_deref_mut());
    finish_packed(arch, &mapping, grid)
}

/// A packed layer mapped onto the array: its folds, their memory demands and every counter
/// that does not depend on the memory system (SRAM sizes, DRAM bandwidths).
#[derive(Debug, Clone)]
pub struct PackedMapping {
    stats: LayerStats,
    sparse: SparseStats,
    demands: Vec<FoldDemand>,
    occupied: u64,
}

/// Everything of an architecture that [`map_packed`] reads: two architectures with equal keys
/// (and the same layer, packing and limits) give the same [`PackedMapping`], so a sweep maps
/// once and runs only the memory model per memory configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MappingKey {
    rows: u32,
    cols: u32,
    dataflow: Dataflow,
    weight_double_buffer: bool,
    decode: [u32; 6],
    filter_word_bytes: u32,
    metadata_word_bytes: u32,
    mux_inputs: u32,
    row_bus_width: u32,
}

impl MappingKey {
    /// The key of `arch` under `limits`.
    pub fn new(arch: &Arch, limits: PeLimits) -> MappingKey {
        let d = &arch.decode;
        MappingKey {
            rows: arch.array.rows,
            cols: arch.array.cols,
            dataflow: arch.dataflow,
            weight_double_buffer: arch.pe.weight_double_buffer,
            decode: [d.irregular, d.nm, d.bwhm, d.darb, d.pconv, d.colcomb],
            filter_word_bytes: arch.memory.filter.word_bytes,
            metadata_word_bytes: arch.memory.metadata_word_bytes,
            mux_inputs: limits.mux_inputs,
            row_bus_width: limits.row_bus_width,
        }
    }
}

/// Runs the memory model of `arch` over a mapping and completes the layer's results; adds
/// the stall cycles to `grid` when given.
pub fn finish_packed(
    arch: &Arch,
    mapping: &PackedMapping,
    grid: Option<&mut PeGrid>,
) -> (LayerStats, SparseStats) {
    let mut s = mapping.stats.clone();
    let sp = mapping.sparse.clone();
    let demands = &mapping.demands;
    let (ifp, ffp) = demands
        .iter()
        .fold((0, 0), |(a, b), d| (a + d.ifmap.new, b + d.filter.new));
    let mem = memory::simulate(&arch.memory, demands, ifp, ffp);
    if let Some(g) = grid {
        for p in &mut g.pes {
            p.stalled += mem.total_cycles - s.compute_cycles;
        }
    }
    let pes = arch.array.pes();
    s.total_cycles = mem.total_cycles;
    s.stall_cycles = mem.total_cycles - s.compute_cycles;
    s.prefetch_cycles = mem.prefetch_cycles;
    s.mapping_efficiency = if s.folds == 0 {
        0.0
    } else {
        mapping.occupied as f64 / (s.folds * pes) as f64
    };
    s.pe_utilization = if s.total_cycles == 0 {
        0.0
    } else {
        sp.effectual_macs as f64 / (pes * s.total_cycles) as f64
    };
    s.ifmap_dram_reads = mem.ifmap_dram_reads;
    s.filter_dram_reads = mem.filter_dram_reads;
    s.ofmap_dram_writes = mem.ofmap_dram_writes;
    s.ofmap_dram_reads = mem.ofmap_dram_reads;
    s.time_us = s.total_cycles as f64 / arch.clock_mhz;
    s.timeline = LayerTimeline {
        first_fold_start: mem.first_fold_start,
        last_fold_start: mem.last_fold_start,
        dram_windows: mem.dram_windows,
    };
    (s, sp)
}

/// Maps a packed layer onto the array (the memory-independent half of
/// [`simulate_packed_grid`]), adding the PE states of the folds to `grid` when given.
pub fn map_packed(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    limits: PeLimits,
    mut grid: Option<&mut PeGrid>,
) -> PackedMapping {
    assert_eq!(
        arch.dataflow,
        Dataflow::Ws,
        "packed layouts map only on weight-stationary arrays"
    );
    let work = layer.gemm_work().expect("packed layers are MAC layers");
    let (r, c) = (u64::from(arch.array.rows), u64::from(arch.array.cols));
    let m = work.shape.m;
    let layout = packs[0].layout;
    let theta = arch.decode.for_layout(layout);
    let fw = u64::from(arch.memory.filter.word_bytes);
    let mw = u64::from(arch.memory.metadata_word_bytes);

    let mut s = crate::engine::layer_row(arch, layer);
    let mut sp = SparseStats {
        layout: layout.as_str().to_string(),
        status: "ok".into(),
        ..SparseStats::default()
    };
    let mut ifmap_fp = FootprintTracker::ifmap_sets(work.ifmap, work.instances, m, work.shape.k);
    let mut demands: Vec<FoldDemand> = Vec::new();
    let mut out_keys: Vec<TileKey> = Vec::new();
    let mut occupied = 0u64;
    let mut prev_base = 0u64;
    let mut stamp = vec![u32::MAX; work.shape.k as usize];
    let mut stamp_id = 0u32;
    let mut row_stamp = vec![u32::MAX; work.shape.k as usize];
    let mut row_id = 0u32;
    let mut seen_filter_tiles: HashSet<TileKey> = HashSet::new();
    let mut prev_needed: Option<(u64, Vec<u32>)> = None;
    let mut fold_index = 0u64;

    for inst in 0..work.instances {
        let (pack_index, filter_inst) = if work.weights_shared {
            (0, 0)
        } else {
            (inst as usize, inst)
        };
        let pack = &packs[pack_index];
        let mut pack_fold = 0u64;
        for (bi, block) in pack.blocks.iter().enumerate() {
            for (cc, cols) in (0..block.cols())
                .collect::<Vec<_>>()
                .chunks(c as usize)
                .enumerate()
            {
                let active: Vec<usize> = (0..block.rows)
                    .filter(|&row| cols.iter().any(|&col| block.cell(row, col).k != EMPTY))
                    .collect();
                let column_bits: u64 = cols
                    .iter()
                    .map(|&col| u64::from(block.column_bits[col]))
                    .sum();
                for (rc, rows) in active.chunks(r as usize).enumerate() {
                    // 1. Per-row bus demand, the fold's needed columns, counts.
                    let mut f = FoldInfo {
                        rows_used: rows.len() as u64,
                        cols_used: cols.len() as u64,
                        bus: Vec::with_capacity(rows.len()),
                        needed: Vec::new(),
                        effectual_cells: 0,
                        entries: 0,
                        meta_bits: if rc == 0 { column_bits } else { 0 },
                    };
                    stamp_id = stamp_id.wrapping_add(1);
                    let fold_stamp = stamp_id;
                    for &row in rows {
                        let mut d = 0u32;
                        row_id = row_id.wrapping_add(1);
                        for &col in cols {
                            let cell = block.cell(row, col);
                            f.meta_bits += u64::from(cell.bits);
                            f.entries += u64::from(cell.bits > 0);
                            if cell.k == EMPTY {
                                continue;
                            }
                            f.effectual_cells += u64::from(cell.w != 0.0);
                            if row_stamp[cell.k as usize] != row_id {
                                row_stamp[cell.k as usize] = row_id;
                                d += 1;
                            }
                            if stamp[cell.k as usize] != fold_stamp {
                                stamp[cell.k as usize] = fold_stamp;
                                f.needed.push(cell.k);
                            }
                        }
                        f.bus.push(d);
                    }
                    f.needed.sort_unstable();
                    // 2. Fold length.
                    let b = u64::from(limits.row_bus_width);
                    let slow = f
                        .bus
                        .iter()
                        .map(|&d| u64::from(d).div_ceil(b))
                        .max()
                        .unwrap_or(1)
                        .max(1);
                    let decode = theta.map_or(0, |t| f.entries.div_ceil(u64::from(t)));
                    // Decode overlaps the R load cycles; with double-buffered weight registers
                    // it also works ahead through the previous fold's cycles after that fold's
                    // own decode finished (its base length).
                    let hide = if arch.pe.weight_double_buffer && fold_index > 0 {
                        prev_base
                    } else {
                        r
                    };
                    let extra = decode.saturating_sub(hide);
                    let base = 2 * r + c + slow * m - 2;
                    let cycles = base + extra;
                    prev_base = base;
                    if let Some(g) = grid.as_deref_mut() {
                        add_fold_states(g, block, cols, rows, m, slow, extra, cycles);
                    }
                    // 3. Counters.
                    let fan = f.bus.iter().copied().max().unwrap_or(0);
                    sp.max_fan_in = sp.max_fan_in.max(fan);
                    sp.max_bus_demand = sp.max_bus_demand.max(fan);
                    sp.decode_cycles += extra;
                    sp.effectual_macs += f.effectual_cells * m;
                    sp.ineffectual_macs += (f.rows_used * f.cols_used - f.effectual_cells) * m;
                    let meta_words = f.meta_bits.div_ceil(8 * mw);
                    sp.metadata_sram_reads += meta_words;
                    s.ifmap_sram_reads += m * f.bus.iter().map(|&d| u64::from(d)).sum::<u64>();
                    s.filter_sram_reads += f.rows_used * f.cols_used;
                    s.ofmap_sram_writes += m * f.cols_used;
                    s.compute_cycles += cycles;
                    s.folds += 1;
                    occupied += f.rows_used * f.cols_used;
                    // 4. Memory tiles.
                    let iw = ifmap_fp.touch_set(
                        TileKey {
                            instance: inst,
                            a: fold_index,
                            b: 0,
                        },
                        0..m,
                        &f.needed,
                    );
                    let same_ifmap = prev_needed
                        .as_ref()
                        .is_some_and(|(i, n)| *i == inst && *n == f.needed);
                    let tile_words = f.rows_used * f.cols_used + f.meta_bits.div_ceil(8 * fw);
                    // LSTM steps reuse their packing's tiles: only the first touch is new.
                    let first = seen_filter_tiles.insert(TileKey {
                        instance: filter_inst,
                        a: pack_fold,
                        b: 0,
                    });
                    let filter_new = if first { tile_words } else { 0 };
                    if first {
                        sp.metadata_dram_reads += meta_words;
                    }
                    demands.push(FoldDemand {
                        cycles,
                        ifmap: InputDemand {
                            tile: iw.tile,
                            new: iw.new,
                            same_as_previous: same_ifmap,
                        },
                        filter: InputDemand {
                            tile: tile_words,
                            new: filter_new,
                            same_as_previous: false,
                        },
                        ofmap: OutputDemand {
                            tile: m * f.cols_used,
                            group_start: false,
                            group_end: false,
                        },
                    });
                    out_keys.push(TileKey {
                        instance: inst,
                        a: bi as u64,
                        b: cc as u64,
                    });
                    prev_needed = Some((inst, f.needed));
                    fold_index += 1;
                    pack_fold += 1;
                    if fan > limits.mux_inputs && sp.status == "ok" {
                        sp.status = format!(
                            "infeasible: needs mux fan-in {fan} but the arch has mux_inputs = {}",
                            limits.mux_inputs
                        );
                    }
                }
            }
        }
    }
    for i in 0..demands.len() {
        demands[i].ofmap.group_start = i == 0 || out_keys[i - 1] != out_keys[i];
        demands[i].ofmap.group_end = i + 1 == demands.len() || out_keys[i + 1] != out_keys[i];
    }
    let kept: u64 = if work.weights_shared {
        packs[0].nnz_after
    } else {
        packs.iter().map(|p| p.nnz_after).sum()
    };
    let total: u64 = if work.weights_shared {
        (packs[0].n * packs[0].k) as u64
    } else {
        packs.iter().map(|p| (p.n * p.k) as u64).sum()
    };
    let (e_before, e_after) = packs.iter().fold((0.0, 0.0), |(a, b), p| {
        (a + p.energy_before, b + p.energy_after)
    });
    sp.weights = total;
    sp.kept_weights = kept;
    sp.sparsity = 1.0 - kept as f64 / total as f64;
    sp.retained_energy = if e_before == 0.0 {
        1.0
    } else {
        e_after / e_before
    };
    sp.energy = (e_before, e_after);
    sp.distortion = (1.0 - sp.retained_energy).max(0.0).sqrt();
    sp.metadata_bits = if work.weights_shared {
        packs[0].metadata_bits()
    } else {
        packs.iter().map(Packed::metadata_bits).sum()
    };
    sp.note = packs
        .iter()
        .find_map(|p| p.note.clone())
        .unwrap_or_default();
    PackedMapping {
        stats: s,
        sparse: sp,
        demands,
        occupied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::validate::parse_arch_toml;
    use crate::layout::colcomb::Colcomb;
    use crate::layout::packed::EMPTY;
    use crate::layout::{LayerContext, Layout};
    use crate::weights::WeightMatrix;
    use crate::workload::{Gemm, LayerOp};

    /// Hand-checked column combining on a 2×4 array:
    /// ```text
    ///        c0  c1  c2  c3        α = 2, γ = 0: c0+c1 share no row → group 0;
    ///   f0   .9   .   .  .5       c2 conflicts with c0 (f2), c3 with c0 (f0), so c2+c3
    ///   f1    .  .4   .   .       form group 1. 7 weights, no conflict to prune.
    ///   f2   .6   .  .7   .       Packed: row g0 = (c0 c1 c0 c1), row g1 = (c3 – c2 c3).
    ///   f3    .  .8   .  .3
    /// ```
    /// Each array row needs 2 activations per input vector (D = 2). With a 1-wide row bus
    /// each of the M = 3 vectors takes 2 cycles: 2R + C + 2·M − 2 = 12. With a 2-wide bus:
    /// 9. Decode: 8 cells carry a 1-bit select; at 1 entry/cycle that is 8 cycles, 6 more
    /// than the R = 2 load cycles it overlaps.
    #[test]
    fn column_combining_fold_by_hand() {
        let w = WeightMatrix {
            n: 4,
            k: 4,
            data: vec![
                0.9, 0.0, 0.0, 0.5, 0.0, 0.4, 0.0, 0.0, 0.6, 0.0, 0.7, 0.0, 0.0, 0.8, 0.0, 0.3,
            ],
        };
        let s: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let p = Colcomb {
            sparsity: 0.5,
            alpha: 2,
            gamma: 0.0,
        }
        .prune_and_pack(&w, &s, &LayerContext { kernel: None });
        assert_eq!(p.groups, vec![vec![0, 1], vec![2, 3]]);
        let b = &p.blocks[0];
        let row = |r: usize| (0..4).map(|c| b.cell(r, c).k).collect::<Vec<u32>>();
        assert_eq!(row(0), vec![0, 1, 0, 1]);
        assert_eq!(row(1), vec![3, EMPTY, 2, 3]);
        assert_eq!((p.nnz_after, p.metadata_bits()), (7, 8));

        let layer = Layer::new("g", LayerOp::Gemm(Gemm::new(3, 4, 4).unwrap()));
        let arch = |extra: &str| {
            let src =
                format!("[array]\nrows = 2\ncols = 4\n[dram]\nbandwidth_mode = \"calc\"\n{extra}");
            parse_arch_toml(&src, "<test>", "t").unwrap()
        };
        let limits = |bus| PeLimits {
            mux_inputs: 2,
            row_bus_width: bus,
        };
        let (s1, sp) = simulate_packed(&arch(""), &layer, std::slice::from_ref(&p), limits(1));
        assert_eq!(
            (
                s1.compute_cycles,
                sp.max_fan_in,
                sp.max_bus_demand,
                sp.decode_cycles
            ),
            (12, 2, 2, 0)
        );
        assert_eq!(sp.status, "ok");
        assert_eq!((sp.effectual_macs, sp.ineffectual_macs), (7 * 3, 3));
        // Each row reads 2 activations per vector: 3 vectors × (2 + 2).
        assert_eq!(s1.ifmap_sram_reads, 12);
        let (s2, _) = simulate_packed(&arch(""), &layer, std::slice::from_ref(&p), limits(2));
        assert_eq!(s2.compute_cycles, 9);
        let (s3, sp3) = simulate_packed(
            &arch("[decode]\ncolcomb = 1\n"),
            &layer,
            std::slice::from_ref(&p),
            limits(2),
        );
        assert_eq!((s3.compute_cycles, sp3.decode_cycles), (15, 6));
        let (_, sp4) = simulate_packed(
            &arch(""),
            &layer,
            std::slice::from_ref(&p),
            PeLimits {
                mux_inputs: 1,
                row_bus_width: 2,
            },
        );
        assert_eq!(
            sp4.status,
            "infeasible: needs mux fan-in 2 but the arch has mux_inputs = 1"
        );
    }
}
