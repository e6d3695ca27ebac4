//! Accelergy energy reference tables (ERT YAML, v0.3 and v0.4) read into `[energy]` values
//! (`docs/model.md` §9.6).
//!
//! An ERT lists, per component (`system.arch.PE[0..1023].mac`), the energy in pJ of each of
//! its actions. sparsim takes the components it knows by the last element of their name
//! (brackets removed), as its own `--accelergy` architecture names them:
//!
//! | ERT component | action | sparsim key |
//! |---|---|---|
//! | `mac` | `mac_random` (v0.4: `compute`) | `mac_pj` |
//! | `mac` | `mac_gated` | `gated_mac_pj` |
//! | `psum_reg`, else `stream_reg`, else `stationary_reg` | `access` (v0.4: `read`/`write`/`update`) | `reg_bit_pj` (÷ its bits) |
//! | `mux` | any | `mux_input_pj` (÷ the arch's `mux_inputs`) |
//! | `decoder` | any | `decode_entry_pj` |
//! | `ifmap_sram`, `filter_sram` | `read` | `{ifmap,filter}_sram_pj_per_byte` (÷ word bytes) |
//! | `ofmap_sram` | `write` | `ofmap_sram_pj_per_byte` (÷ word bytes) |
//! | `DRAM` | `read` | `dram_pj_per_byte` (÷ the DRAM's bytes per access: 1 as sparsim writes it) |
//!
//! When an action appears once per argument combination (SRAM reads by address and data
//! delta), the largest energy is taken: random data at a new address. Other components are
//! ignored; a table with none of these is an error.

use crate::energy::table::EnergyOverrides;
use crate::error::InputError;
use yaml_rust2::{Yaml, YamlLoader};

/// One component's actions: (action name, energy in pJ), every argument combination.
#[derive(Debug, Clone, PartialEq)]
pub struct ErtTable {
    /// The component's full name.
    pub name: String,
    /// (action, pJ).
    pub actions: Vec<(String, f64)>,
}

impl ErtTable {
    /// The last name element without brackets: `system.a.PE[0..3].mac` → `mac`.
    pub fn leaf(&self) -> String {
        let last = self.name.rsplit('.').next().unwrap_or(&self.name);
        last.split('[').next().unwrap_or(last).to_string()
    }

    /// The largest energy among the actions named one of `names`, or among all actions when
    /// `names` is empty.
    fn energy(&self, names: &[&str]) -> Option<f64> {
        self.actions
            .iter()
            .filter(|(a, _)| names.is_empty() || names.contains(&a.as_str()))
            .map(|(_, e)| *e)
            .reduce(f64::max)
    }
}

/// A parsed ERT.
#[derive(Debug, Clone, PartialEq)]
pub struct Ert {
    /// Where it came from, for errors.
    pub origin: String,
    /// Its tables in file order.
    pub tables: Vec<ErtTable>,
}

/// Parses ERT YAML text.
pub fn parse_ert(text: &str, origin: &str) -> Result<Ert, InputError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| {
        InputError::at_line(
            origin,
            e.marker().line().max(1),
            format!("not valid YAML: {}", e.info()),
        )
    })?;
    let doc = docs.first().ok_or_else(|| {
        InputError::new(
            origin,
            "the file is empty: expected an Accelergy ERT (`ERT:` with `tables:`)",
        )
    })?;
    let tables = doc["ERT"]["tables"].as_vec().ok_or_else(|| {
        InputError::new(
            origin,
            "no `ERT: tables:` list: expected an Accelergy energy reference table",
        )
        .with_key("ERT.tables")
    })?;
    let mut out = Vec::with_capacity(tables.len());
    for (i, t) in tables.iter().enumerate() {
        let key = format!("ERT.tables[{i}]");
        let name = t["name"].as_str().ok_or_else(|| {
            InputError::new(origin, "a table without a `name` string").with_key(key.clone())
        })?;
        let actions = t["actions"].as_vec().ok_or_else(|| {
            InputError::new(origin, format!("table `{name}` has no `actions` list"))
                .with_key(key.clone())
        })?;
        let mut list = Vec::with_capacity(actions.len());
        for (j, a) in actions.iter().enumerate() {
            let akey = format!("{key}.actions[{j}]");
            let action = a["name"].as_str().ok_or_else(|| {
                InputError::new(origin, format!("an action of `{name}` without a `name`"))
                    .with_key(akey.clone())
            })?;
            let energy = number(&a["energy"]).ok_or_else(|| {
                InputError::new(
                    origin,
                    format!("action `{action}` of `{name}` has no numeric `energy` (pJ)"),
                )
                .with_key(format!("{akey}.energy"))
            })?;
            if !(energy.is_finite()
                && (0.0..=crate::config::values::MAX_TECH_VALUE).contains(&energy))
            {
                return Err(InputError::new(
                    origin,
                    format!(
                        "action `{action}` of `{name}` has energy {energy}: expected a number from 0 to 1e9 pJ"
                    ),
                )
                .with_key(format!("{akey}.energy")));
            }
            list.push((action.to_string(), energy));
        }
        out.push(ErtTable {
            name: name.to_string(),
            actions: list,
        });
    }
    Ok(Ert {
        origin: origin.to_string(),
        tables: out,
    })
}

fn number(y: &Yaml) -> Option<f64> {
    match y {
        Yaml::Integer(i) => Some(*i as f64),
        Yaml::Real(_) => y.as_f64(),
        // v0.4 writes some energies as strings of digits.
        Yaml::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// The widths an ERT's per-access energies are divided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErtWidths {
    /// Accumulator bits (`psum_reg`).
    pub accumulator_bits: u32,
    /// Streamed-operand bits (`stream_reg`).
    pub stream_bits: u32,
    /// Stationary-operand bits (`stationary_reg`).
    pub stationary_bits: u32,
    /// Activation-mux inputs.
    pub mux_inputs: u32,
    /// Bytes per word: ifmap, filter, ofmap.
    pub word_bytes: [u32; 3],
}

impl Ert {
    /// The `[energy]` values the table gives, per the mapping in the module docs.
    pub fn overrides(&self, w: &ErtWidths) -> Result<EnergyOverrides, InputError> {
        let find = |leaf: &str| self.tables.iter().find(|t| t.leaf() == leaf);
        let per = |v: Option<f64>, d: u32| v.map(|e| e / f64::from(d.max(1)));
        let reg = ["access", "read", "write", "update"];
        let reg_bit = per(
            find("psum_reg").and_then(|t| t.energy(&reg)),
            w.accumulator_bits,
        )
        .or(per(
            find("stream_reg").and_then(|t| t.energy(&reg)),
            w.stream_bits,
        ))
        .or(per(
            find("stationary_reg").and_then(|t| t.energy(&reg)),
            w.stationary_bits,
        ));
        let o = EnergyOverrides {
            mac_pj: find("mac").and_then(|t| t.energy(&["mac_random", "compute"])),
            gated_mac_pj: find("mac").and_then(|t| t.energy(&["mac_gated"])),
            reg_bit_pj: reg_bit,
            mux_input_pj: per(find("mux").and_then(|t| t.energy(&[])), w.mux_inputs),
            decode_entry_pj: find("decoder").and_then(|t| t.energy(&[])),
            ifmap_sram_pj_per_byte: per(
                find("ifmap_sram").and_then(|t| t.energy(&["read"])),
                w.word_bytes[0],
            ),
            filter_sram_pj_per_byte: per(
                find("filter_sram").and_then(|t| t.energy(&["read"])),
                w.word_bytes[1],
            ),
            ofmap_sram_pj_per_byte: per(
                find("ofmap_sram").and_then(|t| t.energy(&["write"])),
                w.word_bytes[2],
            ),
            dram_pj_per_byte: find("DRAM").and_then(|t| t.energy(&["read"])),
            ..EnergyOverrides::default()
        };
        if o == EnergyOverrides::default() {
            return Err(InputError::new(
                &self.origin,
                "no table sparsim can use: expected components named `…mac`, `…psum_reg`, `…stream_reg`, `…stationary_reg`, `…mux`, `…decoder`, `…ifmap_sram`, `…filter_sram`, `…ofmap_sram` or `…DRAM` (as `--accelergy` names them)",
            ));
        }
        Ok(o)
    }
}

/// `explicit` over `from_ert`: a key the architecture file sets wins over the ERT's.
pub fn merge(explicit: &EnergyOverrides, from_ert: &EnergyOverrides) -> EnergyOverrides {
    let pick = |a: Option<f64>, b: Option<f64>| a.or(b);
    EnergyOverrides {
        mac_pj: pick(explicit.mac_pj, from_ert.mac_pj),
        gated_mac_pj: pick(explicit.gated_mac_pj, from_ert.gated_mac_pj),
        reg_bit_pj: pick(explicit.reg_bit_pj, from_ert.reg_bit_pj),
        mux_input_pj: pick(explicit.mux_input_pj, from_ert.mux_input_pj),
        decode_entry_pj: pick(explicit.decode_entry_pj, from_ert.decode_entry_pj),
        bus_beat_pj: pick(explicit.bus_beat_pj, from_ert.bus_beat_pj),
        sram_pj_per_byte: explicit.sram_pj_per_byte,
        // A file's `sram_pj_per_byte` covers every buffer the file does not name.
        ifmap_sram_pj_per_byte: explicit
            .ifmap_sram_pj_per_byte
            .or(explicit.sram_pj_per_byte)
            .or(from_ert.ifmap_sram_pj_per_byte),
        filter_sram_pj_per_byte: explicit
            .filter_sram_pj_per_byte
            .or(explicit.sram_pj_per_byte)
            .or(from_ert.filter_sram_pj_per_byte),
        ofmap_sram_pj_per_byte: explicit
            .ofmap_sram_pj_per_byte
            .or(explicit.sram_pj_per_byte)
            .or(from_ert.ofmap_sram_pj_per_byte),
        dram_pj_per_byte: pick(explicit.dram_pj_per_byte, from_ert.dram_pj_per_byte),
        pe_leakage_pj_per_cycle: pick(
            explicit.pe_leakage_pj_per_cycle,
            from_ert.pe_leakage_pj_per_cycle,
        ),
        idle_pe_cycle_pj: pick(explicit.idle_pe_cycle_pj, from_ert.idle_pe_cycle_pj),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDTHS: ErtWidths = ErtWidths {
        accumulator_bits: 32,
        stream_bits: 8,
        stationary_bits: 8,
        mux_inputs: 4,
        word_bytes: [1, 1, 2],
    };

    #[test]
    fn a_v03_table_maps_onto_the_energy_keys() {
        let text = "\
ERT:
  version: 0.3
  tables:
  - name: system.a.PE[0..15].mac
    actions:
    - name: mac_random
      arguments: null
      energy: 2.2
    - name: mac_gated
      arguments: null
      energy: 0.103
  - name: system.a.PE[0..15].psum_reg
    actions:
    - name: access
      arguments: {}
      energy: 0.64
  - name: system.a.PE[0..15].mux
    actions:
    - name: select
      energy: 0.2
  - name: system.a.ifmap_sram
    actions:
    - name: read
      arguments: {address_delta: 0, data_delta: 0}
      energy: 0.5
    - name: read
      arguments: {address_delta: 1, data_delta: 1}
      energy: 3
  - name: system.a.ofmap_sram
    actions:
    - name: write
      energy: 4
  - name: system.DRAM
    actions:
    - name: read
      energy: 512
  - name: system.a.something_else
    actions:
    - name: read
      energy: 9
";
        let ert = parse_ert(text, "ERT.yaml").unwrap();
        assert_eq!(ert.tables[0].leaf(), "mac");
        let o = ert.overrides(&WIDTHS).unwrap();
        assert_eq!(o.mac_pj, Some(2.2));
        assert_eq!(o.gated_mac_pj, Some(0.103));
        // 0.64 pJ per access of a 32-bit register: 0.02 pJ per bit.
        assert_eq!(o.reg_bit_pj, Some(0.02));
        // 0.2 pJ per selection of a 4-input mux.
        assert_eq!(o.mux_input_pj, Some(0.05));
        // The dearest read: random data at a new address.
        assert_eq!(o.ifmap_sram_pj_per_byte, Some(3.0));
        // 2-byte ofmap words.
        assert_eq!(o.ofmap_sram_pj_per_byte, Some(2.0));
        assert_eq!(o.dram_pj_per_byte, Some(512.0));
        assert_eq!(o.filter_sram_pj_per_byte, None);
    }

    #[test]
    fn explicit_keys_win_over_the_ert() {
        let file = EnergyOverrides {
            mac_pj: Some(1.0),
            sram_pj_per_byte: Some(7.0),
            ..EnergyOverrides::default()
        };
        let ert = EnergyOverrides {
            mac_pj: Some(2.0),
            dram_pj_per_byte: Some(100.0),
            ifmap_sram_pj_per_byte: Some(3.0),
            ..EnergyOverrides::default()
        };
        let m = merge(&file, &ert);
        assert_eq!(m.mac_pj, Some(1.0));
        assert_eq!(m.dram_pj_per_byte, Some(100.0));
        assert_eq!(m.ifmap_sram_pj_per_byte, Some(7.0));
    }

    #[test]
    fn bad_erts_get_clear_errors() {
        let e = parse_ert("ERT:\n  tables: [\n", "e.yaml").unwrap_err();
        assert!(e.to_string().starts_with("e.yaml:"), "{e}");
        assert!(e.to_string().contains("not valid YAML"), "{e}");
        let e = parse_ert("foo: 1\n", "e.yaml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "e.yaml: ERT.tables: no `ERT: tables:` list: expected an Accelergy energy reference table"
        );
        let e = parse_ert(
            "ERT:\n  tables:\n  - name: x.mac\n    actions:\n    - name: mac_random\n      energy: -1\n",
            "e.yaml",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "e.yaml: ERT.tables[0].actions[0].energy: action `mac_random` of `x.mac` has energy -1: expected a number from 0 to 1e9 pJ"
        );
        let ert = parse_ert(
            "ERT:\n  tables:\n  - name: x.y\n    actions:\n    - name: read\n      energy: 1\n",
            "e.yaml",
        )
        .unwrap();
        let e = ert.overrides(&WIDTHS).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("e.yaml: no table sparsim can use"),
            "{e}"
        );
    }
}
