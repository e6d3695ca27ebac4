//! The fast (closed-form) dense engine: per layer, the folds of each GEMM under the dataflow,
//! their stall-free cycles and SRAM accesses, then the memory model for stalls and DRAM
//! traffic.
//!
//! Data flow: [`crate::workload::Layer`] → [`GemmWork`] → [`mapping::Mapping`] (folds) →
//! per-fold SRAM counts and operand tiles ([`footprint`]) → [`memory::simulate`] →
//! [`LayerStats`].

pub mod chunks;
pub mod dram_trace;
pub mod footprint;
pub mod mapping;
pub mod marks;
pub mod memory;
pub mod pe_states;
pub mod scalesim_mem;
pub mod scalesim_view;
pub mod set_footprint;
pub mod sparse;
pub mod ws_timing;

use crate::config::{Arch, Dataflow, MemoryModel, SramPorts};
use crate::stats::{LayerStats, LayerTimeline, NetworkTotals};
use crate::workload::{GemmWork, Layer, Network};
use footprint::{FootprintTracker, TileKey};
use mapping::{Fold, Mapping};
use memory::{FoldDemand, InputDemand, OutputDemand};

/// SRAM accesses of one fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SramAccesses {
    /// Ifmap words read.
    pub ifmap_reads: u64,
    /// Filter words read.
    pub filter_reads: u64,
    /// Ofmap words written.
    pub ofmap_writes: u64,
}

/// SRAM accesses of a fold (`docs/model.md` §2 table, per fold): the stationary tile is read once, the
/// streamed operand `T × rows_used`, and every fold writes its `T × cols_used` outputs.
pub fn fold_sram_accesses(m: &Mapping, f: &Fold) -> SramAccesses {
    let g = m.gemm;
    match m.dataflow {
        Dataflow::Ws => SramAccesses {
            ifmap_reads: g.m * f.rows_used,
            filter_reads: f.rows_used * f.cols_used,
            ofmap_writes: g.m * f.cols_used,
        },
        Dataflow::Os => SramAccesses {
            ifmap_reads: f.rows_used * g.k,
            filter_reads: f.cols_used * g.k,
            ofmap_writes: f.rows_used * f.cols_used,
        },
        Dataflow::Is => SramAccesses {
            ifmap_reads: f.rows_used * f.cols_used,
            filter_reads: g.n * f.rows_used,
            ofmap_writes: g.n * f.cols_used,
        },
    }
}

/// Identities and extents of a fold's operand tiles.
struct FoldTiles {
    ifmap: (TileKey, std::ops::Range<u64>, std::ops::Range<u64>),
    filter: (TileKey, std::ops::Range<u64>, std::ops::Range<u64>),
    /// Output group key and its words.
    ofmap: (TileKey, u64),
}

fn fold_tiles(m: &Mapping, f: &Fold, inst: u64, filter_inst: u64) -> FoldTiles {
    let g = m.gemm;
    let (r, c) = (u64::from(m.array.rows), u64::from(m.array.cols));
    let rows = f.row_fold * r..f.row_fold * r + f.rows_used;
    let cols = f.col_fold * c..f.col_fold * c + f.cols_used;
    let key = |instance, a, b| TileKey { instance, a, b };
    let all = TileKey::ALL;
    match m.dataflow {
        // Sr = K (rows), Sc = N (cols).
        Dataflow::Ws => FoldTiles {
            ifmap: (key(inst, f.row_fold, all), 0..g.m, rows.clone()),
            filter: (key(filter_inst, f.col_fold, f.row_fold), cols, rows),
            ofmap: (key(inst, f.col_fold, all), g.m * f.cols_used),
        },
        // Sr = M (rows), Sc = N (cols).
        Dataflow::Os => FoldTiles {
            ifmap: (key(inst, f.row_fold, all), rows, 0..g.k),
            filter: (key(filter_inst, f.col_fold, all), cols, 0..g.k),
            ofmap: (key(inst, f.row_fold, f.col_fold), f.rows_used * f.cols_used),
        },
        // Sr = K (rows), Sc = M (cols).
        Dataflow::Is => FoldTiles {
            ifmap: (key(inst, f.col_fold, f.row_fold), cols, rows.clone()),
            filter: (key(filter_inst, all, f.row_fold), 0..g.n, rows),
            ofmap: (key(inst, f.col_fold, all), g.n * f.cols_used),
        },
    }
}

/// A layer's result row before simulation: its identity, the array, and (for a layer on the
/// array) its GEMM shape and MACs; every counter zero. Shared by the fast and stepped engines.
pub fn layer_row(arch: &Arch, layer: &Layer) -> LayerStats {
    let mut s = LayerStats {
        layer: layer.name.clone(),
        kind: layer.kind_name().to_string(),
        dataflow: arch.dataflow.as_str().to_string(),
        array_rows: arch.array.rows,
        array_cols: arch.array.cols,
        ..LayerStats::default()
    };
    if let Some(work) = layer.gemm_work() {
        s.m = work.shape.m;
        s.n = work.shape.n;
        s.k = work.shape.k;
        s.instances = work.instances;
        s.macs = work.shape.macs() * work.instances;
    }
    s
}

/// Simulates one layer on `arch`.
pub fn simulate_layer(arch: &Arch, layer: &Layer) -> LayerStats {
    let mut s = layer_row(arch, layer);
    let Some(work) = layer.gemm_work() else {
        return s;
    };
    let mapping = Mapping::new(arch.dataflow, arch.array, work.shape);
    add_sram_accesses(&mapping, work.instances, &mut s);
    if arch.memory.policy.model == MemoryModel::Scalesim {
        let mem = scalesim_mem::simulate(arch, &work, None);
        apply_scalesim_memory(arch, &mapping, &work, &mem, &mut s);
        return s;
    }
    let demands = fold_demands(&mapping, &work, arch.ports);
    let (ifmap_fp, filter_fp) = memory::footprints(&demands);
    let mem = memory::simulate(&arch.memory, &demands, ifmap_fp, filter_fp, 0);

    let pes = arch.array.pes();
    s.folds = mapping.folds() * work.instances;
    s.compute_cycles = demands.iter().map(|d| d.cycles).sum();
    s.total_cycles = mem.total_cycles;
    s.stall_cycles = mem.total_cycles - s.compute_cycles;
    s.prefetch_cycles = mem.prefetch_cycles;
    s.mapping_efficiency = mapping.occupied_slots() as f64 / (mapping.folds() as f64 * pes as f64);
    s.pe_utilization = s.macs as f64 / (pes as f64 * s.total_cycles as f64);
    s.timeline = LayerTimeline {
        origin: mem.origin,
        first_fold_start: mem.first_fold_start,
        last_fold_start: mem.last_fold_start,
        dram_windows: mem.dram_windows,
        scalesim: None,
    };
    s.ifmap_dram_reads = mem.ifmap_dram_reads;
    s.filter_dram_reads = mem.filter_dram_reads;
    s.ofmap_dram_writes = mem.ofmap_dram_writes;
    s.ofmap_dram_reads = mem.ofmap_dram_reads;
    s.time_us = s.total_cycles as f64 / arch.clock_mhz;
    s
}

/// The DRAM transfers sparsim's memory model makes for a dense layer (none for a layer not
/// on the array).
pub fn dense_transfers(arch: &Arch, layer: &Layer) -> Vec<memory::DramTransfer> {
    let Some(work) = layer.gemm_work() else {
        return Vec::new();
    };
    let mapping = Mapping::new(arch.dataflow, arch.array, work.shape);
    let demands = fold_demands(&mapping, &work, arch.ports);
    let (ifp, ffp) = memory::footprints(&demands);
    memory::simulate_logged(&arch.memory, &demands, ifp, ffp, 0, true).1
}

/// Fills `s` from a `scalesim` memory-model run: cycle 0 is the first demand line, the first
/// fill before it is `prefetch_cycles` (outside the total), and `total_cycles` is SCALE-Sim's
/// Total Cycles + 1 (the final ofmap drain after the last line is outside it too).
fn apply_scalesim_memory(
    arch: &Arch,
    mapping: &Mapping,
    work: &GemmWork,
    mem: &scalesim_mem::ScaleSimMemory,
    s: &mut LayerStats,
) {
    let pes = arch.array.pes();
    s.folds = mapping.folds() * work.instances;
    s.compute_cycles = mem.lines;
    s.stall_cycles = mem.stall_cycles;
    s.total_cycles = mem.lines + mem.stall_cycles;
    let first_read = mem.dram_windows[0].0.min(mem.dram_windows[1].0);
    s.prefetch_cycles = first_read.min(0).unsigned_abs();
    s.mapping_efficiency = mapping.occupied_slots() as f64 / (mapping.folds() as f64 * pes as f64);
    s.pe_utilization = s.macs as f64 / (pes as f64 * s.total_cycles as f64);
    // The timeline's clock starts with the first fill; cycle 0 is the first demand line.
    let origin = s.prefetch_cycles as i64;
    let on_clock = |t: i64| (t + origin).max(0) as u64;
    s.timeline = LayerTimeline {
        origin: s.prefetch_cycles,
        first_fold_start: s.prefetch_cycles,
        last_fold_start: on_clock(mem.last_fold_start),
        dram_windows: mem
            .dram_windows
            .map(|(a, b)| Some((on_clock(a), on_clock(b)))),
        scalesim: Some(*mem),
    };
    s.ifmap_dram_reads = mem.dram_counts[0];
    s.filter_dram_reads = mem.dram_counts[1];
    s.ofmap_dram_writes = mem.dram_counts[2];
    s.ofmap_dram_reads = 0;
    s.time_us = s.total_cycles as f64 / arch.clock_mhz;
}

/// Stall-free cycles of one fold: `L_fold`, or under weight stationarity with SRAM read ports
/// narrower than the fold's rows or columns, the port-limited length of [`ws_timing`].
fn fold_cycles(m: &Mapping, f: &Fold, ports: SramPorts) -> u64 {
    if m.dataflow != Dataflow::Ws {
        return m.fold_cycles;
    }
    let shape = ws_timing::WsFoldShape {
        r: u64::from(m.array.rows),
        c: u64::from(m.array.cols),
        rows_used: f.rows_used,
        cols_used: f.cols_used,
        vectors: m.t,
        beats: 1,
        vector_words: f.rows_used,
    };
    ws_timing::ws_fold_timing(
        &shape,
        u64::from(ports.ifmap_read_bw),
        u64::from(ports.filter_read_bw),
        0,
    )
    .cycles
}

/// Data moves inside the array during one fold (`docs/model.md` §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArrayMoves {
    /// Streamed-operand register writes.
    pub operand_hops: u64,
    /// Register writes loading the stationary tile.
    pub stationary_hops: u64,
    /// Row-bus beats.
    pub bus_beats: u64,
}

/// Register writes of a stationary tile of `rows_used × cols_used` words shifted in from the
/// top of the array: the word that ends in row j is written j + 1 times.
pub fn stationary_load_hops(rows_used: u64, cols_used: u64) -> u64 {
    cols_used * (rows_used * (rows_used + 1) / 2)
}

/// Data moves of a dense fold: every streamed word is written into each used PE of its row
/// (WS: activations, IS: weights, both `T × rows_used` words over `cols_used` PEs); under OS
/// activations cross the rows and weights the columns, and nothing is stationary.
pub fn fold_moves(m: &Mapping, f: &Fold) -> ArrayMoves {
    let slots = m.t * f.rows_used * f.cols_used;
    match m.dataflow {
        Dataflow::Ws | Dataflow::Is => ArrayMoves {
            operand_hops: slots,
            stationary_hops: stationary_load_hops(f.rows_used, f.cols_used),
            bus_beats: m.t * f.rows_used,
        },
        Dataflow::Os => ArrayMoves {
            operand_hops: 2 * slots,
            stationary_hops: 0,
            bus_beats: m.t * f.rows_used,
        },
    }
}

/// Adds the SRAM accesses and array data moves of every fold of `instances` GEMMs to `s`
/// (the same for each).
fn add_sram_accesses(m: &Mapping, instances: u64, s: &mut LayerStats) {
    for f in m.fold_sequence() {
        let a = fold_sram_accesses(m, &f);
        s.ifmap_sram_reads += a.ifmap_reads * instances;
        s.filter_sram_reads += a.filter_reads * instances;
        s.ofmap_sram_writes += a.ofmap_writes * instances;
        let mv = fold_moves(m, &f);
        s.operand_hops += mv.operand_hops * instances;
        s.stationary_hops += mv.stationary_hops * instances;
        s.bus_beats += mv.bus_beats * instances;
    }
}

/// Builds the fold sequence of all instances with their memory demands.
fn fold_demands(m: &Mapping, work: &GemmWork, ports: SramPorts) -> Vec<FoldDemand> {
    let mut ifmap_fp = FootprintTracker::ifmap(work.ifmap);
    let mut filter_fp = FootprintTracker::matrix();
    let per_instance = m.folds() as usize;
    let mut demands: Vec<FoldDemand> = Vec::with_capacity(per_instance * work.instances as usize);
    let mut out_keys: Vec<TileKey> = Vec::with_capacity(demands.capacity());
    let mut prev: Option<(TileKey, TileKey)> = None;
    for inst in 0..work.instances {
        let filter_inst = if work.weights_shared { 0 } else { inst };
        for f in m.fold_sequence() {
            let t = fold_tiles(m, &f, inst, filter_inst);
            let iw = ifmap_fp.touch(t.ifmap.0, t.ifmap.1, t.ifmap.2);
            let fw = filter_fp.touch(t.filter.0, t.filter.1, t.filter.2);
            let (same_i, same_f) = match prev {
                Some((pi, pf)) => (pi == t.ifmap.0, pf == t.filter.0),
                None => (false, false),
            };
            prev = Some((t.ifmap.0, t.filter.0));
            demands.push(FoldDemand {
                cycles: fold_cycles(m, &f, ports),
                ifmap: InputDemand {
                    tile: iw.tile,
                    new: iw.new,
                    same_as_previous: same_i,
                },
                filter: InputDemand {
                    tile: fw.tile,
                    new: fw.new,
                    same_as_previous: same_f,
                },
                ofmap: OutputDemand {
                    tile: t.ofmap.1,
                    group_start: false,
                    group_end: false,
                },
            });
            out_keys.push(t.ofmap.0);
        }
    }
    for i in 0..demands.len() {
        demands[i].ofmap.group_start = i == 0 || out_keys[i - 1] != out_keys[i];
        demands[i].ofmap.group_end = i + 1 == demands.len() || out_keys[i + 1] != out_keys[i];
    }
    demands
}

/// Simulates every layer of `network` on `arch`, calling `progress` after each layer.
pub fn simulate_network(
    arch: &Arch,
    network: &Network,
    mut progress: impl FnMut(usize),
) -> Vec<LayerStats> {
    network
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let s = simulate_layer(arch, l);
            progress(i + 1);
            s
        })
        .collect()
}

/// Network totals over per-layer results.
pub fn totals(arch: &Arch, layers: &[LayerStats]) -> NetworkTotals {
    let sum = |f: fn(&LayerStats) -> u64| layers.iter().map(f).sum::<u64>();
    let pes = arch.array.pes() as f64;
    let total_cycles = sum(|l| l.total_cycles);
    let macs = sum(|l| l.macs);
    let occupied: f64 = layers
        .iter()
        .map(|l| l.mapping_efficiency * l.folds as f64 * pes)
        .sum();
    let folds = sum(|l| l.folds);
    let mem = &arch.memory;
    let dram_bytes = sum(|l| l.ifmap_dram_reads) * u64::from(mem.ifmap.word_bytes)
        + sum(|l| l.filter_dram_reads) * u64::from(mem.filter.word_bytes)
        + (sum(|l| l.ofmap_dram_writes) + sum(|l| l.ofmap_dram_reads))
            * u64::from(mem.ofmap.word_bytes);
    NetworkTotals {
        layers: layers.len(),
        mapped_layers: layers.iter().filter(|l| l.folds > 0).count(),
        macs,
        folds,
        compute_cycles: sum(|l| l.compute_cycles),
        stall_cycles: sum(|l| l.stall_cycles),
        total_cycles,
        mapping_efficiency: if folds == 0 {
            0.0
        } else {
            occupied / (folds as f64 * pes)
        },
        pe_utilization: if total_cycles == 0 {
            0.0
        } else {
            macs as f64 / (pes * total_cycles as f64)
        },
        ifmap_sram_reads: sum(|l| l.ifmap_sram_reads),
        filter_sram_reads: sum(|l| l.filter_sram_reads),
        ofmap_sram_writes: sum(|l| l.ofmap_sram_writes),
        ifmap_dram_reads: sum(|l| l.ifmap_dram_reads),
        filter_dram_reads: sum(|l| l.filter_dram_reads),
        ofmap_dram_writes: sum(|l| l.ofmap_dram_writes),
        ofmap_dram_reads: sum(|l| l.ofmap_dram_reads),
        dram_bytes,
        time_us: total_cycles as f64 / arch.clock_mhz,
        energy: Default::default(),
        area: Default::default(),
        merit: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::validate::parse_arch_toml;
    use crate::workload::{Gemm, LayerOp};

    fn arch(df: &str, extra: &str) -> Arch {
        let src = format!("[array]\nrows = 2\ncols = 2\ndataflow = \"{df}\"\n{extra}");
        parse_arch_toml(&src, "<test>", "t").unwrap()
    }

    fn gemm(m: u64, n: u64, k: u64) -> Layer {
        Layer::new("g", LayerOp::Gemm(Gemm::new(m, n, k).unwrap()))
    }

    /// The 2×2 WS fold traced in `mapping.rs`: M = 3, N = 2, K = 2 → 7 cycles.
    #[test]
    fn two_by_two_ws_fold_by_hand() {
        let s = simulate_layer(
            &arch("ws", "[dram]\nbandwidth_mode = \"calc\"\n"),
            &gemm(3, 2, 2),
        );
        assert_eq!((s.folds, s.compute_cycles, s.stall_cycles), (1, 7, 0));
        // Weights read once (4), 3 vectors of 2 activations (6), 3 outputs per column (6).
        assert_eq!(
            (s.ifmap_sram_reads, s.filter_sram_reads, s.ofmap_sram_writes),
            (6, 4, 6)
        );
        assert_eq!(s.mapping_efficiency, 1.0);
        // 12 MACs over 4 PEs × 7 cycles.
        assert!((s.pe_utilization - 12.0 / 28.0).abs() < 1e-15);
    }

    /// OS and IS on the same GEMM: OS streams K = 2 in T + R + C − 2 = 4 cycles per fold over
    /// ⌈3/2⌉·⌈2/2⌉ = 2 folds; IS holds 2×2 ifmap tiles, streams N = 2: 2 folds of 2R+C+T−2 = 6.
    #[test]
    fn two_by_two_os_and_is_by_hand() {
        let calc = "[dram]\nbandwidth_mode = \"calc\"\n";
        let os = simulate_layer(&arch("os", calc), &gemm(3, 2, 2));
        assert_eq!((os.folds, os.compute_cycles), (2, 8));
        assert_eq!(
            (
                os.ifmap_sram_reads,
                os.filter_sram_reads,
                os.ofmap_sram_writes
            ),
            (6, 8, 6)
        );
        let is = simulate_layer(&arch("is", calc), &gemm(3, 2, 2));
        assert_eq!((is.folds, is.compute_cycles), (2, 12));
        assert_eq!(
            (
                is.ifmap_sram_reads,
                is.filter_sram_reads,
                is.ofmap_sram_writes
            ),
            (6, 8, 6)
        );
        assert_eq!(is.mapping_efficiency, 0.75);
    }

    /// Stalls by hand: 1 word/cycle, everything resident. The first fold waits for its 6
    /// ifmap words (6 cycles; the 4 weights arrive in parallel on their own channel), computes
    /// 7 cycles, then 6 outputs drain in 6 cycles: 6 + 7 + 6 = 19.
    #[test]
    fn two_by_two_ws_stalls_by_hand() {
        let bw = "[dram]\nifmap_bw = 1\nfilter_bw = 1\nofmap_bw = 1\n";
        let s = simulate_layer(&arch("ws", bw), &gemm(3, 2, 2));
        assert_eq!(
            (s.prefetch_cycles, s.total_cycles, s.stall_cycles),
            (6, 19, 12)
        );
        assert_eq!(
            (s.ifmap_dram_reads, s.filter_dram_reads, s.ofmap_dram_writes),
            (6, 4, 6)
        );
    }
}
