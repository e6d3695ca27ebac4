//! SCALE-Sim `.cfg` files, read with SCALE-Sim v3.0.0's meaning for every key, so SCALE-Sim
//! users can run their configs unchanged.
//!
//! | section | key | meaning in sparsim |
//! |---|---|---|
//! | `general` | `run_name` | architecture name |
//! | `architecture_presets` | `ArrayHeight`, `ArrayWidth` | array rows R, columns C |
//! | | `IfmapSramSzkB`, `FilterSramSzkB`, `OfmapSramSzkB` | SRAM sizes, kB (1 word = 1 byte, as SCALE-Sim) |
//! | | `Dataflow` | `ws`, `os` or `is` (lower case; SCALE-Sim silently runs anything else as OS, sparsim refuses) |
//! | | `Bandwidth` | USER mode: its first value is the **ofmap** drain bandwidth, words/cycle |
//! | | `IfmapOffset`, `FilterOffset`, `OfmapOffset`, `MemoryBanks`, `ReadRequestBuffer`, `WriteRequestBuffer` | accepted; no effect (addresses and Ramulator ports) |
//! | `layout` | `IfmapSRAMBankBandwidth`, `FilterSRAMBankBandwidth` | USER mode: the ifmap and filter DRAM bandwidths, words/cycle (what SCALE-Sim really uses) |
//! | | `IfmapSRAMBankNum`, `IfmapSRAMBankPort`, `FilterSRAMBankNum`, `FilterSRAMBankPort` | accepted; no effect |
//! | | `IfmapCustomLayout`, `FilterCustomLayout` | must be false (bank-conflict layouts are not modelled) |
//! | `sparsity` | `SparsitySupport` | true: every layer runs as `nm` with the N:M its topology row declares (1:1 when none), as SCALE-Sim's layer-wise sparsity |
//! | | `OptimizedMapping` | must be false (SCALE-Sim's optimized mapping draws a random N per column; not modelled) |
//! | | `SparseRep`, `BlockSize`, `RandomNumberGeneratorSeed` | accepted; no effect (sparsim's `nm` metadata is its own) |
//! | `run_presets` | `InterfaceBandwidth` | `USER` (bandwidth-limited) or `CALC` (never stalls) |
//! | | `UseRamulatorTrace` | must be False (sparsim uses its own DRAM model) |
//! | `network_presets` | `TopologyCsvLoc` | accepted; the workload is given on the command line |
//!
//! Keys are case-insensitive and sections case-sensitive, as in Python's `configparser`.
//!
//! The architecture runs on the `scalesim` memory model (SCALE-Sim's own buffers, so a
//! SCALE-Sim user gets SCALE-Sim's stall cycles and DRAM counts), except with
//! `SparsitySupport = true`, whose compressed streams that model does not reproduce: those
//! runs get sparsim's model. `--memory-model` overrides either.

use super::{
    Arch, ArrayShape, BandwidthMode, Dataflow, DecodeThroughput, Memory, OperandMemory, PeFeatures,
};
use crate::error::InputError;
use crate::ini::{Ini, IniEntry};
use crate::units::Bandwidth;

const KNOWN: &[(&str, &[&str])] = &[
    ("general", &["run_name"]),
    (
        "architecture_presets",
        &[
            "ArrayHeight",
            "ArrayWidth",
            "IfmapSramSzkB",
            "FilterSramSzkB",
            "OfmapSramSzkB",
            "IfmapOffset",
            "FilterOffset",
            "OfmapOffset",
            "Bandwidth",
            "Dataflow",
            "MemoryBanks",
            "ReadRequestBuffer",
            "WriteRequestBuffer",
        ],
    ),
    (
        "layout",
        &[
            "IfmapCustomLayout",
            "IfmapSRAMBankBandwidth",
            "IfmapSRAMBankNum",
            "IfmapSRAMBankPort",
            "FilterCustomLayout",
            "FilterSRAMBankBandwidth",
            "FilterSRAMBankNum",
            "FilterSRAMBankPort",
        ],
    ),
    (
        "sparsity",
        &[
            "SparsitySupport",
            "SparseRep",
            "OptimizedMapping",
            "BlockSize",
            "RandomNumberGeneratorSeed",
        ],
    ),
    ("run_presets", &["InterfaceBandwidth", "UseRamulatorTrace"]),
    ("network_presets", &["TopologyCsvLoc"]),
];

/// Parses a SCALE-Sim `.cfg` text into an [`Arch`].
pub fn parse_scalesim_cfg(src: &str, origin: &str, default_name: &str) -> Result<Arch, InputError> {
    let ini = Ini::parse(src, origin)?;
    check_known(&ini, origin)?;
    let c = Cfg { ini: &ini, origin };

    let mode = match c.get("run_presets", "InterfaceBandwidth") {
        None => return Err(c.missing("run_presets", "InterfaceBandwidth")),
        Some(e) => match e.value.as_str() {
            "USER" => BandwidthMode::User,
            "CALC" => BandwidthMode::Calc,
            v => return Err(c.bad(e, v, "USER or CALC (upper case, as SCALE-Sim compares)")),
        },
    };
    for (section, key, what) in [
        (
            "run_presets",
            "UseRamulatorTrace",
            "False (sparsim has its own DRAM model, not Ramulator traces)",
        ),
        (
            "layout",
            "IfmapCustomLayout",
            "False (custom SRAM bank layouts are not modelled)",
        ),
        (
            "layout",
            "FilterCustomLayout",
            "False (custom SRAM bank layouts are not modelled)",
        ),
        (
            "sparsity",
            "OptimizedMapping",
            "false (SCALE-Sim's optimized sparse mapping, random per-column N, is not modelled)",
        ),
    ] {
        if let Some(e) = c.get(section, key)
            && c.boolean(e)?
        {
            return Err(c.bad(e, &e.value, what));
        }
    }
    let layerwise_nm = match c.get("sparsity", "SparsitySupport") {
        Some(e) => c.boolean(e)?,
        None => false,
    };
    let rows = c.int("architecture_presets", "ArrayHeight", 1, 65_536)?;
    let cols = c.int("architecture_presets", "ArrayWidth", 1, 65_536)?;
    let kb = |key| c.int("architecture_presets", key, 1, 1 << 30);
    let (ifmap_kb, filter_kb, ofmap_kb) = (
        kb("IfmapSramSzkB")?,
        kb("FilterSramSzkB")?,
        kb("OfmapSramSzkB")?,
    );
    let dataflow = match c.get("architecture_presets", "Dataflow") {
        None => return Err(c.missing("architecture_presets", "Dataflow")),
        Some(e) => match e.value.as_str() {
            "ws" => Dataflow::Ws,
            "os" => Dataflow::Os,
            "is" => Dataflow::Is,
            v => {
                return Err(c.bad(
                    e,
                    v,
                    "one of ws, os, is (lower case; SCALE-Sim silently runs any other value as os)",
                ));
            }
        },
    };
    // USER mode: ifmap/filter DRAM bandwidths come from [layout]; `Bandwidth` drains the ofmap.
    // CALC mode: SCALE-Sim's estimator uses 10, 10 and ArrayWidth words/cycle; nothing stalls.
    let (ifmap_bw, filter_bw, ofmap_bw) = match mode {
        BandwidthMode::User => {
            let ofmap = match c.get("architecture_presets", "Bandwidth") {
                None => return Err(c.missing("architecture_presets", "Bandwidth")),
                Some(e) => {
                    let first = e.value.split(',').next().unwrap_or("").trim();
                    first
                        .parse::<u64>()
                        .ok()
                        .filter(|v| *v >= 1)
                        .ok_or_else(|| c.bad(e, &e.value, "a positive integer (words per cycle), or a comma list whose first value is one"))?
                }
            };
            (
                c.int("layout", "IfmapSRAMBankBandwidth", 1, 1 << 30)?,
                c.int("layout", "FilterSRAMBankBandwidth", 1, 1 << 30)?,
                ofmap,
            )
        }
        BandwidthMode::Calc => (10, 10, cols),
    };
    let op = |kb: u64, bw: u64| OperandMemory {
        sram_kb: kb,
        word_bytes: 1,
        dram_bw: Bandwidth::from_words_per_cycle(bw as f64).expect("positive integer bandwidth"),
    };
    let name = match c.get("general", "run_name") {
        Some(e) if !e.value.is_empty() => e.value.clone(),
        _ => default_name.to_string(),
    };
    let pe = PeFeatures {
        mux_inputs: 1,
        row_bus_width: 1,
        weight_double_buffer: false,
        zero_gating: true,
        accumulator_bits: 32,
    };
    let memory = Memory {
        bandwidth_mode: mode,
        ifmap: op(ifmap_kb, ifmap_bw),
        filter: op(filter_kb, filter_bw),
        ofmap: op(ofmap_kb, ofmap_bw),
        metadata_word_bytes: 1,
        // SCALE-Sim's N:M runs stream compressed operands that the `scalesim` model does
        // not reproduce: they get sparsim's model.
        policy: super::MemoryPolicy {
            model: if layerwise_nm {
                super::MemoryModel::Sparsim
            } else {
                super::MemoryModel::Scalesim
            },
            ..super::MemoryPolicy::default()
        },
    };
    // A `.cfg` has no technology section: the 45 nm defaults.
    let tech = super::resolve_technology(
        (crate::energy::TechBase::Nm45, &Default::default()),
        (crate::energy::TechBase::Nm45, &Default::default()),
        &memory,
        &pe,
        cols as u32,
        super::raw::DEFAULT_CLOCK_MHZ,
    );
    Ok(Arch {
        name,
        description: format!("imported from SCALE-Sim config {origin}"),
        clock_mhz: super::raw::DEFAULT_CLOCK_MHZ,
        array: ArrayShape {
            rows: rows as u32,
            cols: cols as u32,
        },
        dataflow,
        memory,
        pe,
        decode: DecodeThroughput::uniform(cols as u32),
        ports: super::SramPorts::dense_need(
            ArrayShape {
                rows: rows as u32,
                cols: cols as u32,
            },
            dataflow,
        ),
        dropped_filters: super::DroppedFilters::WriteZeros,
        layout: crate::layout::LayoutParams {
            layerwise_nm,
            ..crate::layout::LayoutParams::default()
        },
        tech,
    })
}

fn check_known(ini: &Ini, origin: &str) -> Result<(), InputError> {
    for (section, line) in &ini.sections {
        if !KNOWN.iter().any(|(s, _)| s == section) {
            let names: Vec<&str> = KNOWN.iter().map(|(s, _)| *s).collect();
            return Err(InputError::at_line(
                origin,
                *line,
                format!(
                    "unknown section [{section}]: expected one of [{}] (section names are case-sensitive)",
                    names.join("], [")
                ),
            ));
        }
    }
    for e in &ini.entries {
        let (_, keys) = KNOWN
            .iter()
            .find(|(s, _)| *s == e.section)
            .expect("sections were checked");
        if !keys.iter().any(|k| e.key_is(k)) {
            return Err(InputError::at_line(
                origin,
                e.line,
                format!(
                    "unknown key in [{}]: expected one of {}",
                    e.section,
                    keys.join(", ")
                ),
            )
            .with_key(e.key.clone()));
        }
    }
    Ok(())
}

struct Cfg<'a> {
    ini: &'a Ini,
    origin: &'a str,
}

impl Cfg<'_> {
    fn get(&self, section: &str, key: &str) -> Option<&IniEntry> {
        self.ini.get(section, key)
    }

    fn missing(&self, section: &str, key: &str) -> InputError {
        InputError::new(
            self.origin,
            format!("[{section}] has no `{key}`; SCALE-Sim requires it"),
        )
        .with_key(key)
    }

    fn bad(&self, e: &IniEntry, value: &str, allowed: &str) -> InputError {
        InputError::at_line(
            self.origin,
            e.line,
            format!("invalid value `{value}`: expected {allowed}"),
        )
        .with_key(e.key.clone())
    }

    fn int(&self, section: &str, key: &str, min: u64, max: u64) -> Result<u64, InputError> {
        let e = self
            .get(section, key)
            .ok_or_else(|| self.missing(section, key))?;
        e.value
            .parse::<u64>()
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(|| self.bad(e, &e.value, &format!("an integer from {min} to {max}")))
    }

    /// configparser's `getboolean` / SCALE-Sim's `.lower() == 'true'` union.
    fn boolean(&self, e: &IniEntry) -> Result<bool, InputError> {
        match e.value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(self.bad(e, &e.value, "true or false")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "[general]\nrun_name = t\n[architecture_presets]\nArrayHeight: 32\nArrayWidth: 16\nIfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 32\nBandwidth : 10\nDataflow : ws\n[layout]\nIfmapSRAMBankBandwidth: 20\nFilterSRAMBankBandwidth: 30\n[sparsity]\nSparsitySupport : false\n[run_presets]\nInterfaceBandwidth: USER\n";

    #[test]
    fn user_mode_bandwidths_come_from_layout() {
        let a = parse_scalesim_cfg(USER, "t.cfg", "t").unwrap();
        assert_eq!((a.array.rows, a.array.cols), (32, 16));
        assert_eq!(a.memory.ifmap.dram_bw.words_per_cycle(), 20.0);
        assert_eq!(a.memory.filter.dram_bw.words_per_cycle(), 30.0);
        assert_eq!(a.memory.ofmap.dram_bw.words_per_cycle(), 10.0);
        assert_eq!(a.memory.ofmap.sram_words(), 32 * 1024);
    }

    #[test]
    fn upper_case_dataflow_is_refused() {
        let e = parse_scalesim_cfg(
            &USER.replace("Dataflow : ws", "Dataflow : WS"),
            "t.cfg",
            "t",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.cfg:10: Dataflow: invalid value `WS`: expected one of ws, os, is (lower case; SCALE-Sim silently runs any other value as os)"
        );
    }
}
