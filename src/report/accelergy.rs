//! Accelergy (v0.3 format) views of a run (`docs/model.md` §9.6): the architecture as an
//! `architecture.yaml` of primitive components, and the run's actions as an
//! `action_counts.yaml`, so that Accelergy and its plug-ins (Aladdin, CACTI) can price the
//! same work. Counts of a component list (`PE[0..1023].mac`) are summed over its instances:
//! sparsim does not keep per-PE counts.

use crate::config::Arch;
use crate::energy::{ActionCounts, Provision};
use std::fmt::Write;

/// The top of the component hierarchy.
const SYSTEM: &str = "system";

/// A YAML-safe component name from the architecture's name.
fn component_name(arch: &Arch) -> String {
    let s: String = arch
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.is_empty() { "arch".into() } else { s }
}

fn range(name: &str, n: u64) -> String {
    if n <= 1 {
        name.to_string()
    } else {
        format!("{name}[0..{}]", n - 1)
    }
}

/// `architecture.yaml`: the arch with its PEs, bus and decoders as `hw` provisions them.
pub fn architecture_yaml(arch: &Arch, hw: &Provision) -> String {
    let mut y = String::new();
    let (stream, stat) = crate::energy::area::operand_bits(arch);
    let m = &arch.memory;
    let _ = writeln!(
        y,
        "# sparsim {}: {} ({}x{} {}), as priced by sparsim's `{}` technology table",
        env!("CARGO_PKG_VERSION"),
        arch.name,
        arch.array.rows,
        arch.array.cols,
        arch.dataflow,
        arch.tech.energy.base.as_str()
    );
    y.push_str("architecture:\n  version: 0.3\n  subtree:\n");
    let _ = writeln!(y, "  - name: {SYSTEM}");
    y.push_str("    attributes:\n      technology: 45nm\n");
    let _ = writeln!(y, "      frequency_mhz: {}", arch.clock_mhz);
    y.push_str("    local:\n");
    y.push_str("    - name: DRAM\n      class: DRAM\n      attributes:\n        type: LPDDR4\n        width: 8\n        datawidth: 8\n");
    y.push_str("    subtree:\n");
    let _ = writeln!(y, "    - name: {}", component_name(arch));
    y.push_str("      local:\n");
    for (name, om) in [
        ("ifmap_sram", &m.ifmap),
        ("filter_sram", &m.filter),
        ("ofmap_sram", &m.ofmap),
    ] {
        let bits = om.word_bytes * 8;
        // Two banks: the halves of the double buffer.
        let depth = om.sram_words() / 2;
        let _ = write!(
            y,
            "      - name: {name}\n        class: SRAM\n        attributes:\n          width: {bits}\n          datawidth: {bits}\n          depth: {depth}\n          n_banks: 2\n"
        );
    }
    if hw.decoder_lanes > 0 {
        let _ = write!(
            y,
            "      - name: {}\n        class: intadder\n        attributes:\n          datawidth: {}\n",
            range("decoder", u64::from(hw.decoder_lanes)),
            crate::energy::table::DECODER_LANE_BITS
        );
    }
    y.push_str("      subtree:\n");
    let _ = writeln!(y, "      - name: {}", range("PE", arch.array.pes()));
    y.push_str("        local:\n");
    let _ = write!(
        y,
        "        - name: mac\n          class: intmac\n          attributes:\n            datawidth: {stream}\n            multiplier_width: {stat}\n            adder_width: {}\n",
        arch.pe.accumulator_bits
    );
    let reg = |y: &mut String, name: &str, bits: u32| {
        let _ = write!(
            y,
            "        - name: {name}\n          class: reg\n          attributes:\n            datawidth: {bits}\n"
        );
    };
    reg(&mut y, "stationary_reg", stat);
    reg(
        &mut y,
        &range("stream_reg", u64::from(hw.row_bus_width)),
        stream,
    );
    reg(&mut y, "psum_reg", arch.pe.accumulator_bits);
    if hw.select_bits > 0 {
        reg(&mut y, "select_reg", hw.select_bits);
    }
    let _ = write!(
        y,
        "        - name: mux\n          class: mux\n          attributes:\n            n_mux_inputs: {}\n            n_bits: {stream}\n",
        hw.mux_inputs
    );
    y
}

/// `action_counts.yaml`: `a`'s actions on the components of [`architecture_yaml`].
pub fn action_counts_yaml(arch: &Arch, hw: &Provision, a: &ActionCounts) -> String {
    let top = format!("{SYSTEM}.{}", component_name(arch));
    let pe = format!("{top}.{}", range("PE", arch.array.pes()));
    let m = &arch.memory;
    let meta_filter_words = (a.metadata_sram_reads * u64::from(m.metadata_word_bytes))
        .div_ceil(u64::from(m.filter.word_bytes));
    let (mac_random, mac_gated) = if arch.pe.zero_gating {
        (a.mac_effectual, a.mac_zero_weight)
    } else {
        (a.mac_effectual + a.mac_zero_weight, 0)
    };
    let mut comps: Vec<(String, Vec<(&str, u64)>)> = vec![
        (
            format!("{pe}.mac"),
            vec![
                ("mac_random", mac_random),
                ("mac_gated", mac_gated),
                ("idle", a.idle_pe_cycles),
            ],
        ),
        (
            format!("{pe}.stationary_reg"),
            vec![("access", a.stationary_hops)],
        ),
        (
            format!("{pe}.{}", range("stream_reg", u64::from(hw.row_bus_width))),
            vec![("access", a.operand_hops)],
        ),
        (format!("{pe}.psum_reg"), vec![("access", a.psum_writes)]),
    ];
    if hw.select_bits > 0 {
        let selects = if hw.selects { a.stationary_hops } else { 0 };
        comps.push((format!("{pe}.select_reg"), vec![("access", selects)]));
    }
    comps.push((format!("{pe}.mux"), vec![("select", a.mux_selects)]));
    if hw.decoder_lanes > 0 {
        comps.push((
            format!("{top}.{}", range("decoder", u64::from(hw.decoder_lanes))),
            vec![("add", a.decoder_entries)],
        ));
    }
    comps.push((
        format!("{top}.ifmap_sram"),
        vec![("read", a.ifmap_sram_reads)],
    ));
    comps.push((
        format!("{top}.filter_sram"),
        vec![("read", a.filter_sram_reads + meta_filter_words)],
    ));
    comps.push((
        format!("{top}.ofmap_sram"),
        vec![("write", a.ofmap_sram_writes)],
    ));
    comps.push((
        format!("{SYSTEM}.DRAM"),
        vec![
            (
                "read",
                a.ifmap_dram_bytes
                    + a.filter_dram_bytes
                    + a.metadata_dram_bytes
                    + a.psum_dram_read_bytes,
            ),
            ("write", a.ofmap_dram_write_bytes),
        ],
    ));
    let mut y = String::new();
    y.push_str(
        "# sparsim action counts, summed over the instances of each component list;\n# DRAM counts are bytes (width 8)\n",
    );
    y.push_str("action_counts:\n  version: 0.3\n  local:\n");
    for (name, actions) in comps {
        let _ = writeln!(y, "  - name: {name}\n    action_counts:");
        for (action, counts) in actions {
            let _ = writeln!(y, "    - name: {action}\n      counts: {counts}");
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::validate::parse_arch_toml;
    use yaml_rust2::YamlLoader;

    #[test]
    fn the_files_are_yaml_with_the_counts_in_place() {
        let arch = parse_arch_toml(
            "name = \"t 1\"\n[array]\nrows = 2\ncols = 3\n[pe]\nmux_inputs = 4\nrow_bus_width = 2\n",
            "<t>",
            "t",
        )
        .unwrap();
        let hw = Provision {
            selects: true,
            ..Provision::of_arch(&arch)
        };
        let a = ActionCounts {
            mac_effectual: 10,
            mac_zero_weight: 5,
            operand_hops: 7,
            stationary_hops: 6,
            psum_writes: 15,
            mux_selects: 15,
            decoder_entries: 4,
            ifmap_dram_bytes: 100,
            ofmap_dram_write_bytes: 30,
            ..ActionCounts::default()
        };
        let arch_yaml = YamlLoader::load_from_str(&architecture_yaml(&arch, &hw)).unwrap();
        let top = &arch_yaml[0]["architecture"]["subtree"][0];
        assert_eq!(top["name"].as_str(), Some("system"));
        let chip = &top["subtree"][0];
        assert_eq!(chip["name"].as_str(), Some("t_1"));
        assert_eq!(chip["subtree"][0]["name"].as_str(), Some("PE[0..5]"));
        // Decoders: the arch's 3 (= C) entries per cycle.
        assert_eq!(chip["local"][3]["name"].as_str(), Some("decoder[0..2]"));
        let counts = YamlLoader::load_from_str(&action_counts_yaml(&arch, &hw, &a)).unwrap();
        let local = counts[0]["action_counts"]["local"].as_vec().unwrap();
        let find = |name: &str, action: &str| {
            local
                .iter()
                .find(|c| c["name"].as_str() == Some(name))
                .and_then(|c| {
                    c["action_counts"]
                        .as_vec()
                        .unwrap()
                        .iter()
                        .find(|x| x["name"].as_str() == Some(action))
                        .and_then(|x| x["counts"].as_i64())
                })
        };
        assert_eq!(find("system.t_1.PE[0..5].mac", "mac_random"), Some(10));
        assert_eq!(find("system.t_1.PE[0..5].mac", "mac_gated"), Some(5));
        assert_eq!(
            find("system.t_1.PE[0..5].stream_reg[0..1]", "access"),
            Some(7)
        );
        assert_eq!(find("system.t_1.PE[0..5].select_reg", "access"), Some(6));
        assert_eq!(find("system.t_1.decoder[0..2]", "add"), Some(4));
        assert_eq!(find("system.DRAM", "read"), Some(100));
        assert_eq!(find("system.DRAM", "write"), Some(30));
    }
}
