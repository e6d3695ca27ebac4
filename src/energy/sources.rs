//! Published numbers behind the `base = "45nm"` technology table, each as found in its source
//! (`docs/model.md` §9.4 lists them with their references). The table in [`super::table`]
//! derives its defaults from these and nothing else.

/// Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014,
/// 45 nm at 0.9 V: 8-bit integer multiply, pJ.
pub const HOROWITZ_MULT8_PJ: f64 = 0.2;
/// Horowitz 2014: 32-bit integer multiply, pJ.
pub const HOROWITZ_MULT32_PJ: f64 = 3.1;
/// Horowitz 2014: 8-bit integer add, pJ.
pub const HOROWITZ_ADD8_PJ: f64 = 0.03;
/// Horowitz 2014: 32-bit integer add, pJ.
pub const HOROWITZ_ADD32_PJ: f64 = 0.1;
/// Horowitz 2014: 64-bit SRAM (cache) access energy, pJ, at (capacity kB, pJ): 8 kB, 32 kB
/// and 1 MB.
pub const HOROWITZ_SRAM64_PJ: [(f64, f64); 3] = [(8.0, 10.0), (32.0, 20.0), (1024.0, 100.0)];
/// Horowitz 2014 as tabulated by Han et al. (EIE, ISCA 2016) and Dally: a 32-bit DRAM read,
/// pJ (the low end of Horowitz's 1.3–2.6 nJ per 64-bit access).
pub const HOROWITZ_DRAM32_PJ: f64 = 640.0;
/// Dally's table of Horowitz's figures (NIPS 2015 tutorial): a 16-bit integer add, pJ.
pub const DALLY_ADD16_PJ: f64 = 0.05;

/// NanGate 45 nm Open Cell Library (typical corner, 1.1 V, 25 °C), cell areas in µm².
pub const NANGATE_DFF_X1_UM2: f64 = 4.522;
/// NanGate 45 nm: 2:1 multiplexer MUX2_X1, µm².
pub const NANGATE_MUX2_X1_UM2: f64 = 1.862;
/// NanGate 45 nm: full adder FA_X1, µm².
pub const NANGATE_FA_X1_UM2: f64 = 4.256;
/// NanGate 45 nm: 2-input AND AND2_X1, µm².
pub const NANGATE_AND2_X1_UM2: f64 = 1.064;
/// NanGate 45 nm: cell leakage of DFF_X1, nW.
pub const NANGATE_DFF_X1_LEAK_NW: f64 = 79.11;
/// NanGate 45 nm: cell leakage of FA_X1, nW.
pub const NANGATE_FA_X1_LEAK_NW: f64 = 75.76;
/// NanGate 45 nm: MUX2_X1 internal energy plus its 3.8 fF load per output transition at
/// mid-table slew, fJ, at the library's 1.1 V.
pub const NANGATE_MUX2_TRANSITION_FJ: f64 = 5.3;
/// The library's supply voltage, V.
pub const NANGATE_VDD: f64 = 1.1;
/// Horowitz's supply voltage, V (energies scale with V²).
pub const HOROWITZ_VDD: f64 = 0.9;

/// Accelergy's Aladdin plug-in (40/45 nm table `data/reg.csv`): dynamic energy of one
/// register bit per access, pJ.
pub const ALADDIN_REG_BIT_PJ: f64 = 0.009;

/// Intel 45 nm 6T SRAM bit cell, µm² (Mistry et al., IEDM 2007).
pub const INTEL45_SRAM_CELL_UM2: f64 = 0.346;
/// Array efficiency (cell area / macro area) of 45 nm SRAM macros of 8 kB and more, as
/// CACTI 7 reports them (74–82 %).
pub const CACTI45_ARRAY_EFFICIENCY: f64 = 0.75;

/// Eyeriss (Chen, Emer, Sze, ISCA 2016, Table IV, 65 nm): DRAM access energy relative to a
/// 16-bit MAC — a ratio the derived table must land near, not a default.
pub const EYERISS_DRAM_OVER_MAC: f64 = 200.0;
