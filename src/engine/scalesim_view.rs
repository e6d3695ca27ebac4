//! A layer's results in SCALE-Sim v3.0.0's report conventions, for `--scalesim-reports`.
//!
//! The compute-side numbers follow SCALE-Sim's own arithmetic exactly (so they match its
//! reports digit for digit): per-fold mapping efficiency and compute utilization summed left
//! to right in fold order and averaged, with SCALE-Sim's compute-util denominator
//! `cyc_f = 2R + 2C + T − 3` for WS/IS (C − 1 longer than the fold) and `T + R + C − 2` for OS;
//! `Total Cycles = L − 1 + stalls`; OS `SRAM OFMAP Writes` include SCALE-Sim's spurious
//! `R + C` per fold. Stalls, DRAM counts and DRAM activity windows are sparsim's memory model
//! (SCALE-Sim's differ). Cycle stamps use SCALE-Sim's origin: cycle 0 is the first fold's
//! first cycle, so the initial fill has negative DRAM cycles, and reads are stamped one cycle
//! after their demand row as SCALE-Sim's read port does.

use super::mapping::{Fold, Mapping};
use crate::config::{Arch, Dataflow};
use crate::stats::LayerStats;
use crate::workload::Layer;

/// One layer's row in the three SCALE-Sim reports.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleSimRow {
    /// sparsim's total cycles with the initial fill and final drain included (its
    /// `total_cycles` plus the prefetch cycles when `first_fill = "prefetch"`).
    pub total_cycles_incl_prefetch: u64,
    /// SCALE-Sim's Total Cycles: compute − 1 + stalls after the first fold started.
    pub total_cycles: u64,
    /// Stall cycles after the first fold started.
    pub stall_cycles: u64,
    /// MACs·100 / (Total Cycles·R·C).
    pub overall_util_pct: f64,
    /// Mean per-fold mapping efficiency, percent.
    pub mapping_eff_pct: f64,
    /// Mean per-fold compute utilization, percent.
    pub compute_util_pct: f64,
    /// SRAM reads/writes: ifmap, filter, ofmap.
    pub sram_counts: [u64; 3],
    /// SRAM first/last access cycle per operand.
    pub sram_windows: [(f64, f64); 3],
    /// DRAM reads (ifmap, filter) and writes (ofmap), words.
    pub dram_counts: [u64; 3],
    /// DRAM first/last busy cycle per operand, if any transfer happened.
    pub dram_windows: [Option<(f64, f64)>; 3],
}

/// Demand-row window `[first, last]` (0-based within a fold) where an operand is accessed,
/// as SCALE-Sim's demand matrices place it, for a fold using `ru` rows and `cu` columns.
fn in_fold_window(df: Dataflow, op: usize, r: u64, t: u64, ru: u64, cu: u64) -> (u64, u64) {
    let stream = (r, r + (t - 1) + (ru - 1));
    let stationary = (r - ru, r - 1);
    let drain = (2 * r - 1, 2 * r - 1 + (t - 1) + (cu - 1));
    match (df, op) {
        (Dataflow::Ws, 0) | (Dataflow::Is, 1) => stream,
        (Dataflow::Ws, 1) | (Dataflow::Is, 0) => stationary,
        (Dataflow::Ws | Dataflow::Is, _) => drain,
        (Dataflow::Os, 0) => (0, (t - 1) + (ru - 1)),
        (Dataflow::Os, 1) => (0, (t - 1) + (cu - 1)),
        (Dataflow::Os, _) => ((t - 1) + (r - ru), (t - 1) + (r - 1) + (cu - 1)),
    }
}

/// The SCALE-Sim view of a simulated layer, or `None` for layers not mapped on the array.
pub fn scalesim_row(arch: &Arch, layer: &Layer, s: &LayerStats) -> Option<ScaleSimRow> {
    let work = layer.gemm_work()?;
    let m = Mapping::new(arch.dataflow, arch.array, work.shape);
    let (r, c) = (u64::from(arch.array.rows), u64::from(arch.array.cols));
    let pes = (r * c) as f64;
    let cyc_f = match arch.dataflow {
        Dataflow::Os => m.t + r + c - 2,
        Dataflow::Ws | Dataflow::Is => 2 * r + 2 * c + m.t - 3,
    };
    let (mut map_sum, mut util_sum, mut n) = (0.0f64, 0.0f64, 0u64);
    let mut first: Option<Fold> = None;
    let mut last: Option<Fold> = None;
    for _ in 0..work.instances {
        for f in m.fold_sequence() {
            let used = f.rows_used * f.cols_used;
            map_sum += used as f64 / pes;
            util_sum += (used * m.t) as f64 / (pes * cyc_f as f64);
            n += 1;
            first.get_or_insert(f);
            last = Some(f);
        }
    }
    let (first, last) = (first?, last?);
    let ofmap_writes = match m.dataflow {
        Dataflow::Os => s.ofmap_sram_writes + (r + c) * s.folds,
        _ => s.ofmap_sram_writes,
    };
    if let Some(mem) = s.timeline.scalesim {
        let f = |w: (i64, i64)| (w.0 as f64, w.1 as f64);
        return Some(ScaleSimRow {
            total_cycles_incl_prefetch: mem.total_incl_prefetch.max(0) as u64,
            total_cycles: mem.total_cycles,
            stall_cycles: mem.stall_cycles,
            overall_util_pct: (s.macs * 100) as f64 / (mem.total_cycles.max(1) * r * c) as f64,
            mapping_eff_pct: map_sum / n as f64 * 100.0,
            compute_util_pct: util_sum / n as f64 * 100.0,
            sram_counts: [s.ifmap_sram_reads, s.filter_sram_reads, ofmap_writes],
            sram_windows: mem.sram_windows.map(f),
            dram_counts: mem.dram_counts,
            dram_windows: mem.dram_windows.map(|w| Some(f(w))),
        });
    }
    // SCALE-Sim's cycle 0 is the first fold's start, whichever origin sparsim's counts use
    // (`first_fill`); the timeline counts from the first fill's start.
    let tl = &s.timeline;
    let shift = |t: u64| t as f64 - tl.first_fold_start as f64;
    // The layer's end on the timeline's clock, and everything from the first fold on.
    let end = s.total_cycles + tl.origin;
    let stall = end - tl.first_fold_start - s.compute_cycles;
    let total = s.compute_cycles - 1 + stall;
    let mut sram_windows = [(0.0, 0.0); 3];
    for (op, w) in sram_windows.iter_mut().enumerate() {
        let stamp = if op == 2 { 0.0 } else { 1.0 };
        let (a, _) = in_fold_window(m.dataflow, op, r, m.t, first.rows_used, first.cols_used);
        let (_, b) = in_fold_window(m.dataflow, op, r, m.t, last.rows_used, last.cols_used);
        *w = (
            shift(s.timeline.first_fold_start + a) + stamp,
            shift(s.timeline.last_fold_start + b) + stamp,
        );
    }
    Some(ScaleSimRow {
        total_cycles_incl_prefetch: end,
        total_cycles: total,
        stall_cycles: stall,
        overall_util_pct: (s.macs * 100) as f64 / (total * r * c) as f64,
        mapping_eff_pct: map_sum / n as f64 * 100.0,
        compute_util_pct: util_sum / n as f64 * 100.0,
        sram_counts: [s.ifmap_sram_reads, s.filter_sram_reads, ofmap_writes],
        sram_windows,
        dram_counts: [s.ifmap_dram_reads, s.filter_dram_reads, s.ofmap_dram_writes],
        dram_windows: s
            .timeline
            .dram_windows
            .map(|w| w.map(|(a, b)| (shift(a), shift(b)))),
    })
}
