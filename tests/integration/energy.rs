//! Energy and area end to end: a technology table with one priced action makes every row's
//! energy equal that action's count as the row reports it; one priced component makes the
//! area its count; an Accelergy ERT fills the table.

use crate::common::{root, sparsim, stderr, temp_dir};
use std::collections::HashMap;
use std::path::Path;

/// The sparse arch's file with `extra` appended (and word sizes of 2 bytes for ofmaps and
/// metadata, so that bytes and words differ).
fn arch_file(dir: &Path, extra: &str) -> String {
    let base = std::fs::read_to_string(root().join("arch/sparse-32x32-ws.toml")).unwrap();
    let base = base
        .replace("ofmap = 1\n", "ofmap = 2\n")
        .replace("metadata = 1\n", "metadata = 2\n");
    let text = format!("{base}\n{extra}\n");
    std::fs::write(dir.join("a.toml"), text).unwrap();
    "a.toml".into()
}

/// Runs `sparsim <command> -a a.toml -w lenet5.toml -o <out> -q <more>` in `dir`; `Err` with
/// its standard error when it fails.
fn lenet(dir: &Path, command: &str, out: &str, more: &[&str]) -> Result<(), String> {
    let w = root().join("workloads/lenet5.toml");
    let mut args = vec![
        command,
        "-a",
        "a.toml",
        "-w",
        w.to_str().unwrap(),
        "-o",
        out,
        "-q",
    ];
    args.extend(more);
    let o = sparsim(&args, dir);
    if o.status.success() {
        Ok(())
    } else {
        Err(stderr(&o))
    }
}

/// `compare.csv` rows as column → value maps.
fn compare_rows(dir: &Path, extra: &str, more: &[&str]) -> Vec<HashMap<String, String>> {
    arch_file(dir, extra);
    lenet(dir, "compare", "out", more).unwrap();
    read_csv(&dir.join("out/compare.csv"))
}

fn read_csv(p: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(p).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(r: &HashMap<String, String>, c: &str) -> f64 {
    r[c].parse::<f64>()
        .unwrap_or_else(|_| panic!("column {c}: {:?}", r.get(c)))
}

/// `energy_pj` of every row equals `expected(row)` (to float rounding of the sums).
fn check(
    rows: &[HashMap<String, String>],
    what: &str,
    expected: impl Fn(&HashMap<String, String>) -> f64,
) {
    assert!(rows.len() >= 7 * 5, "{}", rows.len());
    let mut nonzero = 0;
    for r in rows {
        let (got, want) = (num(r, "energy_pj"), expected(r));
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{what}: {} {}: energy_pj {got}, expected {want}",
            r["layer"],
            r["layout"]
        );
        nonzero += usize::from(want > 0.0);
    }
    assert!(nonzero >= 20, "{what}: too few rows with work ({nonzero})");
}

#[test]
fn one_priced_action_makes_the_energy_its_count() {
    let dir = temp_dir("energy", "one_action");
    let none = "[energy]\nbase = \"none\"\n";
    // MACs: gated zero-weight slots cost gated_mac_pj (0 here) ...
    let rows = compare_rows(&dir, &format!("{none}mac_pj = 1\n"), &[]);
    check(&rows, "mac", |r| num(r, "effectual_macs"));
    // ... ungated ones a whole MAC.
    let ungated = std::fs::read_to_string(root().join("arch/sparse-32x32-ws.toml"))
        .unwrap()
        .contains("zero_gating");
    assert!(!ungated, "the shipped arch keeps the default gating");
    let text = std::fs::read_to_string(dir.join("a.toml")).unwrap();
    std::fs::write(
        dir.join("a.toml"),
        text.replace("[pe]\n", "[pe]\nzero_gating = false\n"),
    )
    .unwrap();
    lenet(&dir, "compare", "out", &[]).unwrap();
    check(&read_csv(&dir.join("out/compare.csv")), "ungated", |r| {
        num(r, "effectual_macs") + num(r, "ineffectual_macs")
    });
    // DRAM: the bytes the row reports on every channel (metadata rides the filter channel).
    let rows = compare_rows(&dir, &format!("{none}dram_pj_per_byte = 1\n"), &[]);
    check(&rows, "dram", |r| {
        num(r, "ifmap_dram_reads")
            + num(r, "filter_dram_reads")
            + 2.0 * (num(r, "ofmap_dram_writes") + num(r, "ofmap_dram_reads"))
    });
    // SRAM: every word read or written, in bytes; metadata read from the filter SRAM.
    let rows = compare_rows(&dir, &format!("{none}sram_pj_per_byte = 1\n"), &[]);
    check(&rows, "sram", |r| {
        num(r, "ifmap_sram_reads")
            + num(r, "filter_sram_reads")
            + 2.0 * num(r, "ofmap_sram_writes")
            + 2.0 * num(r, "metadata_sram_reads")
    });
    // Decoders: one per entry.
    let rows = compare_rows(&dir, &format!("{none}decode_entry_pj = 1\n"), &[]);
    check(&rows, "decode", |r| num(r, "decoder_entries"));
    // Muxes: every MAC slot selects through the arch's 16-input mux.
    let rows = compare_rows(&dir, &format!("{none}mux_input_pj = 1\n"), &[]);
    check(&rows, "mux", |r| {
        16.0 * (num(r, "effectual_macs") + num(r, "ineffectual_macs"))
    });
    // Leakage: every PE every cycle.
    let rows = compare_rows(&dir, &format!("{none}pe_leakage_pj_per_cycle = 1\n"), &[]);
    check(&rows, "leakage", |r| 1024.0 * num(r, "total_cycles"));
    // Registers: 8-bit activations per hop, 8-bit weights (+ a 5-bit select in packed
    // layouts: a row of 32 PEs carries at most 32 entries) per load write, a 32-bit partial
    // sum per MAC slot.
    let rows = compare_rows(&dir, &format!("{none}reg_bit_pj = 1\n"), &[]);
    check(&rows, "registers", |r| {
        let select = if ["dense", "masked"].contains(&r["layout"].as_str()) {
            0.0
        } else {
            5.0
        };
        8.0 * num(r, "operand_hops")
            + (8.0 + select) * num(r, "stationary_hops")
            + 32.0 * (num(r, "effectual_macs") + num(r, "ineffectual_macs"))
    });
}

#[test]
fn one_priced_component_makes_the_area_its_count() {
    let dir = temp_dir("energy", "one_component");
    arch_file(&dir, "[area]\nbase = \"none\"\nmux_input_um2 = 1\n");
    lenet(&dir, "compare", "out", &[]).unwrap();
    // R·C·mux_inputs·1e-6 mm² on the arch as provisioned: 32·32·16.
    for r in read_csv(&dir.join("out/compare_totals.csv")) {
        assert_eq!(
            num(&r, "area_mm2"),
            32.0 * 32.0 * 16.0 * 1e-6,
            "{}",
            r["layout"]
        );
    }
    lenet(&dir, "run", "run", &[]).unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run/summary.json")).unwrap())
            .unwrap();
    assert_eq!(v["totals"]["area_mm2"], 32.0 * 32.0 * 16.0 * 1e-6);
    // Sized to fit, each layout's mux is its largest fan-in.
    lenet(&dir, "compare", "fit", &["--size-to-fit"]).unwrap();
    for r in read_csv(&dir.join("fit/compare_totals.csv")) {
        assert_eq!(
            num(&r, "area_mm2"),
            1024.0 * num(&r, "max_fan_in").max(1.0) * 1e-6,
            "{}",
            r["layout"]
        );
    }
}

#[test]
fn an_accelergy_ert_fills_the_table_and_the_files_it_prices_are_written() {
    let dir = temp_dir("energy", "ert");
    std::fs::write(
        dir.join("ERT.yaml"),
        "ERT:\n  version: '0.4'\n  tables:\n  - name: system.x.PE[0..1023].mac\n    actions:\n    - name: compute\n      arguments: {}\n      energy: 2.5\n  - name: system.DRAM\n    actions:\n    - name: read\n      energy: 3\n",
    )
    .unwrap();
    // The file's own dram value wins over the ERT's.
    let rows = compare_rows(
        &dir,
        "[energy]\nbase = \"none\"\nert = \"ERT.yaml\"\ndram_pj_per_byte = 0\n",
        &["--accelergy", "acc"],
    );
    check(&rows, "ert", |r| 2.5 * num(r, "effectual_macs"));
    for layout in ["dense", "nm", "colcomb"] {
        let counts =
            std::fs::read_to_string(dir.join(format!("acc/{layout}/action_counts.yaml"))).unwrap();
        assert!(counts.starts_with("# sparsim action counts"), "{counts}");
        assert!(counts.contains("PE[0..1023].mac\n    action_counts:\n    - name: mac_random\n"));
        assert!(dir.join(format!("acc/{layout}/architecture.yaml")).exists());
    }
    // A missing ERT names the file it looked for.
    arch_file(&dir, "[energy]\nert = \"nope.yaml\"\n");
    let e = lenet(&dir, "compare", "out", &[]).unwrap_err();
    // The arch file, its line and key, then the ERT path it could not read.
    assert!(
        e.starts_with("error: a.toml:54: energy.ert: the energy reference table cannot be read: nope.yaml: cannot read the file:"),
        "{e}"
    );
}

#[test]
fn layerwise_nm_is_priced_on_the_muxes_it_is_sized_to() {
    // SCALE-Sim's SparsitySupport runs every layer as N:M on PEs sized to fit: the mux is as
    // wide as the network's largest fan-in, and every selection drives all its inputs.
    let dir = temp_dir("energy", "layerwise_nm");
    let run = crate::common::fixture("scalesim_nm/nm_conv_8x16_ws_user");
    let o = sparsim(
        &[
            "run",
            "-q",
            "-a",
            run.join("config.cfg").to_str().unwrap(),
            "-w",
            run.join("topology.csv").to_str().unwrap(),
            "-o",
            "out",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let layers = read_csv(&dir.join("out/layers.csv"));
    let fan = layers
        .iter()
        .map(|r| num(r, "max_fan_in"))
        .fold(0.0, f64::max);
    assert!(fan > 1.0, "{fan}");
    for r in read_csv(&dir.join("out/actions.csv")) {
        assert_eq!(
            num(&r, "mux_select_inputs"),
            fan * num(&r, "mux_selects"),
            "{}",
            r["layer"]
        );
    }
}
