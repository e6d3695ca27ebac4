//! The technology table: pJ per action and µm² per component, resolved from a named base
//! technology and the architecture's overrides (`docs/model.md` §9.4).

use super::sources as src;
use serde::Serialize;

/// Where the values a file does not give come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
pub enum TechBase {
    /// Derived from published 45 nm numbers ([`super::sources`]) at the arch's word widths.
    #[default]
    #[serde(rename = "45nm")]
    Nm45,
    /// Every value not given costs 0.
    #[serde(rename = "none")]
    None,
}

impl TechBase {
    /// As written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            TechBase::Nm45 => "45nm",
            TechBase::None => "none",
        }
    }
}

/// Energy per action, pJ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EnergyTable {
    /// Where unset values came from.
    pub base: TechBase,
    /// One MAC with a nonzero weight.
    pub mac_pj: f64,
    /// One zero-weight MAC slot when the PE gates it (`[pe] zero_gating`).
    pub gated_mac_pj: f64,
    /// One register bit written.
    pub reg_bit_pj: f64,
    /// One input of a PE's activation mux, per selection (the selection of an n-input mux
    /// costs n of these).
    pub mux_input_pj: f64,
    /// One metadata entry decoded into a select.
    pub decode_entry_pj: f64,
    /// One row-bus beat (its control; the words' moves are register writes).
    pub bus_beat_pj: f64,
    /// Ifmap SRAM, per byte read or written.
    pub ifmap_sram_pj_per_byte: f64,
    /// Filter SRAM (weights and metadata), per byte.
    pub filter_sram_pj_per_byte: f64,
    /// Ofmap SRAM, per byte.
    pub ofmap_sram_pj_per_byte: f64,
    /// DRAM, per byte read or written.
    pub dram_pj_per_byte: f64,
    /// Leakage of one PE over one cycle.
    pub pe_leakage_pj_per_cycle: f64,
    /// Clocking of an idle PE per cycle (0 when idle PEs are clock-gated).
    pub idle_pe_cycle_pj: f64,
}

/// Area per component, µm².
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AreaTable {
    /// Where unset values came from.
    pub base: TechBase,
    /// One MAC unit (multiplier and accumulator adder).
    pub mac_um2: f64,
    /// One register bit.
    pub reg_bit_um2: f64,
    /// One input of a PE's activation mux (the key the mux area scales with).
    pub mux_input_um2: f64,
    /// One SRAM bit, periphery included.
    pub sram_um2_per_bit: f64,
    /// One metadata decoder lane (decodes one entry per cycle).
    pub decoder_um2: f64,
}

/// The values an architecture file sets (`None` = from the base).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EnergyOverrides {
    /// `mac_pj`.
    pub mac_pj: Option<f64>,
    /// `gated_mac_pj`.
    pub gated_mac_pj: Option<f64>,
    /// `reg_bit_pj`.
    pub reg_bit_pj: Option<f64>,
    /// `mux_input_pj`.
    pub mux_input_pj: Option<f64>,
    /// `decode_entry_pj`.
    pub decode_entry_pj: Option<f64>,
    /// `bus_beat_pj`.
    pub bus_beat_pj: Option<f64>,
    /// `sram_pj_per_byte`: all three buffers.
    pub sram_pj_per_byte: Option<f64>,
    /// `ifmap_sram_pj_per_byte`.
    pub ifmap_sram_pj_per_byte: Option<f64>,
    /// `filter_sram_pj_per_byte`.
    pub filter_sram_pj_per_byte: Option<f64>,
    /// `ofmap_sram_pj_per_byte`.
    pub ofmap_sram_pj_per_byte: Option<f64>,
    /// `dram_pj_per_byte`.
    pub dram_pj_per_byte: Option<f64>,
    /// `pe_leakage_pj_per_cycle`.
    pub pe_leakage_pj_per_cycle: Option<f64>,
    /// `idle_pe_cycle_pj`.
    pub idle_pe_cycle_pj: Option<f64>,
}

/// The values an architecture file sets for `[area]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AreaOverrides {
    /// `mac_um2`.
    pub mac_um2: Option<f64>,
    /// `reg_bit_um2`.
    pub reg_bit_um2: Option<f64>,
    /// `mux_input_um2`.
    pub mux_input_um2: Option<f64>,
    /// `sram_um2_per_bit`.
    pub sram_um2_per_bit: Option<f64>,
    /// `decoder_um2`.
    pub decoder_um2: Option<f64>,
}

/// What the base values depend on: the arch's word widths, SRAM banks and clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableContext {
    /// Activation bits.
    pub ifmap_bits: u32,
    /// Weight bits.
    pub filter_bits: u32,
    /// Accumulator (partial-sum register) bits.
    pub accumulator_bits: u32,
    /// One bank (half of the double buffer) of each SRAM, kB: ifmap, filter, ofmap.
    pub sram_bank_kb: [f64; 3],
    /// Clock, MHz.
    pub clock_mhz: f64,
    /// Register bits of one PE as provisioned (for its leakage).
    pub pe_reg_bits: u32,
    /// Activation-mux inputs of one PE as provisioned.
    pub mux_inputs: u32,
}

/// Bits of a metadata decoder lane's index adder and output register.
pub const DECODER_LANE_BITS: u32 = 16;

/// Energy of one 64-bit SRAM access of a `kb`-kB array: log-log interpolation through
/// Horowitz's 8 kB, 32 kB and 1 MB points, extended past them with the end segments' slopes
/// (a CACTI-like `E ∝ size^p` law; p ≈ 0.5 below 32 kB and 0.46 above).
pub fn sram_access_pj_64b(kb: f64) -> f64 {
    let pts = src::HOROWITZ_SRAM64_PJ;
    let kb = kb.max(1.0 / 1024.0);
    let seg = if kb <= pts[1].0 { 0 } else { 1 };
    let ((x0, y0), (x1, y1)) = (pts[seg], pts[seg + 1]);
    let slope = (y1 / y0).ln() / (x1 / x0).ln();
    y0 * (kb / x0).powf(slope)
}

/// Supply-voltage scaling of an energy measured at `from` volts to `to` volts.
fn vdd_scale(from: f64, to: f64) -> f64 {
    (to / from).powi(2)
}

/// Leakage density of the PE's logic, nW per µm²: the mean of NanGate's DFF_X1 and FA_X1
/// (registers and adders make up the PE).
pub fn logic_leakage_nw_per_um2() -> f64 {
    (src::NANGATE_DFF_X1_LEAK_NW / src::NANGATE_DFF_X1_UM2
        + src::NANGATE_FA_X1_LEAK_NW / src::NANGATE_FA_X1_UM2)
        / 2.0
}

impl AreaTable {
    /// The table: overrides over the base's values.
    pub fn resolve(base: TechBase, o: &AreaOverrides, cx: &TableContext) -> AreaTable {
        let d = match base {
            TechBase::None => AreaTable {
                base,
                mac_um2: 0.0,
                reg_bit_um2: 0.0,
                mux_input_um2: 0.0,
                sram_um2_per_bit: 0.0,
                decoder_um2: 0.0,
            },
            TechBase::Nm45 => {
                let (i, f, a) = (
                    f64::from(cx.ifmap_bits),
                    f64::from(cx.filter_bits),
                    f64::from(cx.accumulator_bits),
                );
                // An i×f array multiplier (i·f AND gates, (i−1)·f full adders) and an a-bit
                // accumulator adder.
                let mult =
                    i * f * src::NANGATE_AND2_X1_UM2 + (i - 1.0) * f * src::NANGATE_FA_X1_UM2;
                let add = a * src::NANGATE_FA_X1_UM2;
                let lane = f64::from(DECODER_LANE_BITS);
                AreaTable {
                    base,
                    mac_um2: mult + add,
                    reg_bit_um2: src::NANGATE_DFF_X1_UM2,
                    // An n:1 mux of i-bit words: about n MUX2 cells per bit.
                    mux_input_um2: i * src::NANGATE_MUX2_X1_UM2,
                    sram_um2_per_bit: src::INTEL45_SRAM_CELL_UM2 / src::CACTI45_ARRAY_EFFICIENCY,
                    // A 16-bit index adder and its 16-bit output register.
                    decoder_um2: lane * (src::NANGATE_FA_X1_UM2 + src::NANGATE_DFF_X1_UM2),
                }
            }
        };
        AreaTable {
            base,
            mac_um2: o.mac_um2.unwrap_or(d.mac_um2),
            reg_bit_um2: o.reg_bit_um2.unwrap_or(d.reg_bit_um2),
            mux_input_um2: o.mux_input_um2.unwrap_or(d.mux_input_um2),
            sram_um2_per_bit: o.sram_um2_per_bit.unwrap_or(d.sram_um2_per_bit),
            decoder_um2: o.decoder_um2.unwrap_or(d.decoder_um2),
        }
    }

    /// Area of one PE as provisioned, µm²: MAC, registers and activation mux.
    pub fn pe_um2(&self, cx: &TableContext) -> f64 {
        self.mac_um2
            + self.reg_bit_um2 * f64::from(cx.pe_reg_bits)
            + self.mux_input_um2 * f64::from(cx.mux_inputs)
    }
}

impl EnergyTable {
    /// The table: overrides over the base's values. The 45 nm PE leakage comes from the PE's
    /// area in `area` (leakage density × area / clock).
    pub fn resolve(
        base: TechBase,
        o: &EnergyOverrides,
        cx: &TableContext,
        area: &AreaTable,
    ) -> EnergyTable {
        let d = match base {
            TechBase::None => EnergyTable {
                base,
                mac_pj: 0.0,
                gated_mac_pj: 0.0,
                reg_bit_pj: 0.0,
                mux_input_pj: 0.0,
                decode_entry_pj: 0.0,
                bus_beat_pj: 0.0,
                ifmap_sram_pj_per_byte: 0.0,
                filter_sram_pj_per_byte: 0.0,
                ofmap_sram_pj_per_byte: 0.0,
                dram_pj_per_byte: 0.0,
                pe_leakage_pj_per_cycle: 0.0,
                idle_pe_cycle_pj: 0.0,
            },
            TechBase::Nm45 => {
                let (i, f, a) = (
                    f64::from(cx.ifmap_bits),
                    f64::from(cx.filter_bits),
                    f64::from(cx.accumulator_bits),
                );
                // Multiplier energy grows with the product of the operand widths (8 → 32
                // bits: 0.2 → 3.1 pJ), the adder's with its width.
                let mac =
                    src::HOROWITZ_MULT8_PJ * (i * f / 64.0) + src::HOROWITZ_ADD32_PJ * (a / 32.0);
                let per_byte = |kb: f64| sram_access_pj_64b(kb) / 8.0;
                // Half of a MUX2 cell's transitions per input bit (random data), at 0.9 V.
                let mux_bit = 0.5 * src::NANGATE_MUX2_TRANSITION_FJ / 1000.0
                    * vdd_scale(src::NANGATE_VDD, src::HOROWITZ_VDD);
                // Leakage power (nW) of the PE's cells over one clock period (ns) = fJ.
                // nW × µs = fJ.
                let pe_leak_fj = logic_leakage_nw_per_um2() * area.pe_um2(cx) / cx.clock_mhz;
                EnergyTable {
                    base,
                    mac_pj: mac,
                    gated_mac_pj: 0.0,
                    reg_bit_pj: src::ALADDIN_REG_BIT_PJ,
                    mux_input_pj: i * mux_bit,
                    decode_entry_pj: src::DALLY_ADD16_PJ,
                    bus_beat_pj: 0.0,
                    ifmap_sram_pj_per_byte: per_byte(cx.sram_bank_kb[0]),
                    filter_sram_pj_per_byte: per_byte(cx.sram_bank_kb[1]),
                    ofmap_sram_pj_per_byte: per_byte(cx.sram_bank_kb[2]),
                    dram_pj_per_byte: src::HOROWITZ_DRAM32_PJ / 4.0,
                    pe_leakage_pj_per_cycle: pe_leak_fj / 1000.0,
                    idle_pe_cycle_pj: 0.0,
                }
            }
        };
        let sram = |own: Option<f64>, base: f64| own.or(o.sram_pj_per_byte).unwrap_or(base);
        EnergyTable {
            base,
            mac_pj: o.mac_pj.unwrap_or(d.mac_pj),
            gated_mac_pj: o.gated_mac_pj.unwrap_or(d.gated_mac_pj),
            reg_bit_pj: o.reg_bit_pj.unwrap_or(d.reg_bit_pj),
            mux_input_pj: o.mux_input_pj.unwrap_or(d.mux_input_pj),
            decode_entry_pj: o.decode_entry_pj.unwrap_or(d.decode_entry_pj),
            bus_beat_pj: o.bus_beat_pj.unwrap_or(d.bus_beat_pj),
            ifmap_sram_pj_per_byte: sram(o.ifmap_sram_pj_per_byte, d.ifmap_sram_pj_per_byte),
            filter_sram_pj_per_byte: sram(o.filter_sram_pj_per_byte, d.filter_sram_pj_per_byte),
            ofmap_sram_pj_per_byte: sram(o.ofmap_sram_pj_per_byte, d.ofmap_sram_pj_per_byte),
            dram_pj_per_byte: o.dram_pj_per_byte.unwrap_or(d.dram_pj_per_byte),
            pe_leakage_pj_per_cycle: o
                .pe_leakage_pj_per_cycle
                .unwrap_or(d.pe_leakage_pj_per_cycle),
            idle_pe_cycle_pj: o.idle_pe_cycle_pj.unwrap_or(d.idle_pe_cycle_pj),
        }
    }
}
