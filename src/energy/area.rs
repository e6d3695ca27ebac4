//! Silicon area of an architecture as provisioned, and of the hardware a layout needs
//! (`docs/model.md` §9.3).

use super::actions::Provision;
use crate::config::{Arch, Dataflow, Memory, PeFeatures};
use serde::Serialize;

/// Area, mm², by component. The components partition the total.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct AreaBreakdown {
    /// Total.
    pub area_mm2: f64,
    /// MAC units.
    pub area_mac_mm2: f64,
    /// PE registers: weight (two when double-buffered), activation lanes, accumulator.
    pub area_pe_regs_mm2: f64,
    /// Select registers (per PE: ⌈log2 C⌉ bits on an arch that can run packed layouts,
    /// ⌈log2 D_max⌉ for the hardware a layout needs; two with double-buffered weights).
    pub area_select_mm2: f64,
    /// Activation muxes.
    pub area_mux_mm2: f64,
    /// The three SRAMs (both halves of each double buffer; metadata lives in the filter SRAM).
    pub area_sram_mm2: f64,
    /// Metadata decoders.
    pub area_decoder_mm2: f64,
}

impl AreaBreakdown {
    /// The components in column order, with their column names (the total excluded).
    pub fn components(&self) -> [(&'static str, f64); 6] {
        [
            ("area_mac_mm2", self.area_mac_mm2),
            ("area_pe_regs_mm2", self.area_pe_regs_mm2),
            ("area_select_mm2", self.area_select_mm2),
            ("area_mux_mm2", self.area_mux_mm2),
            ("area_sram_mm2", self.area_sram_mm2),
            ("area_decoder_mm2", self.area_decoder_mm2),
        ]
    }
}

/// Register bits of one PE on `hw`: (data bits — its weight, one activation register per
/// bus lane, the accumulator — and select bits). Double-buffered weight registers hold a
/// second weight and select.
pub fn pe_register_bits(arch: &Arch, hw: &Provision) -> (u32, u32) {
    register_bits(&arch.memory, &arch.pe, hw.row_bus_width, hw.select_bits)
}

/// [`pe_register_bits`] from the parts an architecture is built of (also used while its
/// technology table is resolved).
pub fn register_bits(
    memory: &Memory,
    pe: &PeFeatures,
    row_bus_width: u32,
    select_bits: u32,
) -> (u32, u32) {
    let copies = if pe.weight_double_buffer { 2 } else { 1 };
    (
        copies * memory.filter.word_bytes * 8
            + row_bus_width * memory.ifmap.word_bytes * 8
            + pe.accumulator_bits,
        copies * select_bits,
    )
}

/// Area of one PE on `hw`, µm²: MAC, registers, selects and activation mux.
pub fn pe_um2(arch: &Arch, hw: &Provision) -> f64 {
    let (data, select) = pe_register_bits(arch, hw);
    arch.tech.area.pe_um2(data + select, hw.mux_inputs)
}

/// Widths of the words a PE's registers move: (streamed operand, stationary operand) bits.
/// Under OS both operands stream; the activation counts as streamed, the weight as the other.
pub fn operand_bits(arch: &Arch) -> (u32, u32) {
    let m = &arch.memory;
    let (i, f) = (m.ifmap.word_bytes * 8, m.filter.word_bytes * 8);
    match arch.dataflow {
        Dataflow::Is => (f, i),
        Dataflow::Ws | Dataflow::Os => (i, f),
    }
}

/// Area of `arch` with its PEs, bus and decoders provisioned as `hw`.
pub fn area(arch: &Arch, hw: &Provision) -> AreaBreakdown {
    let t = &arch.tech.area;
    let pes = arch.array.pes() as f64;
    let um2 = 1e-6;
    let m = &arch.memory;
    let sram_bits = ((m.ifmap.sram_kb + m.filter.sram_kb + m.ofmap.sram_kb) * 1024 * 8) as f64;
    let (data_bits, select_bits) = pe_register_bits(arch, hw);
    let mac = pes * t.mac_um2 * um2;
    let regs = pes * t.reg_bit_um2 * f64::from(data_bits) * um2;
    let select = pes * t.reg_bit_um2 * f64::from(select_bits) * um2;
    let mux = pes * t.mux_input_um2 * f64::from(hw.mux_inputs) * um2;
    let sram = sram_bits * t.sram_um2_per_bit * um2;
    let decoder = f64::from(hw.decoder_lanes) * t.decoder_um2 * um2;
    AreaBreakdown {
        area_mm2: mac + regs + select + mux + sram + decoder,
        area_mac_mm2: mac,
        area_pe_regs_mm2: regs,
        area_select_mm2: select,
        area_mux_mm2: mux,
        area_sram_mm2: sram,
        area_decoder_mm2: decoder,
    }
}
