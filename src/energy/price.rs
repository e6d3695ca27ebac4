//! Action counts × the technology table = energy, by component (`docs/model.md` §9.2).

use super::actions::{ActionCounts, Provision};
use crate::config::{Arch, Dataflow};
use serde::Serialize;
use std::ops::AddAssign;

/// Energy of a run, pJ, by component. The components partition the total.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct EnergyBreakdown {
    /// Total.
    pub energy_pj: f64,
    /// MACs: effectual, plus zero-weight slots (gated or not).
    pub energy_mac_pj: f64,
    /// Data moves inside the array: operand and stationary register writes, partial sums,
    /// select registers and bus beats.
    pub energy_array_pj: f64,
    /// PE activation muxes.
    pub energy_mux_pj: f64,
    /// Metadata decoders.
    pub energy_decode_pj: f64,
    /// SRAM reads and writes of ifmaps, weights and ofmaps.
    pub energy_sram_pj: f64,
    /// DRAM traffic of ifmaps, weights and ofmaps.
    pub energy_dram_pj: f64,
    /// Metadata moves: its SRAM reads and DRAM bytes.
    pub energy_metadata_pj: f64,
    /// PE leakage and idle-PE clocking.
    pub energy_static_pj: f64,
}

impl EnergyBreakdown {
    /// The components in column order, with their column names (the total excluded).
    pub fn components(&self) -> [(&'static str, f64); 8] {
        [
            ("energy_mac_pj", self.energy_mac_pj),
            ("energy_array_pj", self.energy_array_pj),
            ("energy_mux_pj", self.energy_mux_pj),
            ("energy_decode_pj", self.energy_decode_pj),
            ("energy_sram_pj", self.energy_sram_pj),
            ("energy_dram_pj", self.energy_dram_pj),
            ("energy_metadata_pj", self.energy_metadata_pj),
            ("energy_static_pj", self.energy_static_pj),
        ]
    }
}

impl AddAssign for EnergyBreakdown {
    fn add_assign(&mut self, o: EnergyBreakdown) {
        self.energy_pj += o.energy_pj;
        self.energy_mac_pj += o.energy_mac_pj;
        self.energy_array_pj += o.energy_array_pj;
        self.energy_mux_pj += o.energy_mux_pj;
        self.energy_decode_pj += o.energy_decode_pj;
        self.energy_sram_pj += o.energy_sram_pj;
        self.energy_dram_pj += o.energy_dram_pj;
        self.energy_metadata_pj += o.energy_metadata_pj;
        self.energy_static_pj += o.energy_static_pj;
    }
}

/// Bits of the words the array moves: (streamed operand per hop, stationary operand).
fn moved_bits(arch: &Arch) -> (f64, f64) {
    let (stream, stationary) = super::area::operand_bits(arch);
    let (stream, stationary) = (f64::from(stream), f64::from(stationary));
    match arch.dataflow {
        Dataflow::Ws | Dataflow::Is => (stream, stationary),
        // Activations and weights both stream, one hop each per MAC slot.
        Dataflow::Os => ((stream + stationary) / 2.0, 0.0),
    }
}

/// Prices `a` with the arch's technology table.
pub fn price(arch: &Arch, a: &ActionCounts, hw: &Provision) -> EnergyBreakdown {
    let e = &arch.tech.energy;
    let m = &arch.memory;
    let n = |v: u64| v as f64;
    let (stream_bits, stat_bits) = moved_bits(arch);
    let select_bits = if hw.selects {
        f64::from(hw.select_bits)
    } else {
        0.0
    };
    let zero_pj = if arch.pe.zero_gating {
        e.gated_mac_pj
    } else {
        e.mac_pj
    };
    let mac = n(a.mac_effectual) * e.mac_pj + n(a.mac_zero_weight) * zero_pj;
    let array = e.reg_bit_pj
        * (n(a.operand_hops) * stream_bits
            + n(a.stationary_hops) * (stat_bits + select_bits)
            + n(a.psum_writes) * f64::from(arch.pe.accumulator_bits))
        + n(a.bus_beats) * e.bus_beat_pj;
    let mux = n(a.mux_select_inputs) * e.mux_input_pj;
    let decode = n(a.decoder_entries) * e.decode_entry_pj;
    let sram = n(a.ifmap_sram_reads) * f64::from(m.ifmap.word_bytes) * e.ifmap_sram_pj_per_byte
        + n(a.filter_sram_reads) * f64::from(m.filter.word_bytes) * e.filter_sram_pj_per_byte
        + n(a.ofmap_sram_writes) * f64::from(m.ofmap.word_bytes) * e.ofmap_sram_pj_per_byte;
    let dram = n(a.ifmap_dram_bytes
        + a.filter_dram_bytes
        + a.ofmap_dram_write_bytes
        + a.psum_dram_read_bytes)
        * e.dram_pj_per_byte;
    let metadata =
        n(a.metadata_sram_reads) * f64::from(m.metadata_word_bytes) * e.filter_sram_pj_per_byte
            + n(a.metadata_dram_bytes) * e.dram_pj_per_byte;
    // Derived leakage follows the PE the run uses (its mux, lanes and selects).
    let leak = match e.leakage_nw_per_um2 {
        Some(density) => density * super::area::pe_um2(arch, hw) / arch.clock_mhz / 1000.0,
        None => e.pe_leakage_pj_per_cycle,
    };
    let stat = n(a.pe_cycles) * leak + n(a.idle_pe_cycles) * e.idle_pe_cycle_pj;
    EnergyBreakdown {
        energy_pj: mac + array + mux + decode + sram + dram + metadata + stat,
        energy_mac_pj: mac,
        energy_array_pj: array,
        energy_mux_pj: mux,
        energy_decode_pj: decode,
        energy_sram_pj: sram,
        energy_dram_pj: dram,
        energy_metadata_pj: metadata,
        energy_static_pj: stat,
    }
}
