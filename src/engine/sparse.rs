//! The fast engine for packed weight layouts on the weight-stationary array
//! (`docs/model.md` §6).
//!
//! Per fold — a chunk of up to C array columns (filters) of a packed block and up to R of the
//! packed rows that hold a weight in those columns — it derives from the real packed cells:
//! - per array row r, the bus demand `D_r`: distinct activations (window indices) the row's
//!   PEs use. On a B-lane row bus the row needs `⌈D_r/B⌉` beats per vector and each of its
//!   PEs a mux over `min(D_r, B)` lanes (its fan-in);
//! - the fold's timing ([`super::ws_timing`]): beats per vector `s_b = max_r ⌈D_r/B⌉`, the
//!   ifmap SRAM port's staging time per vector `⌈Σ_r D_r / P⌉`, the weight load through the
//!   filter port, and the metadata decoder (`⌈entries/θ⌉` and `⌈metadata words / port⌉`
//!   cycles, from the fold's start or — double-buffered weight registers — from the previous
//!   fold's stream);
//! - effectual MACs (nonzero weights × M) and PE slots;
//! - SRAM traffic: every vector reads its `Σ_r D_r` activations, the fold's cells and
//!   metadata are read once, outputs are written per vector;
//! - memory tiles: the ifmap columns the fold needs, its cells plus metadata (in filter
//!   words) and its output columns, for the memory model.
//!
//! A fold whose largest fan-in exceeds the PE mux cannot map: the layer is infeasible.
//! Packed rows with no weight in a column fold take no array row in that fold; filters that
//! no fold computes still get their zero outputs written unless the arch skips them.

use super::chunks::LayerChunks;
use super::footprint::{TileKey, TileWords};
use super::marks::Marks;
use super::memory::{self, FoldDemand, InputDemand, OutputDemand};
use super::set_footprint::ColumnSetFootprint;
use super::ws_timing::{WsFoldShape, WsFoldTiming, decode_cycles, ws_fold_timing};
use crate::config::{Arch, Dataflow, DroppedFilters};
use crate::layout::packed::{EMPTY, Packed};
use crate::stats::{LayerStats, LayerTimeline, PeGrid};
use crate::workload::Layer;
use serde::Serialize;

/// PE limits a packed layer maps under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeLimits {
    /// Largest mux fan-in.
    pub mux_inputs: u32,
    /// Row bus width B.
    pub row_bus_width: u32,
    /// Ifmap SRAM read port, words per cycle, when it overrides the arch's (`--size-to-fit`
    /// gives a layout the port its buses need); `None` = `arch.ports.ifmap_read_bw`.
    pub ifmap_read_bw: Option<u32>,
}

impl PeLimits {
    /// The arch's ifmap read port unless these limits override it.
    pub fn ifmap_port(&self, arch: &Arch) -> u64 {
        u64::from(self.ifmap_read_bw.unwrap_or(arch.ports.ifmap_read_bw))
    }
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
    pub kept_weight_energy: f64,
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
    /// Metadata entries the decoder turned into selects (its work, for energy).
    pub decoder_entries: u64,
    /// Filters pruned to all zeros that no fold computes (dropped from the packing, or in a
    /// column chunk without a weight), per weight instance, summed.
    pub dropped_filters: u64,
    /// Metadata words read from SRAM.
    pub metadata_sram_reads: u64,
    /// Metadata words read from DRAM.
    pub metadata_dram_reads: u64,
    /// Σw² of the dense and of the kept weights (for network totals; not a CSV column).
    #[serde(skip)]
    pub weight_sq: (f64, f64),
    /// `infeasible: …` when the layout cannot map on the PEs, else `ok`.
    pub status: String,
    /// What the layout did besides its rule (e.g. PCONV leaving a layer dense).
    pub note: String,
}

impl SparseStats {
    /// The counters a layer's energy actions need ([`crate::energy::layer_actions`]).
    pub fn packed_counts(&self) -> crate::energy::PackedCounts {
        crate::energy::PackedCounts {
            effectual_macs: self.effectual_macs,
            ineffectual_macs: self.ineffectual_macs,
            decoder_entries: self.decoder_entries,
            metadata_sram_reads: self.metadata_sram_reads,
            metadata_dram_reads: self.metadata_dram_reads,
        }
    }
}

/// Adds one fold's PE states: a used PE does `t` MACs (effectual with a nonzero weight)
/// `period` cycles apart, so it waits `(t − 1)·(period − 1)` cycles between them for the bus or
/// the SRAM port; it is stalled for the fold's decode wait and fills/drains for the rest.
fn add_fold_states(
    grid: &mut PeGrid,
    block: &crate::layout::packed::PackedBlock,
    cols: &[usize],
    rows: &[usize],
    t: u64,
    timing: &WsFoldTiming,
) {
    let waits = (t - 1) * (timing.period - 1);
    for r in 0..grid.rows as usize {
        for c in 0..grid.cols as usize {
            let st = grid.at(r, c);
            if r >= rows.len() || c >= cols.len() {
                st.unmapped += timing.cycles;
                continue;
            }
            let cell = block.cell(rows[r], cols[c]);
            if cell.k != EMPTY && cell.w != 0.0 {
                st.effectual += t;
            } else {
                st.zero_weight += t;
            }
            st.bus_wait += waits;
            st.stalled += timing.decode_wait;
            st.fill_drain += timing.cycles - t - waits - timing.decode_wait;
        }
    }
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
    /// All-zero output words of dropped filters the output unit writes at the layer's end.
    zero_fill: u64,
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
    ifmap_port: u64,
    ports: crate::config::SramPorts,
    dropped_filters: crate::config::DroppedFilters,
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
            ifmap_port: limits.ifmap_port(arch),
            ports: arch.ports,
            dropped_filters: arch.dropped_filters,
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
    let (ifp, ffp) = memory::footprints(demands);
    let mem = memory::simulate(&arch.memory, demands, ifp, ffp, mapping.zero_fill);
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
        origin: mem.origin,
        first_fold_start: mem.first_fold_start,
        last_fold_start: mem.last_fold_start,
        dram_windows: mem.dram_windows,
        scalesim: None,
    };
    (s, sp)
}

/// The DRAM transfers sparsim's memory model makes for a mapped packed layer.
pub fn packed_transfers(arch: &Arch, mapping: &PackedMapping) -> Vec<memory::DramTransfer> {
    let (ifp, ffp) = memory::footprints(&mapping.demands);
    memory::simulate_logged(
        &arch.memory,
        &mapping.demands,
        ifp,
        ffp,
        mapping.zero_fill,
        true,
    )
    .1
}

/// Maps a packed layer onto the array (the memory-independent half of
/// [`simulate_packed_grid`]), adding the PE states of the folds to `grid` when given.
pub fn map_packed(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    limits: PeLimits,
    grid: Option<&mut PeGrid>,
) -> PackedMapping {
    let k = layer.gemm_work().map_or(0, |w| w.shape.k as usize);
    let chunks = LayerChunks::new(packs, arch.array.cols, k);
    map_chunks(arch, layer, packs, &chunks, limits, grid)
}

/// [`map_packed`] from the packing's column chunks, summarized for the arch's array width
/// (shared by every arch of that width).
///
/// # Panics
///
/// If the chunks were cut for another width, or the arch is not weight-stationary.
pub fn map_chunks(
    arch: &Arch,
    layer: &Layer,
    packs: &[Packed],
    chunks: &LayerChunks,
    limits: PeLimits,
    mut grid: Option<&mut PeGrid>,
) -> PackedMapping {
    assert_eq!(
        arch.dataflow,
        Dataflow::Ws,
        "packed layouts map only on weight-stationary arrays"
    );
    assert_eq!(
        chunks.cols, arch.array.cols,
        "column chunks cut for another array width"
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
    let mut ifmap_fp = ColumnSetFootprint::new(work.ifmap, work.instances, m, work.shape.k);
    let mut demands: Vec<FoldDemand> = Vec::new();
    let mut out_keys: Vec<TileKey> = Vec::new();
    let mut occupied = 0u64;
    let mut prev_stream = 0u64;
    let ifmap_port = limits.ifmap_port(arch);
    let filter_port = u64::from(arch.ports.filter_read_bw);
    let meta_port = u64::from(arch.ports.metadata_read_bw);
    let bus = u64::from(limits.row_bus_width);
    // The fold's needed columns, marked over K and read back in order.
    let mut marks = Marks::new(work.shape.k);
    // The previous fold's instance, needed columns and ifmap words; this fold's columns.
    let mut prev: Option<(u64, TileWords)> = None;
    let mut prev_needed: Vec<u32> = Vec::new();
    let mut needed: Vec<u32> = Vec::new();
    let mut fold_index = 0u64;
    let mut idle_filters = vec![0u64; work.instances as usize];

    for inst in 0..work.instances {
        let pack_index = if work.weights_shared {
            0
        } else {
            inst as usize
        };
        let pack = &packs[pack_index];
        for chunk in &chunks.packs[pack_index].chunks {
            let block = &pack.blocks[chunk.block];
            let cols_used = chunk.cols.len() as u64;
            if chunk.rows.is_empty() {
                // No weight in the whole chunk: no fold computes these filters.
                idle_filters[inst as usize] += cols_used;
            }
            for (rc, first) in (0..chunk.rows.len()).step_by(r as usize).enumerate() {
                let fold_rows = &chunk.rows[first..(first + r as usize).min(chunk.rows.len())];
                // 1. Per-row bus demand, the fold's needed columns, counts.
                let rows_used = fold_rows.len() as u64;
                let mut meta_bits = if rc == 0 { chunk.column_bits } else { 0 };
                let (mut entries, mut effectual_cells) = (0u64, 0u64);
                let (mut vector_words, mut beats, mut bus_beats, mut demand) =
                    (0u64, 1u64, 0u64, 0u32);
                for (i, row) in fold_rows.iter().enumerate() {
                    meta_bits += row.meta_bits;
                    entries += u64::from(row.entries);
                    effectual_cells += u64::from(row.effectual);
                    let d = u64::from(row.demand);
                    vector_words += d;
                    beats = beats.max(d.div_ceil(bus));
                    bus_beats += d.div_ceil(bus);
                    demand = demand.max(row.demand);
                    for &k in chunk.row_ks(first + i) {
                        marks.mark(u64::from(k));
                    }
                }
                needed.clear();
                if marks.is_compact() {
                    marks.drain(|k| needed.push(k as u32));
                } else {
                    // Few columns spread over many words: collect and sort them instead.
                    for i in 0..fold_rows.len() {
                        needed.extend_from_slice(chunk.row_ks(first + i));
                    }
                    marks.forget(needed.iter().map(|&k| u64::from(k)));
                    needed.sort_unstable();
                    needed.dedup();
                }
                // 2. Fold length: bus beats, ports, decode.
                let meta_words = meta_bits.div_ceil(8 * mw);
                let decode = theta.map_or(0, |t| {
                    decode_cycles(entries, u64::from(t), meta_words, meta_port)
                });
                // The decoder starts with the fold, or (double-buffered weight registers)
                // as soon as the previous fold streams: it had that fold's stream to work.
                let head = if arch.pe.weight_double_buffer && fold_index > 0 {
                    prev_stream
                } else {
                    0
                };
                let timing = ws_fold_timing(
                    &WsFoldShape {
                        r,
                        c,
                        rows_used,
                        cols_used,
                        vectors: m,
                        beats,
                        vector_words,
                    },
                    ifmap_port,
                    filter_port,
                    decode.saturating_sub(head),
                );
                let cycles = timing.cycles;
                prev_stream = timing.stream_cycles;
                if let Some(g) = grid.as_deref_mut() {
                    let cols: Vec<usize> = chunk.cols.clone().collect();
                    let rows: Vec<usize> = fold_rows.iter().map(|x| x.row as usize).collect();
                    add_fold_states(g, block, &cols, &rows, m, &timing);
                }
                // 3. Counters.
                // A PE selects among the lanes its row's activations arrive on.
                let fan = demand.min(limits.row_bus_width);
                sp.max_fan_in = sp.max_fan_in.max(fan);
                sp.max_bus_demand = sp.max_bus_demand.max(demand);
                sp.decode_cycles += timing.decode_wait;
                sp.decoder_entries += entries;
                sp.effectual_macs += effectual_cells * m;
                sp.ineffectual_macs += (rows_used * cols_used - effectual_cells) * m;
                sp.metadata_sram_reads += meta_words;
                s.ifmap_sram_reads += m * vector_words;
                // Each activation crosses the fold's used columns on its lane; a row's
                // bus is busy in the beats that carry its D_r activations.
                s.operand_hops += m * vector_words * cols_used;
                s.bus_beats += m * bus_beats;
                s.stationary_hops += crate::engine::stationary_load_hops(rows_used, cols_used);
                s.filter_sram_reads += rows_used * cols_used;
                s.ofmap_sram_writes += m * cols_used;
                s.compute_cycles += cycles;
                s.folds += 1;
                occupied += rows_used * cols_used;
                // 4. Memory tiles.
                let same_ifmap = prev.is_some_and(|(i, _)| i == inst) && prev_needed == needed;
                // The same columns again fetch nothing new.
                let iw = match prev {
                    Some((_, words)) if same_ifmap => TileWords {
                        tile: words.tile,
                        new: 0,
                    },
                    _ => ifmap_fp.touch(inst, &needed),
                };
                let tile_words = rows_used * cols_used + meta_bits.div_ceil(8 * fw);
                // LSTM steps reuse their packing's tiles: only the first touch is new.
                // (Instances with weights of their own have tiles of their own.)
                let first_touch = !work.weights_shared || inst == 0;
                let filter_new = if first_touch { tile_words } else { 0 };
                if first_touch {
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
                        tile: m * cols_used,
                        group_start: false,
                        group_end: false,
                    },
                });
                out_keys.push(TileKey {
                    instance: inst,
                    a: chunk.block as u64,
                    b: chunk.index as u64,
                });
                prev = Some((inst, iw));
                std::mem::swap(&mut prev_needed, &mut needed);
                fold_index += 1;
                if fan > limits.mux_inputs && sp.status == "ok" {
                    sp.status = format!(
                        "infeasible: needs mux fan-in {fan} but the arch has mux_inputs = {}",
                        limits.mux_inputs
                    );
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
        (a + p.weight_sq_before, b + p.weight_sq_after)
    });
    sp.weights = total;
    sp.kept_weights = kept;
    sp.sparsity = 1.0 - kept as f64 / total as f64;
    sp.kept_weight_energy = if e_before == 0.0 {
        1.0
    } else {
        e_after / e_before
    };
    sp.weight_sq = (e_before, e_after);
    sp.distortion = (1.0 - sp.kept_weight_energy).max(0.0).sqrt();
    sp.metadata_bits = if work.weights_shared {
        chunks.packs[0].metadata_bits
    } else {
        chunks.packs.iter().map(|p| p.metadata_bits).sum()
    };
    sp.note = packs
        .iter()
        .find_map(|p| p.note.clone())
        .unwrap_or_default();
    // Filters no fold computes — dropped from the packing, or in a column chunk without a
    // weight — still produce M zero outputs per GEMM unless the next layer skips them.
    let uncomputed: Vec<u64> = (0..work.instances)
        .map(|inst| {
            let pack = if work.weights_shared {
                &packs[0]
            } else {
                &packs[inst as usize]
            };
            pack.dropped_filters() + idle_filters[inst as usize]
        })
        .collect();
    let dropped_outputs: u64 = uncomputed.iter().sum::<u64>() * m;
    sp.dropped_filters = if work.weights_shared {
        uncomputed.first().copied().unwrap_or(0)
    } else {
        uncomputed.iter().sum()
    };
    let zero_fill = match arch.dropped_filters {
        DroppedFilters::WriteZeros => dropped_outputs,
        DroppedFilters::Skip => 0,
    };
    s.ofmap_sram_writes += zero_fill;
    PackedMapping {
        stats: s,
        sparse: sp,
        demands,
        occupied,
        zero_fill,
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
    /// each of the M = 3 vectors takes 2 beats: 2R + C + 2·M − 2 = 12, and a PE selects
    /// among 1 lane (fan-in 1, bus demand 2). With a 2-wide bus and an ifmap SRAM port of
    /// R·B = 4 words/cycle: 9, fan-in 2. With the default port of R = 2 words/cycle (what
    /// the dense array reads), a vector's 4 words take 2 cycles to stage: a vector every 2
    /// cycles, the first at cycle 2: 2 + 2·2 + 1 + 2 + 4 − 2 = 11.
    /// Decode: 8 cells carry a 1-bit select; at 1 entry/cycle that is 8 cycles, 6 more than
    /// the R = 2 load cycles it overlaps.
    #[test]
    fn column_combining_fold_by_hand() {
        let w = WeightMatrix::new(
            4,
            4,
            vec![
                0.9, 0.0, 0.0, 0.5, 0.0, 0.4, 0.0, 0.0, 0.6, 0.0, 0.7, 0.0, 0.0, 0.8, 0.0, 0.3,
            ],
        );
        let s: Vec<f32> = w.data.iter().map(|x| x.abs()).collect();
        let p = Colcomb {
            sparsity: 0.5,
            alpha: 2,
            gamma: 0.0,
            order: Default::default(),
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
            ifmap_read_bw: None,
        };
        let (s1, sp) = simulate_packed(&arch(""), &layer, std::slice::from_ref(&p), limits(1));
        assert_eq!(
            (
                s1.compute_cycles,
                sp.max_fan_in,
                sp.max_bus_demand,
                sp.decode_cycles
            ),
            (12, 1, 2, 0)
        );
        assert_eq!(sp.status, "ok");
        assert_eq!((sp.effectual_macs, sp.ineffectual_macs), (7 * 3, 3));
        // Each row reads 2 activations per vector: 3 vectors × (2 + 2).
        assert_eq!(s1.ifmap_sram_reads, 12);
        let wide = "[sram]\nifmap_read_bw = 4\n";
        let (s2, sp2) = simulate_packed(&arch(wide), &layer, std::slice::from_ref(&p), limits(2));
        assert_eq!((s2.compute_cycles, sp2.max_fan_in), (9, 2));
        let (s2p, _) = simulate_packed(&arch(""), &layer, std::slice::from_ref(&p), limits(2));
        assert_eq!(s2p.compute_cycles, 11);
        let (s3, sp3) = simulate_packed(
            &arch("[sram]\nifmap_read_bw = 4\n[decode]\ncolcomb = 1\n"),
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
                ifmap_read_bw: None,
            },
        );
        assert_eq!(
            sp4.status,
            "infeasible: needs mux fan-in 2 but the arch has mux_inputs = 1"
        );
        // A 1-lane bus needs no mux: the same PEs are feasible, two beats per vector.
        let (_, sp5) = simulate_packed(
            &arch(""),
            &layer,
            std::slice::from_ref(&p),
            PeLimits {
                mux_inputs: 1,
                row_bus_width: 1,
                ifmap_read_bw: None,
            },
        );
        assert_eq!((sp5.status.as_str(), sp5.max_fan_in), ("ok", 1));
    }
}
