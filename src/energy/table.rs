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
    /// Leakage of one PE over one cycle (of the PE as the arch provisions it).
    pub pe_leakage_pj_per_cycle: f64,
    /// The logic leakage density the PE leakage derives from, nW/µm², when it is derived
    /// (the 45 nm base, not set by the file): pricing then scales it with the area of the PE
    /// the run uses. `None`: `pe_leakage_pj_per_cycle` as given.
    pub leakage_nw_per_um2: Option<f64>,
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
    /// Register bits of one PE as provisioned, selects included (for its leakage).
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

    /// Area of one PE with `reg_bits` register bits and a `mux_inputs`-input activation mux,
    /// µm²: MAC, registers and mux.
    pub fn pe_um2(&self, reg_bits: u32, mux_inputs: u32) -> f64 {
        self.mac_um2
            + self.reg_bit_um2 * f64::from(reg_bits)
            + self.mux_input_um2 * f64::from(mux_inputs)
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
                leakage_nw_per_um2: None,
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
                // Leakage power (nW) of the PE's cells over one clock period (µs): nW × µs = fJ.
                let pe_leak_fj = logic_leakage_nw_per_um2()
                    * area.pe_um2(cx.pe_reg_bits, cx.mux_inputs)
                    / cx.clock_mhz;
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
                    leakage_nw_per_um2: Some(logic_leakage_nw_per_um2()),
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
            leakage_nw_per_um2: if o.pe_leakage_pj_per_cycle.is_some() {
                None
            } else {
                d.leakage_nw_per_um2
            },
            idle_pe_cycle_pj: o.idle_pe_cycle_pj.unwrap_or(d.idle_pe_cycle_pj),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default arch: 8-bit words, 32-bit accumulator, 64 kB SRAMs (32 kB banks), 1 GHz.
    fn cx(ifmap_bits: u32, filter_bits: u32, bank_kb: f64) -> TableContext {
        TableContext {
            ifmap_bits,
            filter_bits,
            accumulator_bits: 32,
            sram_bank_kb: [bank_kb; 3],
            clock_mhz: 1000.0,
            pe_reg_bits: filter_bits + ifmap_bits + 32,
            mux_inputs: 1,
        }
    }

    fn tables(c: &TableContext) -> (EnergyTable, AreaTable) {
        let a = AreaTable::resolve(TechBase::Nm45, &AreaOverrides::default(), c);
        (
            EnergyTable::resolve(TechBase::Nm45, &EnergyOverrides::default(), c, &a),
            a,
        )
    }

    #[test]
    fn the_sram_model_passes_through_horowitz_points() {
        // Horowitz, ISSCC 2014: 64-bit accesses of 8 kB, 32 kB and 1 MB arrays.
        assert!((sram_access_pj_64b(8.0) - 10.0).abs() < 1e-12);
        assert!((sram_access_pj_64b(32.0) - 20.0).abs() < 1e-12);
        assert!((sram_access_pj_64b(1024.0) - 100.0).abs() < 1e-9);
        // Between and beyond: monotone, sub-linear in capacity.
        assert!(sram_access_pj_64b(4.0) < 10.0 && sram_access_pj_64b(4.0) > 5.0);
        assert!(sram_access_pj_64b(2048.0) > 100.0 && sram_access_pj_64b(2048.0) < 200.0);
    }

    #[test]
    fn the_45nm_table_reproduces_its_sources() {
        let (e, a) = tables(&cx(8, 8, 32.0));
        // Horowitz: 8-bit multiply 0.2 pJ + 32-bit add 0.1 pJ.
        assert!((e.mac_pj - 0.3).abs() < 1e-12);
        // 32-bit integers: a 3.1 pJ multiply, 16× the 8-bit one (and 0.1 pJ of adder).
        let (e32, _) = tables(&cx(32, 32, 32.0));
        assert!((e32.mac_pj - (3.2 + 0.1)).abs() < 1e-12);
        assert!((src::HOROWITZ_MULT32_PJ - 3.2).abs() < 0.15);
        // Horowitz/Dally: a 32-bit DRAM read is 640 pJ.
        assert_eq!(e.dram_pj_per_byte * 4.0, 640.0);
        // 32 kB banks: 20 pJ per 64-bit access.
        assert_eq!(e.ifmap_sram_pj_per_byte * 8.0, 20.0);
        // Accelergy/Aladdin register: 0.009 pJ per bit.
        assert_eq!(e.reg_bit_pj, 0.009);
        // Dally's 16-bit add per decoded entry.
        assert_eq!(e.decode_entry_pj, 0.05);
        // NanGate MUX2_X1: 5.3 fJ per transition at 1.1 V, half the bits switch, at 0.9 V.
        let mux_bit = 0.5 * 5.3e-3 * (0.9f64 / 1.1).powi(2);
        assert!((e.mux_input_pj - 8.0 * mux_bit).abs() < 1e-15);
        // NanGate cell areas.
        assert_eq!(a.reg_bit_um2, 4.522);
        assert_eq!(a.mux_input_um2, 8.0 * 1.862);
        assert!((a.decoder_um2 - 16.0 * (4.256 + 4.522)).abs() < 1e-9);
        // 8×8 array multiplier (64 AND2, 56 FA) and a 32-bit accumulator adder (32 FA).
        assert!((a.mac_um2 - (64.0 * 1.064 + 56.0 * 4.256 + 32.0 * 4.256)).abs() < 1e-9);
        // Intel 45 nm 6T cell at CACTI's 75 % array efficiency.
        assert!((a.sram_um2_per_bit - 0.346 / 0.75).abs() < 1e-12);
        // Leakage: ≈17.6 nW/µm² (DFF_X1, FA_X1) over the PE's cells, one 1 ns cycle.
        let pe = a.pe_um2(40 + 8, 1);
        assert!((e.pe_leakage_pj_per_cycle - logic_leakage_nw_per_um2() * pe * 1e-6).abs() < 1e-15);
        assert!((logic_leakage_nw_per_um2() - 17.65).abs() < 0.05);
    }

    #[test]
    fn relative_costs_land_in_the_published_order() {
        // 16-bit words, as Eyeriss: DRAM ≫ a 128 kB buffer ≫ a MAC ≳ a register write.
        let (e, _) = tables(&cx(16, 16, 128.0));
        let word = |per_byte: f64| 2.0 * per_byte;
        let dram = word(e.dram_pj_per_byte) / e.mac_pj;
        let buffer = word(e.ifmap_sram_pj_per_byte) / e.mac_pj;
        let reg = 16.0 * e.reg_bit_pj / e.mac_pj;
        // Eyeriss (65 nm): DRAM 200×, global buffer 6×, RF 1× a MAC. Within a factor of 2-3.
        assert!((100.0..=600.0).contains(&dram), "DRAM/MAC = {dram}");
        assert!((2.0..=20.0).contains(&buffer), "buffer/MAC = {buffer}");
        assert!(reg <= 1.0, "register/MAC = {reg}");
        assert!(dram > 10.0 * buffer && buffer > 1.0);
        assert_eq!(src::EYERISS_DRAM_OVER_MAC, 200.0);
    }

    #[test]
    fn base_none_prices_only_what_is_given() {
        let c = cx(8, 8, 32.0);
        let a = AreaTable::resolve(TechBase::None, &AreaOverrides::default(), &c);
        let e = EnergyTable::resolve(
            TechBase::None,
            &EnergyOverrides {
                mac_pj: Some(1.0),
                sram_pj_per_byte: Some(2.0),
                filter_sram_pj_per_byte: Some(3.0),
                ..EnergyOverrides::default()
            },
            &c,
            &a,
        );
        assert_eq!(
            (e.mac_pj, e.dram_pj_per_byte, e.reg_bit_pj),
            (1.0, 0.0, 0.0)
        );
        // The per-buffer key wins over the all-buffers key.
        assert_eq!(
            (
                e.ifmap_sram_pj_per_byte,
                e.filter_sram_pj_per_byte,
                e.ofmap_sram_pj_per_byte
            ),
            (2.0, 3.0, 2.0)
        );
        assert_eq!(a.pe_um2(c.pe_reg_bits, c.mux_inputs), 0.0);
    }
}
