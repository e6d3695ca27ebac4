//! The architecture TOML file as written, with its documented defaults.
//!
//! ```toml
//! name = "tpu-32x32"          # default: the file stem
//! description = "…"           # default: ""
//! clock_mhz = 1000            # MHz, default 1000
//!
//! [array]                     # required
//! rows = 32                   # required, 1..=65536
//! cols = 32                   # required, 1..=65536
//! dataflow = "ws"             # "ws" | "os" | "is", default "ws"
//!
//! [sram]                      # kB per operand (1 kB = 1024 bytes), double-buffered
//! ifmap_kb = 64               # default 64
//! filter_kb = 64              # default 64
//! ofmap_kb = 64               # default 64
//! ifmap_read_bw = 32          # words/cycle into the array; default R (WS, OS) or C (IS)
//! filter_read_bw = 32         # words/cycle; default C (WS, OS) or R (IS)
//! metadata_read_bw = 32       # metadata words/cycle into the decoder; default C
//!
//! [word_bytes]                # bytes per word of each operand
//! ifmap = 1                   # default 1
//! filter = 1                  # default 1
//! ofmap = 1                   # default 1
//! metadata = 1                # default 1
//!
//! [dram]
//! bandwidth_mode = "user"     # "user" | "calc" (no stalls, as SCALE-Sim's CALC), default "user"
//! ifmap_bw = 10               # words/cycle, default 10
//! filter_bw = 10              # words/cycle, default 10
//! ofmap_bw = 10               # words/cycle, default 10
//!
//! [memory]
//! model = "sparsim"           # "sparsim" | "scalesim" (SCALE-Sim v3's memory system), default "sparsim"
//! half_release = "fold_start" # sparsim model: "fold_start" | "fold_end", default "fold_start"
//! first_fill = "stall"        # sparsim model: "stall" | "prefetch", default "stall"
//! dram_read_latency = 0       # sparsim model: cycles from a DRAM read to its data, default 0
//!
//! [pe]
//! mux_inputs = 1              # largest PE input-mux fan-in, default 1 (plain PE)
//! row_bus_width = 1           # activations entering an array row per cycle, default 1
//! weight_double_buffer = false  # default false
//! zero_gating = true          # zero-weight MAC slots gated (priced gated_mac_pj), default true
//! accumulator_bits = 32       # partial-sum register width, default 32
//!
//! [energy]                    # pJ per action; every key optional (docs/model.md §9.4)
//! base = "45nm"               # "45nm" (published 45 nm numbers) | "none" (unset keys cost 0)
//! mac_pj = 0.3                # and gated_mac_pj, reg_bit_pj, mux_input_pj, decode_entry_pj,
//!                             # bus_beat_pj, sram_pj_per_byte, {ifmap,filter,ofmap}_sram_pj_per_byte,
//!                             # dram_pj_per_byte, pe_leakage_pj_per_cycle, idle_pe_cycle_pj
//! ert = "ERT.yaml"            # read values from an Accelergy energy reference table
//!
//! [area]                      # µm² per component; every key optional
//! base = "45nm"               # "45nm" | "none"
//! mux_input_um2 = 14.9        # and mac_um2, reg_bit_um2, sram_um2_per_bit, decoder_um2
//!
//! [decode]                    # metadata entries decoded per cycle, per layout
//! irregular = 32              # default for every layout: the array's column count
//!
//! [outputs]
//! dropped_filters = "write_zeros"  # "write_zeros" | "skip": outputs of all-zero filters
//!
//! [layout]                    # default layout parameters (see `layout::LayoutParams`)
//! sparsity = 0.75
//! ```

use super::values;
use super::{BandwidthMode, Dataflow};
use serde::Deserialize;

/// Default SRAM size per operand, kB (SCALE-Sim's example configs).
pub const DEFAULT_SRAM_KB: u64 = 64;
/// Default DRAM bandwidth per operand, words per cycle (SCALE-Sim's example configs).
pub const DEFAULT_DRAM_BW: f64 = 10.0;
/// Default clock, MHz.
pub const DEFAULT_CLOCK_MHZ: f64 = 1000.0;

/// The whole architecture file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArch {
    /// Display name; default: the file stem.
    #[serde(default)]
    pub name: Option<String>,
    /// Free text; default empty.
    #[serde(default)]
    pub description: Option<String>,
    /// Clock, MHz; default 1000.
    #[serde(default = "default_clock", deserialize_with = "values::clock_mhz")]
    pub clock_mhz: f64,
    /// `[array]`, required.
    pub array: RawArray,
    /// `[sram]`.
    #[serde(default)]
    pub sram: RawSram,
    /// `[word_bytes]`.
    #[serde(default)]
    pub word_bytes: RawWordBytes,
    /// `[dram]`.
    #[serde(default)]
    pub dram: RawDram,
    /// `[memory]`.
    #[serde(default)]
    pub memory: RawMemory,
    /// `[pe]`.
    #[serde(default)]
    pub pe: RawPe,
    /// `[decode]`.
    #[serde(default)]
    pub decode: RawDecode,
    /// `[outputs]`.
    #[serde(default)]
    pub outputs: RawOutputs,
    /// `[layout]`.
    #[serde(default)]
    pub layout: RawLayout,
    /// `[energy]`.
    #[serde(default)]
    pub energy: RawEnergy,
    /// `[area]`.
    #[serde(default)]
    pub area: RawArea,
}

/// `[energy]`: pJ per action; unset keys come from `base`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnergy {
    /// `45nm` (default) or `none`.
    #[serde(default)]
    pub base: crate::energy::TechBase,
    /// An Accelergy ERT file whose values fill keys the file does not set (resolved by the
    /// loader, relative to the architecture file).
    #[serde(default)]
    pub ert: Option<String>,
    /// See [`crate::energy::EnergyTable`] for each key.
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    pub mac_pj: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub gated_mac_pj: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub reg_bit_pj: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub mux_input_pj: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub decode_entry_pj: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub bus_beat_pj: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub sram_pj_per_byte: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub ifmap_sram_pj_per_byte: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub filter_sram_pj_per_byte: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub ofmap_sram_pj_per_byte: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub dram_pj_per_byte: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub pe_leakage_pj_per_cycle: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub idle_pe_cycle_pj: Option<f64>,
}

impl RawEnergy {
    /// The values the file sets.
    pub fn overrides(&self) -> crate::energy::table::EnergyOverrides {
        crate::energy::table::EnergyOverrides {
            mac_pj: self.mac_pj,
            gated_mac_pj: self.gated_mac_pj,
            reg_bit_pj: self.reg_bit_pj,
            mux_input_pj: self.mux_input_pj,
            decode_entry_pj: self.decode_entry_pj,
            bus_beat_pj: self.bus_beat_pj,
            sram_pj_per_byte: self.sram_pj_per_byte,
            ifmap_sram_pj_per_byte: self.ifmap_sram_pj_per_byte,
            filter_sram_pj_per_byte: self.filter_sram_pj_per_byte,
            ofmap_sram_pj_per_byte: self.ofmap_sram_pj_per_byte,
            dram_pj_per_byte: self.dram_pj_per_byte,
            pe_leakage_pj_per_cycle: self.pe_leakage_pj_per_cycle,
            idle_pe_cycle_pj: self.idle_pe_cycle_pj,
        }
    }
}

/// `[area]`: µm² per component; unset keys come from `base`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArea {
    /// `45nm` (default) or `none`.
    #[serde(default)]
    pub base: crate::energy::TechBase,
    /// See [`crate::energy::AreaTable`] for each key.
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    pub mac_um2: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub reg_bit_um2: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub mux_input_um2: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub sram_um2_per_bit: Option<f64>,
    #[serde(default, deserialize_with = "values::opt_tech_value")]
    #[allow(missing_docs)]
    pub decoder_um2: Option<f64>,
}

impl RawArea {
    /// The values the file sets.
    pub fn overrides(&self) -> crate::energy::table::AreaOverrides {
        crate::energy::table::AreaOverrides {
            mac_um2: self.mac_um2,
            reg_bit_um2: self.reg_bit_um2,
            mux_input_um2: self.mux_input_um2,
            sram_um2_per_bit: self.sram_um2_per_bit,
            decoder_um2: self.decoder_um2,
        }
    }
}

/// `[decode]`: metadata decode throughput, entries per cycle, per layout. Default: the
/// array's column count (one decoder per column, as fast as weights load).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDecode {
    /// `irregular`.
    #[serde(default, deserialize_with = "values::opt_throughput")]
    pub irregular: Option<u32>,
    /// `nm`.
    #[serde(default, deserialize_with = "values::opt_throughput")]
    pub nm: Option<u32>,
    /// `bwhm`.
    #[serde(default, deserialize_with = "values::opt_throughput")]
    pub bwhm: Option<u32>,
    /// `darb`.
    #[serde(default, deserialize_with = "values::opt_throughput")]
    pub darb: Option<u32>,
    /// `pconv`.
    #[serde(default, deserialize_with = "values::opt_throughput")]
    pub pconv: Option<u32>,
    /// `colcomb`.
    #[serde(default, deserialize_with = "values::opt_throughput")]
    pub colcomb: Option<u32>,
}

/// `[outputs]`: how the output unit treats filters a layout drops.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawOutputs {
    /// `write_zeros` (default) or `skip`.
    pub dropped_filters: super::DroppedFilters,
}

impl Default for RawOutputs {
    fn default() -> Self {
        RawOutputs {
            dropped_filters: super::DroppedFilters::WriteZeros,
        }
    }
}

/// `[layout]`: layout parameters; every key optional, defaults as `LayoutParams::default`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLayout {
    /// Target sparsity in [0, 1).
    pub sparsity: Option<f64>,
    /// `magnitude` or `lookahead`.
    pub importance: Option<crate::layout::params::Importance>,
    /// N:M as `"2:4"`.
    pub nm: Option<String>,
    /// BWHM block size.
    pub bwhm_block: Option<u32>,
    /// Allowed DARB block sizes.
    pub darb_blocks: Option<Vec<u32>>,
    /// DARB mapping: `by_block_size` or `mixed`.
    pub darb_mapping: Option<crate::layout::params::DarbMapping>,
    /// PCONV pattern-library size.
    pub pconv_patterns: Option<u32>,
    /// PCONV connectivity rate.
    pub pconv_connectivity: Option<f64>,
    /// Column combining α.
    pub colcomb_alpha: Option<u32>,
    /// Column combining γ.
    pub colcomb_gamma: Option<f64>,
    /// Column combining's column order on convolutions: `sparsim` or `torch`.
    pub colcomb_column_order: Option<crate::layout::params::ColumnOrder>,
    /// Layer-wise N:M from the topology (SCALE-Sim's SparsitySupport).
    pub layerwise_nm: Option<bool>,
}

fn default_clock() -> f64 {
    DEFAULT_CLOCK_MHZ
}

/// `[array]`: the PE grid and dataflow.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArray {
    /// Array rows R.
    #[serde(deserialize_with = "values::array_dim")]
    pub rows: u32,
    /// Array columns C.
    #[serde(deserialize_with = "values::array_dim")]
    pub cols: u32,
    /// Dataflow; default `ws`.
    #[serde(default = "default_dataflow")]
    pub dataflow: Dataflow,
}

fn default_dataflow() -> Dataflow {
    Dataflow::Ws
}

/// `[sram]`: SRAM sizes in kB.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawSram {
    /// Input-activation SRAM, kB.
    #[serde(deserialize_with = "values::sram_kb")]
    pub ifmap_kb: u64,
    /// Weight SRAM, kB.
    #[serde(deserialize_with = "values::sram_kb")]
    pub filter_kb: u64,
    /// Output SRAM, kB.
    #[serde(deserialize_with = "values::sram_kb")]
    pub ofmap_kb: u64,
    /// Ifmap SRAM read port, words per cycle; default: what a dense array reads.
    #[serde(deserialize_with = "values::opt_port")]
    pub ifmap_read_bw: Option<u32>,
    /// Filter SRAM read port, words per cycle; default: what a dense array reads.
    #[serde(deserialize_with = "values::opt_port")]
    pub filter_read_bw: Option<u32>,
    /// Metadata read port of the decoder, metadata words per cycle; default: C.
    #[serde(deserialize_with = "values::opt_port")]
    pub metadata_read_bw: Option<u32>,
}

impl Default for RawSram {
    fn default() -> Self {
        RawSram {
            ifmap_kb: DEFAULT_SRAM_KB,
            filter_kb: DEFAULT_SRAM_KB,
            ofmap_kb: DEFAULT_SRAM_KB,
            ifmap_read_bw: None,
            filter_read_bw: None,
            metadata_read_bw: None,
        }
    }
}

/// `[word_bytes]`: bytes per word of each operand.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawWordBytes {
    /// Activation word, bytes.
    #[serde(deserialize_with = "values::word_bytes")]
    pub ifmap: u32,
    /// Weight word, bytes.
    #[serde(deserialize_with = "values::word_bytes")]
    pub filter: u32,
    /// Output / partial-sum word, bytes.
    #[serde(deserialize_with = "values::word_bytes")]
    pub ofmap: u32,
    /// Metadata word (sparse layouts' indices and selects), bytes.
    #[serde(deserialize_with = "values::word_bytes")]
    pub metadata: u32,
}

impl Default for RawWordBytes {
    fn default() -> Self {
        RawWordBytes {
            ifmap: 1,
            filter: 1,
            ofmap: 1,
            metadata: 1,
        }
    }
}

/// `[dram]`: DRAM channels.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDram {
    /// `user` (bandwidth-limited) or `calc` (never stalls).
    pub bandwidth_mode: BandwidthMode,
    /// Ifmap read channel, words/cycle.
    #[serde(deserialize_with = "values::bandwidth")]
    pub ifmap_bw: f64,
    /// Filter read channel, words/cycle.
    #[serde(deserialize_with = "values::bandwidth")]
    pub filter_bw: f64,
    /// Ofmap write channel, words/cycle.
    #[serde(deserialize_with = "values::bandwidth")]
    pub ofmap_bw: f64,
}

impl Default for RawDram {
    fn default() -> Self {
        RawDram {
            bandwidth_mode: BandwidthMode::User,
            ifmap_bw: DEFAULT_DRAM_BW,
            filter_bw: DEFAULT_DRAM_BW,
            ofmap_bw: DEFAULT_DRAM_BW,
        }
    }
}

/// `[memory]`: which memory model runs and the sparsim model's policy choices.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMemory {
    /// `sparsim` (default) or `scalesim`.
    pub model: super::MemoryModel,
    /// `fold_start` (default) or `fold_end`.
    pub half_release: super::HalfRelease,
    /// `stall` (default) or `prefetch`.
    pub first_fill: super::FirstFill,
    /// Cycles, 0..=100000; default 0.
    #[serde(deserialize_with = "values::dram_latency")]
    pub dram_read_latency: u32,
}

impl Default for RawMemory {
    fn default() -> Self {
        let p = super::MemoryPolicy::default();
        RawMemory {
            model: p.model,
            half_release: p.half_release,
            first_fill: p.first_fill,
            dram_read_latency: p.dram_read_latency,
        }
    }
}

/// `[pe]`: PE features for sparse layouts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawPe {
    /// Largest mux fan-in.
    #[serde(deserialize_with = "values::small_count")]
    pub mux_inputs: u32,
    /// Row bus width B.
    #[serde(deserialize_with = "values::small_count")]
    pub row_bus_width: u32,
    /// Double-buffered weight registers.
    pub weight_double_buffer: bool,
    /// Zero-weight MAC slots are gated.
    pub zero_gating: bool,
    /// Accumulator width, bits.
    #[serde(deserialize_with = "values::accumulator_bits")]
    pub accumulator_bits: u32,
}

impl Default for RawPe {
    fn default() -> Self {
        RawPe {
            mux_inputs: 1,
            row_bus_width: 1,
            weight_double_buffer: false,
            zero_gating: true,
            accumulator_bits: 32,
        }
    }
}
