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
    /// Cycles the array waited on memory (the initial fill included unless
    /// `first_fill = "prefetch"`).
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
    /// Streamed-operand register writes in the array: each word entering an array row (or,
    /// under OS, a column too) is written once into every used PE it passes
    /// (`docs/model.md` §9).
    pub operand_hops: u64,
    /// Register writes to load the stationary operand: a tile shifts in from the top, so a
    /// word that ends in used row j is written j + 1 times.
    pub stationary_hops: u64,
    /// Row-bus beats: per array row, the cycles in which its input carries at least one word.
    pub bus_beats: u64,
    /// Cycles before the first fold could start (part of stall_cycles unless
    /// `first_fill = "prefetch"`).
    pub prefetch_cycles: u64,
    /// Wall time at the configured clock, microseconds.
    pub time_us: f64,
    /// When things happened, for timeline-based reports (not a CSV column).
    #[serde(skip)]
    pub timeline: LayerTimeline,
}

/// Points in a layer's timeline, in cycles from the start of its first fill (the first
/// cycle any DRAM channel may work for it). The layer's reported cycles (`total_cycles`, …)
/// count from [`Self::origin`] on this clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LayerTimeline {
    /// The layer's cycle 0: 0 with `first_fill = "stall"` (the fill is stall), the first
    /// fold's start with `"prefetch"` (the fill happens before cycle 0).
    pub origin: u64,
    /// Start of the first fold.
    pub first_fold_start: u64,
    /// Start of the last fold.
    pub last_fold_start: u64,
    /// DRAM channel activity (ifmap, filter, ofmap): first and last busy cycle.
    pub dram_windows: [Option<(u64, u64)>; 3],
    /// SCALE-Sim's own numbers, when the `scalesim` memory model ran.
    pub scalesim: Option<crate::engine::scalesim_mem::ScaleSimMemory>,
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
    /// Energy per inference by component.
    #[serde(flatten)]
    pub energy: crate::energy::EnergyBreakdown,
    /// Area of the architecture as provisioned.
    #[serde(flatten)]
    pub area: crate::energy::AreaBreakdown,
    /// EDP, TOPS/W, TOPS/mm².
    #[serde(flatten)]
    pub merit: crate::energy::FiguresOfMerit,
}

impl NetworkTotals {
    /// Adds the network's energy (the sum of `energies`) and the area and figures of merit
    /// of the hardware `hw`.
    pub fn with_cost(
        mut self,
        arch: &crate::config::Arch,
        energies: &[crate::energy::EnergyBreakdown],
        hw: &crate::energy::Provision,
    ) -> NetworkTotals {
        let mut e = crate::energy::EnergyBreakdown::default();
        for x in energies {
            e += *x;
        }
        self.energy = e;
        self.area = crate::energy::area(arch, hw);
        self.merit = crate::energy::FiguresOfMerit::new(
            e.energy_pj,
            self.time_us,
            self.macs,
            self.area.area_mm2,
        );
        self
    }
}

/// Cycles one PE spent in each state over a layer (`docs/model.md` §8). They sum to the layer's
/// `total_cycles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PeStateCounts {
    /// A MAC with a nonzero weight.
    pub effectual: u64,
    /// A MAC whose weight is zero or absent (gated work).
    pub zero_weight: u64,
    /// The PE holds nothing in this fold (fold tail: the used region is smaller than the array).
    pub unmapped: u64,
    /// Used by the fold, but loading weights or waiting for the skewed wavefront to arrive or
    /// leave.
    pub fill_drain: u64,
    /// The array waits: on memory (between folds) or on metadata decode.
    pub stalled: u64,
    /// Between two MACs, waiting for the row bus to deliver the next vector's activations.
    pub bus_wait: u64,
}

impl PeStateCounts {
    /// Sum over the states.
    pub fn total(&self) -> u64 {
        self.effectual
            + self.zero_weight
            + self.unmapped
            + self.fill_drain
            + self.stalled
            + self.bus_wait
    }
}

impl std::ops::AddAssign for PeStateCounts {
    fn add_assign(&mut self, o: PeStateCounts) {
        self.effectual += o.effectual;
        self.zero_weight += o.zero_weight;
        self.unmapped += o.unmapped;
        self.fill_drain += o.fill_drain;
        self.stalled += o.stalled;
        self.bus_wait += o.bus_wait;
    }
}

/// Per-PE state counts of one layer: `rows × cols`, row-major.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeGrid {
    /// Array rows.
    pub rows: u32,
    /// Array columns.
    pub cols: u32,
    /// One entry per PE, row-major.
    pub pes: Vec<PeStateCounts>,
}

impl PeGrid {
    /// An all-zero grid.
    pub fn new(rows: u32, cols: u32) -> PeGrid {
        PeGrid {
            rows,
            cols,
            pes: vec![PeStateCounts::default(); rows as usize * cols as usize],
        }
    }

    /// The PE at `(r, c)`.
    pub fn at(&mut self, r: usize, c: usize) -> &mut PeStateCounts {
        &mut self.pes[r * self.cols as usize + c]
    }

    /// Sum over all PEs.
    pub fn sum(&self) -> PeStateCounts {
        let mut s = PeStateCounts::default();
        for p in &self.pes {
            s += *p;
        }
        s
    }
}
