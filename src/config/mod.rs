//! Architecture configuration: validated types, and the parsers that build them.
//!
//! Inputs go raw → validated: [`raw`] mirrors the TOML file with serde
//! (`deny_unknown_fields`, documented defaults), [`validate`] turns it into an [`Arch`], and
//! [`scalesim_cfg`] reads SCALE-Sim `.cfg` files into the same type. An `Arch` that exists is
//! valid: the engine never re-checks it.

pub mod ert;
pub mod raw;
pub mod scalesim_cfg;
pub mod validate;
pub(crate) mod values;

use crate::units::Bandwidth;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A systolic-array accelerator, fully resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arch {
    /// Display name (from the file, or the file stem).
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// Array clock, MHz: converts cycles to time in reports.
    pub clock_mhz: f64,
    /// PE grid.
    pub array: ArrayShape,
    /// Which operand stays in the PEs.
    pub dataflow: Dataflow,
    /// SRAM buffers and DRAM channels.
    pub memory: Memory,
    /// PE features used by sparse layouts.
    pub pe: PeFeatures,
    /// Metadata decode throughput per layout.
    pub decode: DecodeThroughput,
    /// SRAM read ports between the buffers and the array.
    pub ports: SramPorts,
    /// What happens to the outputs of filters a layout prunes away entirely.
    pub dropped_filters: DroppedFilters,
    /// Default layout parameters for runs on this architecture (command-line flags override).
    pub layout: crate::layout::LayoutParams,
    /// Energy per action and area per component.
    pub tech: crate::energy::Technology,
}

/// Metadata entries decoded per cycle, per packed layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DecodeThroughput {
    /// `irregular`.
    pub irregular: u32,
    /// `nm`.
    pub nm: u32,
    /// `bwhm`.
    pub bwhm: u32,
    /// `darb`.
    pub darb: u32,
    /// `pconv`.
    pub pconv: u32,
    /// `colcomb`.
    pub colcomb: u32,
}

impl DecodeThroughput {
    /// The same throughput for every layout.
    pub fn uniform(entries_per_cycle: u32) -> DecodeThroughput {
        let e = entries_per_cycle;
        DecodeThroughput {
            irregular: e,
            nm: e,
            bwhm: e,
            darb: e,
            pconv: e,
            colcomb: e,
        }
    }

    /// Entries per cycle for `layout` (`None` for layouts without metadata).
    pub fn for_layout(&self, layout: crate::layout::LayoutKind) -> Option<u32> {
        use crate::layout::LayoutKind as L;
        match layout {
            L::Dense | L::Masked => None,
            L::Irregular => Some(self.irregular),
            L::Nm => Some(self.nm),
            L::Bwhm => Some(self.bwhm),
            L::Darb => Some(self.darb),
            L::Pconv => Some(self.pconv),
            L::Colcomb => Some(self.colcomb),
        }
    }
}

/// Read ports between the SRAM buffers and the array, in words per cycle of each operand.
///
/// Under weight stationarity the ifmap port fills a staging register with the next input
/// vector (the words every array row needs for it) while the current vector enters the
/// rows; the filter port delivers one row of the stationary tile at a time; the metadata
/// port feeds the metadata decoder. Defaults are what a dense array reads per cycle, so
/// dense folds never wait on them. Limits below that are modelled on weight-stationary
/// arrays only (validation refuses them elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SramPorts {
    /// Ifmap words read per cycle (default: R under WS and OS, C under IS).
    pub ifmap_read_bw: u32,
    /// Filter words read per cycle (default: C under WS and OS, R under IS).
    pub filter_read_bw: u32,
    /// Metadata words read per cycle by the decoder (default: C).
    pub metadata_read_bw: u32,
}

impl SramPorts {
    /// What a dense array of `array` reads per cycle under `dataflow`: the defaults.
    pub fn dense_need(array: ArrayShape, dataflow: Dataflow) -> SramPorts {
        let (r, c) = (array.rows, array.cols);
        let (ifmap, filter) = match dataflow {
            Dataflow::Ws | Dataflow::Os => (r, c),
            Dataflow::Is => (c, r),
        };
        SramPorts {
            ifmap_read_bw: ifmap,
            filter_read_bw: filter,
            metadata_read_bw: c,
        }
    }
}

/// Outputs of filters that a layout prunes to all zeros (and drops from the array).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DroppedFilters {
    /// The output unit still writes their all-zero outputs (M words per filter and GEMM),
    /// as an accelerator must unless the next layer is re-indexed. The default.
    WriteZeros,
    /// Their outputs are never written: the next layer is assumed re-indexed to skip them.
    Skip,
}

/// The PE grid: `rows` × `cols` processing elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ArrayShape {
    /// Array rows R (≥ 1).
    pub rows: u32,
    /// Array columns C (≥ 1).
    pub cols: u32,
}

impl ArrayShape {
    /// Number of PEs, R·C.
    pub fn pes(self) -> u64 {
        u64::from(self.rows) * u64::from(self.cols)
    }
}

/// Dataflow, as in SCALE-Sim: which GEMM operand is held stationary in the PEs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataflow {
    /// Weight stationary: `(Sr, Sc, T) = (K, N, M)`.
    Ws,
    /// Output stationary: `(Sr, Sc, T) = (M, N, K)`.
    Os,
    /// Input stationary: `(Sr, Sc, T) = (K, M, N)`.
    Is,
}

impl Dataflow {
    /// Lower-case name as used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Dataflow::Ws => "ws",
            Dataflow::Os => "os",
            Dataflow::Is => "is",
        }
    }
}

impl fmt::Display for Dataflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How DRAM bandwidth is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BandwidthMode {
    /// The configured per-operand bandwidths limit transfers; stalls follow.
    User,
    /// SCALE-Sim's CALC mode: bandwidth is whatever avoids every stall (transfers take no
    /// array time); traffic is still counted.
    Calc,
}

/// The three operand memories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Memory {
    /// Whether DRAM bandwidth limits transfers.
    pub bandwidth_mode: BandwidthMode,
    /// Input activations.
    pub ifmap: OperandMemory,
    /// Weights.
    pub filter: OperandMemory,
    /// Outputs and partial sums.
    pub ofmap: OperandMemory,
    /// Bytes per metadata word (sparse layouts' indices and selects).
    pub metadata_word_bytes: u32,
    /// Which memory model decides stalls and DRAM traffic, and its policy choices.
    pub policy: MemoryPolicy,
}

/// Which memory model runs, and the policy choices of sparsim's own model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MemoryPolicy {
    /// The model.
    pub model: MemoryModel,
    /// sparsim model: when the half of a double buffer holding the previous tile is released
    /// for the next tile's fetch.
    pub half_release: HalfRelease,
    /// sparsim model: whether the first fold's fill counts as stall or happens before cycle 0.
    pub first_fill: FirstFill,
    /// sparsim model: cycles from a DRAM read request to its first data (reads only; writes
    /// are posted).
    pub dram_read_latency: u32,
}

impl Default for MemoryPolicy {
    /// sparsim's model with its documented defaults.
    fn default() -> Self {
        MemoryPolicy {
            model: MemoryModel::Sparsim,
            half_release: HalfRelease::FoldStart,
            first_fill: FirstFill::Stall,
            dram_read_latency: 0,
        }
    }
}

/// The memory model that decides stalls and DRAM traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemoryModel {
    /// sparsim's tile model (per-fold tiles, double/single buffering, channels): the default
    /// for TOML architectures.
    Sparsim,
    /// SCALE-Sim v3.0.0's USER/CALC-mode memory system, address by address: the default for
    /// SCALE-Sim `.cfg` files. Dense GEMM streams only.
    Scalesim,
}

impl MemoryModel {
    /// Parses `sparsim` or `scalesim`.
    pub fn parse(s: &str) -> Result<MemoryModel, String> {
        match s {
            "sparsim" => Ok(MemoryModel::Sparsim),
            "scalesim" => Ok(MemoryModel::Scalesim),
            _ => Err(format!(
                "unknown memory model `{s}`: expected sparsim or scalesim"
            )),
        }
    }

    /// Lower-case name as used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryModel::Sparsim => "sparsim",
            MemoryModel::Scalesim => "scalesim",
        }
    }
}

/// When a double buffer's other half (holding the previous tile) may take the next tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HalfRelease {
    /// When the first fold of the current tile starts: from then on nothing reads the
    /// previous tile. The default.
    FoldStart,
    /// When the first fold of the current tile ends: a controller that swaps buffer roles
    /// only at fold boundaries (conservative).
    FoldEnd,
}

/// How the fill before the first fold is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FirstFill {
    /// Cycle 0 is the layer's start: waiting for the first fold's tiles is stall. The default.
    Stall,
    /// Cycle 0 is the first fold's start (SCALE-Sim's convention): the first fill happens
    /// before it and is reported as prefetch cycles, outside total and stall cycles.
    Prefetch,
}

/// One operand's double-buffered SRAM and its DRAM channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperandMemory {
    /// SRAM size in kB (1 kB = 1024 bytes), both halves of the double buffer together.
    pub sram_kb: u64,
    /// Bytes per word of this operand.
    pub word_bytes: u32,
    /// DRAM channel bandwidth, words per cycle.
    #[serde(serialize_with = "serialize_bandwidth")]
    pub dram_bw: Bandwidth,
}

impl OperandMemory {
    /// SRAM capacity in words of this operand.
    pub fn sram_words(&self) -> u64 {
        self.sram_kb * 1024 / u64::from(self.word_bytes)
    }
}

fn serialize_bandwidth<S: Serializer>(bw: &Bandwidth, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(bw.words_per_cycle())
}

/// PE features that sparse layouts rely on. Dense runs ignore them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PeFeatures {
    /// Most row-bus lanes a PE's input mux can select among (1 = plain PE). A PE whose row
    /// needs `D` activations per vector on a `B`-lane bus selects among `min(D, B)` lanes.
    pub mux_inputs: u32,
    /// Activations entering an array row per cycle: the row bus's lanes B. A row that needs
    /// `D` activations per vector takes `⌈D/B⌉` bus beats for it.
    pub row_bus_width: u32,
    /// Whether weight registers are double-buffered, so weight and select loading (and
    /// metadata decode) of the next fold can hide behind the current one.
    pub weight_double_buffer: bool,
    /// Whether a PE gates a MAC slot whose weight is zero or absent (operand isolation): it
    /// then costs `gated_mac_pj` instead of `mac_pj`. Timing is the same either way.
    pub zero_gating: bool,
    /// Width of the partial-sum (accumulator) register, bits.
    pub accumulator_bits: u32,
}

/// The technology table of an architecture: `energy` and `area` resolved over their bases at
/// the arch's word widths, SRAM banks and clock.
pub fn resolve_technology(
    energy: (
        crate::energy::TechBase,
        &crate::energy::table::EnergyOverrides,
    ),
    area: (
        crate::energy::TechBase,
        &crate::energy::table::AreaOverrides,
    ),
    memory: &Memory,
    pe: &PeFeatures,
    cols: u32,
    clock_mhz: f64,
) -> crate::energy::Technology {
    use crate::energy::table::{AreaTable, EnergyTable, TableContext};
    let bits = |b: u32| b * 8;
    let bank = |kb: u64| kb as f64 / 2.0;
    // The PE as provisioned, its registers counted as the area counts them.
    let (data_bits, select_bits) = crate::energy::area::register_bits(
        memory,
        pe,
        pe.row_bus_width,
        crate::energy::actions::provisioned_select_bits(pe, cols),
    );
    let cx = TableContext {
        ifmap_bits: bits(memory.ifmap.word_bytes),
        filter_bits: bits(memory.filter.word_bytes),
        accumulator_bits: pe.accumulator_bits,
        sram_bank_kb: [
            bank(memory.ifmap.sram_kb),
            bank(memory.filter.sram_kb),
            bank(memory.ofmap.sram_kb),
        ],
        clock_mhz,
        pe_reg_bits: data_bits + select_bits,
        mux_inputs: pe.mux_inputs,
    };
    let area = AreaTable::resolve(area.0, area.1, &cx);
    crate::energy::Technology {
        energy: EnergyTable::resolve(energy.0, energy.1, &cx, &area),
        area,
    }
}
