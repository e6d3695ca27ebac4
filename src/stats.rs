//! Per-layer and per-network results. Field names are the report column names.

use serde::Serialize;

/// Results of one layer on one architecture. Counts are in words of the operand they name;
/// cycles are array clock cycles.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LayerStats {
    /// Layer name.
    pub layer: String,
    /// Layer kind (`conv`, `dwconv`, `gemm`, `lstm`, `pool`, …).
    pub kind: String,
    /// Dataflow.
    pub dataflow: String,
    /// Array rows R.
    pub array_rows: u32,
    /// Array columns C.
    pub array_cols: u32,
    /// GEMM M of one instance.
    pub m: u64,
    /// GEMM N of one instance.
    pub n: u64,
    /// GEMM K of one instance.
    pub k: u64,
    /// GEMMs run back to back (groups of a grouped conv, LSTM steps; 1 otherwise).
    pub instances: u64,
    /// Multiply-accumulates, M·N·K·instances.
    pub macs: u64,
    /// Folds over all instances.
    pub folds: u64,
    /// Stall-free cycles L (SCALE-Sim's Total Cycles − Stall Cycles + 1).
    pub compute_cycles: u64,
    /// Cycles the array waited on memory, initial fill included.
    pub stall_cycles: u64,
    /// compute_cycles + stall_cycles.
    pub total_cycles: u64,
    /// Occupied PE slots / (folds·R·C), in [0, 1].
    pub mapping_efficiency: f64,
    /// Effectual MACs / (R·C·total_cycles), in [0, 1].
    pub pe_utilization: f64,
    /// Ifmap words read from SRAM by the array.
    pub ifmap_sram_reads: u64,
    /// Filter words read from SRAM by the array.
    pub filter_sram_reads: u64,
    /// Ofmap words (partial sums included) written to SRAM by the array.
    pub ofmap_sram_writes: u64,
    /// Ifmap words read from DRAM.
    pub ifmap_dram_reads: u64,
    /// Filter words read from DRAM.
    pub filter_dram_reads: u64,
    /// Ofmap words written to DRAM.
    pub ofmap_dram_writes: u64,
    /// Spilled partial-sum words read back from DRAM.
    pub ofmap_dram_reads: u64,
    /// Cycles before the first fold could start (part of stall_cycles).
    pub prefetch_cycles: u64,
    /// Wall time at the configured clock, microseconds.
    pub time_us: f64,
    /// When things happened, for timeline-based reports (not a CSV column).
    #[serde(skip)]
    pub timeline: LayerTimeline,
}

/// Points in a layer's timeline, in cycles from the layer's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LayerTimeline {
    /// Start of the first fold.
    pub first_fold_start: u64,
    /// Start of the last fold.
    pub last_fold_start: u64,
    /// DRAM channel activity (ifmap, filter, ofmap): first and last busy cycle.
    pub dram_windows: [Option<(u64, u64)>; 3],
}

/// Whole-network totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkTotals {
    /// Layers in the workload.
    pub layers: usize,
    /// Layers mapped on the array.
    pub mapped_layers: usize,
    /// Sum of MACs.
    pub macs: u64,
    /// Sum of folds.
    pub folds: u64,
    /// Sum of compute cycles.
    pub compute_cycles: u64,
    /// Sum of stall cycles.
    pub stall_cycles: u64,
    /// Sum of total cycles (layers run one after another).
    pub total_cycles: u64,
    /// Occupied PE slots over all folds / (folds·R·C).
    pub mapping_efficiency: f64,
    /// MACs / (R·C·total_cycles).
    pub pe_utilization: f64,
    /// Sum of ifmap SRAM reads.
    pub ifmap_sram_reads: u64,
    /// Sum of filter SRAM reads.
    pub filter_sram_reads: u64,
    /// Sum of ofmap SRAM writes.
    pub ofmap_sram_writes: u64,
    /// Sum of ifmap DRAM reads.
    pub ifmap_dram_reads: u64,
    /// Sum of filter DRAM reads.
    pub filter_dram_reads: u64,
    /// Sum of ofmap DRAM writes.
    pub ofmap_dram_writes: u64,
    /// Sum of partial-sum DRAM reads.
    pub ofmap_dram_reads: u64,
    /// DRAM traffic in bytes over all operands.
    pub dram_bytes: u64,
    /// Wall time at the configured clock, microseconds.
    pub time_us: f64,
}
